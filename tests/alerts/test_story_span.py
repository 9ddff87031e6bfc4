"""A story's own age weighs on a join, as the time since its last item does: a story kept
alive by one report a day must not grow into a saga that takes in the next event of the
same people (served all month at once, Maduro's indictment of 3 January took in seven reports
of his hearing two days later)."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.report import why

US = ["us_actions"]
INDICTED = "EE. UU. imputa a Nicolás Maduro por narcoterrorismo y conspiración en Nueva York"
ACCUSED = "Fiscalía de EE. UU. acusa a Nicolás Maduro de narcoterrorismo en Nueva York"
CHARGES = "Nicolás Maduro enfrentará en Nueva York cargos de narcoterrorismo"


def _decide_at(hours_of_second: float, hours_of_item: float):  # type: ignore[no-untyped-def]
    index = index_with(INDICTED, topics=US)
    index.add_member(1, feats(2, ACCUSED, NOW + timedelta(hours=hours_of_second), topics=US))
    at = NOW + timedelta(hours=hours_of_item)
    return index.decide(feats(3, CHARGES, at, topics=US), now=at, window=WINDOW)


def test_a_fresh_story_takes_a_report_in_other_words() -> None:
    decision = _decide_at(2, 20)
    assert decision.story_id == 1 and decision.signals["story_hours"] == 20.0


def test_a_story_two_days_and_a_half_old_needs_more_than_the_same_words() -> None:
    # the same report, 20 hours after the story's last item (no penalty for that alone),
    # but 60 hours after its first
    decision = _decide_at(40, 60)
    assert decision.story_id is None
    assert decision.signals["nearest"][0]["story"] == 1 and decision.signals["nearest"][0]["story_hours"] == 60.0


def test_monitor_stories_says_how_old_the_story_was_when_it_weighed() -> None:
    decision = _decide_at(20, 30)
    assert decision.story_id == 1
    assert why(decision.signals).endswith("10.0 h after the story's last item; 30.0 h after its first")
    assert "after its first" not in why(_decide_at(2, 20).signals)
