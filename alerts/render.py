"""Telegram HTML and plain-text rendering of alerts, and Telegram's length counting.

Every piece of outside text goes through `clean` (control characters, lone
surrogates and bidirectional controls removed, URLs longer than MAX_URL replaced by
their domain) and then `esc`; tags are only ever written by this module,
so a message never carries a tag it did not mean. Messages are kept within
`MAX_TEXT` by shortening the summary (then the title), never by cutting the
finished HTML, so no tag or entity is ever split. Both renderings (HTML as shown, and
the plain-text fallback) are counted, in UTF-16 code units, everything included.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from core.count import (
    GOVERNMENT,
    OFFICIAL_SOURCES,
    Count,
    as_counts,
    counts_releases,
    official,
    part_label,
    part_phrase,
    source_label,
    verified,
)
from core.text import without_section_label

MAX_TEXT = 4096  # Telegram: characters after entity parsing, in UTF-16 code units
MAX_URL = 2000  # longer URLs are dropped; only their domain is shown
# Telegram keeps a message's first 100 formatting entities (bold, italic, link...) and drops
# the rest without an error: a roundup's later stories would show unlinked.
MAX_ENTITIES = 100
# Bidirectional controls (embeddings, overrides, isolates, marks) reorder what readers see:
# "\u202etxt.exe" shows as "exe.txt". None belongs in a message.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])
# Characters that show nothing: soft hyphen, zero-width space, non-joiner and joiner, word
# joiner, byte-order mark; and the blank fillers posts copied from social media carry (Braille
# blank, the Hangul fillers, the Mongolian vowel separator, the grapheme joiner), which no
# white space class holds. At the ends of a text they are dropped with the spaces, so that a
# title of them alone (`&#8203;`, `&#x2800;`) is no title, not a link on nothing.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u2800\u3164\u115f\u1160\uffa0\u180e\u034f"
ELLIPSIS = "…"
TITLE_MAX = 300
ALSO_MAX = 8

TOPIC_LABELS: dict[str, dict[str, str]] = {
    "political_prisoners": {"es": "Presos políticos", "en": "Political prisoners"},
    "us_actions": {"es": "EE. UU. y Venezuela", "en": "US and Venezuela"},
}
HASHTAGS: dict[str, dict[str, list[str]]] = {
    "political_prisoners": {"es": ["PresosPolíticos"], "en": ["PoliticalPrisoners"]},
    "us_actions": {"es": ["EEUU"], "en": ["USA"]},
}
URGENCY_MARK = {"high": "🔴", "normal": "🟠", "low": "⚪"}
WORDS: dict[str, dict[str, str]] = {
    "es": {
        "urgent": "URGENTE", "also": "También", "read": "Leer en", "update": "Actualización",
        "more": "y {n} más", "digest": "Resumen", "stories": "noticias", "story": "noticia",
        "continued": "continuación",
        "sources": "medios", "source": "medio",
    },
    "en": {
        "urgent": "URGENT", "also": "Also", "read": "Read on", "update": "Update",
        "more": "and {n} more", "digest": "Roundup", "stories": "stories", "story": "story",
        "continued": "continued",
        "sources": "outlets", "source": "outlet",
    },
}
COUNT_LABELS: dict[str, dict[str, str]] = {
    "es": {"released": "excarcelados", "arrested": "detenidos", "held": "presos", "dead": "muertos"},
    "en": {"released": "released", "arrested": "arrested", "held": "held", "dead": "dead"},
}
SOURCE_WORD = {"es": "según", "en": "according to"}
# how exactly a figure was stated (core/count.py `qualifier`): "más de 400", "at least 711"
QUALIFIERS: dict[str, dict[str, str]] = {
    "es": {"more than": "más de", "at least": "al menos", "nearly": "casi", "about": "alrededor de",
           "fewer than": "menos de"},
    "en": {"more than": "more than", "at least": "at least", "nearly": "nearly", "about": "about",
           "fewer than": "fewer than"},
}
VERIFIED = {"es": "verificados por", "en": "verified by"}
ANNOUNCED = {"es": "según el Gobierno", "en": "per the government"}

_ENTITY_TAG = re.compile(r"<[^>]*>")
_URL_IN_TEXT = re.compile(r"(?i)\bhttps?://\S+")
_WS = re.compile(r"\s+")
_UNSAFE_IN_URL = re.compile(r"[\s<>\"]")


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(text: str | None, *, oneline: bool = True) -> str:
    """Outside text made safe to send: no control characters, no lone surrogates, nothing
    invisible at its ends."""
    if not text:
        return ""
    if len(text) > MAX_URL and "://" in text:
        text = _URL_IN_TEXT.sub(_long_url_to_domain, text)
    s = without_controls(text)
    edges = " " + INVISIBLE
    if oneline:
        return _WS.sub(" ", s).strip().strip(edges)
    return "\n".join(_WS.sub(" ", line).strip(edges) for line in s.splitlines()).strip()


def without_controls(text: str) -> str:
    """`text` without direction overrides, control characters (new lines and tabs kept) or
    lone surrogates: what would reorder, break or be refused in a message."""
    text = text.translate(BIDI_CONTROLS)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))


def _long_url_to_domain(m: re.Match[str]) -> str:
    url = m.group(0)
    return url if len(url) <= MAX_URL else (domain_of(url) or "")


def domain_of(url: str | None) -> str | None:
    """The host of an http(s) URL ('elpitazo.net'), or None."""
    m = re.match(r"(?i)^https?://([^/?#\s]{1,300})", url or "")
    if not m:
        return None
    host = m.group(1).rpartition("@")[2].split(":")[0].lower()
    return host or None


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


def html_to_text(markup: str) -> str:
    """The text Telegram shows for our own markup (tags dropped, entities decoded)."""
    return html.unescape(_ENTITY_TAG.sub("", markup))


def safe_url(url: str | None) -> str | None:
    """`url` when it can be a link: http(s), at most MAX_URL characters. Spaces, quotes and
    angle brackets, which feeds leave in links as written, are percent-encoded."""
    if not url or len(url) > MAX_URL:
        return None
    url = _UNSAFE_IN_URL.sub(lambda m: quote(m.group(0)), clean(url))
    if not url or len(url) > MAX_URL or not re.match(r"^https?://[^/?#]", url, re.IGNORECASE):
        return None
    return url


def url_or_domain(url: str | None) -> tuple[str | None, str | None]:
    """(the link, None) for a usable URL; (None, its domain) for one too long to send."""
    link = safe_url(url)
    if link or not url:
        return link, None
    return None, domain_of(url)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS if limit == 1 else ""
    end = limit - 1
    space = text.rfind(" ", 0, end)
    if space > limit * 0.6:
        end = space
    while end > 0 and not _grapheme_boundary(text, end):
        end -= 1
    return text[:end].rstrip(" ,;:.-–—") + ELLIPSIS


def _is_regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _grapheme_boundary(text: str, i: int) -> bool:
    """Whether a cut before `text[i]` leaves whole what a phone draws as one character: not
    before a combining mark, a joiner, a variation selector, a skin tone or a flag's tag, not
    after a zero-width joiner (👨‍👩‍👧), not inside a flag's pair of regional letters (🇻🇪)."""
    if i >= len(text):
        return True
    ch, before = text[i], text[i - 1]
    if unicodedata.combining(ch) or ch in "\u200d\ufe0f\ufe0e" or before == "\u200d":
        return False
    if "\U0001f3fb" <= ch <= "\U0001f3ff" or "\U000e0020" <= ch <= "\U000e007f":
        return False
    if _is_regional(ch):
        run = 0
        while i - run - 1 >= 0 and _is_regional(text[i - run - 1]):
            run += 1
        return run % 2 == 0
    return True


