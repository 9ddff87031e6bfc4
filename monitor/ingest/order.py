"""The order a poll's new items are stored in: the order they were published.

Stored ids decide the order pending items are classified in where publication times
tie (`storage.items.unclassified_ids`: publication time, then id), and that order
decides which report of an event becomes the alert and which the replies. Times tie
often: a feed or a page that gives only a date puts a whole day at midnight, and an
undated entry carries the fetch time. The document's own order then tells the time,
read in the direction its dated entries run: most feeds and listing pages put the
newest first, so a day's entries are stored bottom-up; a document that lists its
entries oldest first is stored as it is. With no evidence either way (every entry at
one time), newest first is assumed, as RSS and news pages do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from monitor.ingest.normalize import NormalizedItem

T = TypeVar("T")


def lists_newest_first(items: Sequence[NormalizedItem]) -> bool:
    """Whether the document runs from newest to oldest: more of its neighbouring dated
    entries step back in time than forward (ties: newest first)."""
    back = forward = 0
    for a, b in zip(items, items[1:], strict=False):
        if not (a.dated and b.dated) or a.published_at == b.published_at:
            continue
        if a.published_at > b.published_at:
            back += 1
        else:
            forward += 1
    return back >= forward


def in_publication_order(items: Sequence[NormalizedItem], rows: Sequence[T]) -> list[T]:
    """`rows` (one per item, in document order) sorted oldest published first; entries
    published at the same time in the order the document implies."""
    step = -1 if lists_newest_first(items) else 1
    order = sorted(range(len(items)), key=lambda k: (items[k].published_at, step * k))
    return [rows[k] for k in order]
