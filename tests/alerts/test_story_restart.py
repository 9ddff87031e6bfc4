"""A restarted service groups as the running one did: the matcher's index rebuilt from
the database carries each item's own topics and the rule terms that made it relevant
(stored as `Match` rows), as the live path does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.outbox import enqueue_for_item
from alerts.stories import assign as stories
from alerts.stories.features import features
from monitor.match import build_classifier
from monitor.pipeline import store_classification
from storage.models import Item

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
CHANNELS = [{"name": "all", "chat_id": "@all_channel", "topics": ["political_prisoners", "us_actions"]}]
TITLES = [
    ("elpitazo", "Familiares de presos políticos mantienen vigilia frente a El Helicoide"),
    ("cocuyo", "EE. UU. incauta el petrolero «Aurora Bay» en el mar Caribe"),
    ("bbcmundo", "Diplomáticos estadounidenses llegan a Caracas para evaluar la reapertura de la embajada"),
]


def test_index_rebuilt_from_the_database_matches_the_live_one(db: Any, make_config: Any, add_item: Any) -> None:
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)
    window = config.settings.story_window
    for k, (feed, title) in enumerate(TITLES):
        at = NOW + timedelta(minutes=10 * k)
        with db.session() as s:
            item = add_item(s, feed, title, published=at)
            c = classifier.classify(title=title, lang="es")
            store_classification(s, item, c, at)  # as the pipeline stores it, before the story
            enqueue_for_item(s, item, c, config, now=at)
    with db.session() as s:
        live = stories.story_index(s, window=window, now=NOW + timedelta(hours=1))
    stories._INDEXES.clear()  # a restart
    with db.session() as s:
        rebuilt = stories.story_index(s, window=window, now=NOW + timedelta(hours=1))
    assert rebuilt is not live
    assert live.generic and rebuilt.generic == live.generic
    for sid, entry in live.stories.items():
        again = rebuilt.stories[sid]
        assert [(m.item_id, m.topics, m.generic, m.tf) for m in again.members] == [
            (m.item_id, m.topics, m.generic, m.tf) for m in entry.members
        ]
    # and a new item is decided alike, with the same weights
    title = "Familiares de presos políticos cumplen segunda noche de vigilia frente a El Helicoide"
    c = classifier.classify(title=title, lang="es")
    feats = features(
        item_id=10**6, title=title, lang="es", outlet="feed:99", when=NOW + timedelta(hours=1),
        topics=c.topics, entities=c.entities, counts=c.counts,
        topic_words=[t for topic in c.topics for t in c.matches.get(topic, [])],
    )
    a = live.decide(feats, now=NOW + timedelta(hours=1), window=window)
    b = rebuilt.decide(feats, now=NOW + timedelta(hours=1), window=window)
    assert a.story_id is not None and (b.story_id, b.signals) == (a.story_id, a.signals)


def _live_and_rebuilt(db: Any, window: timedelta) -> tuple[Any, Any]:
    """The running service's index an hour after NOW, and the one a restart rebuilds then."""
    later = NOW + timedelta(hours=1)
    with db.session() as s:
        live = stories.story_index(s, window=window, now=later)
    stories._INDEXES.clear()  # a restart
    with db.session() as s:
        rebuilt = stories.story_index(s, window=window, now=later)
    assert rebuilt is not live
    return live, rebuilt


VIGIL = [  # one relatives' vigil told by four outlets, in feeds of dates only (one time: midnight)
    ("elpitazo", "Familiares de presos políticos mantienen vigilia frente a El Helicoide"),
    ("cocuyo", "Familiares de presos políticos cumplen vigilia frente a El Helicoide"),
    ("bbcmundo", "Vigilia de familiares de presos políticos frente a El Helicoide"),
    ("efecto", "Familiares de presos políticos siguen en vigilia frente a El Helicoide"),
]


def test_a_restart_keeps_a_days_items_in_the_order_they_were_placed(db: Any, make_config: Any, add_item: Any) -> None:
    """Items of one time (a day of feeds of dates only) are placed as the pipeline interleaves
    the feeds, not in the order they were stored; the story's first item (its core) and the
    members a long story keeps are those of the order placed. An index rebuilt from the
    database read them in id order: after a restart in the middle of such a backlog (a month of
    January served at once, the index dropped before each day), 47 wrong-merge pairs on the
    tuned windows became 66. Both now order a story's items by time, then by when each was placed
    (its classification time)."""
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)
    window = config.settings.story_window
    day = NOW.replace(hour=0, minute=0)
    with db.session() as s:
        items = [add_item(s, feed, title, published=day).id for feed, title in VIGIL]
    for k, item_id in enumerate(reversed(items)):  # placed last stored first
        at = NOW + timedelta(seconds=k)
        with db.session() as s:
            item = s.get(Item, item_id)
            c = classifier.classify(title=item.title, lang="es")
            store_classification(s, item, c, at)
            enqueue_for_item(s, item, c, config, now=at)
    live, rebuilt = _live_and_rebuilt(db, window)
    (story,) = [e for e in live.stories.values() if len(e.members) > 1]
    assert [m.item_id for m in story.members][0] == items[-1]  # the first placed leads it
    assert [m.item_id for m in rebuilt.stories[story.id].members] == [m.item_id for m in story.members]
    assert (rebuilt.df, rebuilt.generic, rebuilt.docs) == (live.df, live.generic, live.docs)


def test_a_figure_of_a_part_is_the_same_figure_after_a_restart(db: Any, make_config: Any, add_item: Any) -> None:
    """A figure that counts a part ("7 periodistas" released, "32 cubanos" dead) is its own
    figure, apart from the whole's. The index rebuilt from the database read only the counts'
    events and numbers, so after a restart "released:journalists 7" became "released 7": a
    tally of 7 released elsewhere joined it, where the running service kept them apart (a window
    of January served with a restart each day: one item of 29–31 January went to another story)."""
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)
    window = config.settings.story_window
    title = "Excarcelan a 7 periodistas detenidos en Caracas"
    with db.session() as s:
        item = add_item(s, "cocuyo", title, published=NOW)
        c = classifier.classify(title=title, lang="es")
        assert [(x.event, x.number, x.part) for x in c.counts] == [("released", 7, "journalists")]
        store_classification(s, item, c, NOW)
        enqueue_for_item(s, item, c, config, now=NOW)
    live, rebuilt = _live_and_rebuilt(db, window)
    (entry,) = live.stories.values()
    assert entry.members[0].figures == frozenset({("released:journalists", 7)})
    assert rebuilt.stories[entry.id].members[0].figures == entry.members[0].figures