def fit_plain(text: str, limit: int = MAX_TEXT) -> str:
    """Plain text within `limit` UTF-16 units (a last guard before sending)."""
    if tg_len(text) <= limit:
        return text
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit - 1:
            return text[:i] + ELLIPSIS
    return text


def html_fits(markup: str, limit: int = MAX_TEXT) -> bool:
    return tg_len(html_to_text(markup)) <= limit


def entity_count(markup: str) -> int:
    """The formatting entities of our own markup: one per closing tag."""
    return markup.count("</")


def lang_of(value: str | None) -> str:
    return "en" if (value or "").lower().startswith("en") else "es"


def topic_label(topic: str, lang: str) -> str:
    return TOPIC_LABELS.get(topic, {}).get(lang) or topic.replace("_", " ").capitalize()


def hashtags(topics: list[str], lang: str) -> list[str]:
    tags: list[str] = []
    for topic in topics:
        known = HASHTAGS.get(topic, {}).get(lang)
        words = known or ["".join(p.capitalize() for p in re.split(r"[\W_]+", topic) if p)]  # "represión": #Represión
        tags += [w for w in words if w and w not in tags]
    if "Venezuela" not in tags:
        tags.append("Venezuela")
    return ["#" + t for t in tags]


def count_phrase(count: Count | Mapping[str, Any], lang: str) -> str:
    """A figure the way advocates quote it: "61 verificados por Foro Penal", "87 excarcelados
    según el Gobierno" (a government's figure is announced, not verified); people on top of
    a figure told before with a sign: "+3 verificados por Foro Penal"; a part with its group:
    "180 militares presos (según Foro Penal)"; a figure as exactly as it was stated: "más de 400
    excarcelados según el Gobierno"."""
    if not isinstance(count, Count):
        count = Count.from_mapping({"event": "", "number": 0, **count})
    number = figure(count.number, lang)
    if count.upto is not None:  # "entre 139 y 155": one figure
        number = f"{number}–{figure(count.upto, lang)}"
    if count.additional:  # "otros tres": +3
        number = f"+{number}"
    elif count.qualifier in QUALIFIERS[lang]:  # as stated: "más de 400", "al menos 711"
        number = f"{QUALIFIERS[lang][count.qualifier]} {number}"
    event = count.event
    label = COUNT_LABELS[lang].get(event, event)
    if count.part:  # "entre ellos 180 militares": the group, never read as the total
        phrase = part_phrase(count.part, event, lang)  # "200 presos desaparecidos"
        if phrase:
            label = phrase
        else:
            number = f"{number} {part_label(count.part, lang)}"
    source = clean(count.source)
    if official(source):  # a government figure is announced: "406 excarcelados según Delcy Rodríguez"
        if source in OFFICIAL_SOURCES and source != GOVERNMENT:
            return f"{number} {label} {SOURCE_WORD[lang]} {source}"
        return f"{number} {label} {ANNOUNCED[lang]}"
    shown_verified = verified(event, source)  # Italy, Trump announce releases; they verify none
    source = source_label(source, lang) if source else source  # "la ONU", "Italia", "una ONG"
    if shown_verified and (count.part or not counts_releases(count.source)):
        return f"{number} {label} ({VERIFIED[lang]} {source})"  # verified what: the event
    if shown_verified:
        return f"{number} {VERIFIED[lang]} {source}"
    if source:
        return f"{number} {label} ({SOURCE_WORD[lang]} {source})"
    return f"{number} {label}"


