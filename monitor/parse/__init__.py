"""Parsers for every source type, all returning `ParsedFeed` (entries + problems)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from core.text import MONTHS, fold


@dataclass(slots=True)
class ParsedEntry:
    """One entry as the source gave it; title/summary/content may still hold HTML."""

    guid: str | None = None
    link: str | None = None
    title: str = ""
    summary: str = ""
    content: str = ""
    published: datetime | None = None  # aware, UTC
    updated: datetime | None = None
    language: str | None = None  # only when the entry says so itself
    # the date normalization takes (published, else updated) was written without a time of
    # day: it stands at 00:00 UTC of that date, and the backfill decision judges it by the
    # end of that day (monitor/ingest/poll.py)
    date_only: bool = False


PAGE_TEXT_CHARS = 2_000
"""A page's visible text kept when its item selector matched nothing: block pages are shorter."""
PROBLEM_CHARS = 2_000
"""A document's problems as one line, at most: a JSON Feed of three million non-objects wrote
one of 136 million characters to the feed's row and the log."""


@dataclass
class ParsedFeed:
    entries: list[ParsedEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # parse problems worth recording
    lost: list[str] = field(default_factory=list)  # those of them that left items unread: logged too
    format: str = ""  # rss20, atom10, json11, page, ...
    title: str = ""
    fatal: bool = False  # nothing usable: not a feed, empty, unreadable
    total: int | None = None  # entries the document had, where fewer were read (max_entries)
    # a page whose item selector matched nothing: its visible text (at most PAGE_TEXT_CHARS), to
    # tell a bot check or a cookie wall served instead of the listing (monitor/ingest/poll.py)
    text: str = ""

    @property
    def problem(self) -> str | None:
        """The problems in one line (stored on the feed, logged): each told once with how many
        times it came, at most PROBLEM_CHARS."""
        if not self.problems:
            return None
        told = Counter(self.problems)
        line = "; ".join(p if n == 1 else f"{p} (x{n:,})" for p, n in told.items())
        return line if len(line) <= PROBLEM_CHARS else line[:PROBLEM_CHARS - 1] + "…"


def parse_any(
    body: bytes, headers: dict[str, str], url: str, zone: tzinfo = UTC, max_entries: int | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """An `rss` feed's body: JSON Feed when it looks like JSON, else feedparser. Times
    written without an offset are read in `zone` (the feed's `timezone`), two-digit years near
    `now` (the fetch). A JSON Feed's items after `max_entries` are not built (an XML document is
    cut before: `feeds.cut_entries`)."""
    from monitor.parse.feeds import parse_feed
    from monitor.parse.jsonfeed import looks_like_json, parse_json_feed

    if looks_like_json(body, headers):
        return parse_json_feed(body, zone, max_entries, now)
    return parse_feed(body, headers, url, zone, now)


__all__ = ["ParsedDate", "ParsedEntry", "ParsedFeed", "has_time_of_day", "in_24_hours",
           "numeric_date_order", "parse_any", "parse_date", "read_date", "read_local_date", "reworded",
           "zone_names"]


class ParsedDate(NamedTuple):
    when: datetime  # aware, UTC; 00:00 UTC of the date when `date_only`
    date_only: bool  # the text gave a date without a time of day


# a time of day: 10:30, T10 (ISO 8601), 10 am / 10 p. m.
_TIME = re.compile(r"\d:\d\d|\dT\d\d|\d\s*[ap]\.?\s?m\b", re.I)
_ENGLISH_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                   "Dec")
_WEEKDAYS = frozenset({
    "lun", "mar", "mie", "mié", "jue", "vie", "sab", "sáb", "dom", "lunes", "martes", "miercoles",
    "miércoles", "jueves", "viernes", "sabado", "sábado", "domingo",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
})
# RFC 822 with the day and month names in Spanish: "Mié, 03 Dic 2025 10:00:00 -0400"
_RFC822_NAMES = re.compile(
    r"^(?:(?P<wd>[^\W\d_]+)\.?,?\s+)?(?P<d>\d{1,2})\s+(?P<m>[^\W\d_]+)\.?\s+(?P<rest>\d{2,4}\s.*)$"
)


# a time of day with its half of the day: 10:30 PM, 10:30 p. m., 12:15 a.m.
_MERIDIEM = re.compile(r"(?<!\d)(\d{1,2})(:\d\d(?::\d\d)?)\s*([ap])\.?\s?m\b\.?", re.I)


def in_24_hours(text: str) -> str:
    """`text` with "10:30 PM" written "22:30" (and "12:15 AM" "00:15"): the RFC 822 reader
    takes "PM" for an unknown zone and drops it, feedparser ignores it."""
    def hours(m: re.Match[str]) -> str:
        hour = int(m.group(1))
        if hour > 12:
            return m.group(0)
        return f"{hour % 12 + (12 if m.group(3).lower() == 'p' else 0):02d}{m.group(2)}"

    return _MERIDIEM.sub(hours, text) if _MERIDIEM.search(text) else text


# an ISO date and time followed by a zone's name (Ruby's "2025-12-03 22:30:00 UTC")
_ISO_NAMED_ZONE = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[T ](\d{1,2}:\d\d(?::\d\d)?)(?:\.\d+)?\s+([A-Za-z]{1,5})$")


# a day with its English ordinal ending: "December 3rd, 2025", "the 21st of January"
_ORDINAL_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.I)
# the first of a month as Spanish writes it: "1º de enero", "1° de enero", "1.º", "1ro. de enero"
_SPANISH_ORDINAL_DAY = re.compile(r"\b(\d{1,2})(?:\.?[º°]|e?ro\.?)(?=\s+de\s)", re.I)


