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


def test_an_item_another_replica_joined_is_matched_by_this_one(
    db: Database, pipeline: Pipeline, other_replica: Pipeline, add_item: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stories_module, "SYNC_SECONDS", 0.0)

    def place(replica: Pipeline, outlet: str, title: str) -> int:
        with db.session() as s:
            item_id = add_item(s, outlet, title).id
        replica.process_pending()
        return item_id

    first = place(pipeline, "elpitazo", FIRST)
    place(other_replica, "bbc", ELSE)  # the other replica's index is built: it holds FIRST's story
    joined = place(pipeline, "efecto", JOINS)
    story = story_of(db, first)
    assert story_of(db, joined) == story  # one replica joins the second telling
    assert story_of(db, place(other_replica, "cocuyo", NEXT)) == story  # the other matches it
