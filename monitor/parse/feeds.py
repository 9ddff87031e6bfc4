"""RSS 0.9x/1.0/2.0, RDF and Atom through feedparser, from the fetched bytes.

The response headers go along (`response_headers=`) so that feedparser picks
the charset the server declared and falls back sensibly when it is wrong. An
ill-formed document (bozo) still yields the entries feedparser could read; the
problem is reported, not raised.
"""

from __future__ import annotations

import calendar
import functools
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any
from xml.sax.xmlreader import AttributesNSImpl

import feedparser
import feedparser.mixin
from feedparser.mixin import _FeedParserMixin
from feedparser.parsers.strict import _StrictFeedParser

from core.urls import CACHED_URL_CHARS
from monitor.parse import ParsedEntry, ParsedFeed, has_time_of_day, read_local_date, reworded
from monitor.parse.floods import XML_TEXT, without_attribute_floods

# feedparser looks for an e-mail address in each author (`<author>`, `<managingEditor>`,
# `<webMaster>`, `<dc:creator>`, ...) with a regex that is quadratic in the author's length: 30 KB
# took 16 s, 100 KB four minutes, in a poll thread that held the GIL (the service stood still).
# The author is never used; what the regex sees is cut to this first.
AUTHOR_CHARS = 1_000


def _with_capped_author(sync: Callable[..., None]) -> Callable[..., None]:
    def capped(self: Any, key: str = "author") -> None:
        context = self._get_context()
        value = context.get(key)
        if isinstance(value, str) and len(value) > AUTHOR_CHARS:
            context[key] = value[:AUTHOR_CHARS]
        sync(self, key)

    capped.capped = True  # type: ignore[attr-defined]
    return capped


if not getattr(_FeedParserMixin._sync_author_detail, "capped", False):
    _FeedParserMixin._sync_author_detail = _with_capped_author(_FeedParserMixin._sync_author_detail)


# feedparser makes the document's base URI absolute again at every element it opens
# (`make_safe_absolute_uri(base, base)` when no xml:base is given), and joins each link, GUID and
# href to it, the same link two or three times an entry: a quarter of its parse of a feed of
# 30 items, whose base is the URL fetched (parse_feed). Both are pure functions of their
# strings: their answers are remembered.
# A link longer than CACHED_URL_CHARS (core.urls) is joined afresh each time: remembered, a feed's
# 30 KB links, new at each poll, kept 150 MB alive for the life of the process.


def _remembered(join: Callable[..., str]) -> Callable[..., str]:
    cached = functools.lru_cache(maxsize=1024)(join)

    def joined(base: str, uri: str | None = None) -> str:
        if len(base or "") + len(uri or "") > CACHED_URL_CHARS:
            return join(base, uri)
        return cached(base, uri)

    joined.cache_info, joined.cache_clear = cached.cache_info, cached.cache_clear  # type: ignore[attr-defined]
    return joined


if not hasattr(feedparser.mixin.make_safe_absolute_uri, "cache_info"):
    feedparser.mixin.make_safe_absolute_uri = _remembered(feedparser.mixin.make_safe_absolute_uri)
    feedparser.mixin._urljoin = _remembered(feedparser.mixin._urljoin)


MAX_FEED_ATTRIBUTES = 100_000
"""Attributes read from a document (an ordinary one has a few thousand): feedparser handles each
in Python, 5 us each, so 10 MB of them held a poll 5.5 s. Elements after these have none."""
_CUTS = threading.local()  # whether the parse of this thread met MAX_FEED_ATTRIBUTES


class _QNameAttributes(AttributesNSImpl):
    """xml.sax's attributes with `getValueByQName` by a dict: the stdlib scans every attribute
    for each name feedparser asks, so one element of 12,500 attributes took 8 s and a 400 KB
    one 26 s (in a poll thread that held the GIL). Same values, linear time."""

    def __init__(self, attrs: dict[Any, str], qnames: dict[Any, str]) -> None:
        super().__init__(attrs, qnames)
        self._by_qname: dict[str, Any] = {}
        for name, qname in qnames.items():
            self._by_qname.setdefault(qname, name)

    def getValueByQName(self, name: str) -> str:  # noqa: N802 - the SAX interface's name
        return str(self._attrs[self._by_qname[name]])