# an offset after a time of day as RFC 822 does not write it: "-04:00" (PHP's `P`), "GMT-0400
# (hora de Venezuela)" (JavaScript's Date), "GMT-4", "UTC-04:00"; the RFC 822 reader took each
# for an unknown zone, and the time was read in the feed's zone
_LOOSE_OFFSET = re.compile(
    r"(?<=\d:\d\d)\s+(?:(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d\d))?|([+-])(\d\d):(\d\d))(?:\s*\([^()]*\))?\s*$",
    re.I)


def _offset(m: re.Match[str]) -> str:
    sign, hours, minutes = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
    return f" {sign}{int(hours):02d}{minutes or '00'}"


REMEMBERED_DATE_CHARS = 100  # a date's text up to this long has its rewording remembered


def reworded(text: str) -> str:
    """`text` in words the date readers take whole: times in 24 hours (`in_24_hours`), days
    without their ordinal ending ("December 3rd", "1º de enero" were no date), an offset after
    the time as RFC 822 writes it ("-04:00", "GMT-0400 (…)", "GMT-4": `_LOOSE_OFFSET`), and an
    ISO time with a zone's name in RFC 822's order ("03 Dec 2025 22:30:00 UTC"), whose reader
    knows UTC, GMT and the US zones; feedparser kept the day of "2025-12-03 22:30:00 UTC"
    and dropped its time. A name it does not know leaves the time without an offset.

    Remembered: an entry's date is reworded twice as it is read (`read_local_date`, then the
    feed parser's check of feedparser's reading), and a feed lists the same dates poll after
    poll."""
    return _reworded(text) if len(text) <= REMEMBERED_DATE_CHARS else _rewording(text)


def _rewording(text: str) -> str:
    text = _SPANISH_ORDINAL_DAY.sub(r"\1", _ORDINAL_DAY.sub(r"\1", in_24_hours(text)))
    text = _LOOSE_OFFSET.sub(_offset, text, count=1)
    if m := _ISO_NAMED_ZONE.match(text):
        year, month, day, clock, name = m.groups()
        if 1 <= int(month) <= 12:
            return f"{day} {_ENGLISH_MONTHS[int(month)]} {year} {clock} {name}"
    return text


_reworded = lru_cache(maxsize=4096)(_rewording)


def has_time_of_day(text: str) -> bool:
    """Whether a date's text gives a time of day (10:30, T10, 10 p. m.)."""
    return _TIME.search(text) is not None


def _rfc822_in_english(text: str) -> str | None:
    """The RFC 822 date with Spanish (or any MONTHS) names in English, weekday dropped; None
    when it is not of that shape."""
    m = _RFC822_NAMES.match(text)
    if m is None:
        return None
    weekday, month = (m.group("wd") or "").casefold(), m.group("m").casefold()
    if (weekday and weekday not in _WEEKDAYS) or month not in MONTHS:
        return None
    return f"{m.group('d')} {_ENGLISH_MONTHS[MONTHS[month]]} {m.group('rest')}"


_UNKNOWN_ZONE = re.compile(r"\s-0000\s*$")


