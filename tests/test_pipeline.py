"""The pipeline classifies every unclassified item once and queues alerts with its matches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from monitor.pipeline import Pipeline
from storage.models import Alert, Count, Feed, Item, Match

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)


def _add(session, feed, guid, title, *, backfill=False):
    session.add(Item(feed=feed, guid=guid, url=f"https://x.org/{guid}", canonical_url=f"https://x.org/{guid}",
                     title=title, summary="", language="es", published_at=NOW, content_hash=guid,
                     backfill=backfill))


def test_unclassified_items_are_matched_stored_and_alerted_once(db, default_config):
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://elpitazo.net/feed/", consecutive_failures=0)
        _add(s, feed, "a", "Excarcelan a 87 presos políticos del penal de Tocorón")
        _add(s, feed, "b", "Lanzan nuevo álbum de salsa en Caracas")
        _add(s, feed, "c", "Excarcelan a 30 presos políticos en Carabobo", backfill=True)
    pipeline = Pipeline(default_config, db)

    result = pipeline.process_pending(now=NOW)
    assert (result.classified, result.relevant, result.topics) == (3, 2, {"political_prisoners": 2})
    with db.session() as s:
        assert s.scalar(select(func.count(Item.id)).where(Item.classified_at.is_(None))) == 0
        assert sorted(s.scalars(select(Match.topic))) == ["political_prisoners", "political_prisoners"]
        assert {(c.event, c.number) for c in s.scalars(select(Count))} == {("released", 87), ("released", 30)}
        alerts = list(s.scalars(select(Alert)))
    # the backfill item is matched but never alerted; the album is neither
    assert len(alerts) == result.alerts == 1
    assert alerts[0].channel == "prisoners-console"

    again = pipeline.process_pending(now=NOW)
    assert again.classified == 0
    with db.session() as s:
        assert s.scalar(select(func.count(Alert.id))) == 1


def test_an_item_classified_elsewhere_meanwhile_is_skipped_not_looped_on(db, default_config):
    """As when another replica sharing the database wrote the same match first."""
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://elpitazo.net/feed/", consecutive_failures=0)
        _add(s, feed, "a", "Excarcelan a 87 presos políticos del penal de Tocorón")
        s.flush()
        item = s.scalars(select(Item)).one()
        s.add(Match(item_id=item.id, topic="political_prisoners", urgency="high", terms=[], explain=[]))
    result = Pipeline(default_config, db).process_pending(now=NOW)
    assert result.classified == 0
    with db.session() as s:
        assert s.scalar(select(func.count(Alert.id))) == 0


class _FailsOn:
    """The shipped classifier, raising on one title: a bug met by one item (fault injection)."""

    def __init__(self, classifier, title: str) -> None:
        self.classifier, self.title, self.calls = classifier, title, 0

    def classify(self, **kw):
        if kw.get("title") == self.title:
            self.calls += 1
            raise RuntimeError("a bug this item meets")
        return self.classifier.classify(**kw)


def test_an_item_that_raises_is_left_pending_and_the_others_go_on(db, default_config, caplog):
    bad = "Excarcelan a 87 presos políticos del penal de Tocorón"
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://elpitazo.net/feed/", consecutive_failures=0)
        _add(s, feed, "a", bad)
        _add(s, feed, "b", "Excarcelan a 30 presos políticos en Carabobo")
        _add(s, feed, "c", "Detienen al dirigente sindical Pedro Ochoa en Barquisimeto")
    pipeline = Pipeline(default_config, db)
    shipped = pipeline.classifier
    pipeline.classifier = _FailsOn(shipped, bad)
    result = pipeline.process_pending(now=NOW)
    assert (result.classified, result.relevant, result.failed, result.alerts) == (2, 2, 1, 2)
    assert pipeline.classifier.calls == 1  # not looped on within the round
    [record] = [r for r in caplog.records if "could not be processed" in r.getMessage()]
    assert record.levelname == "ERROR" and "RuntimeError" in (record.exc_text or "")
    with db.session() as s:
        pending = s.scalars(select(Item).where(Item.classified_at.is_(None))).all()
        assert [i.guid for i in pending] == ["a"] and pending[0].story_id is None
    # the bug fixed (or gone), the next round takes the item: nothing was lost
    pipeline.classifier = shipped
    again = pipeline.process_pending(now=NOW)
    assert (again.classified, again.failed, again.alerts) == (1, 0, 1)
    with db.session() as s:
        assert s.scalar(select(func.count(Item.id)).where(Item.classified_at.is_(None))) == 0
        assert s.scalar(select(func.count(Alert.id))) == 3


def test_a_digit_int_cannot_read_is_no_number_and_the_item_is_classified(db, default_config):
    """"➋" (a dingbat) and "፪" (Ethiopic) are digits to str.isdigit, not to int(): the count
    reader took them for a number and raised, so the item stayed pending, never alerted, and
    failed again every round."""
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://elpitazo.net/feed/", consecutive_failures=0)
        _add(s, feed, "a", "Delcy Rodríguez afirma que van 406 ➋ excarcelaciones de presos políticos")
        _add(s, feed, "b", "Excarcelan a 87 ፪ presos políticos del penal de Tocorón")
    result = Pipeline(default_config, db).process_pending(now=NOW)
    assert (result.failed, result.classified, result.alerts) == (0, 2, 2)
    with db.session() as s:
        assert sorted((c.event, c.number) for c in s.scalars(select(Count))) == [("released", 87), ("released", 406)]


def _feed_of(s, name: str, place: str, n: int) -> Feed:
    feed = Feed(name=name, url=f"https://{name}.example/feed/", consecutive_failures=0)
    for i in range(n):
        _add(s, feed, f"{name}-{i}", f"Alcaldía de {place} inaugura la plaza número {i}")
    return feed


def test_an_item_of_a_feed_about_venezuela_takes_its_context(db, default_config):
    """"Detienen a tres militares acusados de conspiración" names no country: in a feed most of
    whose items name Venezuela it is a Venezuelan arrest; in one about Colombia it is not. A
    restarted pipeline reads the feed's share from the items stored before."""
    title = "Detienen a tres militares acusados de conspiración"
    with db.session() as s:
        ve = _feed_of(s, "el-pitazo", "Caracas", 12)
        co = _feed_of(s, "caracol", "Bogotá", 12)
        _add(s, ve, "ve-plot", title)
        _add(s, co, "co-plot", title)
    Pipeline(default_config, db).process_pending(now=NOW)
    with db.session() as s:
        matched = set(s.scalars(select(Item.guid).join(Match, Match.item_id == Item.id)))
    assert matched == {"ve-plot"}

    with db.session() as s:
        ve = s.scalars(select(Feed).where(Feed.name == "el-pitazo")).one()
        _add(s, ve, "ve-plot-2", "Detienen a dos sargentos acusados de conspiración")
    Pipeline(default_config, db).process_pending(now=NOW)  # a new process: seeded from the stored items
    with db.session() as s:
        matched = set(s.scalars(select(Item.guid).join(Match, Match.item_id == Item.id)))
    assert matched == {"ve-plot", "ve-plot-2"}


