"""The story index's upkeep. A long story keeps only its first and latest items as members,
but stays indexed under the words of every item it took in; once the story is forgotten
(expired from the window, or gone from the database), no word may point at it any more.
Before the fix, a word only a dropped member had kept pointing at the forgotten story, and
the next item with that word crashed the matcher (KeyError in `decide`): `monitor
poll-once` over 2–21 January served at once stopped there, and every later item with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from story_helpers import NOW, OTHER_NEWS, PP, WINDOW, feats, index_with

from alerts.stories.features import StoryEntry, features
from alerts.stories.match import MAX_MEMBERS, StoryIndex

TALLY = "Foro Penal contabiliza 21 presos políticos excarcelados en Tocorón"
# each report names a prison of its own, so each adds words no other member has
PRISONS = ["Yare", "Tocuyito", "Rodeo", "Helicoide", "Uribana", "Sabaneta", "Tocorón", "Vista Hermosa",
           "Ramo Verde", "Zona 7", "Boleíta", "Guanare", "Coro", "Cumaná", "Barinas", "Carúpano"]


def _long_story() -> tuple[object, list[str]]:
    index = index_with(TALLY)
    titles = [f"Foro Penal suma presos políticos excarcelados desde {p} este martes" for p in PRISONS]
    for k, title in enumerate(titles):
        index.add_member(1, feats(100 + k, title, NOW + timedelta(minutes=k)))
    assert len(index.stories[1].members) == MAX_MEMBERS  # the middle reports left the members
    return index, titles


def test_a_removed_long_story_leaves_no_word_pointing_at_it() -> None:
    index, _ = _long_story()
    index.remove_story(1)
    stale = sorted(key for key, ids in index.postings.items() if 1 in ids)
    assert stale == []


def test_an_expired_long_story_is_never_a_candidate_again() -> None:
    index, titles = _long_story()
    later = NOW + WINDOW + timedelta(hours=1)
    index.expire(later - WINDOW)
    assert 1 not in index.stories
    # the words of a report that had left the members (Rodeo, the third)
    item = feats(500, "Familiares esperan en Rodeo a presos políticos excarcelados", later)
    decision = index.decide(item, now=later, window=WINDOW)
    assert decision.story_id != 1


def test_a_story_knows_every_item_it_took_in_through_merges_and_splits() -> None:
    """What a replica's sync compares with the database (`StoryEntry.items`): the items the
    members' cap dropped are still the story's, and they move with it when it is merged."""
    index, titles = _long_story()
    entry = index.stories[1]  # type: ignore[attr-defined]
    placed = {1, *range(100, 100 + len(titles))}
    assert entry.items == placed and len(entry.members) < len(placed)
    index.merge_story(10, 1)  # type: ignore[attr-defined]
    assert index.stories[10].items == placed | {10}  # type: ignore[attr-defined]
    index.remove_member(10, 105)  # type: ignore[attr-defined]
    assert 105 not in index.stories[10].items  # type: ignore[attr-defined]


SENATE_VOTES = "SENADO VOTA ESTE MIÉRCOLES PARA BUSCAR IMPEDIR A TRUMP NUEVAS ACCIONES EN VENEZUELA"
SENATE_REJECTS = "SENADO DE EE. UU. RECHAZÓ LIMITAR PODERES DE GUERRA DE TRUMP CONTRA VENEZUELA"
US = ["us_actions"]
US_NEWS = [  # a day of the US beat: Trump, Venezuela and the United States in most headlines
    "Trump dice que habló con Delcy Rodríguez sobre el petróleo de Venezuela",
    "EE. UU. incauta otro petrolero frente a las costas de Venezuela",
    "Trump advierte a Venezuela que habrá una segunda ola de ataques",
    "Diplomáticos de EE. UU. llegan a Caracas para evaluar la embajada",
    "Trump se reúne con ejecutivos petroleros para hablar de Venezuela",
    "EE. UU. levanta parte de las sanciones a la industria petrolera de Venezuela",
]


def _beat(item_id: int, title: str, at: Any, words: list[str]) -> Any:
    """A headline of the US beat made relevant by the rule terms `words` (the beat's own words)."""
    return features(item_id=item_id, title=title, lang="es", outlet="feed:1", when=at, topics=US,
                    entities=[], counts=[], topic_words=words)


def _senate_index(*, a_week_before: bool) -> StoryIndex:
    """The Senate's vote as story 1 among other news; with `a_week_before`, the index held (and
    forgot) an older Senate story, made relevant by the word "Senado", as a service does."""
    index = StoryIndex()
    index.pairs = None
    if a_week_before:
        old = NOW - timedelta(days=7)
        title = "El Senado de EE. UU. aprueba avanzar la resolución sobre poderes de guerra en Venezuela"
        index.add_story(StoryEntry(99, title, old, old, set(US), [_beat(99, title, old, ["Senado", "EE. UU."])]))
        index.expire(NOW - WINDOW)
        assert 99 not in index.stories
    index.add_story(StoryEntry(1, SENATE_VOTES, NOW, NOW, set(US), [_beat(1, SENATE_VOTES, NOW, ["Trump", "Venezuela"])]))
    for k, other in enumerate(OTHER_NEWS, start=10):
        index.add_story(StoryEntry(k, other, NOW, NOW, set(PP), [feats(k, other, NOW)]))
    for k, other in enumerate(US_NEWS, start=20):
        words = [w for w in ("Trump", "EE. UU.", "Venezuela") if w in other]
        index.add_story(StoryEntry(k, other, NOW, NOW, set(US), [_beat(k, other, NOW, words)]))
    return index


def test_the_beats_words_of_forgotten_stories_are_forgotten_with_them() -> None:
    """The words that made items relevant weigh half (the beat's own words), but only while an
    item they made relevant is held: a service that has run for weeks weighs a word as a fresh
    one does. Before, the set only grew: after a month every rule term that had ever matched
    weighed half, and "Senado" no longer joined the Senate's rejection to its vote of the day
    before (a month served at once: tuned recall 0.857, window by window 0.870)."""
    fresh, aged = _senate_index(a_week_before=False), _senate_index(a_week_before=True)
    assert "senado" not in aged.generic and aged.generic == fresh.generic
    assert aged.idf("senado") == fresh.idf("senado")
    later = NOW + timedelta(days=1)
    item = _beat(2, SENATE_REJECTS, later, ["EE. UU.", "Trump", "Venezuela"])
    a = fresh.decide(item, now=later, window=WINDOW)
    b = aged.decide(item, now=later, window=WINDOW)
    assert a.story_id == 1
    assert (b.story_id, b.signals) == (a.story_id, a.signals)


def test_a_beats_word_stays_while_one_item_it_made_relevant_is_held() -> None:
    index = _senate_index(a_week_before=False)
    full = index.idf("senado")
    trump = index.generic["trump"]
    index.add_member(1, _beat(3, "El Senado de EE. UU. vota sobre Venezuela", NOW, ["Senado", "Trump"]))
    index.add_member(1, _beat(4, "Senado de EE. UU. debate acciones de Trump", NOW, ["Senado"]))
    assert (index.generic["senado"], index.generic["trump"]) == (2, trump + 1)
    index.remove_member(1, 3)
    assert index.generic["senado"] == 1 and index.generic["trump"] == trump
    assert index.idf("senado") < full  # still a word of the beat: weighed at half its rarity
    index.remove_member(1, 4)
    assert "senado" not in index.generic
    assert index.idf("senado") == pytest.approx(full)  # the table is as before the two items


def test_a_long_story_holds_the_same_members_whatever_order_its_items_came_in() -> None:
    """The cap keeps a story's earliest item and its latest ones by time, then by when each was
    placed: an index that took the items one by one (the live service) and one that read them
    back from the database in id order (a restart) hold the same members and weigh words alike.
    Items older than the story's second member come too (a feed back after days of failures):
    counted before the cap drops one, so a word's count never goes under nothing and comes back
    as one."""
    titles = [f"Foro Penal suma presos políticos excarcelados desde {p} este martes" for p in PRISONS]
    day = NOW + timedelta(hours=1)  # a day of feeds of dates only: one time, after the tally
    made = [
        features(item_id=100 + k, title=t, lang="es", outlet="feed:1", when=day, topics=PP, entities=[],
                 counts=[], topic_words=["presos políticos", "excarcelados"],
                 placed=NOW + timedelta(seconds=len(titles) - k))  # placed last stored first
        for k, t in enumerate(titles)
    ]
    by_placing, by_id = index_with(TALLY), index_with(TALLY)
    for m in sorted(made, key=lambda m: m.placed):
        by_placing.add_member(1, m)
    for m in made:
        by_id.add_member(1, m)
    members = [m.item_id for m in by_placing.stories[1].members]
    assert len(members) == MAX_MEMBERS and members == [m.item_id for m in by_id.stories[1].members]
    assert (by_id.df, by_id.generic, by_id.docs) == (by_placing.df, by_placing.generic, by_placing.docs)
    held = {m.item_id for m in made} & set(members)
    dropped = [m for m in made if m.item_id not in held]
    assert all(by_id.df.get(t, 0) == sum(t in m.tf for e in by_id.stories.values() for m in e.members)
               for m in dropped for t in m.tf)