def _rfc822(text: str) -> datetime | None:
    for candidate in (text, _rfc822_in_english(text)):
        if candidate is None:
            continue
        try:
            when = parsedate_to_datetime(candidate)
        except (TypeError, ValueError, IndexError, OverflowError):  # "+9999999999999999999" as a zone
            continue
        # "-0000" is UTC whose local zone is unknown (RFC 5322), not a time without a zone
        return when.replace(tzinfo=UTC) if when.tzinfo is None and _UNKNOWN_ZONE.search(candidate) else when
    return None


# a numeric date, day first as Spanish writes it: 03-12-2025, 3/12/2025, 03.12.2025 (10:30 p. m.),
# or year first with slashes or dots (2025/12/03)
_TIME_AFTER = r"(?:[T\s,|-]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"  # "p. m." is 24 h by then (in_24_hours)
_DMY = re.compile(
    r"(?<![\d/.-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?![\d/.-]?\d)" + _TIME_AFTER, re.I
)
_YMD = re.compile(
    r"(?<![\d/.-])(\d{4})([/.])(\d{1,2})\2(\d{1,2})(?![\d/.-]?\d)" + _TIME_AFTER, re.I
)
# a two-digit year, day first as Spanish outlets write it: 12.01.26, 12/01/26, 12-01-26 (10:30);
# not after a letter or a figure ("v1.2.26", "1.200"), not before more of them ("10.12.26.4")
_DMY2 = re.compile(
    r"(?<![\w/.,-])(\d{1,2})([-/.])(\d{1,2})\2(\d\d)(?![\d/.-]?\d|[^\W\d])" + _TIME_AFTER, re.I
)
TWO_DIGIT_YEAR_BEFORE = timedelta(days=366)
"""A two-digit year is read as 20YY when that date is at most this long before the fetch..."""
TWO_DIGIT_YEAR_AHEAD = timedelta(days=2)
"""...and at most this long after it (the ingest's rule of dates ahead of the fetch, an hour,
a day more for a date alone, then decides): "12.01.99" is no 2099, "03-12-20" no 2020."""


def _numeric_date(
    text: str, zone: tzinfo, month_first: bool = False, now: datetime | None = None,
) -> ParsedDate | None:
    """A numeric date, read day first (month first only when that is the one valid reading,
    as 12/25/2025, or when `month_first`), with the time written after it or else before it
    ("9:30 - 14/01/2026": it was dropped, the item a date alone); feedparser would read
    03-12-2025 as 20 December 2003. A two-digit year (12.01.26) is 20YY when that falls near
    `now` (`TWO_DIGIT_YEAR_BEFORE`, `TWO_DIGIT_YEAR_AHEAD`), else no date; with dots, its day
    and month have two digits each (1.2.26 is a version's shape)."""
    two_digit = False
    if m := _DMY.search(text):
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        readings = [(first, second), (second, first)]
    elif m := _YMD.search(text):
        year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
        readings = [(day, month)]
    elif (m := _DMY2.search(text)) and (m.group(2) != "." or len(m.group(1)) == len(m.group(3)) == 2):
        first, second, year, two_digit = int(m.group(1)), int(m.group(3)), 2000 + int(m.group(4)), True
        readings = [(first, second), (second, first)]
    else:
        return None
    if month_first:
        readings.reverse()
    hour, minute, second_ = (int(m.group(i)) if m.group(i) else 0 for i in (5, 6, 7))
    date_only = m.group(5) is None
    if date_only and (before := _CLOCK.search(text, 0, m.start())):
        hour, minute, second_ = int(before.group(1)), int(before.group(2)), int(before.group(3) or 0)
        date_only, zone = False, _named_zone(before.group(4), zone)
    for day, month in readings:
        try:
            when = datetime(year, month, day, hour, minute, second_)
        except ValueError:
            continue
        found = ParsedDate(_in_zone(when, UTC if date_only else zone), date_only)
        return found if not two_digit or _near(found.when, now) else None
    return None


def _near(when: datetime, now: datetime | None) -> bool:
    """Whether a two-digit year's reading falls near the fetch (`now`, else the clock)."""
    now = now or datetime.now(UTC)
    return now - TWO_DIGIT_YEAR_BEFORE <= when <= now + TWO_DIGIT_YEAR_AHEAD


