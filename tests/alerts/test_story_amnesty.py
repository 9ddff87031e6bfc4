"""The amnesty law's stories: a stage still to come is not the stage told, and two courts
applying the amnesty to different numbers of people (written in words) are two events.
Titles written for these tests, found by a probe in the style of February 2026."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.match import Decision, StoryIndex


def _decide(index: StoryIndex, title: str, hours: float) -> Decision:
    at = NOW + timedelta(hours=hours)
    return index.decide(feats(2, title, at, outlet="feed:2"), now=at, window=WINDOW)


def test_a_bill_passed_to_be_promulgated_is_not_its_promulgation() -> None:
    """"…pasa al Ejecutivo para su promulgación" tells the second discussion: read as telling
    two stages (so none), it took in the promulgation's headlines."""
    index = index_with("Parlamento aprueba en segunda discusión la Ley de Amnistía: pasa al Ejecutivo para su promulgación")
    decision = _decide(index, "Ejecutivo promulga la Ley de Amnistía y el texto es publicado en Gaceta Oficial", 6)
    assert decision.story_id is None
    assert any("law stage" in (n.get("conflicts") or []) for n in decision.signals["nearest"])


def test_the_second_discussion_told_again_joins_it() -> None:
    index = index_with("Parlamento aprueba en segunda discusión la Ley de Amnistía: pasa al Ejecutivo para su promulgación")
    decision = _decide(index, "La Asamblea Nacional sancionó la Ley de Amnistía en segunda discusión", 2)
    assert decision.story_id == 1


def test_two_amnesties_counted_in_words_are_two_stories() -> None:
    index = index_with("Tribunal de Maracaibo otorga la amnistía a nueve presos políticos detenidos por protestas")
    other = _decide(index, "Tribunal otorga la amnistía a veintitrés presos políticos detenidos por protestas", 3)
    same = _decide(index, "Juez de Maracaibo aplica la amnistía a 9 presos políticos detenidos por protestas", 3)
    assert other.story_id is None
    assert any("numbers" in (n.get("conflicts") or []) for n in other.signals["nearest"])
    assert same.story_id == 1
