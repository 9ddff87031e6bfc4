"""Which feeds are about Venezuela: their items' share that names it.

A national outlet's feed, or an international outlet's Venezuela section, writes its headlines
for readers who know where they happen: "Gobierno solicita reunión de emergencia a la ONU tras
ataques de EE. UU.", "Condenaron a un estudiante a 15 años de prisión…" name no country. The
rules need Venezuelan context for such wording (docs/MATCHING.md, "A feed about Venezuela"), so these items
were missed. A feed most of whose items name Venezuela (a Venezuelan entity: a place, an
institution, a person of its politics) lends that context to its items that name no other
country; an item that names one (Cuba, Greenland, Colombia as a place) is read on its own words,
as before.

The share is counted per feed over its recent items, from what each item itself names
(`Classification.place`), never from the context the feed lent: a feed does not convince itself.
It is seeded from the feed's latest stored items the first time the feed is asked about (a
restart, a new feed's first poll of a whole backlog), then follows each item classified.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from storage.items import latest_of_feed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from monitor.match.engine import Classification, Classifier
    from storage.models import Item

log = logging.getLogger(__name__)

SHARE = 0.5  # a feed is about Venezuela when at least this share of its recent items name it
MIN_ITEMS = 10  # ... counted over at least this many items
WINDOW = 200  # the recent items the share is counted over (a moving average beyond them)


@dataclass
class _Tally:
    n: int = 0
    share: float = 0.0

    def add(self, venezuelan: bool) -> None:
        self.n += 1
        self.share += (float(venezuelan) - self.share) / min(self.n, WINDOW)


class FeedPlaces:
    """The share of each feed's recent items that name Venezuela, in memory (two numbers a
    feed); thread-safe enough for one pipeline (a lost update moves a share by 1/WINDOW)."""

    def __init__(self) -> None:
        self._tallies: dict[int, _Tally] = {}

    def about_venezuela(self, feed_id: int, recent: Callable[[], Iterable[str]]) -> bool:
        """Whether the feed is about Venezuela; `recent` gives the places ("venezuela",
        "elsewhere", "") of its latest items, newest first, and is called only the first time."""
        tally = self._tallies.get(feed_id)
        if tally is None:
            tally = _Tally()
            for place in reversed(list(recent())[:WINDOW]):
                tally.add(place == "venezuela")
            # kept once whole: a seed that raised (a refused read) is tried again next time,
            # not left counting the feed from nothing for the rest of the process
            self._tallies[feed_id] = tally
        return tally.n >= MIN_ITEMS and tally.share >= SHARE

    def record(self, feed_id: int, place: str) -> None:
        """Count one more classified item of a feed already asked about."""
        tally = self._tallies.get(feed_id)
        if tally is not None:
            tally.add(place == "venezuela")

    def forget(self, feed_id: int) -> None:
        self._tallies.pop(feed_id, None)

    def share(self, feed_id: int) -> tuple[int, float] | None:
        """(items counted, share naming Venezuela) of a feed asked about, else None."""
        tally = self._tallies.get(feed_id)
        return None if tally is None else (tally.n, tally.share)


SEED = 50  # the latest items read to seed a feed's share the first time it is asked about


def read_in_feed(read: Callable[[bool], Classification], places: FeedPlaces, feed_id: int,
                 recent: Callable[[], Iterable[str]]) -> Classification:
    """An item read on its own words (`read(False)`) and, when that finds no topic and the item
    names no country, again with the feed's context (`read(True)`) if the feed is about Venezuela;
    `recent` seeds the feed's share (`FeedPlaces.about_venezuela`). The caller records the item."""
    result = read(False)
    if not result.topics and not result.place and places.about_venezuela(feed_id, recent):
        result = read(True)
    return result


def classify_in_feed(classifier: Classifier, places: FeedPlaces, session: Session, item: Item) -> Classification:
    """Classify a stored item as its feed reads: on its own words first; when that finds no
    topic and the item names no country, again with the feed's Venezuelan context if the feed
    is about Venezuela. The feed's share then counts the item."""
    def read(feed_context: bool) -> Classification:
        return classifier.classify(title=item.title, summary=item.summary, text=item.text or "",
                                   lang=item.language, feed_venezuelan=feed_context)

    def recent() -> list[str]:
        out = []
        for row in latest_of_feed(session, item.feed_id, SEED, before=item.id):
            if row.classified_at is not None:
                out.append(classifier.stored_place(row.entities))
            else:  # a backlog not classified yet (a new feed's first poll): read it now
                out.append(_first_reading(classifier, row))
        return out

    result = read_in_feed(read, places, item.feed_id, recent)
    # counted once the item is stored: an item rolled back (a replica classified it first, a
    # bug met further on) stays pending and is read again, and would count once per attempt,
    # pulling its feed's share toward what it names round after round
    feed_id, place = item.feed_id, result.place
    event.listen(session, "after_commit", lambda _s: places.record(feed_id, place), once=True)
    return result


def _first_reading(classifier: Classifier, row: Any) -> str:
    """The place of a backlog item not classified yet; one that cannot be read (the bug the
    pipeline leaves it pending for) counts as naming nothing, not as a seed that fails for every
    item of its feed."""
    try:
        return classifier.classify(title=row.title or "", summary=row.summary or "", lang=row.language).place
    except Exception:  # noqa: BLE001 - a share is an estimate; the item's own turn reports the bug
        log.debug("item %s could not be read for its feed's share", row.id)
        return ""
