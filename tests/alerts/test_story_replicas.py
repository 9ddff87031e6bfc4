"""Two replicas on one PostgreSQL, each with its own story index (alerts/stories/assign.py): an
item one replica joins to a story is in the other's index at its next sync, so the event's
next report, placed by the other replica in the words of that item, joins the story instead of
starting a second one (and a second alert). Titles written for these tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alerts_helpers import story_of

import alerts.stories.assign as stories_module
from core.config import AppConfig
from monitor.pipeline import Pipeline
from storage.db import Database, open_database

CHANNELS = [{"name": "pp", "chat_id": "@pp_channel", "topics": ["political_prisoners"]}]
FIRST = "Excarcelan al periodista Luis Ochoa tras seis meses preso en Tocorón"
JOINS = "Luis Ochoa, excarcelado de Tocorón: «Sigo sin creer que estoy en casa»"
# shares its words with JOINS only: it finds the story through the item the other replica placed
NEXT = ("«Sigo sin creer que estoy en casa»: preso político liberado este lunes cuenta cómo "
        "fueron sus días en prisión")
ELSE = "Detienen a dos dirigentes sindicales en Ciudad Guayana"


@pytest.fixture
def config(make_synced_config: Any) -> AppConfig:
    return make_synced_config(CHANNELS)


@pytest.fixture
def other_replica(db_url: str, config: AppConfig) -> Iterator[Pipeline]:
    """The second replica: its own engine, so its own story index."""
    if not db_url.startswith("postgresql"):
        pytest.skip("replicas share PostgreSQL; SQLite has one process")
    database: Database = open_database(db_url)
    yield Pipeline(config, database)
    database.dispose()


def _place(db: Database, replica: Pipeline, add_item: Any, outlet: str, title: str) -> int:
    """Store the item, then let `replica` classify and place it."""
    with db.session() as s:
        item_id = add_item(s, outlet, title).id
    replica.process_pending()
    return item_id


def test_an_item_another_replica_joined_is_matched_by_this_one(
    db: Database, pipeline: Pipeline, other_replica: Pipeline, add_item: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stories_module, "SYNC_SECONDS", 0.0)
    first = _place(db, pipeline, add_item, "elpitazo", FIRST)
    _place(db, other_replica, add_item, "bbc", ELSE)  # the other replica's index is built: it holds FIRST's story
    joined = _place(db, pipeline, add_item, "efecto", JOINS)
    story = story_of(db, first)
    assert story_of(db, joined) == story  # one replica joins the second telling
    assert story_of(db, _place(db, other_replica, add_item, "cocuyo", NEXT)) == story  # the other matches it


def test_two_tellings_placed_a_moment_apart_by_two_replicas_are_one_story(
    db: Database, pipeline: Pipeline, other_replica: Pipeline, add_item: Any,
) -> None:
    """The second replica places its telling well within the second between its index's
    syncs: it catches up with the first replica's placement before matching, as its turn
    follows another's (without it, a second story and a second alert)."""
    _place(db, other_replica, add_item, "bbc", ELSE)  # the other replica's index is built now
    first = _place(db, pipeline, add_item, "elpitazo", FIRST)
    joined = _place(db, other_replica, add_item, "efecto", JOINS)
    assert story_of(db, joined) == story_of(db, first)
    again = _place(db, pipeline, add_item, "cocuyo", NEXT)  # and back: the first sees the join
    assert story_of(db, again) == story_of(db, first)


def test_a_replica_waits_for_the_others_placement_to_commit(
    db: Database, pipeline: Pipeline, other_replica: Pipeline, add_item: Any, config: AppConfig,
) -> None:
    """Two tellings placed at the same moment: the second replica's placement waits until the
    first's transaction commits, then joins its story (both matching before either committed
    would make two stories)."""
    import threading
    from datetime import UTC, datetime

    from alerts.stories.assign import assign_story
    from monitor.match import build_classifier

    _place(db, other_replica, add_item, "bbc", ELSE)
    classifier = build_classifier(config.topics, config.entities)
    with db.session() as s:
        first = add_item(s, "elpitazo", FIRST)
        first_id = first.id
        assign_story(s, first, classifier.classify(title=FIRST, lang="es"),
                     window=config.settings.story_window, now=datetime.now(UTC))
        with db.session() as s2:
            joined = add_item(s2, "efecto", JOINS).id
        other = threading.Thread(target=other_replica.process_pending)
        other.start()
        other.join(0.5)
        assert other.is_alive()  # waiting for its turn: the first placement is not committed
    other.join(10)  # committed: its turn comes
    assert not other.is_alive()
    assert story_of(db, joined) == story_of(db, first_id) is not None
