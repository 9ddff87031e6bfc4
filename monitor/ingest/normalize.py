"""Normalization: one item shape for every source, with the keys dedup relies on.

- `canonical_url`: scheme and host lower-cased, default port, fragment and
  tracking parameters (utm_*, fbclid, gclid, ...) removed.
- `clean_text`: Unicode composed (NFC: an accent written as a combining mark is the same
  letter), HTML to plain text in linear time (core/markup.py; only HTML
  elements are tags, so "<El Rodeo>" is text), entities decoded, white space collapsed, feed boilerplate ("The post ... appeared first on ...")
  dropped. Fields are cut to their limits (title 1,000, summary 10,000, text 200,000
  characters) before any of this runs.
- `content_hash`: title and text, case- and punctuation-insensitive, so a
  republished item with a new GUID and URL is still recognised.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

from core.markup import SUMMARY_CHARS, TEXT_CHARS, TITLE_CHARS, cap, strip_markup
from core.text import without_section_label
from core.urls import canonical_url, same_document, with_fragment
from monitor.parse import ParsedEntry

# a date later than the fetch by more than this is no date: the item stands at the fetch time,
# as an undated one (backfill on a first poll); storage/tally.py's FUTURE_SLACK, for figures
UNTRUSTED_AHEAD = timedelta(hours=1)
# a date before this is no date either: Go's and .NET's zero time (0001-01-01T00:00:00Z) stands
# for a missing one, and a story's window, 48 h before year 1, was past what Python counts
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# nor is the Unix epoch: a timestamp 0 written as a date ("Thu, 01 Jan 1970 00:00:00 +0000")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BOILERPLATE = [
    re.compile(p, re.I | re.S)
    for p in (
        r"\bThe post\b.{1,400}?\bappeared first on\b.{1,200}?(?:\.|$)",
        r"\bLa entrada\b.{1,400}?\bse public[óo] primero en\b.{1,200}?(?:\.|$)",
        r"\bEl post\b.{1,400}?\bapareci[óo] primero (?:en|por)\b.{1,200}?(?:\.|$)",
        r"\bLa publicaci[óo]n\b.{1,400}?\bapareci[óo] primero en\b.{1,200}?(?:\.|$)",
        r"\b(?:Continue reading|Read more|Leer m[áa]s|Seguir leyendo|Sigue leyendo)\b"
        r"\s*(?:[.…»>→]+|\.\.\.)?\s*$",
        r"\[(?:…|\.\.\.|&hellip;)\]\s*$",
    )
]
_BOILERPLATE_HINTS = (
    "first on", "primero", "reading", "read more", "leer m", "leyendo", "…]", "...]", "hellip",
)
_WORDS = re.compile(r"\w+")
# A news agency's marks of a story's version at the head of its title (Reuters: "UPDATE 2-",
# "REFILE-UPDATE 1-", "CORRECTED-", "RPT-", "WRAPUP 1-"; in Spanish "ACTUALIZA 2-"), in capitals
# and closed by a hyphen: they number the versions, they are no words of the headline.
_WIRE_MARKS = re.compile(r"^(?:(?:(?:UPDATE|WRAPUP|ACTUALIZA) ?\d{1,2}|REFILE|RPT|CORRECTED|REPEAT) ?- ?)+")

BOILERPLATE_TAIL = 1_000
# The item's keys the database indexes (its GUID, its canonical URL): PostgreSQL refuses a
# B-tree entry over 2,704 bytes, and with it the whole poll's transaction, at every poll. A
# longer GUID is kept as a digest of itself (the same at each poll), a longer canonical URL
# keys nothing (the GUID and the content hash still do).
MAX_KEY_BYTES = 2_000
MIN_HASH_CHARS = 20  # titles and texts shorter than this are too generic to dedupe on


# C0/C1 control characters other than white space: PostgreSQL refuses NUL in text, and
# none of them belongs in a message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def feed_title(raw: str | None) -> str:
    """A feed entry's title as the service stores it. Cut to its limit before any cleaning
    (core/markup.py); a section label the outlet put on the title's last line ("…\nPOLÍTICA")
    is not its words, nor are an agency's version marks ("UPDATE 2-…": a new version is no new
    figure)."""
    return without_wire_marks(clean_text(without_section_label(cap(raw, TITLE_CHARS))))


def strip_controls(value: str) -> str:
    return _CONTROL.sub(" ", value) if _CONTROL.search(value) else value


def without_controls(value: str | None) -> str | None:
    """A key (GUID, link) with its control characters removed: a NUL in one made every poll
    of the feed fail on PostgreSQL."""
    return _CONTROL.sub("", value) if value and _CONTROL.search(value) else value


_URL_SPACE = re.compile(r"[\t\n\r]")


def link_of(value: str) -> str | None:
    """A link as browsers read it: control characters out, and tabs and line breaks too
    (the WHATWG URL parser drops them), so no link carries a line of its own into a log."""
    return without_controls(_URL_SPACE.sub("", value.strip())) or None


def clean_text(value: str | None) -> str:
    """Plain text from HTML or text: tags removed, entities decoded, spaces collapsed."""
    if not value:
        return ""
    value = strip_controls(value)
    if not value.isascii():  # "Rocío" with a combining accent is the same word, stored composed
        value = unicodedata.normalize("NFC", value)
    if "<" not in value and "&" not in value:  # split() splits at every white space, NBSP too
        return _strip_boilerplate(" ".join(value.split()))
    # only HTML elements are tags: "<<Queremos libertad>>", "el penal <El Rodeo>" are text
    text = strip_markup(value, known_only=True) if "<" in value else value
    if "&" in text:
        text = strip_controls(html.unescape(text))
        if "<" in text and ">" in text:  # escaped markup, as some feeds double-encode
            text = strip_markup(text, known_only=True)
    return _strip_boilerplate(" ".join(text.split()))


def _strip_boilerplate(text: str) -> str:
    """Feed boilerplate at the end of a text; only the last BOILERPLATE_TAIL characters
    are searched, so the cost does not grow with the text."""
    tail = text[-BOILERPLATE_TAIL:]
    end = tail[-600:].lower()
    if any(hint in end for hint in _BOILERPLATE_HINTS):
        for pattern in _BOILERPLATE:
            tail = pattern.sub("", tail).strip()
        text = (text[:-BOILERPLATE_TAIL] + tail).strip() if len(text) > BOILERPLATE_TAIL else tail
    return text


def without_wire_marks(title: str) -> str:
    """The title without an agency's version marks at its head; a title of marks alone is kept."""
    m = _WIRE_MARKS.match(title)
    return title[m.end():] if m and title[m.end():].strip() else title


