"""One kind of event told again within half a day (a hearing announced, then held): a small
bonus that lifts a join just under the threshold, never the beat's own words, never past
EVENT_HOURS, never against a conflict. Titles written for these tests."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, index_with
from story_helpers import feats as _feats

from alerts.stories.match import EVENT_BONUS, EVENT_HOURS, THRESHOLD, StoryIndex

ANNOUNCED = "Los sindicalistas de Guayana comparecerán ante un tribunal de Caracas el lunes por la tarde"
HELD = ("Sindicalistas de Guayana se declaran inocentes; la defensa denuncia aislamiento, amenazas, golpes, "
        "hambre y falta de medicinas")


def _index_with(title: str) -> StoryIndex:
    return index_with(title, traced=True)


def _pair(index: StoryIndex) -> dict[str, object]:
    assert index.trace is not None
    return next(t for t in index.trace if t["story"] == 1)


def test_a_hearing_announced_then_held_the_same_day_is_one_story() -> None:
    index = _index_with(ANNOUNCED)
    at = NOW + timedelta(hours=6)
    decision = index.decide(_feats(2, HELD, at, outlet="feed:2"), now=at, window=WINDOW)
    assert decision.story_id == 1
    assert decision.signals["told_again"] == EVENT_BONUS and "juicio" in decision.signals["events"]
    assert decision.signals["text"] < THRESHOLD  # the words alone would have split it


def test_the_same_pair_past_half_a_day_gets_no_bonus() -> None:
    index = _index_with(ANNOUNCED)
    at = NOW + timedelta(hours=EVENT_HOURS + 2)
    decision = index.decide(_feats(2, HELD, at, outlet="feed:2"), now=at, window=WINDOW)
    pair = _pair(index)
    assert decision.story_id is None and "told_again" not in pair
    assert THRESHOLD - EVENT_BONUS <= float(pair["score"]) < THRESHOLD  # so the bonus is what joins above


def test_the_beats_own_words_are_not_a_kind_of_event_told_again() -> None:
    index = _index_with("Excarcelan a dirigentes sindicales de Guayana detenidos desde 2023")
    at = NOW + timedelta(hours=3)
    index.decide(_feats(2, "Liberan a estudiantes de Guayana tras meses en prisión", at, outlet="feed:2"),
                 now=at, window=WINDOW)
    pair = _pair(index)
    assert "liber" in pair["events"] and "told_again" not in pair  # a release word is the beat's


def test_a_conflict_still_splits_a_kind_of_event_told_again() -> None:
    index = _index_with("El petrolero «Aurora» es incautado por la Guardia Costera en el Caribe")
    at = NOW + timedelta(hours=2)
    decision = index.decide(
        _feats(2, "Guardia Costera incauta el petrolero «Boreal» en el Caribe", at, outlet="feed:2"), now=at, window=WINDOW
    )
    pair = _pair(index)
    assert decision.story_id is None and pair.get("told_again") == EVENT_BONUS
    assert "vessels" in pair["conflicts"]  # type: ignore[operator]


def test_the_operator_sees_the_kind_of_event_told_again() -> None:
    from alerts.stories.report import why

    index = _index_with(ANNOUNCED)
    at = NOW + timedelta(hours=6)
    decision = index.decide(_feats(2, HELD, at, outlet="feed:2"), now=at, window=WINDOW)
    assert f"a kind of event told again +{EVENT_BONUS}" in why(decision.signals)