def _classified_feed(s, name: str, n: int, *, odd_entities=None) -> Feed:
    """A feed whose `n` items were classified before, each naming Caracas; the oldest stored
    with `odd_entities` instead when given."""
    feed = _feed_of(s, name, "Caracas", n)
    s.flush()
    for i, item in enumerate(sorted(feed.items, key=lambda it: it.id)):
        item.classified_at = NOW
        item.entities = odd_entities if i == 0 and odd_entities is not None else [{"name": "Caracas", "type": "place"}]
    return feed


def test_a_stored_item_with_entities_of_another_shape_does_not_stop_its_feed(db, default_config):
    """The seed reads the feed's stored entities: one row written otherwise (a dict in place of
    a name) is read as naming nothing; before, it raised for every item that asked the seed."""
    with db.session() as s:
        feed = _classified_feed(s, "el-pitazo", 12, odd_entities=[{"name": {"Caracas": 1}}])
        _add(s, feed, "ve-plot", "Detienen a tres militares acusados de conspiración")
    result = Pipeline(default_config, db).process_pending(now=NOW)
    assert (result.failed, result.relevant) == (0, 1)


def test_an_item_rolled_back_is_not_counted_in_its_feeds_share(db, default_config):
    """An item whose transaction rolls back stays pending and is classified again next round:
    its feed's share counts it once, when it commits, not once per attempt."""
    from monitor.match.feed_place import classify_in_feed

    pipeline = Pipeline(default_config, db)
    with db.session() as s:
        feed = _classified_feed(s, "el-pitazo", 12)
        _add(s, feed, "plot", "Detienen a tres militares acusados de conspiración")
    with db.session() as s:
        item = s.scalars(select(Item).where(Item.guid == "plot")).one()
        feed_id = item.feed_id
        assert classify_in_feed(pipeline.classifier, pipeline.places, s, item).topics == ["political_prisoners"]
        seeded = pipeline.places.share(feed_id)
        s.rollback()
    assert pipeline.places.share(feed_id) == seeded == (12, 1.0)
    pipeline.process_pending(now=NOW)  # committed: counted once, as naming no place
    assert pipeline.places.share(feed_id) == (13, pytest.approx(12 / 13))


def test_an_item_that_fails_every_round_is_set_aside_until_a_reload(db, default_config, caplog):
    """Classification runs after every poll that stores an item: one that always fails (a year-1
    date stored before ingest read it as none: 48 h before year 1 overflows) logged a traceback
    each time, for as long as the service ran. After TRIES rounds it is set aside, pending, until
    a restart or a reload; the items after it go on."""
    from datetime import timedelta

    from monitor.pipeline import TRIES

    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://elpitazo.net/feed/", consecutive_failures=0)
        _add(s, feed, "zero", "Excarcelan a 87 presos políticos del penal de Tocorón")
        s.flush()
        s.get(Item, s.scalar(select(Item.id).where(Item.guid == "zero"))).published_at = datetime(1, 1, 1, tzinfo=UTC)
    pipeline = Pipeline(default_config, db)
    rounds = []
    for k in range(TRIES + 3):
        with db.session() as s:
            _add(s, s.scalar(select(Feed)), f"n{k}", f"Detienen al dirigente sindical número {k} en Barquisimeto")
        rounds.append(pipeline.process_pending(now=NOW + timedelta(minutes=k)))
    assert [(r.failed, r.set_aside) for r in rounds] == [(1, 0)] * (TRIES - 1) + [(1, 1)] + [(0, 0)] * 3
    # each round's new item; the one rolled back is not counted classified (it was, before)
    assert [r.classified for r in rounds] == [1] * (TRIES + 3)
    logged = [r for r in caplog.records if "could not be processed" in r.getMessage()]
    assert len(logged) == TRIES and "set aside" in logged[-1].getMessage()
    with db.session() as s:
        assert s.scalars(select(Item.guid).where(Item.classified_at.is_(None))).all() == ["zero"]  # each round's new item
    pipeline.update_config(default_config)  # a reload tries it again
    assert pipeline.process_pending(now=NOW + timedelta(hours=1)).failed == 1
    assert Pipeline(default_config, db).process_pending(now=NOW).failed == 1  # and so does a restart
