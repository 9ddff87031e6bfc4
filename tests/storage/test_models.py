"""Models round-trip through the database with their relations, constraints and UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.alerts import queue_summary, sync_channels
from storage.feeds import feed_health, sync_feeds
from storage.models import Alert, Channel, Count, Feed, Item, Match, Story

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _item(feed: Feed, guid: str, **kw) -> Item:
    return Item(
        feed=feed, guid=guid, url=f"https://x.org/{guid}", canonical_url=f"https://x.org/{guid}",
        title=kw.pop("title", "Excarcelan a 87 presos políticos"), summary="Resumen", language="es",
        published_at=kw.pop("published_at", T0), content_hash=kw.pop("content_hash", guid), **kw,
    )


def test_round_trip_of_every_model(any_db):
    with any_db.session() as s:
        feed = Feed(name="pitazo", url="https://elpitazo.net/feed/", etag='W/"1"',
                    consecutive_failures=0, next_poll_at=T0)
        story = Story(title="Excarcelaciones", topics=["political_prisoners"], urgency="high",
                      entities=[{"name": "Foro Penal", "type": "org"}],
                      counts=[{"event": "released", "number": 87, "source": None}])
        item = _item(feed, "a1", story=story, entities=[{"name": "Tocorón", "type": "place"}])
        item.matches.append(Match(topic="political_prisoners", urgency="high",
                                  terms=["presos políticos"], explain=[{"term": "presos políticos", "field": "title"}]))
        item.counts.append(Count(event="released", number=87, source="Foro Penal"))
        s.add_all([feed, story, item, Channel(name="presos", chat_id="@presos_ve")])
        s.flush()
        s.add(Alert(channel="presos", story_id=story.id, kind="new", dedupe_key=f"new:{story.id}:presos",
                    payload={"text": "<b>ñ</b> 🇻🇪"}))

    with any_db.session() as s:
        item = s.scalars(select(Item)).one()
        assert item.feed.name == "pitazo" and item.feed.etag == 'W/"1"'
        assert item.title == "Excarcelan a 87 presos políticos"
        assert item.published_at == T0 and item.published_at.tzinfo is not None
        assert item.entities == [{"name": "Tocorón", "type": "place"}]
        assert item.matches[0].explain[0]["field"] == "title"
        assert (item.counts[0].event, item.counts[0].number, item.counts[0].source) == ("released", 87, "Foro Penal")
        assert item.story is not None and item.story.counts[0]["number"] == 87
        alert = s.scalars(select(Alert)).one()
        assert alert.status == "pending" and alert.attempts == 0 and alert.payload["text"] == "<b>ñ</b> 🇻🇪"
        assert s.scalars(select(Channel)).one().disabled is False


def test_times_come_back_in_utc(any_db):
    caracas = timezone(timedelta(hours=-4))
    with any_db.session() as s:
        feed = Feed(name="f", url="https://x.org", consecutive_failures=0)
        s.add(_item(feed, "g", published_at=datetime(2026, 1, 1, 8, 0, tzinfo=caracas)))
    with any_db.session() as s:
        assert s.scalars(select(Item)).one().published_at == T0


def test_same_guid_twice_in_one_feed_is_refused(any_db):
    with pytest.raises(IntegrityError), any_db.session() as s:
        feed = Feed(name="f", url="https://x.org", consecutive_failures=0)
        s.add_all([_item(feed, "same"), _item(feed, "same", content_hash="other")])


def test_alert_dedupe_key_is_unique(any_db):
    with pytest.raises(IntegrityError), any_db.session() as s:
        s.add_all([Alert(channel="c", kind="new", dedupe_key="k"), Alert(channel="c", kind="new", dedupe_key="k")])


def test_deleting_a_feed_cascades_to_items_and_matches(any_db):
    with any_db.session() as s:
        feed = Feed(name="f", url="https://x.org", consecutive_failures=0)
        item = _item(feed, "g")
        item.matches.append(Match(topic="us_actions", urgency="normal", terms=[], explain=[]))
        s.add(item)
    with any_db.session() as s:
        s.delete(s.scalars(select(Feed)).one())
    with any_db.session() as s:
        assert s.scalars(select(Item)).all() == [] and s.scalars(select(Match)).all() == []


def test_sync_feeds_and_health(any_db):
    with any_db.session() as s:
        sync_feeds(s, [("a", "https://a.org/feed"), ("b", "https://b.org/feed")])
        sync_channels(s, [("presos", "@presos_ve")])
    with any_db.session() as s:
        feeds = sync_feeds(s, [("a", "https://a.org/new-feed")])
        assert feeds["a"].url == "https://a.org/new-feed" and feeds["a"].etag is None
        s.add(_item(feeds["a"], "x"))
        s.add(Alert(channel="presos", kind="new", dedupe_key="k1"))
        s.add(Alert(channel="presos", kind="new", dedupe_key="k2", status="sent"))
    with any_db.session() as s:
        health = {h.name: h for h in feed_health(s)}
        assert health["a"].items == 1 and health["b"].items == 0
        assert queue_summary(s) == {"presos": {"pending": 1, "sent": 1}}


def test_sync_channels_follows_the_file_not_a_stale_migration(any_db):
    with any_db.session() as s:
        sync_channels(s, [("presos", "-100111")])
    with any_db.session() as s:  # Telegram moved the group: the worker records the new id
        row = s.scalars(select(Channel)).one()
        row.chat_id, row.disabled = "-100222", False
    with any_db.session() as s:  # the file still says the old id: the migration stands
        assert sync_channels(s, [("presos", "-100111")])["presos"].chat_id == "-100222"
    with any_db.session() as s:  # a 403 disabled it, then the operator points it elsewhere
        s.scalars(select(Channel)).one().disabled = True
    with any_db.session() as s:
        row = sync_channels(s, [("presos", "@presos_nuevo")])["presos"]
        assert (row.chat_id, row.disabled) == ("@presos_nuevo", False)
