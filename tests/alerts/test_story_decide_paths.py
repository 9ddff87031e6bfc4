"""The matcher's shortcuts decide as the rules they stand for: a wave's latest story found
without a sort, a headline's regex answers kept per pattern, a person frame looked for only
where the item tells a kind of event (alerts/stories/match.py, conflicts.py)."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, PP, WINDOW, feats

from alerts.stories.conflicts import _ARREST, _CHARGED, _found, conflicts_between, event_frame
from alerts.stories.features import ItemFeatures, StoryEntry, features
from alerts.stories.match import StoryIndex


def _naming(person: str, item_id: int, title: str) -> ItemFeatures:
    """An item whose classifier entities name `person` (the features read people from them)."""
    return features(item_id=item_id, title=title, lang="es", outlet=f"feed:{item_id}", when=NOW, topics=PP,
                    counts=[], entities=[{"name": person, "type": "person"}])


def _wave_story(index: StoryIndex, sid: int, hours: float) -> None:
    member = feats(sid, f"Foro Penal suma {10 + sid} presos políticos excarcelados", NOW + timedelta(hours=hours))
    assert member.wave == "tally"
    index.add_story(StoryEntry(sid, member.headline.key, member.when, member.when, set(PP), [member]))


def test_a_wave_item_joins_the_latest_wave_story_that_qualifies_then_the_one_with_most_items() -> None:
    index = StoryIndex()
    index.pairs = None
    _wave_story(index, 1, -3)
    _wave_story(index, 2, -2)
    _wave_story(index, 3, -2)  # as late as story 2: the higher id wins the tie
    _wave_story(index, 4, 49)  # the latest, begun more than a window after the item: passed over
    item = feats(100, "Foro Penal suma 40 presos políticos excarcelados", NOW)
    decision = index.decide(item, now=NOW, window=WINDOW)
    assert decision.story_id == 3 and decision.signals["wave_items"] == 1
    index.add_member(1, feats(5, "Foro Penal suma 41 presos políticos excarcelados", NOW - timedelta(hours=4)))
    decision = index.decide(item, now=NOW, window=WINDOW)
    assert decision.story_id == 1 and decision.signals["wave_items"] == 2  # the most wave items first


def test_a_headlines_regex_answer_is_kept_per_pattern() -> None:
    key = "imputan terrorismo a carlos yepez"
    assert _found(_CHARGED, key) and not _found(_ARREST, key)
    assert _found(_ARREST, "detienen a carlos yepez") and not _found(_CHARGED, "detienen a carlos yepez")


def test_a_court_step_conflicts_with_the_arrests_story_only() -> None:
    court = _naming("Carlos Yépez", 1, "Imputan terrorismo a Carlos Yépez")
    arrest = _naming("Carlos Yépez", 2, "Detienen al activista Carlos Yépez en Caracas")
    hearing = _naming("Carlos Yépez", 3, "Tribunal imputa terrorismo al activista Carlos Yépez")
    for member, expected in ((arrest, True), (hearing, False)):
        entry = StoryEntry(9, "story", NOW, NOW, set(PP), [member])
        found = conflicts_between(court, entry, 0.3, set(), member)
        assert ("hearing after arrest" in found) is expected, (member, found)


def test_a_person_frame_needs_a_kind_of_event_told_on_both_sides() -> None:
    visit = _naming("Delcy Rodríguez", 1, "Delcy Rodríguez solicita viajar a Washington")
    denied = _naming("Delcy Rodríguez", 2, "Gobierno desmiente visita de Delcy Rodríguez a Washington")
    named = _naming("Delcy Rodríguez", 3, "Delcy Rodríguez")
    entry = StoryEntry(9, "story", NOW, NOW, set(PP), [visit])
    frame = event_frame(denied, entry, 1.0)
    assert frame is not None and frame.get("person") and frame.get("event")
    assert event_frame(named, entry, 1.0) is None
