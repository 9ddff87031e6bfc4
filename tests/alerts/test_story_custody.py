"""A death in custody told by several outlets in different words is one story (the class
`custod`, marked `alone` in alerts/stories/data/concepts.json: an event that rare and grave, told
twice in a day, is one event unless the tellings name different people). Titles written for
these tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.conflicts import FRAME_HOURS
from alerts.stories.match import Decision, StoryIndex

NAMED = "Denuncian la muerte bajo custodia del preso político Luis Mendoza"


def _decide(index: StoryIndex, title: str, hours: float) -> Decision:
    at = NOW + timedelta(hours=hours)
    return index.decide(feats(2, title, at, outlet="feed:2"), now=at, window=WINDOW)


@pytest.mark.parametrize("title", [
    "Denuncian muerte bajo custodia de un funcionario policial detenido en la Zona 7",
    "Denunciaron la muerte de otro preso político en un calabozo del régimen",
    "Muere en prisión un policía acusado de conspiración, denuncia su familia",
])
def test_one_death_in_custody_told_in_other_words_the_same_day_joins_its_story(title: str) -> None:
    decision = _decide(index_with(NAMED), title, 5)
    assert decision.story_id == 1
    assert decision.signals["frame"] == {"classes": ["custod"]}


def test_deaths_in_custody_of_two_named_people_are_two_stories() -> None:
    decision = _decide(index_with(NAMED), "Denuncian la muerte bajo custodia del preso político Carlos Pérez", 5)
    assert decision.story_id is None


@pytest.mark.parametrize("title", [
    "Denuncian la muerte de un manifestante durante una protesta en Caracas",
    "Ataque de EE. UU. contra una lancha en el Caribe deja tres muertos",
])
def test_other_deaths_are_not_a_death_in_custody(title: str) -> None:
    decision = _decide(index_with(NAMED), title, 5)
    assert decision.story_id is None


def test_a_death_in_custody_told_a_day_and_more_later_is_not_joined_by_its_kind_alone() -> None:
    decision = _decide(index_with(NAMED), "Denunciaron la muerte de otro preso político en un calabozo del régimen",
                       FRAME_HOURS + 6)
    assert decision.story_id is None


def test_an_unnamed_telling_never_merges_two_named_deaths_in_custody() -> None:
    """Both stories clear it (no name to conflict with), but a frame of its kind alone is no
    evidence that the two deaths are one (alerts.stories.match.bridges)."""
    index = index_with(NAMED, "Denuncian la muerte bajo custodia del preso político Carlos Pérez")
    decision = _decide(index, "Denunciaron la muerte de otro preso político en un calabozo del régimen", 5)
    assert decision.story_id is not None
    assert "merges" not in decision.signals
