"""Headlines stored for a tally test: an item of one outlet's feed, optionally with the
count the matcher may read in it (stored as read, classified), else left for the pipeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from storage.models import Count, Feed, Item, Match

TOPIC = "political_prisoners"


def add_headline(s: Session, feed: Feed, n: int, when: datetime, title: str, *, now: datetime,
                 stated: tuple[str, int, str | None] | None = None, canonical: bool = False) -> Item:
    """Item `n` of `feed` published `when`; with `stated` (event, number, source), its count
    and its match stored as the matcher may read them, and the item classified at `now`."""
    url = f"{feed.url.rsplit('/', 1)[0]}/{n}"
    item = Item(feed=feed, guid=str(n), url=url, canonical_url=url if canonical else None, title=title,
                summary="", language="es", published_at=when, fetched_at=when + timedelta(minutes=5),
                content_hash=f"h{n}", classified_at=now if stated else None)
    s.add(item)
    if stated:
        s.flush()
        event, number, source = stated
        s.add(Count(item_id=item.id, event=event, number=number, source=source))
        s.add(Match(item_id=item.id, topic=TOPIC, urgency="normal", terms=[], explain=[]))
    return item
