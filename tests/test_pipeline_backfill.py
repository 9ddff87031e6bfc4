"""Backfilled items (older than backfill_window when first seen) are never alerted, but they
join their stories: a later live report of the same event finds them, and digests list a
story only once it is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from alerts.digest import enqueue_digest
from alerts.stories.report import render_stories
from core.config import ChannelConfig
from monitor.pipeline import Pipeline
from storage.models import Alert, Channel, Feed, Item, Story

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
DIGEST = {"name": "daily", "chat_id": "@daily", "topics": ["political_prisoners"], "mode": "digest",
          "schedule": ["08:00"]}


def _add(session, feed, guid, title, *, published, backfill=False) -> None:
    session.add(Item(feed=feed, guid=guid, url=f"https://{feed.name}.org/{guid}",
                     canonical_url=f"https://{feed.name}.org/{guid}", title=title, summary="", language="es",
                     published_at=published, content_hash=guid, backfill=backfill))


def _feeds(session) -> tuple[Feed, Feed]:
    feeds = (Feed(name="el-pitazo", url="https://elpitazo.net/feed/", consecutive_failures=0),
             Feed(name="efecto-cocuyo", url="https://efectococuyo.com/feed/", consecutive_failures=0))
    session.add_all(feeds)
    return feeds


def _item(session, guid: str) -> Item:
    return session.scalars(select(Item).where(Item.guid == guid)).one()


def test_a_backfilled_item_starts_a_story_that_a_live_report_then_tells(db, default_config):
    with db.session() as s:
        old_feed, live_feed = _feeds(s)
        _add(s, old_feed, "old", "Excarcelan a Rocío San Miguel tras casi dos años detenida",
             published=NOW - timedelta(hours=30), backfill=True)
    pipeline = Pipeline(default_config, db)
    first = pipeline.process_pending(now=NOW)
    with db.session() as s:
        old = _item(s, "old")
        story = s.get(Story, old.story_id)
        assert (first.relevant, first.alerts) == (1, 0)
        assert story is not None and story.told_at is None  # in a story, never told
        assert s.scalars(select(Alert)).all() == []
        report = render_stories(s, default_config, since=NOW - timedelta(days=2))
        assert f"story {story.id} " in report and "backfill only, never alerted" in report
        assert f"item {old.id} · El Pitazo · backfill · Excarcelan a Rocío" in report

    with db.session() as s:
        _add(s, s.scalars(select(Feed).where(Feed.name == "efecto-cocuyo")).one(), "live",
             "Rocío San Miguel sale en libertad tras casi dos años detenida", published=NOW)
    second = pipeline.process_pending(now=NOW + timedelta(minutes=5))
    with db.session() as s:
        live = _item(s, "live")
        assert live.story_id == _item(s, "old").story_id
        alerts = s.scalars(select(Alert)).all()
        # the story's first alert tells the live item and names the outlet backfill saw
        assert second.alerts == len(alerts) == 1 and alerts[0].kind == "new"
        assert alerts[0].payload["item_id"] == live.id
        assert alerts[0].payload["view"]["also"] == ["El Pitazo"]
        assert s.get(Story, live.story_id).told_at == NOW + timedelta(minutes=5)


def test_a_backfilled_figure_joins_silently_and_a_live_report_of_it_is_still_an_update(db, default_config):
    with db.session() as s:
        a, b = _feeds(s)
        _add(s, a, "14", "Foro Penal suma 14 presos políticos excarcelados", published=NOW - timedelta(hours=2))
    pipeline = Pipeline(default_config, db)
    assert pipeline.process_pending(now=NOW).alerts == 1
    with db.session() as s:
        # a feed added late: its "suma 15" is older than backfill_window when first seen
        _add(s, s.scalars(select(Feed).where(Feed.name == "efecto-cocuyo")).one(), "15-old",
             "Foro Penal suma 15 presos políticos excarcelados", published=NOW - timedelta(hours=1), backfill=True)
    assert pipeline.process_pending(now=NOW).alerts == 0  # no reply, no edit
    with db.session() as s:
        assert _item(s, "15-old").story_id == _item(s, "14").story_id
        _add(s, s.scalars(select(Feed).where(Feed.name == "el-pitazo")).one(), "15",
             "Foro Penal suma 15 presos políticos excarcelados en Venezuela", published=NOW)
    third = pipeline.process_pending(now=NOW + timedelta(minutes=5))
    with db.session() as s:
        kinds = [a.kind for a in s.scalars(select(Alert).order_by(Alert.id))]
    # the channel was never told 15: the live report of it is its reply
    assert third.alerts == 1 and kinds == ["new", "update"]


def test_digests_list_a_story_when_it_is_told_not_when_backfill_starts_it(db, default_config):
    config = default_config.model_copy(update={"channels": [ChannelConfig(**DIGEST)]})
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
        a, b = _feeds(s)
        _add(s, a, "old", "Excarcelan a Rocío San Miguel tras casi dos años detenida",
             published=NOW - timedelta(hours=40), backfill=True)
        _add(s, a, "other", "Detienen al dirigente sindical José Pérez en Caracas",
             published=NOW - timedelta(hours=40), backfill=True)
    pipeline = Pipeline(config, db)
    pipeline.process_pending(now=NOW - timedelta(hours=6))
    with db.session() as s:
        assert enqueue_digest(s, config, "daily", now=NOW - timedelta(hours=5)) == []  # backfill alone
        _add(s, s.scalars(select(Feed).where(Feed.name == "efecto-cocuyo")).one(), "live",
             "Rocío San Miguel sale en libertad tras casi dos años detenida", published=NOW - timedelta(hours=1))
    pipeline.process_pending(now=NOW - timedelta(hours=1))
    with db.session() as s:
        digest = enqueue_digest(s, config, "daily", now=NOW)
        text = "\n".join(d.payload["text"] for d in digest)
    assert "Rocío San Miguel sale en libertad" in text  # told in this period, by its live item
    assert "José Pérez" not in text