def figure(number: int, lang: str) -> str:
    """A number as the channel's readers write it: "1.000" in Spanish, "1,000" in English."""
    text = f"{number:,}"
    return text.replace(",", ".") if lang == "es" else text


def counts_line(counts: Sequence[Count | Mapping[str, Any]], lang: str) -> str:
    """The confident figures of an alert (a count marked not confident is never shown); a
    range is one figure ("139–155 excarcelados"), not its two ends."""
    shown = [c for c in as_counts(counts) if c.confident]
    ends = {(c.event, c.upto, c.source) for c in shown if c.upto is not None}
    seen: list[str] = []
    for c in shown:
        if (c.event, c.number, c.source) in ends:
            continue  # the second number of a range shown with its first
        phrase = count_phrase(c, lang)
        if phrase not in seen:
            seen.append(phrase)
    return " · ".join(seen)


def whole_ranges(shown: Sequence[Count], stated: Sequence[Count | Mapping[str, Any]]) -> list[Count]:
    """`shown` with each range it has one end of made whole from the item's `stated` figures:
    an update whose only new figure is a range's upper end ("entre 84 y 100" after Foro
    Penal's 84 was told) showed "100 excarcelados", a figure nobody stated; it shows "84–100"."""
    out = list(shown)
    for c in as_counts(stated):
        if c.upto is None or not c.confident or c in out:
            continue
        end = next((x for x in out if (x.event, x.number, x.source) == (c.event, c.upto, c.source)), None)
        if end is not None:
            out.insert(out.index(end), c)
    return out


