"""Relatives waiting for releases hold a vigil, an event of its own ("a la espera de" is the
vigil when relatives wait, context otherwise); a number two titles state alike ("9.000
pacientes") is the figure bonus; a topic word rare in the window is evidence. Titles written
for these tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from story_helpers import NOW, PP, WINDOW, index_with
from story_helpers import feats as _feats

from alerts.stories.features import ItemFeatures, StoryEntry, features
from alerts.stories.match import FIGURE_BONUS, Decision, StoryIndex
from alerts.stories.text import prepare


def _decide(first: str, second: str, hours: float, topics: list[str] = PP) -> Decision:
    index = index_with(first, topics=topics)
    at = NOW + timedelta(hours=hours)
    return index.decide(_feats(2, second, at, outlet="feed:2", topics=topics), now=at, window=WINDOW)


def test_relatives_waiting_hold_a_vigil() -> None:
    waiting = prepare("Madres de detenidos pasan la cuarta noche a la espera de excarcelaciones", "es")
    assert {"famili", "vigil"} <= waiting.events
    # anyone else's waiting is the context of another event
    assert "vigil" not in prepare("Detenidos en Tocorón reciben a sus abogados a la espera de su juicio", "es").events


def test_two_nights_of_one_vigil_are_one_story() -> None:
    first = "Las madres de los presos políticos rezan frente a Tocorón a la espera de las excarcelaciones"
    decision = _decide(first, "Madres de presos políticos pasan la cuarta noche a la espera de excarcelaciones", 6)
    assert decision.story_id == 1
    assert decision.signals["frame"] == {"classes": ["famili", "vigil"]}


def test_a_number_both_titles_state_is_the_figure_bonus() -> None:
    first = "Bombardeo destruye depósito de insumos médicos y deja sin tratamiento a 9.000 pacientes"
    decision = _decide(first, "Ataque a depósito en La Guaira afecta a 9.000 pacientes renales", 3, topics=["us_actions"])
    assert decision.story_id == 1 and decision.signals["numbers"] == ["9000"]
    alone = _decide(first, "Ataque a depósito en La Guaira afecta a pacientes renales", 3, topics=["us_actions"])
    assert alone.score <= decision.score - FIGURE_BONUS + 1e-9


def test_a_topic_word_rare_in_the_window_is_evidence() -> None:
    # every shared word is one of the classifier's topic words; "muerte bajo custodia" is rare
    # in the window, "presos políticos" is in every story
    words = ["preso~ político~", "muerte", "bajo custodia", "preso~"]

    def feats(item_id: int, title: str, at: datetime, outlet: str) -> ItemFeatures:
        return features(item_id=item_id, title=title, lang="es", outlet=outlet, when=at, topics=PP,
                        entities=[], counts=[], topic_words=words)

    first = "Denuncian la muerte bajo custodia de otro preso político"
    index = StoryIndex()
    index.pairs = None
    index.add_story(StoryEntry(1, first, NOW, NOW, set(PP), [feats(1, first, NOW, "feed:1")]))
    for k in range(10, 40):
        other = "ONU pide liberar a los presos políticos en Venezuela"
        index.add_story(StoryEntry(k, other, NOW, NOW, set(PP), [feats(k, other, NOW, "feed:3")]))
    at = NOW + timedelta(hours=2)
    decision = index.decide(feats(2, "Denuncian muerte bajo custodia del preso político", at, "feed:2"), now=at, window=WINDOW)
    assert decision.story_id == 1 and decision.signals["evidence"] >= 2


def test_a_release_told_done_is_no_frame_of_a_release_awaited() -> None:
    """Journalists and a release as two kinds of the event ("prensa" + "liber") made a frame of
    a list of journalists among the prisoners awaiting release and, the next day, their release
    (a month of January served at once: the release of 14 January joined the list of the 13th,
    apart from its other tellings). A release joins such a frame only when both tell it alike:
    done, or not."""
    awaited = "Al menos 24 trabajadores de la prensa forman parte de la lista de presos políticos que esperan su liberación"
    done = "Excarcelaron a un grupo de periodistas este miércoles, esta es la lista"
    assert not _feats(1, awaited, NOW).release_done and _feats(2, done, NOW).release_done
    decision = _decide(awaited, done, 24)
    assert "frame" not in decision.signals  # (words may still join them: here the list, the press)
    # told alike, the frame holds: two tellings of the release
    told = _decide("Confirman la excarcelación de varios periodistas detenidos", done, 2)
    assert told.story_id == 1 and told.signals["frame"] == {"classes": ["liber", "prensa"]}
