"""An item that matched two topics states its figure in both: the tally shows it once in each
topic, each with the item's link (a count is one row per topic it was matched for). An
operator's /wrong for one of them takes the figure out of that topic only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.tally.figures import load_tally
from core.config import AppConfig
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.feedback import add_feedback
from storage.models import Feed, Item

TITLE = "EE.UU. pide la liberación de los 1.000 presos políticos que hay en Venezuela"
URL = "https://el-pitazo.example/1000"


def _store(db: Database, config: AppConfig) -> Item:
    when = datetime(2026, 1, 21, 9, 0, tzinfo=UTC)
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://el-pitazo.example/feed", consecutive_failures=0)
        item = Item(feed=feed, guid="1", url=URL, title=TITLE, summary="", language="es", published_at=when,
                    fetched_at=when + timedelta(minutes=5), content_hash="h1")
        s.add(item)
    Pipeline(config, db).process_pending(now=when + timedelta(hours=1))
    return item


def test_a_figure_of_two_topics_is_in_each_with_its_link(db: Database, default_config: AppConfig) -> None:
    _store(db, default_config)
    with db.session() as s:
        tally = load_tally(s, default_config)
    topics = {"political_prisoners", "us_actions"}
    assert set(tally.topics) == topics  # the classifier matched both (else this test says nothing)
    for shown in (tally.figures, tally.timeline):
        assert sorted((f.topic, f.number, f.url) for f in shown) == [(t, 1000, URL) for t in sorted(topics)]
    for topic in topics:
        held = tally.topics[topic].still_held
        assert held is not None and (held.topic, held.number) == (topic, 1000)


def test_an_item_an_operator_said_was_wrong_for_a_topic_leaves_that_topics_tally(
    db: Database, default_config: AppConfig
) -> None:
    item = _store(db, default_config)
    with db.session() as s:  # what /wrong us_actions, in reply to its alert, records
        add_feedback(s, kind="wrong", item_id=item.id, url=URL, title=TITLE, summary="",
                     topic="us_actions", operator="@ana")
    with db.session() as s:
        tally = load_tally(s, default_config)
    assert set(tally.topics) == {"political_prisoners"}
    assert [(f.topic, f.number) for f in tally.figures] == [("political_prisoners", 1000)]
