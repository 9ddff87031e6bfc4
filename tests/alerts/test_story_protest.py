"""A protest and a release told as done are two events, though they name the same prisoners and
prison: a release swallowed by a hunger strike's story reaches the channel as one more outlet of
the strike, not as the release it is. Titles in the style of a probe of prison conditions of May
2026, where "Excarcelaron a dos militares…" had joined the soldiers' hunger strike."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.match import Decision, StoryIndex

STRIKE = "Militares detenidos en Ramo Verde inician huelga de hambre para exigir ser incluidos en la amnistía"
RELEASE = "Excarcelaron a dos militares presos políticos de Ramo Verde, confirma Foro Penal"


def _decide(index: StoryIndex, title: str, item_id: int = 2, hours: float = 3.0) -> Decision:
    at = NOW + timedelta(hours=hours)
    return index.decide(feats(item_id, title, at, outlet=f"feed:{item_id}"), now=at, window=WINDOW)


def _conflicts(index: StoryIndex, story: int) -> set[str]:
    return {c for t in index.trace or [] if t["story"] == story for c in t.get("conflicts") or []}


def test_a_release_told_as_done_is_not_one_more_report_of_a_hunger_strike() -> None:
    index = index_with(STRIKE, traced=True)
    decision = _decide(index, RELEASE)
    assert decision.story_id is None
    assert "protest beside a release" in _conflicts(index, 1)


def test_a_hunger_strike_is_not_one_more_report_of_a_release() -> None:
    index = index_with(RELEASE, traced=True)
    decision = _decide(index, "Presos políticos militares de Ramo Verde se declaran en huelga de hambre")
    assert decision.story_id is None
    assert "protest beside a release" in _conflicts(index, 1)


def test_the_strikes_next_day_and_a_strike_ended_by_releases_still_join() -> None:
    index = index_with(STRIKE)
    assert _decide(index, "Segundo día de huelga de hambre de los militares detenidos en Ramo Verde",
                   hours=20).story_id == 1
    # a strike told with the releases that end it is both: neither side of the conflict
    both = index_with(STRIKE, traced=True)
    _decide(both, "Militares de Ramo Verde levantan la huelga de hambre tras la excarcelación de dos de ellos")
    assert "protest beside a release" not in _conflicts(both, 1)


def test_a_protest_that_names_the_releases_is_no_side_against_them() -> None:
    """A protest that celebrates the releases, ends with them or tells them as its background
    tells of the releases too: "a title that tells both is neither side", whichever the story."""
    for title in ("Militares de Ramo Verde levantan la huelga de hambre tras la excarcelación de dos de ellos",
                  "Militares de Ramo Verde levantan la huelga de hambre: excarcelados dos de ellos",
                  "Concentración frente a Ramo Verde celebra la liberación de dos militares presos políticos"):
        index = index_with(RELEASE, traced=True)
        _decide(index, title)
        assert "protest beside a release" not in _conflicts(index, 1), title


def test_a_celebration_or_the_strikes_end_joins_the_release() -> None:
    index = index_with("Excarcelan a 20 presos políticos de El Helicoide")
    assert _decide(index, "Concentración frente a El Helicoide celebra la liberación de 20 presos políticos"
                   ).story_id == 1
    index = index_with("Excarcelan a cinco militares presos de Ramo Verde")
    assert _decide(index, "Militares de Ramo Verde levantan la huelga de hambre: excarcelados cinco de ellos"
                   ).story_id == 1
