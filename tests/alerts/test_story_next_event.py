"""One person's next event is news of its own: a release, or charges and a court hearing, after
the arrest. Titles written for these tests, in the style of a probe of arrests of March 2026 (each
pair had been merged, the release or the hearing then only an outlet added to the arrest's alert)."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.match import Decision, StoryIndex
from alerts.stories.text import person_names

ARREST = "PNB detiene al activista de derechos humanos Gustavo Lira en Puerto La Cruz"
TAKEN = "Funcionarios del Sebin detienen a la periodista Mariela Castillo en Barquisimeto"


def _decide(index: StoryIndex, title: str, hours: float = 6.0) -> Decision:
    at = NOW + timedelta(hours=hours)
    return index.decide(feats(2, title, at, outlet="feed:2"), now=at, window=WINDOW)


def _conflicts(decision: Decision) -> set[str]:
    return {c for n in decision.signals.get("nearest", []) for c in n.get("conflicts") or []}


def test_a_persons_release_after_the_arrest_is_a_story_of_its_own() -> None:
    for title in (
        "Liberan al activista Gustavo Lira tras pasar 10 horas detenido en Puerto La Cruz",
        "LIBERAN AL ACTIVISTA GUSTAVO LIRA, DETENIDO EN PUERTO LA CRUZ",  # capitals: names written
    ):
        decision = _decide(index_with(ARREST), title)
        assert decision.story_id is None, title
        assert "release after arrest" in _conflicts(decision), title


def test_a_named_release_after_an_arrest_that_names_nobody_is_a_story_of_its_own() -> None:
    """"Detienen a defensor de DDHH en Anzoátegui" names no one: the release of a named activist
    in the same state hours later had joined it on the place alone."""
    index = index_with("Detienen a un defensor de derechos humanos en Puerto La Cruz")
    decision = _decide(index, "Liberan a Gustavo Lira, defensor de derechos humanos detenido en Puerto La Cruz")
    assert decision.story_id is None
    assert "release after arrest" in _conflicts(decision)
    # the arrest told again, naming him now, is no release: nothing keeps it out
    again = _decide(index, "Detienen en Puerto La Cruz al defensor de derechos humanos Gustavo Lira")
    assert "release after arrest" not in _conflicts(again) and "release after arrest" not in str(again.signals)


def test_the_arrest_told_again_still_joins_and_a_demand_is_no_release() -> None:
    again = _decide(index_with(ARREST), "Detienen en Puerto La Cruz al activista Gustavo Lira, denuncian ONG")
    assert again.story_id == 1
    demand = _decide(index_with(ARREST), "Activistas exigen liberar a Gustavo Lira, detenido en Puerto La Cruz")
    assert "release after arrest" not in _conflicts(demand) and "release after arrest" not in str(demand.signals)


def test_an_arrest_amid_releases_is_an_arrest() -> None:
    """"En plena ola de excarcelaciones, arrestan a…": the verb in the act is the arrest."""
    index = index_with("Detienen a la activista larense Ana Rivas en Barquisimeto")
    decision = _decide(index, "En plena ola de excarcelaciones, arrestan a la activista larense Ana Rivas")
    assert "release after arrest" not in _conflicts(decision) and decision.story_id == 1


def test_charges_and_a_hearing_after_the_arrest_are_a_story_of_their_own() -> None:
    decision = _decide(index_with(TAKEN), "Presentan ante tribunal a la periodista Mariela Castillo: le imputan "
                                          "incitación al odio", hours=20)
    assert decision.story_id is None
    assert "hearing after arrest" in _conflicts(decision)


def test_a_hearing_still_to_come_is_the_arrest_story() -> None:
    decision = _decide(index_with(TAKEN), "Mariela Castillo, detenida por el Sebin en Barquisimeto, aún no ha sido "
                                          "presentada ante tribunal")
    assert "hearing after arrest" not in _conflicts(decision)
    assert decision.story_id == 1


def test_a_hearing_joins_a_story_that_already_tells_the_court() -> None:
    index = index_with("Imputan terrorismo a la periodista Mariela Castillo en un tribunal de Barquisimeto")
    decision = _decide(index, "Tribunal imputa terrorismo a la periodista Mariela Castillo")
    assert decision.story_id == 1


def test_the_name_after_a_members_party_is_a_person() -> None:
    """A member's role, the party's name and the person's run together in capitals ("dirigente de
    Vente Venezuela Carlos Yépez"): the person is the name after the party."""
    assert person_names("Imputan terrorismo al dirigente de Vente Venezuela Carlos Yépez") == [
        frozenset({"carlos", "yepez"})]
    assert person_names("Ubican en El Helicoide al coordinador de Vente Venezuela Luis Pérez tras tres días") == [
        frozenset({"luis", "perez"})]
    # without a member's role, a body or place and the words after it are no person
    assert person_names("Maduro declaró el Estado de Conmoción Exterior en Venezuela") == []
    assert person_names("Reunión en la Casa Blanca Este lunes") == []


def test_a_headline_in_capitals_frames_only_with_the_people_it_writes() -> None:
    """Capitals hide names: "journalist" + "detained" in capitals is any journalist's arrest, not
    the one the story names (the class frame had joined them); written with the name, it is his."""
    index = index_with("Periodista Jesús Rondón, detenido por funcionarios de la Dgcim")
    other = _decide(index, "DENUNCIAN QUE PERIODISTA LARENSE FUE DETENIDA POR EL SEBIN", hours=3)
    assert other.story_id is None
    same = _decide(index, "DENUNCIAN QUE EL PERIODISTA JESÚS RONDÓN FUE DETENIDO", hours=3)
    assert same.story_id == 1