_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local_day(local: datetime, lang: str = "es", *, year: bool = True) -> str:
    """A day as the message's language writes it: "14/03/2026" in Spanish; in English with the
    month's name, "14 Mar 2026" (read in the United States, "03/12/2026" is 12 March)."""
    if lang_of(lang) == "en":
        return f"{local.day} {_MONTH_ABBR[local.month - 1]}" + (f" {local.year}" if year else "")
    return local.strftime("%d/%m/%Y" if year else "%d/%m")


def clock_time(when: datetime, tz: ZoneInfo, lang: str = "es") -> str:
    """A moment in `tz` ("14/03/2026 09:30", "14 Mar 2026 09:30")."""
    local = when.astimezone(tz)
    return f"{local_day(local, lang)} {local:%H:%M}"


def local_time(when: datetime | str | None, tz: ZoneInfo, lang: str = "es", *, date_only: bool = False) -> str:
    """An item's publication time in `tz`; its day alone when its outlet gave no time of day
    (`items.date_only`: stored at 00:00 UTC of that date, it read as 20:00 of the day before
    in Caracas, "December 3, 2026" shown "2 Dec 2026 20:00")."""
    if when is None:
        return ""
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    if date_only:
        return local_day(when.astimezone(UTC), lang)
    return clock_time(when, tz, lang)


def also_line(outlets: list[str], lang: str) -> str:
    names = [clean(o) for o in outlets if clean(o)]
    if not names:
        return ""
    shown = names[:ALSO_MAX]
    text = ", ".join(shown)
    if len(names) > ALSO_MAX:
        text += " " + WORDS[lang]["more"].format(n=len(names) - ALSO_MAX)
    return f"{WORDS[lang]['also']}: {text}"


