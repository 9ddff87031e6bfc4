"""JSON Feed 1.0/1.1 (feedparser 6.0 does not read it), into the shared entry shape.

Detected by its `version` (the jsonfeed.org URL, or a bare "1", "1.0", "1.1" as
some producers write it) or, failing that, by an `items` list.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from monitor.parse import ParsedEntry, ParsedFeed, read_date

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def looks_like_json(body: bytes, headers: dict[str, str]) -> bool:
    head = body[:64]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    head = head.replace(b"\x00", b"").lstrip()
    if head.startswith(b"{"):
        return True
    ctype = headers.get("content-type", "").lower()
    return "json" in ctype and not head.startswith(b"<")


def _decode(body: bytes) -> str:
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("windows-1252", errors="replace")


def _version(data: dict[str, Any]) -> str | None:
    version = str(data.get("version", "")).strip().rstrip("/")
    if version.startswith(("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")):
        version = version.rsplit("/", 1)[1]
    if version in ("1", "1.0"):
        return "json10"
    if version == "1.1":
        return "json11"
    if isinstance(data.get("items"), list):
        return "json"
    return None


# half of a surrogate pair: JSON's \ud83d escape without its partner, as a generator that
# cut a text inside an emoji writes it; no database can store it (UTF-8 has no such character)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _str(value: Any) -> str:
    """A string field, without lone surrogates; "" when the field is not a string."""
    if not isinstance(value, str):
        return ""
    return _LONE_SURROGATE.sub("", value) if _LONE_SURROGATE.search(value) else value


def parse_json_feed(
    body: bytes, zone: tzinfo = UTC, max_entries: int | None = None, now: datetime | None = None,
) -> ParsedFeed:
    """Parse a JSON Feed body; never raises. Times written without an offset (RFC 3339
    requires one, not every producer writes it) are read in `zone`, two-digit years near `now`. Items after the first
    `max_entries` are not built (`total` says how many the document had): a 10 MB body of
    `{}` holds three million of them."""
    if not body.strip():
        return ParsedFeed(problems=["empty response"], fatal=True)
    try:
        data = json.loads(_decode(body))
    except (ValueError, UnicodeDecodeError) as exc:
        return ParsedFeed(problems=[f"invalid JSON: {str(exc)[:200]}"], fatal=True)
    except RecursionError:  # arrays or objects nested thousands deep
        return ParsedFeed(problems=["invalid JSON: nested too deeply"], fatal=True)
    if not isinstance(data, dict) or (fmt := _version(data)) is None:
        return ParsedFeed(problems=["not a feed: JSON without a JSON Feed version"], fatal=True)
    out = ParsedFeed(format=fmt, title=_str(data.get("title")))
    items = data.get("items")
    if not isinstance(items, list):
        out.problems.append("JSON Feed without an items list")
        return out
    feed_lang = _str(data.get("language")) or None
    not_objects = 0
    for position, item in enumerate(items):
        if max_entries is not None and len(out.entries) >= max_entries:
            out.total = len(out.entries) + len(items) - position
            break
        if not isinstance(item, dict):
            not_objects += 1
            continue
        item_id = item.get("id")
        lang = _str(item.get("language")) or None
        html = _str(item.get("content_html"))
        text = _str(item.get("content_text"))
        published = read_date(_str(item.get("date_published")), zone, now=now)
        updated = read_date(_str(item.get("date_modified")), zone, now=now)
        date = published or updated
        out.entries.append(
            ParsedEntry(
                guid=_str(str(item_id)) if item_id not in (None, "") else None,
                link=_str(item.get("url")) or _str(item.get("external_url")) or None,
                title=_str(item.get("title")),
                summary=_str(item.get("summary")) or text or html,
                content=html or text,
                published=published.when if published else None,
                updated=updated.when if updated else None,
                language=lang if lang != feed_lang else None,
                date_only=date.date_only if date else False,
            )
        )
    if not_objects:
        out.problems.append(f"{not_objects:,} item{'s' if not_objects > 1 else ''} skipped: not an object")
    return out
