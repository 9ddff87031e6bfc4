"""Who a headline names keeps events apart: two people who share a surname, one envoy's meetings
with two people. Titles in the style of a probe of US diplomacy of May 2026, where each had merged."""

from __future__ import annotations

from datetime import datetime, timedelta

from story_helpers import NOW, PP, WINDOW, feats, index_with

from alerts.stories.features import ItemFeatures, StoryEntry, features, one_name
from alerts.stories.match import Decision, StoryIndex

US = ["us_actions"]


def _decide(index: StoryIndex, title: str, hours: float = 3.0) -> Decision:
    at = NOW + timedelta(hours=hours)
    return index.decide(feats(2, title, at, outlet="feed:2", topics=US), now=at, window=WINDOW)


def _conflicts(decision: Decision) -> set[str]:
    return {c for n in decision.signals.get("nearest", []) for c in n.get("conflicts") or []}


def test_a_shared_surname_is_not_one_person() -> None:
    assert not one_name(frozenset({"delcy", "rodriguez"}), frozenset({"jorge", "rodriguez"}))
    assert one_name(frozenset({"corina", "machado"}), frozenset({"maria", "corina", "machado"}))
    assert one_name(frozenset({"capitan", "luis", "barrios"}), frozenset({"luis", "alfredo", "barrios"}))
    assert one_name(frozenset({"guanipa"}), frozenset({"juan", "pablo", "guanipa"}))


def test_the_siblings_rodriguez_are_two_people() -> None:
    index = index_with("Delcy Rodríguez recibe en Miraflores a una delegación de congresistas de EE. UU.", topics=US)
    other = _decide(index, "Congresistas estadounidenses se reúnen con Jorge Rodríguez en el Palacio Federal")
    assert other.story_id is None and "people" in _conflicts(other)


def test_one_envoys_meetings_with_two_people_are_two_meetings() -> None:
    index = index_with("Christopher Landau se reunió con Delcy Rodríguez en Miraflores", topics=US)
    other = _decide(index, "Christopher Landau se reunió con María Corina Machado en Caracas tras su visita a Miraflores")
    assert other.story_id is None and "meeting" in _conflicts(other)
    same = _decide(index, "Landau y Delcy Rodríguez sostienen encuentro en Miraflores para revisar la agenda bilateral")
    assert same.story_id == 1



def test_a_vigils_next_night_joins_the_vigil_not_a_story_it_shares_some_words_with() -> None:
    """The second night of a vigil at El Helicoide cleared the vigil's story by its frame (relatives
    + vigil) and the story of a journalist held there by "vida", "piden" and the place; the higher
    score had taken it. An ongoing situation's frame goes first unless the other's wording is strong."""
    helicoide = [{"name": "El Helicoide", "type": "place"}]

    def item(item_id: int, title: str, at: datetime) -> ItemFeatures:
        return features(item_id=item_id, title=title, lang="es", outlet=f"feed:{item_id}", when=at, topics=PP,
                        entities=helicoide, counts=[])

    held = ("La CIDH pide a Venezuela proteger la vida y salud del periodista preso Andrés Quintero, detenido en "
            "El Helicoide")
    vigil = "Familiares de presos políticos mantienen vigilia nocturna frente a El Helicoide"
    index = index_with("Provea publica informe sobre torturas", "Madres de presos inician huelga en Tocuyito")
    index.add_story(StoryEntry(101, held, NOW, NOW, set(PP), [item(101, held, NOW)]))
    index.add_story(StoryEntry(102, vigil, NOW, NOW, set(PP), [item(102, vigil, NOW)]))
    at = NOW + timedelta(hours=20)
    index.trace, index.floor = [], -1.0
    decision = index.decide(item(103, "Segunda noche de vigilia en El Helicoide: familiares piden fe de vida de los "
                                    "detenidos", at), now=at, window=WINDOW)
    cleared = {t["story"] for t in index.trace if t["score"] >= 0.40 and not t.get("conflicts")}
    assert {101, 102} <= cleared  # both stories could take it
    assert decision.story_id == 102
