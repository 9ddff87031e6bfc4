"""Who a headline names keeps events apart: two people who share a surname, one envoy's meetings
with two people. Titles in the style of a probe of US diplomacy of May 2026, where each had merged."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.features import one_name
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