def parse_date(value: str | None) -> datetime | None:
    """A UTC datetime from ISO 8601, RFC 822 (day and month names in English or Spanish),
    feedparser's formats, or a written date ('3 de diciembre de 2025', 'December 3, 2025');
    None when unreadable."""
    found = read_date(value)
    return found.when if found else None


def _in_zone(when: datetime, zone: tzinfo) -> datetime:
    """A naive time read in `zone`, as UTC (OverflowError at the ends of the calendar)."""
    return when.replace(tzinfo=zone).astimezone(UTC)


def numeric_date_order(texts: Iterable[str | None]) -> bool | None:
    """Whether numeric dates among `texts` are written month first (True), day first (False),
    or cannot tell (None): a first number over 12 (25/12/2025) says day first, a second one
    (12/25/2025) month first; a page that writes both ways tells nothing."""
    day_first = month_first = False
    for text in texts:
        if text and (m := _DMY.search(text) or _DMY2.search(text)):
            day_first |= int(m.group(1)) > 12
            month_first |= int(m.group(3)) > 12
    return month_first if day_first != month_first else None


def read_date(
    value: str | None, zone: tzinfo = UTC, *, month_first: bool = False, now: datetime | None = None,
) -> ParsedDate | None:
    """`parse_date`, and whether the text gave a date only (no time of day). A time of day
    written without an offset ("2025-12-03T14:30", "03/12/2025 2:30 p. m.") is read in
    `zone` (the feed's zone: Caracas outlets write Caracas times); a date alone stays
    00:00 UTC of that date, as the backfill rule expects (monitor/ingest/poll.py)."""
    found = read_local_date(value, zone, month_first=month_first, now=now)
    return found[0] if found else None


# a written date: "14 de enero de 2026", "14 January 2026", "January 14, 2026", "14-ene-2026",
# and Colombia's "Enero 12 de 2026" (Caracol Noticias)
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:\s+(?:de\s+)?|([-/]))([a-zé]+)\.?(?(2)\2|,?\s+(?:de\s+|del\s+)?)(\d{4})"
)
# The month's name is read from the first letter of its word (`(?<![a-z])`): a match inside a word
# is one from the word's first letter too, and the search tried every letter of the run, each
# reading the run to its end (64 KB of letters in a date took 29 s; a date is as long as its feed
# writes it).
_MONTH_DAY_YEAR = re.compile(r"(?<![a-z])([a-z]+)\.?\s+(\d{1,2}),?\s+(?:de\s+|del\s+)?(\d{4})")
# a time of day in 24 hours (`in_24_hours` has written the AM/PM ones so), and its zone if named
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):(\d\d)(?::(\d\d))?(?![\d:])(?:\s*(utc|gmt|z|[ecmp][sd]t|[+-]\d\d:?\d\d)\b)?",
                    re.I)
_US_ZONES = {"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}


def _written_date(text: str, zone: tzinfo) -> tuple[ParsedDate, bool] | None:
    """A date written with its month's name, Spanish or English, and the time of day written
    before or after it ("Updated 2:45 PM EST, Wed January 14, 2026", "10:30 - 14 de enero de
    2026"), read in `zone` unless it names its own; the day alone without one. feedparser read
    "2:45 PM, January 14, 2026" as today at 14:45 (the year matched), and the time after a
    Spanish date was dropped."""
    low = text.lower()
    if (m := _DAY_MONTH_YEAR.search(low)) and m.group(3) in MONTHS:
        year, month, day = int(m.group(4)), MONTHS[m.group(3)], int(m.group(1))
    elif (m := _MONTH_DAY_YEAR.search(low)) and m.group(1) in MONTHS:
        year, month, day = int(m.group(3)), MONTHS[m.group(1)], int(m.group(2))
    else:
        return None
    clock = _CLOCK.search(text)
    try:
        if clock is None:
            return ParsedDate(datetime(year, month, day, tzinfo=UTC), True), False
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        when = datetime(year, month, day, hour, minute, second)
        return ParsedDate(_in_zone(when, _named_zone(clock.group(4), zone)), False), not clock.group(4)
    except (OverflowError, ValueError):
        return None


def _named_zone(named: str | None, zone: tzinfo) -> tzinfo:
    """The zone a `_CLOCK` names after its time (a US zone, UTC, an offset), else `zone`."""
    named = (named or "").lower()
    if not named:
        return zone
    if named in _US_ZONES:
        return timezone(timedelta(hours=_US_ZONES[named]))
    if named in ("utc", "gmt", "z"):
        return UTC
    sign = -1 if named[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(named[1:3]), minutes=int(named[-2:])))