def _with_linear_attributes(start: Callable[..., None]) -> Callable[..., None]:
    def linear(self: Any, name: Any, qname: Any, attrs: Any) -> None:
        if isinstance(attrs, AttributesNSImpl) and len(attrs):
            read = getattr(self, "attributes_read", 0)
            self.attributes_read = read + len(attrs)
            if self.attributes_read > MAX_FEED_ATTRIBUTES:
                _CUTS.attributes = True
                names = list(attrs._attrs)[:max(0, MAX_FEED_ATTRIBUTES - read)]
                attrs = AttributesNSImpl({n: attrs._attrs[n] for n in names},
                                         {n: attrs._qnames[n] for n in names})
            if len(attrs) > 1:
                attrs = _QNameAttributes(attrs._attrs, attrs._qnames)
        start(self, name, qname, attrs)

    linear.linear = True  # type: ignore[attr-defined]
    return linear


if not getattr(_StrictFeedParser.startElementNS, "linear", False):
    _StrictFeedParser.startElementNS = _with_linear_attributes(_StrictFeedParser.startElementNS)


# The end of an RSS item or an Atom entry, namespaced or not ("</item>", "</rss:item>").
_ENTRY_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>", re.IGNORECASE)


def cut_entries(body: bytes, max_entries: int) -> tuple[bytes, int]:
    """The document with at most `max_entries` entries, and how many it had.

    feedparser builds every entry of a document before the caller can drop any, so a feed of
    100,000 entries costs seconds and over 100 MB; cutting the bytes after the last entry
    kept and re-attaching the document's own closing tags costs one linear scan."""
    ends = _ENTRY_END.finditer(body)
    keep_end = last_end = 0
    total = 0
    for total, match in enumerate(ends, start=1):  # noqa: B007 - the count is the point
        if total == max_entries:
            keep_end = match.end()
        last_end = match.end()
    if total <= max_entries or keep_end == 0:
        return body, total
    return body[:keep_end] + body[last_end:], total


# What one document's markup may cost (docs/INGESTION.md, "Hostile markup"). feedparser handles
# each element (markup an item writes as XML, not escaped or in CDATA) in Python, 15-30 us each
# on this machine: 10 MB of "<br/>" in a description held a poll for 42 s, and an ill-formed
# document is read twice (the strict parser, then the loose one). Counted in `<` outside CDATA.
MAX_ENTRY_TAGS = 20_000
"""An entry of more markup is not read (an article written as XHTML has a few thousand)."""
MAX_FEED_TAGS = 100_000
"""Markup read from a document; the entries after it are not read."""

_ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]", re.IGNORECASE)
_CDATA = re.compile(rb"<!\[CDATA\[.*?(?:\]\]>|$)", re.DOTALL)


def _tags(data: bytes) -> int:
    """The `<` of `data` outside CDATA sections (their markup is text, and costs nothing)."""
    count = data.count(b"<")
    if count and b"<![CDATA[" in data:
        count -= sum(m.group(0).count(b"<") for m in _CDATA.finditer(data))
    return count


MAX_ELEMENT_ATTRIBUTES = 1_000
"""An element of more has none read: expat hands them all to Python in one call that holds the
GIL, and 780,000 of them in one element (9.4 MB) stalled the event loop 0.75 s."""
ATTRIBUTE_SCAN_CHARS = 4_000  # the shortest tag that can hold that many (" a=1" each)


def _without_attribute_floods(body: bytes) -> tuple[bytes, int]:
    """The document with the attributes of elements of over MAX_ELEMENT_ATTRIBUTES removed, and
    how many elements lost them (monitor/parse/floods.py)."""
    return without_attribute_floods(body, most=MAX_ELEMENT_ATTRIBUTES, scan_chars=ATTRIBUTE_SCAN_CHARS,
                                    text=XML_TEXT)


