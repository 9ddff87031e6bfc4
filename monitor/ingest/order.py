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

A document's order within a date is not always the order of publication: a feed written by
sorting its entries by date alone keeps each day as it was listed, oldest first, under
the newest day, and reading it bottom-up placed each day's follow-ups before the reports
they follow. Where the entries' ids or links carry a number that counts up with
publication (WordPress's `?p=48213`, most publishing systems' article ids) and the dates
the document gives never contradict it, those numbers say which way each time's entries
run; the document's order within them stays (a note drafted before the others and
published after them is still where the document puts it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from monitor.ingest.normalize import NormalizedItem

T = TypeVar("T")

_DIGITS = re.compile(r"\d+")
MIN_NUMBERED = 3
# a longer run of digits is no counter (a hash, a feed's filler): past 4,300 digits int() raises
MAX_DIGITS = 30
"""Fewer entries than this tell nothing about their numbers (two numbers agree with any
order half the time)."""


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
    published at the same time in the order the document implies: read the way its
    entries' numbers run down it, else the way its dates run."""
    step = -1 if lists_newest_first(items) else 1
    tied = len({i.published_at for i in items}) < len(items)
    numbers = sequence_numbers(items) if tied else None
    steps: dict[datetime, int] = {}
    if numbers is not None:
        runs: dict[datetime, list[int]] = {}
        for n, i in zip(numbers, items, strict=True):
            runs.setdefault(i.published_at, []).append(n)
        steps = {t: _direction(run) or step for t, run in runs.items()}
    order = sorted(range(len(items)), key=lambda k: (items[k].published_at,
                                                     steps.get(items[k].published_at, step) * k))
    return [rows[k] for k in order]


def _direction(numbers: Sequence[int]) -> int:
    """1 when more neighbours count up than down, -1 when more count down, 0 on a tie."""
    up = sum(a < b for a, b in zip(numbers, numbers[1:], strict=False))
    down = len(numbers) - 1 - up
    return (up > down) - (down > up)


def sequence_numbers(items: Sequence[NormalizedItem]) -> list[int] | None:
    """The number each entry's id (else each link) ends with, when these count up with
    publication: every entry has one, no two the same, and they agree with every pair of
    different dates the document gives (an earlier date, a smaller number), or, with one
    date for all, run one way down the document. None otherwise: a post drafted before
    another and published on a later date, ids that are hashes or dates, too few entries."""
    if len(items) < MIN_NUMBERED:
        return None
    keys: tuple[Callable[[NormalizedItem], str | None], ...] = (
        # our own id of an id-less entry or of a GUID too long to index: a digest, no counter
        lambda i: None if i.guid.startswith(("hash:", "long:")) else i.guid,
        lambda i: i.url,
    )
    for key in keys:
        numbers = _last_numbers([key(i) for i in items])
        if numbers is not None and _count_up(items, numbers):
            return numbers
    return None


def _last_numbers(texts: Sequence[str | None]) -> list[int] | None:
    """The last run of digits of each text; None when one has none or two end alike."""
    numbers = []
    for text in texts:
        found = _DIGITS.findall(text or "")
        if not found or len(found[-1]) > MAX_DIGITS:
            return None
        numbers.append(int(found[-1]))
    return numbers if len(set(numbers)) == len(numbers) else None


def _count_up(items: Sequence[NormalizedItem], numbers: Sequence[int]) -> bool:
    by_time: dict[datetime, list[int]] = {}
    for i, n in zip(items, numbers, strict=True):
        if i.dated:  # an undated entry's time is the fetch's: no evidence
            by_time.setdefault(i.published_at, []).append(n)
    if len(by_time) < 2:
        return list(numbers) in (sorted(numbers), sorted(numbers, reverse=True))
    groups = [by_time[t] for t in sorted(by_time)]
    return all(max(a) < min(b) for a, b in zip(groups, groups[1:], strict=False))