@dataclass
class AlertView:
    """What an alert message shows; stored in Alert.payload["view"] so it can be re-rendered."""

    lang: str
    topics: list[str]
    urgency: str
    outlet: str
    published: str | None  # ISO 8601
    title: str
    summary: str
    counts: list[dict[str, Any]] = field(default_factory=list)
    url: str | None = None
    also: list[str] = field(default_factory=list)
    date_only: bool = False  # `published` is a date its outlet gave without a time of day

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertView:
        # a key a view stored before it was added takes the field's default (`date_only`), else None
        return cls(**{f.name: data.get(f.name, None if f.default is MISSING else f.default)
                      for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str  # plain text: console output and the fallback when Telegram rejects the HTML


def _fit(build: Any, summary: str, title: str, limit: int) -> Rendered:
    """Shrink the summary, then the title, until both renderings fit `limit`."""

    def fits(r: Rendered) -> bool:
        return tg_len(html_to_text(r.html)) <= limit and tg_len(r.text) <= limit

    title = shorten(title, TITLE_MAX)
    out = build(summary, title)
    if fits(out):
        return out
    lo, hi = 0, len(summary)
    best = build("", title)
    while lo <= hi:  # longest summary that fits
        mid = (lo + hi) // 2
        cand = build(shorten(summary, mid), title)
        if fits(cand):
            best, lo = cand, mid + 1
        else:
            hi = mid - 1
    if fits(best):
        return best
    lo, hi = 0, len(title)
    best = build("", "")
    while lo <= hi:
        mid = (lo + hi) // 2
        cand = build("", shorten(title, mid))
        if fits(cand):
            best, lo = cand, mid + 1
        else:
            hi = mid - 1
    return best


def render_alert(view: AlertView, tz: ZoneInfo, *, limit: int = MAX_TEXT) -> Rendered:
    lang = lang_of(view.lang)
    w = WORDS[lang]
    mark = URGENCY_MARK.get(view.urgency, URGENCY_MARK["normal"])
    topics = " · ".join(topic_label(t, lang) for t in view.topics)
    outlet = clean(view.outlet)
    when = local_time(view.published, tz, lang, date_only=view.date_only)
    url, domain = url_or_domain(view.url)
    counts = counts_line(view.counts, lang)
    tags = " ".join(hashtags(view.topics, lang))
    also = also_line(view.also, lang)

    def build(summary: str, title: str) -> Rendered:
        h: list[str] = []
        t: list[str] = []
        if view.urgency == "high":
            h.append(f"{mark} <b>{w['urgent']}</b> · {esc(topics)}")
            t.append(f"{mark} {w['urgent']} · {topics}")
        else:
            h.append(f"{mark} {esc(topics)}")
            t.append(f"{mark} {topics}")
        meta = " · ".join(x for x in (outlet, when) if x)
        if meta:
            h.append(f"<i>{esc(meta)}</i>")
            t.append(meta)
        if title:
            h.append(f"\n<b>{esc(title)}</b>")
            t.append(f"\n{title}")
        if summary:
            h.append(f"\n{esc(summary)}")
            t.append(f"\n{summary}")
        if counts:
            h.append(f"\n📊 {esc(counts)}")
            t.append(f"\n📊 {counts}")
        if url:
            label = f"{w['read']} {outlet}" if outlet else url
            h.append(f'\n🔗 <a href="{esc_attr(url)}">{esc(label)}</a>')
            t.append(f"\n🔗 {url}")
        elif domain:  # a URL too long to send: its domain only
            h.append(f"\n🔗 {esc(domain)}")
            t.append(f"\n🔗 {domain}")
        if also:
            h.append(esc(also))
            t.append(also)
        h.append(esc(tags))
        t.append(tags)
        return Rendered("\n".join(h), "\n".join(t))

    return _fit(build, clean(view.summary), clean(without_section_label(view.title)), limit)


def render_update(view: AlertView, tz: ZoneInfo, *, limit: int = MAX_TEXT, urgent: bool = False) -> Rendered:
    """The short reply posted when a later report brings a new figure, or (`urgent`) tells
    the event of a story first told by a report that was not urgent."""
    lang = lang_of(view.lang)
    w = WORDS[lang]
    mark = (f"{URGENCY_MARK['high']} <b>{w['urgent']}</b> · ", f"{URGENCY_MARK['high']} {w['urgent']} · ") if urgent else ("", "")
    outlet = clean(view.outlet)
    when = local_time(view.published, tz, lang, date_only=view.date_only)
    url, domain = url_or_domain(view.url)
    counts = counts_line(view.counts, lang)

    def build(summary: str, title: str) -> Rendered:
        meta = " · ".join(x for x in (outlet, when) if x)
        h = [f"{mark[0]}🆕 <b>{w['update']}</b>" + (f" · <i>{esc(meta)}</i>" if meta else "")]
        t = [f"{mark[1]}🆕 {w['update']}" + (f" · {meta}" if meta else "")]
        if counts:
            h.append(f"📊 <b>{esc(counts)}</b>")
            t.append(f"📊 {counts}")
        if title:
            h.append(esc(title))
            t.append(title)
        if summary:
            h.append(esc(summary))
            t.append(summary)
        if url:
            label = f"{w['read']} {outlet}" if outlet else url
            h.append(f'🔗 <a href="{esc_attr(url)}">{esc(label)}</a>')
            t.append(f"🔗 {url}")
        elif domain:
            h.append(f"🔗 {esc(domain)}")
            t.append(f"🔗 {domain}")
        return Rendered("\n".join(h), "\n".join(t))

    return _fit(build, clean(view.summary), clean(without_section_label(view.title)), limit)


def _digest_time(when: str | None, tz: ZoneInfo, day: date, lang: str, *, date_only: bool = False) -> str:
    """A story's time in a roundup: "09:30" on the roundup's day, else with its own day
    ("13/03 09:30", "13 Mar 09:30"); the day alone for a date without a time of day."""
    if not when:
        return ""
    moment = datetime.fromisoformat(when)
    if date_only:
        return local_day(moment.astimezone(UTC), lang, year=False)
    local = moment.astimezone(tz)
    return f"{local:%H:%M}" if local.date() == day else f"{local_day(local, lang, year=False)} {local:%H:%M}"


@dataclass
class DigestEntry:
    topic: str
    urgency: str
    title: str
    outlet: str
    published: str | None
    url: str | None
    sources: int = 1
    summary: str = ""  # told instead of a title the item lacks
    date_only: bool = False  # `published` is a date without a time of day
    story_id: int | None = None  # recorded in the digest's payload: told once (alerts/digest.py)
    figures: str = ""  # a story told before, listed again for the figures its reports brought
    # the story's items this line tells (their figures no news to a later roundup: alerts/digest.py)
    figure_items: list[int] = field(default_factory=list)


def render_digest(
    entries: list[DigestEntry], lang: str, tz: ZoneInfo, *, heading_time: datetime,
    limit: int = MAX_TEXT,
) -> list[Rendered]:
    """A roundup grouped by topic, most urgent first, split into messages under `limit`
    (both renderings) and within MAX_ENTITIES formatting entities. Each message after the first
    opens with the roundup's heading marked continued, and with its topic's when it begins
    inside one: read alone (its notification, a reader scrolling back), a message of bare lines
    said neither whose roundup nor which topic they were."""
    lang = lang_of(lang)
    w = WORDS[lang]
    rank = {"high": 0, "normal": 1, "low": 2}
    by_topic: dict[str, list[DigestEntry]] = {}
    for e in entries:
        by_topic.setdefault(e.topic, []).append(e)
    # (html, text, what a message beginning with it opens with) units that are never split
    blocks: list[tuple[str, str, tuple[str, str]]] = []
    head = f"{w['digest']} · {clock_time(heading_time, tz, lang)}"
    day = heading_time.astimezone(tz).date()
    cont = f"({w['continued']})"
    opening = (f"🗞 <b>{esc(head)}</b> {cont}", f"🗞 {head} {cont}")
    blocks.append((f"🗞 <b>{esc(head)}</b>", f"🗞 {head}", ("", "")))
    for topic in sorted(by_topic, key=lambda t: min(rank.get(e.urgency, 1) for e in by_topic[t])):
        items = sorted(by_topic[topic], key=lambda e: (rank.get(e.urgency, 1), e.published or ""))
        label = topic_label(topic, lang)
        noun = w["stories"] if len(items) != 1 else w["story"]
        heading = (f"\n<b>{esc(label)}</b> ({len(items)} {noun})", f"\n{label} ({len(items)})")
        inside = (f"{opening[0]}\n\n<b>{esc(label)}</b> {cont}", f"{opening[1]}\n\n{label} {cont}")
        for k, e in enumerate(items):
            title = shorten(clean(without_section_label(e.title)) or clean(e.summary), TITLE_MAX) or ELLIPSIS
            outlet = clean(e.outlet)
            when = _digest_time(e.published, tz, day, lang, date_only=e.date_only)
            more = f" +{e.sources - 1} {w['sources'] if e.sources > 2 else w['source']}" if e.sources > 1 else ""
            meta = " · ".join(x for x in (outlet + more, when) if x)
            mark = URGENCY_MARK.get(e.urgency, "")
            url, domain = url_or_domain(e.url)
            if domain:  # a URL too long to send: its domain next to the outlet
                meta = f"{meta} · {domain}" if meta else domain
            linked = f'<a href="{esc_attr(url)}">{esc(title)}</a>' if url else esc(title)
            figures = f"📊 {clean(e.figures)} — " if e.figures else ""
            bh = f"{mark} {esc(figures)}{linked} — <i>{esc(meta)}</i>"
            bt = f"{mark} {figures}{title} — {meta}" + (f"\n   {url}" if url else "")
            if k == 0:  # the heading goes with its first story: it never ends a message alone
                bh, bt = f"{heading[0]}\n{bh}", f"{heading[1]}\n{bt}"
            blocks.append((bh, bt, opening if k == 0 else inside))
    return _split_digest(blocks, limit)


def _split_digest(blocks: list[tuple[str, str, tuple[str, str]]], limit: int) -> list[Rendered]:
    """Blocks packed into messages within `limit` and MAX_ENTITIES; a message after the first
    begins with its first block's opening."""
    def fits(h: list[str], t: list[str]) -> bool:
        nh = "\n".join(h)
        return tg_len(html_to_text(nh)) <= limit and tg_len("\n".join(t)) <= limit and entity_count(nh) <= MAX_ENTITIES

    messages: list[Rendered] = []
    cur_h: list[str] = []
    cur_t: list[str] = []
    for bh, bt, (oh, ot) in blocks:
        if cur_h and not fits([*cur_h, bh], [*cur_t, bt]):
            messages.append(Rendered("\n".join(cur_h).strip(), "\n".join(cur_t).strip()))
            cur_h, cur_t = [oh, bh], [ot, bt]
            if not fits(cur_h, cur_t):  # (a block that fills a message on its own: no room to say more)
                cur_h, cur_t = [bh], [bt]
        else:
            cur_h, cur_t = [*cur_h, bh], [*cur_t, bt]
    if cur_h:
        messages.append(Rendered("\n".join(cur_h).strip(), "\n".join(cur_t).strip()))
    return messages
