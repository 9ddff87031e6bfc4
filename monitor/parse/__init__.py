"""Parsers for every source type, all returning `ParsedFeed` (entries + problems)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.text import MONTHS


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


@dataclass
class ParsedFeed:
    entries: list[ParsedEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # parse problems worth recording
    format: str = ""  # rss20, atom10, json11, page, ...
    title: str = ""
    fatal: bool = False  # nothing usable: not a feed, empty, unreadable

    @property
    def problem(self) -> str | None:
        return "; ".join(self.problems) if self.problems else None


def parse_any(
    body: bytes, headers: dict[str, str], url: str
) -> ParsedFeed:
    """An `rss` feed's body: JSON Feed when it looks like JSON, else feedparser."""
    from monitor.parse.feeds import parse_feed
    from monitor.parse.jsonfeed import looks_like_json, parse_json_feed

    if looks_like_json(body, headers):
        return parse_json_feed(body)
    return parse_feed(body, headers, url)


__all__ = ["ParsedEntry", "ParsedFeed", "parse_any", "parse_date"]




def parse_date(value: str | None) -> datetime | None:
    """A UTC datetime from ISO 8601, RFC 822, feedparser's formats, or a written date
    ('3 de diciembre de 2025', 'December 3, 2025'); None when unreadable."""
    import re
    from datetime import UTC
    from email.utils import parsedate_to_datetime

    if not value or not value.strip():
        return None
    text = " ".join(value.split())
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            when = None
    if when is None:
        try:
            from feedparser.datetimes import _parse_date

            parsed = _parse_date(text)
            if parsed:
                when = datetime(*parsed[:6], tzinfo=UTC)
        except Exception:  # feedparser's date handlers are many and not all careful
            when = None
    if when is None:
        low = text.lower()
        m = re.search(r"(\d{1,2})\s+(?:de\s+)?([a-zé]+)\.?,?\s+(?:de\s+|del\s+)?(\d{4})", low)
        n = re.search(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", low)
        try:
            if m and m.group(2) in MONTHS:
                when = datetime(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)), tzinfo=UTC)
            elif n and n.group(1) in MONTHS:
                when = datetime(int(n.group(3)), MONTHS[n.group(1)], int(n.group(2)), tzinfo=UTC)
        except ValueError:
            when = None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
