"""A page's items read poll by poll, and the sharp, lasting drop a redesign makes.

After a site's redesign a page's item selector may match one stray element (a promo box kept
as an `<article>`): the poll reads 1 item where it read 20-25, stores it, and the feed looks
`ok`. The counts of the page's usual polls are kept on its row (`feeds.item_counts`, with a
key of its URL and selectors: new selectors start over); a poll reading at most a fifth of the
fewest of them is a drop, named in the parse problem at each poll while it lasts (its count is
not one of the usual ones). A quiet listing, whose polls read under FLOOR items, is never
judged. A drop that lasts ACCEPTED_AFTER is the page's new usual count (a listing that really
shrank, which the operator has seen reported for a week): it was reported for ever, until the
selectors changed."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from core.config import FeedConfig

KEPT = 10
"""Counts of the page's usual polls kept: the last ones that were no drop."""
NEEDED = 5
"""Usual polls needed before a poll is judged (a new feed, new selectors)."""
FLOOR = 10
"""A page whose usual polls read fewer items than this is never judged: 1 item where 3-5 were
read may be a quiet day."""
RATIO = 5
"""A drop reads at most 1/RATIO of the fewest items the usual polls read."""
ACCEPTED_AFTER = timedelta(days=7)
"""A drop lasting this long is the page's usual count from then on."""


def counts_key(feed: FeedConfig) -> str:
    """What the counts are of: the page's URL and selectors (12 hex digits of their hash)."""
    selectors = feed.selectors.model_dump_json() if feed.selectors else ""
    return hashlib.sha256(f"{feed.url}\n{selectors}".encode()).hexdigest()[:12]


def judged(stored: Any, key: str, read: int, selector: str,
           now: datetime) -> tuple[dict[str, Any], str | None]:
    """The counts to store after a poll that read `read` items at `now`, and the problem when
    it is a drop ("1 item read where the last 10 polls read 20-25 …")."""
    ours = isinstance(stored, dict) and stored.get("key") == key
    usual = stored.get("counts") if ours else None
    usual = [c for c in usual if isinstance(c, int)][-KEPT:] if isinstance(usual, list) else []
    if len(usual) >= NEEDED and min(usual) >= FLOOR and read * RATIO <= min(usual):
        since = _since(stored.get("dropped_since") if ours else None) or now
        if now - since < ACCEPTED_AFTER:
            items = "item" if read == 1 else "items"
            return {"key": key, "counts": usual, "dropped_since": since.isoformat()}, (
                f"{read} {items} read where the last {len(usual)} polls read {min(usual)}-{max(usual)} "
                f"(selector {selector!r}: the page redesigned?)")
        usual = []  # a week of it: the listing's count now, counted afresh
    return {"key": key, "counts": [*usual, read][-KEPT:]}, None


def _since(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