def bounded_markup(body: bytes) -> tuple[bytes, list[str], bool]:
    """The document without the attributes of elements of over MAX_ELEMENT_ATTRIBUTES, without
    the entries whose markup is over MAX_ENTRY_TAGS or beyond MAX_FEED_TAGS in all, the problems
    naming them, and whether the markup outside the entries is itself over MAX_FEED_TAGS (the
    document is then not read). A document within the limits is returned as it is."""
    body, flooded = _without_attribute_floods(body)
    flood = [f"{flooded} elements of over {MAX_ELEMENT_ATTRIBUTES:,} attributes read without them"]
    if body.count(b"<") <= MAX_FEED_TAGS or _tags(body) <= MAX_FEED_TAGS:
        return body, flood if flooded else [], False
    kept: list[bytes] = []
    heavy = beyond = total = position = 0
    for end in _ENTRY_END.finditer(body):
        start = _last_start(body, position, end.start())
        if start is None:
            continue
        tags = _tags(body[start:end.end()])
        kept.append(body[position:start])
        if tags > MAX_ENTRY_TAGS:
            heavy += 1
        elif total + tags > MAX_FEED_TAGS:
            beyond += 1
        else:
            kept.append(body[start:end.end()])
            total += tags
        position = end.end()
    kept.append(body[position:])
    out = b"".join(kept)
    problems = flood if flooded else []
    if heavy:
        problems.append(f"{heavy} entries not read: over {MAX_ENTRY_TAGS:,} tags of markup each")
    if beyond:
        problems.append(f"{beyond} entries not read: over {MAX_FEED_TAGS:,} tags of markup in all")
    outside = _tags(out) - total
    if outside > MAX_FEED_TAGS:
        return out, [f"not read: {outside:,} tags of markup outside its entries (at most "
                     f"{MAX_FEED_TAGS:,} are read)"], True
    return out, problems, False


def _last_start(body: bytes, since: int, until: int) -> int | None:
    """Where the last entry start tag between `since` and `until` begins."""
    found = None
    for found in _ENTRY_START.finditer(body, since, until):  # noqa: B007 - the last one is the point
        pass
    return found.start() if found else None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _lang(detail: Any) -> str | None:
    if isinstance(detail, dict):
        value = detail.get("language")
        return value if isinstance(value, str) and value else None
    return None


def _problem(exc: BaseException | None) -> str:
    if exc is None:
        return "ill-formed feed"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    out = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return out[:300]


def parse_feed(
    body: bytes, headers: dict[str, str], url: str, zone: tzinfo = UTC, now: datetime | None = None,
) -> ParsedFeed:
    """Parse an RSS/Atom/RDF body; never raises. Times written without an offset are read in
    `zone`, two-digit years near `now` (the fetch)."""
    if not body.strip():
        return ParsedFeed(problems=["empty response"], fatal=True)
    response_headers = {k.lower(): v for k, v in headers.items()}
    # feedparser resolves relative links against Content-Location: the server's says where
    # a negotiated or proxied copy lives (a backend address a proxy leaked, a MultiViews file
    # name), not the URL fetched, which every relative link is resolved against
    response_headers["content-location"] = url
    body, cut, unread = bounded_markup(body)
    if unread:
        return ParsedFeed(problems=cut, fatal=True)
    body = _without_surrogate_references(body)
    _CUTS.attributes = False
    try:
        # HTML is stripped from every field later, so feedparser's sanitizer is not needed.
        result = feedparser.parse(
            body, response_headers=response_headers, sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser is defensive, but bad bytes must never crash a poll
        return ParsedFeed(problems=[f"unreadable feed: {_problem(exc)}"], fatal=True)
    feed_info = result.get("feed", {})
    out = ParsedFeed(format=result.get("version", "") or "", title=feed_info.get("title", ""))
    feed_lang = feed_info.get("language") or _lang(feed_info.get("title_detail"))
    for raw in result.get("entries", []):
        try:
            out.entries.append(_entry(raw, feed_lang, zone, now))
        except Exception as exc:  # one odd entry must not lose the others
            out.problems.append(f"entry skipped: {_problem(exc)}")
    if _CUTS.attributes:
        cut.append(f"attributes after the first {MAX_FEED_ATTRIBUTES:,} not read")
    out.problems[:0] = cut
    if result.get("bozo"):
        out.problems.insert(0, _problem(result.get("bozo_exception")))
    if not out.entries and (result.get("bozo") or not out.format):
        out.fatal = True
        head = body.lstrip()[:200].lower()
        if b"<html" in head or b"<!doctype html" in head:
            out.problems.insert(0, "not a feed: an HTML page was served (`monitor feeds add URL` finds a page's "
                                   "feed; a page without one is read as `type: page` with selectors)")
        elif not out.format:
            out.problems.insert(0, "not a feed: no RSS, Atom or JSON Feed found")
    return out


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_SURROGATE_REFS = re.compile(rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5[5-7][0-9]{3});"
                             rb"(?:&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5[5-7][0-9]{3});)?")