def content_hash(title: str, text: str) -> str:
    """A hash of the words of title and text (case and punctuation ignored)."""
    title, text = (unicodedata.normalize("NFC", v) if not v.isascii() else v for v in (title, text))
    key = " ".join(_WORDS.findall(title.casefold())) + "\n" + " ".join(
        _WORDS.findall(text.casefold())
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def language_code(value: str | None) -> str | None:
    """'es-VE' -> 'es'; None for an empty or odd value."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def _joined(base_url: str, link: str) -> str | None:
    """`link` made absolute; None when urllib cannot read it ("//[::1/x", an unclosed IPv6
    host): urljoin raised, and the poll failed with the feed's other items unstored."""
    try:
        return urljoin(base_url, link)
    except ValueError:
        return None


def too_long_a_key(key: str) -> bool:
    """Whether `key` is over MAX_KEY_BYTES in UTF-8 (counted only when it may be)."""
    return len(key) * 4 > MAX_KEY_BYTES and len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES


def _item_key_url(link: str | None, base_url: str) -> str | None:
    """The canonical URL of an item's link. A link to the document itself (a page's `#`)
    names no item, or only by its fragment (`#nota-4`): as a plain canonical URL it would make
    every later item linked so a duplicate of the first."""
    canon = canonical_url(link)
    if canon is None or link is None or not same_document(link, base_url):
        return canon
    keyed = with_fragment(canon, link)
    return keyed if keyed != canon else None


@dataclass(slots=True)
class NormalizedItem:
    guid: str
    url: str | None
    canonical_url: str | None
    title: str
    summary: str
    text: str | None
    language: str | None
    published_at: datetime
    dated: bool  # False when the source gave no date (published_at is the fetch time)
    content_hash: str
    # the source gave a date without a time of day: published_at is 00:00 UTC of that date
    # (kept so: story matching reads it), the backfill decision uses the end of that day
    date_only: bool = False
    # the GUID the source gave, when other items of the same document with different content
    # had it too (`guid` is then another key: monitor/ingest/dedup.py within_document)
    shared_guid: str | None = None
    # the entry's own updated time (Atom <updated>, JSON Feed date_modified), when it gave one
    updated_at: datetime | None = None
    # the stored item this one revises: the outlet retitled it in place with another figure
    # (monitor/ingest/dedup.py `revisions`)
    revision_of: int | None = None

    @property
    def hashable(self) -> bool:
        """Whether content_hash is specific enough to identify a republished item."""
        return len(self.title) + len(self.summary) >= MIN_HASH_CHARS and bool(self.title)


def normalize_entry(
    entry: ParsedEntry, *, base_url: str, language: str, fetched_at: datetime,
    future_slack: timedelta = timedelta(0),
) -> NormalizedItem | None:
    """One NormalizedItem, or None when the entry has neither a link nor a title nor an id."""
    link = link_of(entry.link) if entry.link else None
    if link and not link.startswith(("http://", "https://")):
        link = _joined(base_url, link)
    canon = _item_key_url(link, base_url)
    if canon is not None and too_long_a_key(canon):
        canon = None
    title = feed_title(entry.title)
    summary = clean_text(cap(entry.summary, SUMMARY_CHARS)) or clean_text(
        cap(entry.content, SUMMARY_CHARS))
    text = clean_text(cap(entry.content, TEXT_CHARS)) or None
    if text == summary:
        text = None if len(summary) < 400 else text
    digest = content_hash(title, summary)
    guid = (without_controls(entry.guid) or "").strip() or canon or (f"hash:{digest}" if title or summary else "")
    if not guid:
        return None
    if too_long_a_key(guid):
        guid = "long:" + hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()
    published_in, updated_in = (d if d is None or (d >= EARLIEST and d != EPOCH) else None
                                for d in (entry.published, entry.updated))
    when = published_in or updated_in
    # a year ahead: a wrong clock; a date alone is 00:00 UTC of a day that starts up to 14 h
    # earlier east of UTC (today's date in Madrid at 00:30 there is ahead of the fetch)
    ahead = UNTRUSTED_AHEAD + (timedelta(days=1) if entry.date_only else timedelta(0))
    dated = when is not None and when <= fetched_at + ahead
    published = when or fetched_at
    date_only = dated and entry.date_only
    if published > fetched_at + future_slack:
        published, date_only = fetched_at, False
    updated = min(updated_in, fetched_at) if updated_in else None
    return NormalizedItem(
        guid=guid,
        url=link,
        canonical_url=canon,
        title=title,
        summary=summary,
        text=text,
        language=language_code(entry.language) or language,
        published_at=published,
        dated=dated,
        content_hash=digest,
        date_only=date_only,
        updated_at=updated,
    )