# Zones whose abbreviations tzdata writes itself, each in its standard and its summer time:
# "CET" is +01:00 and "CEST" +02:00 whatever the date says (Europe/London gives BST, Lisbon
# WET/WEST, Athens EET/EEST, Halifax AST/ADT as Puerto Rico and the Dominican Republic write it)
_ABBREVIATED_ZONES = ("Europe/London", "Europe/Lisbon", "Europe/Madrid", "Europe/Athens", "America/Halifax")
# Names tzdata stopped writing in 2017 (it writes "-04"): each is its country's zone, whose
# offset the date decides (Venezuela's HLV was -04:30 from December 2007 to May 2016)
_COUNTRY_ZONE_NAMES = {"vet": "America/Caracas", "hlv": "America/Caracas", "cot": "America/Bogota",
                       "art": "America/Argentina/Buenos_Aires"}
# a zone's name right after a time of day: "10:00:00 CET", "10:30 (VET)", "10:30 horas CET"
_ZONE_NAME = re.compile(r"(?<=\d:\d\d)((?::\d\d)?(?:\s*(?:horas|hrs?|h)\b\.?)?)\s*\(?([A-Za-z]{3,4})\)?(?![\w+-])")


@lru_cache(maxsize=1)
def zone_names() -> dict[str, tzinfo]:
    """The zones read by their abbreviation after a time of day, beside UTC, GMT and the US ones
    (which the RFC 822 reader knows): the abbreviations of `_ABBREVIATED_ZONES` in January and
    July, at the offset each names, and `_COUNTRY_ZONE_NAMES`."""
    names: dict[str, tzinfo] = {name: ZoneInfo(key) for name, key in _COUNTRY_ZONE_NAMES.items()}
    for key in _ABBREVIATED_ZONES:
        for month in (1, 7):
            local = datetime(2025, month, 15, 12, tzinfo=UTC).astimezone(ZoneInfo(key))
            name, offset = (local.tzname() or "").lower(), local.utcoffset()
            if name.isalpha() and name not in ("gmt", "utc") and offset is not None:
                names.setdefault(name, timezone(offset))
    return names


def _without_zone_name(text: str) -> tuple[str, tzinfo | None]:
    """`text` without the zone's name written after its time of day, and that zone; the text
    as it is and None when it names none `zone_names` knows (the time is then read as before:
    in the feed's zone, or by the RFC 822 reader when it knows the name)."""
    m = _ZONE_NAME.search(text)
    if m is None or (named := zone_names().get(m.group(2).lower())) is None:
        return text, None
    return text[:m.start()] + m.group(1) + text[m.end():], named