# a reference of more digits than any character's (0x10FFFF, 1114111): checked by `_in_range`
_LONG_REFS = re.compile(rb"&#(?:[xX]0*+[0-9a-fA-F]{6,}+|0*+[0-9]{7,}+);")


def _without_surrogate_references(body: bytes) -> bytes:
    """`&#xD83D;&#xDE00;` (an emoji written as its UTF-16 halves, as JavaScript slices
    text) made one character, a lone half (`&#xD83D;`, a title cut inside an emoji)
    removed, and so is a reference beyond Unicode (`&#x110000;`, `&#99999999999;`):
    feedparser raises on each, and the whole feed was lost on every poll."""
    if b"&#" not in body:
        return body
    return _LONG_REFS.sub(_in_range, _SURROGATE_REFS.sub(_joined_halves, body))


def _in_range(match: re.Match[bytes]) -> bytes:
    """The reference when it names a character, else nothing (its digits are not converted
    past 8: int() refuses a number of over 4,300 digits)."""
    ref = match.group(0)
    hexadecimal = ref[2:3] in (b"x", b"X")
    digits = ref[3 if hexadecimal else 2:-1].lstrip(b"0")
    if len(digits) > 8:
        return b""
    return ref if int(digits or b"0", 16 if hexadecimal else 10) <= 0x10FFFF else b""


def _joined_halves(match: re.Match[bytes]) -> bytes:
    codes = [_code(m) for m in _CHAR_REF.finditer(match.group(0))]
    if len(codes) == 2 and 0xD800 <= codes[0] < 0xDC00 <= codes[1] < 0xE000:
        return b"&#x%X;" % (0x10000 + ((codes[0] - 0xD800) << 10) + (codes[1] - 0xDC00))
    kept = [c for c in codes if not 0xD800 <= c < 0xE000]  # a half, and a reference after it
    return b"".join(b"&#x%X;" % c for c in kept)


def _code(ref: re.Match[bytes]) -> int:
    return int(ref.group(1), 16) if ref.group(1) else int(ref.group(2))


def _entry(raw: Any, feed_lang: str | None, zone: tzinfo, now: datetime | None) -> ParsedEntry:
    content = raw.get("content") or []
    content_text = "\n".join(c.get("value", "") for c in content if isinstance(c, dict))
    lang = _lang(raw.get("title_detail")) or _lang(raw.get("summary_detail"))
    if lang and feed_lang and lang.lower() == str(feed_lang).lower():
        lang = None  # inherited from the channel, not said by the item
    guid = raw.get("id") or raw.get("guid")
    published, published_date_only = _date(raw, "published", zone, now)
    updated, updated_date_only = _date(raw, "updated", zone, now)
    return ParsedEntry(
        guid=str(guid) if guid else None,
        link=raw.get("link") or None,
        title=raw.get("title", "") or "",
        summary=raw.get("summary", "") or "",
        content=content_text,
        published=published,
        updated=updated,
        language=lang,
        date_only=published_date_only if published else updated_date_only,
    )


def _date(raw: Any, key: str, zone: tzinfo, now: datetime | None) -> tuple[datetime | None, bool]:
    """An entry's `published` or `updated`, and whether it was a date without a time of day.
    A time of day written without an offset is read in `zone` (feedparser reads it as UTC);
    else feedparser's reading first, and the text through `read_local_date` when feedparser
    could not read it (Spanish day and month names: "Mié, 03 Dic 2025 10:00:00 -0400")."""
    # dict.get: FeedParserDict maps a missing updated_parsed to published_parsed, noisily.
    text = dict.get(raw, key)
    text = text if isinstance(text, str) else ""
    found = read_local_date(text, zone, now=now)
    if found is not None and found[1]:
        return found[0].when, False
    when = _when(dict.get(raw, f"{key}_parsed"))
    if when is not None and reworded(text) == text:  # feedparser reads 10:30 PM as 10:30
        return when, bool(text) and not has_time_of_day(text)
    return (found[0].when, found[0].date_only) if found else (None, False)
