"""The tally's rows as storage reads them (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set): dates placed in SQL (no date or a future one: the fetch time, flagged; a date without a
time of day at the start of that date in the tally's zone), confident counts
only (and never people on top of a figure told before, nor a part: "180 militares"), `since` and `topic` applied, links read
for the figures shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.db import Database
from storage.models import Count, Feed, Item, Match
from storage.tally import (
    ShownFacts,
    parse_when,
    shown_facts,
    stated_rows,
    stored_figures,
    when_text,
)

BASE = datetime(2026, 1, 10, 9, 30, 15, 250000, tzinfo=UTC)


def _add(s, feed: Feed, n: int, published: datetime | None, fetched: datetime, *, topic: str = "pp",
         confident: bool = True, number: int = 800, additional: bool = False, part: str | None = None,
         date_only: bool = False) -> None:
    item = Item(feed=feed, guid=str(n), url=f"https://x.example/{n}", title="t", summary="",
                published_at=published, fetched_at=fetched, content_hash=str(n), date_only=date_only)
    s.add(item)
    s.flush()
    s.add(Count(item_id=item.id, event="held", number=number, source="Foro Penal", confident=confident,
                additional=additional, part=part))
    s.add(Match(item_id=item.id, topic=topic, urgency="normal", terms=[], explain=[]))


def test_rows_place_dates_keep_confident_counts_and_filter(any_db: Database) -> None:
    with any_db.session() as s:
        feed = Feed(name="radio", url="https://radio.example/feed", consecutive_failures=0)
        _add(s, feed, 1, BASE, BASE + timedelta(minutes=5))  # an ordinary item
        _add(s, feed, 2, BASE + timedelta(minutes=50), BASE)  # dated 50 min after its fetch: trusted
        _add(s, feed, 3, BASE + timedelta(days=300), BASE + timedelta(days=1))  # in the future
        _add(s, feed, 4, BASE + timedelta(days=2), BASE + timedelta(days=2), confident=False)
        _add(s, feed, 5, BASE + timedelta(days=3), BASE + timedelta(days=3), topic="us")
        _add(s, feed, 6, BASE + timedelta(days=3), BASE + timedelta(days=3), number=3, additional=True)
        _add(s, feed, 7, BASE + timedelta(days=3), BASE + timedelta(days=3), number=180, part="military")
    with any_db.session() as s:
        rows = sorted(stated_rows(s))
        assert [(r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7])) for r in rows] == [
            (1, "pp", "held", "Foro Penal", "radio", 800, False),
            (2, "pp", "held", "Foro Penal", "radio", 800, False),
            (3, "pp", "held", "Foro Penal", "radio", 800, True),
            (5, "us", "held", "Foro Penal", "radio", 800, False),
        ]
        when = [parse_when(r[0]) for r in rows]
        assert when[0] == BASE and when[1] == BASE + timedelta(minutes=50)
        assert when[2] == BASE + timedelta(days=1)  # the fetch time of the future-dated item
        assert [r[0] for r in rows] == [when_text(w) for w in when]  # one text format, UTC
        assert 4 in {r[1] for r in stated_rows(s, confident_only=False)}
        assert [r[1] for r in stated_rows(s, topic="us")] == [5]
        assert sorted(r[1] for r in stated_rows(s, since=BASE + timedelta(hours=12))) == [3, 5]
        assert shown_facts(s, [1, 3, 99]) == {1: ShownFacts("https://x.example/1", None),
                                             3: ShownFacts("https://x.example/3", None)}
        assert sorted(f.count_id for f in stored_figures(s)) == [1, 2, 3, 5]


def test_a_date_alone_is_placed_at_its_start_in_the_zone(any_db: Database) -> None:
    """An item dated 14 January without a time of day is stored at 00:00 UTC, 20:00 on the 13th
    in Caracas: placed at 04:00 UTC (Caracas's midnight), in `since` from the 14th in Caracas.
    A timed item at 00:00 UTC stays where it is, as does everything placed in UTC."""
    caracas = ZoneInfo("America/Caracas")
    jan14 = datetime(2026, 1, 14, tzinfo=UTC)
    with any_db.session() as s:
        feed = Feed(name="radio", url="https://radio.example/feed", consecutive_failures=0)
        _add(s, feed, 1, jan14, jan14 + timedelta(hours=15), date_only=True)
        _add(s, feed, 2, jan14, jan14 + timedelta(minutes=5))  # 20:00 on the 13th in Caracas
    with any_db.session() as s:
        placed = {r[1]: parse_when(r[0]) for r in stated_rows(s, tz=caracas)}
        assert placed == {1: jan14 + timedelta(hours=4), 2: jan14}
        assert {r[1]: parse_when(r[0]) for r in stated_rows(s)} == {1: jan14, 2: jan14}
        caracas_14th = datetime(2026, 1, 14, tzinfo=caracas)
        assert [r[1] for r in stated_rows(s, since=caracas_14th, tz=caracas)] == [1]
        assert [f.count_id for f in stored_figures(s, since=caracas_14th, tz=caracas)] == [1]
        assert {f.count_id: f.date_only for f in stored_figures(s)} == {1: True, 2: False}
        assert stated_rows(s, since=caracas_14th + timedelta(days=1), tz=caracas) == []
