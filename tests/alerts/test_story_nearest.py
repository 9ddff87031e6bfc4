"""`StoryIndex.nearest`: the stories an operator is offered to merge a story with (`/merge`
alone, `monitor stories --near`), on titles written for these tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from story_helpers import NOW, PP, WINDOW, feats, index_with

from alerts.stories.features import StoryEntry

RELEASE = "Excarcelan al periodista Luis Ochoa tras seis meses preso en Tocorón"
TOLD = "El periodista excarcelado en Tocorón cuenta sus seis meses en prisión"


def test_the_closest_story_comes_first_with_what_the_rules_see() -> None:
    index = index_with(RELEASE, TOLD)
    told = 10 + 5  # index_with numbers `more` after the five other stories
    near = index.nearest(told, window=WINDOW, n=3)
    assert [n.story_id for n in near][0] == 1
    assert len(near) <= 3 and told not in [n.story_id for n in near]
    assert [n.score for n in near] == sorted((n.score for n in near), reverse=True)
    first = near[0].signals
    assert {"tocoron", "prensa"} <= set(first["terms"]) and first["with_item"] == 1  # "periodista" reads as prensa


def test_a_story_outside_the_window_or_unknown_is_not_offered() -> None:
    index = index_with(RELEASE)
    old = NOW - WINDOW - timedelta(hours=30)
    index.add_story(StoryEntry(99, TOLD, old, old, set(PP), [feats(99, TOLD, old)]))
    assert 99 not in [n.story_id for n in index.nearest(1, window=WINDOW, n=10)]
    assert 1 not in [n.story_id for n in index.nearest(99, window=WINDOW, n=10)]
    assert index.nearest(12345, window=WINDOW) == []


def test_far_below_the_threshold_is_still_listed_and_n_limits() -> None:
    index = index_with(RELEASE, TOLD)
    every = index.nearest(1, window=WINDOW, n=50)
    assert len(every) >= 2 and all(n.score < 0.40 for n in every[1:])
    assert index.nearest(1, window=WINDOW, n=1) == every[:1]


def test_near_on_a_fresh_index_finds_the_stories_of_a_story_days_old(db_url: str, db: Any, default_config: Any) -> None:
    """`monitor stories --near` (a fresh process, so a fresh index) on a story of three days
    before: the index held only the last window's stories and answered "No other story of
    its hours shares a word or a name with it: nothing to merge it with." (replayed 12-14
    January: story 108, the families' camps outside the prisons, beside 122 "QUINTA NOCHE
    DE ESPERA POR PRESOS POLÍTICOS"). Real pipeline, real SQLite file."""
    from datetime import UTC, datetime

    from alerts.stories.merge import nearest_answer
    from monitor.pipeline import Pipeline
    from storage.db import open_database
    from storage.models import Feed, Item

    then = datetime(2026, 1, 13, 22, tzinfo=UTC)
    titles = [
        (then - timedelta(hours=11), "Presos políticos en Venezuela: los familiares de los detenidos por el régimen "
                                     "instalaron campamentos a las afueras de las cárceles"),
        (then - timedelta(hours=6), "QUINTA NOCHE DE ESPERA POR PRESOS POLÍTICOS EN VENEZUELA"),
    ]
    with db.session() as s:
        for n, (when, title) in enumerate(titles):
            feed = Feed(name=f"f{n}", url=f"https://f{n}.example/feed", consecutive_failures=0)
            s.add(Item(feed=feed, guid=str(n), url=f"https://f{n}.example/{n}", title=title, summary="",
                       language="es", published_at=when, fetched_at=when, content_hash=f"h{n}"))
    Pipeline(default_config, db).process_pending(now=then)
    with db.session() as s:
        first, second = (s.scalars(select(Item.story_id).order_by(Item.id)).all())
    assert first != second
    fresh = open_database(db_url)  # another engine: a fresh story index, as in a new process
    try:
        with fresh.session() as s:
            answer = nearest_answer(s, default_config, first, now=then + timedelta(days=3))
    finally:
        fresh.dispose()
    assert "nothing to merge it with" not in answer
    assert f"1. story {second} · score " in answer
