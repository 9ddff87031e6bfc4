"""The story index's upkeep. A long story keeps only its first and latest items as members,
but stays indexed under the words of every item it took in; once the story is forgotten
(expired from the window, or gone from the database), no word may point at it any more.
Before the fix, a word only a dropped member had kept pointing at the forgotten story, and
the next item with that word crashed the matcher (KeyError in `decide`): `monitor
poll-once` over 2–21 January served at once stopped there, and every later item with it."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.match import MAX_MEMBERS

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