def read_local_date(
    value: str | None, zone: tzinfo, *, month_first: bool = False, now: datetime | None = None,
) -> tuple[ParsedDate, bool] | None:
    """`read_date`, and whether the text wrote a time of day without an offset (read in
    `zone`) or with a zone's name feedparser does not know (`zone_names`: read in that zone):
    feedparser reads such a time as UTC, and keeps only its text. A two-digit year is read
    near `now` (the fetch; the clock when None): `_numeric_date`."""
    if not value or not value.strip():
        return None
    text, named = _without_zone_name(reworded(" ".join(value.split())))
    zone = named or zone
    when: datetime | None = None
    date_only = not has_time_of_day(text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = _rfc822(text)
    if when is None and (_DMY.search(text) or _YMD.search(text) or _DMY2.search(text)):
        try:  # never guessed further: a wrong year is worse than none
            found = _numeric_date(text, zone, month_first, now)
        except (OverflowError, ValueError):
            return None
        return (found, not found.date_only) if found else None
    if when is None and (written := _written_date(text, zone)) is not None:
        return written
    if when is None and (when := _feedparser_date(text)) is not None and named:
        when = when.replace(tzinfo=None)  # the time as written: its zone's name was taken off
    if when is None:
        return None
    local = when.tzinfo is None and not date_only
    try:
        if when.tzinfo is None:
            when = _in_zone(when, zone if local else UTC)
        return ParsedDate(when.astimezone(UTC), date_only), local
    except (OverflowError, ValueError):
        return None


def _feedparser_date(text: str) -> datetime | None:
    """feedparser's reading of `text` (UTC), unless its year is not one the text writes."""
    try:
        from feedparser.datetimes import _parse_date

        parsed = _parse_date(text)
        when = datetime(*parsed[:6], tzinfo=UTC) if parsed else None
    except Exception:  # feedparser's date handlers are many and not all careful
        return None
    if when is not None and not re.search(rf"(?<!\d){when.year:04d}(?!\d)", text):
        return None  # a year the text does not write is a misreading (03-12-20 → 2003)
    return when


# a listing's date relative to now: "hace 2 horas", "5 hours ago", "Hoy 09:15", "Ayer", "14:30"
_AGO = re.compile(r"\bhace\s+(?:mas\s+de\s+|unos?\s+|unas\s+)?(\d{1,6}|una?)\s*([a-z]+)|\b(\d{1,6}|an?|one)\s*([a-z]+)\s+ago\b")
_UNITS = {
    "s": 1, "seg": 1, "segundo": 1, "sec": 1, "second": 1,
    "m": 60, "min": 60, "minuto": 60, "minute": 60,
    "h": 3600, "hr": 3600, "hora": 3600, "hour": 3600,
    "d": 86400, "dia": 86400, "day": 86400, "semana": 7 * 86400, "sem": 7 * 86400, "week": 7 * 86400,
    "mes": 30 * 86400, "month": 30 * 86400, "ano": 365 * 86400, "year": 365 * 86400,
}
_DAYS_BACK = {"hoy": 0, "today": 0, "ayer": 1, "yesterday": 1, "anteayer": 2}
_DAY_WORD = re.compile(r"\b(hoy|today|anteayer|ayer|yesterday)\b")
_NOW_WORDS = re.compile(r"^(?:justo\s+)?ahora(?:\s+mismo)?$|^just\s+now$|^hace\s+(?:instantes|momentos|un\s+momento)$")
# a time of day alone: "14:30", "a las 14:30", "14:30 h", "9:40 a. m." (in 24 hours by then)
_TIME_ALONE = re.compile(r"^(?:a\s+las\s+)?(\d{1,2}):(\d\d)(?::\d\d)?\s*(?:h|hs|hrs|horas)?\.?$")


def _unit_seconds(word: str) -> int | None:
    for stem in (word, word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith("es") else ""):
        if stem in _UNITS:
            return _UNITS[stem]
    return None


def read_relative_date(value: str | None, zone: tzinfo, now: datetime) -> ParsedDate | None:
    """A date a page writes relative to the moment it is read, read from `now` (the fetch):
    "hace 2 horas" / "5 hours ago" (`now` less that; months 30 days, years 365), "Justo
    ahora", "Hoy 09:15", "Ayer, 10:30 p. m." (that day in `zone`; the day alone without a
    time), and a time of day alone ("14:30": today in `zone`, the day before when that is
    over an hour ahead of `now`, a listing's item of last night). None for anything else."""
    if not value or not value.strip():
        return None
    text = fold(in_24_hours(" ".join(value.split())), country=False).strip(" .,:;|-")
    if _NOW_WORDS.match(text):
        return ParsedDate(now, False)
    if m := _AGO.search(text):
        count, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        seconds = _unit_seconds(unit)
        if seconds is None:
            return None
        try:  # "hace 5000 años" is before year 1
            return ParsedDate(now - timedelta(seconds=seconds * (int(count) if count.isdigit() else 1)), False)
        except OverflowError:
            return None
    local = now.astimezone(zone)
    back = 0
    clock = _TIME_ALONE.match(text)
    if day := _DAY_WORD.search(text):  # "Publicado hoy a las 10:30", "Ayer": words around it
        back = _DAYS_BACK[day.group(1)]
        clock = _TIME_ALONE.match(text[day.end():].strip(" .,:;|-")) or _TIME_ALONE.match(
            text[:day.start()].strip(" .,:;|-"))
        if clock is None and not _CLOCK.search(text):
            return ParsedDate(datetime.combine(local.date() - timedelta(days=back), datetime.min.time(), UTC), True)
    if clock is None or int(clock.group(1)) > 23 or int(clock.group(2)) > 59:
        return None
    when = _in_zone(datetime.combine(local.date() - timedelta(days=back), datetime.min.time())
                    .replace(hour=int(clock.group(1)), minute=int(clock.group(2))), zone)
    if day is None and when > now + timedelta(hours=1):
        when = _in_zone(when.astimezone(zone).replace(tzinfo=None) - timedelta(days=1), zone)
    return ParsedDate(when, False)
