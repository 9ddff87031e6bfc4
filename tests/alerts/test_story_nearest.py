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


def test_the_index_reads_its_items_as_rows_with_the_features_their_objects_gave(db: Any, default_config: Any) -> None:
    """The stories of `/merge` alone's hours and `--near`'s were loaded as ORM items with their
    matches and counts: 10,000 objects for a story of three days before on a year's database, a
    third of its 5.8 s. Rows now: no item object in the session, and each item's features those
    its object gave (its topics, terms, names and figures; a story's topics for an item with no
    match stored). Real pipeline, real SQLite file."""
    from datetime import UTC, datetime

    from sqlalchemy import event

    from alerts.stories import assign
    from alerts.stories.match import StoryIndex
    from monitor.pipeline import Pipeline
    from storage.items import story_items
    from storage.models import Count, Feed, Item, Match, Story

    then = datetime(2026, 1, 13, 22, tzinfo=UTC)
    titles = [
        "Foro Penal contabiliza 21 presos políticos excarcelados",
        "Foro Penal suma 23 presos políticos excarcelados tras la visita de Marco Rubio",
        RELEASE, TOLD,
        "EE. UU. incauta el petrolero «Aurora Bay» en el mar Caribe",
        "Familiares de presos políticos mantienen vigilia frente a El Helicoide",
    ]
    with db.session() as s:
        for n, title in enumerate(titles):
            feed = Feed(name=f"f{n}", url=f"https://f{n}.example/feed", consecutive_failures=0)
            when = then - timedelta(hours=len(titles) - n)
            s.add(Item(feed=feed, guid=str(n), url=f"https://f{n}.example/{n}", title=title, summary="",
                       language="es", published_at=when, fetched_at=when, content_hash=f"h{n}"))
    Pipeline(default_config, db).process_pending(now=then)
    with db.session() as s:
        bare = s.scalars(select(Item.id).where(Item.story_id.is_not(None)).order_by(Item.id.desc())).first()
        s.execute(Match.__table__.delete().where(Match.item_id == bare))  # no match stored: its story's topics
    with db.session() as s:
        stories = list(s.scalars(select(Story).order_by(Story.id)))
        index, loaded = StoryIndex(), []

        def count(target: Any, _context: Any) -> None:
            loaded.append(target)

        event.listen(Item, "load", count)
        try:
            assign._load(s, index, stories)
        finally:
            event.remove(Item, "load", count)
        assert loaded == []
        items = story_items(s, [st.id for st in stories], with_counts=True, with_matches=True)
        assert any(it.counts for it in items) and any(it.entities for it in items)
        assert any(it.matches for it in items) and any(not it.matches for it in items)
        assert s.scalar(select(Count.id).limit(1)) is not None
        topics = {st.id: list(st.topics or []) for st in stories}
        for it in items:
            [member] = [m for m in index.stories[it.story_id or 0].members if m.item_id == it.id]
            assert member == assign._item_features(it, topics[it.story_id or 0])
        assert sum(len(e.members) for e in index.stories.values()) == len(items)


def test_merge_alone_on_a_story_weeks_old_loads_its_hours_not_every_story_since(
    db_url: str, db: Any, default_config: Any,
) -> None:
    """`/merge` alone in the service (its index of the last window) on a story more than two
    windows old brought back every story from a window before it to the index's last window:
    on a year's database, for a story of 30 days before, 19,259 stories, 14.7 s under the lock
    the pipeline waits for (10 days: 7,282, 6.6 s). Now the stories of its own hours, as a fresh
    index (`--near`) reads them, and the same stories listed. Real pipeline, real SQLite file."""
    from datetime import UTC, datetime

    from alerts.stories import assign
    from monitor.pipeline import Pipeline
    from storage.db import open_database
    from storage.models import Feed, Item

    start = datetime(2026, 1, 3, 12, tzinfo=UTC)
    days = ["Detienen al dirigente sindical Pedro Ochoa en Barquisimeto",
            "Trasladan a Rodeo I a un preso de Tocorón sin avisar a su familia",
            "Foro Penal denuncia nuevas detenciones de activistas en Zulia",
            "Provea publica informe anual sobre torturas en cárceles",
            "Madres de presos inician huelga de hambre en Tocuyito",
            "ONU pide liberar a presos políticos en Venezuela",
            "Abogados denuncian traslados de presos a Rodeo I",
            "Excarcelan a Rocío San Miguel tras casi dos años presa en El Helicoide",
            "Familiares de presos políticos mantienen vigilia frente a El Helicoide",
            "EE. UU. incauta el petrolero «Aurora Bay» en el mar Caribe"]
    titles = [(start, RELEASE), (start + timedelta(hours=3), TOLD)]  # one story
    titles += [(start + timedelta(days=n + 1), t) for n, t in enumerate(days)]
    pipeline = Pipeline(default_config, db)  # one engine: the service's index, kept between polls
    for n, (when, title) in enumerate(titles):
        with db.session() as s:
            feed = Feed(name=f"f{n}", url=f"https://f{n}.example/feed", consecutive_failures=0)
            s.add(Item(feed=feed, guid=str(n), url=f"https://f{n}.example/{n}", title=title, summary="",
                       language="es", published_at=when, fetched_at=when, content_hash=f"h{n}"))
        pipeline.process_pending(now=when + timedelta(minutes=1))
    now = titles[-1][0] + timedelta(hours=1)
    with db.session() as s:
        story = {title: sid for title, sid in s.execute(select(Item.title, Item.story_id))}
        served = [(other.id, near.score) for other, near in assign.nearest_stories(s, story[RELEASE], window=WINDOW,
                                                                                   now=now, n=5)]
        held = set(assign._INDEXES[db.engine].stories)
    between = {story[t] for t in days[2:7]}  # days 3-7: past the story's hours, before the last window
    assert held.isdisjoint(between)
    assert {story[RELEASE], story[days[0]], story[days[1]], story[days[-1]]} <= held
    fresh = open_database(db_url)  # another engine: a fresh index, as `monitor stories --near`
    try:
        with fresh.session() as s:
            listed = [(other.id, near.score) for other, near in assign.nearest_stories(s, story[RELEASE], window=WINDOW,
                                                                                       now=now, n=5)]
    finally:
        fresh.dispose()
    # the same stories, in the same order (the scores may differ in the last digits: the service's
    # index weighs words by every story it has held, a fresh one by those it read)
    assert [sid for sid, _ in served] == [sid for sid, _ in listed] == [story[days[0]], story[days[1]]]
