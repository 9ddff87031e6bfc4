"""`StoryIndex.nearest`: the stories an operator is offered to merge a story with (`/merge`
alone, `monitor stories --near`), on titles written for these tests."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, PP, WINDOW, feats, index_with

from alerts.stories.features import StoryEntry

RELEASE = "Excarcelan al periodista Luis Ochoa tras seis meses preso en Tocorón"
TOLD = "El periodista excarcelado en Tocorón cuenta sus seis meses en prisión"


def test_the_closest_story_comes_first_with_what_the_rules_see() -> None:
    index = index_with(RELEASE, TOLD)
    told = 10 + 5  # index_with numbers `more` after the five other stories
    near = index.nearest(told, window=WINDOW, n=3)
    assert [n.story_id for n in near][0] == 1
    assert len(near) <= 3 and told not in [n.story_id for n in near]
    assert [n.score for n in near] == sorted((n.score for n in near), reverse=True)
    first = near[0].signals
    assert {"tocoron", "prensa"} <= set(first["terms"]) and first["with_item"] == 1  # "periodista" reads as prensa


def test_a_story_outside_the_window_or_unknown_is_not_offered() -> None:
    index = index_with(RELEASE)
    old = NOW - WINDOW - timedelta(hours=30)
    index.add_story(StoryEntry(99, TOLD, old, old, set(PP), [feats(99, TOLD, old)]))
    assert 99 not in [n.story_id for n in index.nearest(1, window=WINDOW, n=10)]
    assert 1 not in [n.story_id for n in index.nearest(99, window=WINDOW, n=10)]
    assert index.nearest(12345, window=WINDOW) == []


def test_far_below_the_threshold_is_still_listed_and_n_limits() -> None:
    index = index_with(RELEASE, TOLD)
    every = index.nearest(1, window=WINDOW, n=50)
    assert len(every) >= 2 and all(n.score < 0.40 for n in every[1:])
    assert index.nearest(1, window=WINDOW, n=1) == every[:1]
