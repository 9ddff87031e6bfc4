"""Urgency of English headlines that the Spanish-tuned reading got wrong (docs/MATCHING.md,
"Urgency", English round). Each class has must-stay-urgent English cases beside it.

Titles are made up in the style of English wire copy and US papers; none is copied from the
probe in bench/data/english/.
"""

from __future__ import annotations

import pytest

STAYS_HIGH = [
    "Venezuela frees 20 political prisoners",
    "US strikes another drug boat, killing 3",
    "Deportation flight lands in Caracas with 180 migrants",
    "Freed: Venezuela releases journalist after 300 days",
    # near misses of the rules below, read on the labelled sets
    "Opposition mayor Juan Pablo Guanipa moved to house arrest",  # "to", a verb only
    "Student detained after the 2024 protests freed after 19 months",  # "after" of a noun only
]


def _urgency(shipped, title: str, summary: str = "") -> str:
    return shipped.classify(title=title, summary=summary, lang="en").urgency


@pytest.mark.parametrize("title", STAYS_HIGH)
def test_the_english_events_themselves_stay_urgent(shipped, title):
    assert _urgency(shipped, title) == "high"


@pytest.mark.parametrize("title, urgency", [
    ("Rodríguez says political prisoners will be released next week", "normal"),
    ("Dozens of detainees would be freed under the deal, officials say", "normal"),
    ("Hundreds of political prisoners are expected to be freed this month", "normal"),
    ("European Union welcomes the release of Venezuelan political prisoners", "normal"),
    ("Families demand faster releases of jailed activists", "normal"),
    ("Venezuela frees political prisoners", "high"),
    ("Political prisoners released from El Rodeo I", "high"),
])
def test_a_release_to_come_awaited_or_welcomed_is_not_the_event(shipped, title, urgency):
    assert _urgency(shipped, title) == urgency


def test_a_release_to_come_in_the_summary_is_not_the_event(shipped):
    assert _urgency(shipped, "Prisoners and sanctions", "The envoy said Washington expects all "
                    "political prisoners in Venezuela to be freed before sanctions are lifted.") == "normal"


@pytest.mark.parametrize("title, urgency", [
    ("Freed Venezuelan journalist describes months in El Helicoide", "normal"),
    ("Freed Venezuelan activist Rocío San Miguel describes torture", "normal"),
    ("Jailed activist Javier Tarazona's mother appeals to the UN", "normal"),
    ("Rocío San Miguel freed from El Helicoide", "high"),
    ("Spanish nationals among prisoners freed by Venezuela", "high"),
    ("Opposition leader freed from prison after two years", "high"),
])
def test_freed_or_jailed_before_a_noun_describes_the_people(shipped, title, urgency):
    assert _urgency(shipped, title) == urgency


@pytest.mark.parametrize("title, urgency", [
    ("Hegseth defends boat strikes in Senate hearing", "normal"),
    ("Senate votes down resolution on Venezuela boat strikes", "normal"),
    ("US military strikes boat in Caribbean", "high"),
])
def test_a_strike_defended_or_voted_on_is_not_the_event(shipped, title, urgency):
    assert _urgency(shipped, title) == urgency


@pytest.mark.parametrize("title", [
    "US will resume deportation flights to Venezuela next month",
    "Trump administration plans deportation flights to Caracas",
    "Venezuela to receive three deportation flights a week under US deal",
])
def test_deportation_flights_to_come_are_not_the_event(shipped, title):
    assert _urgency(shipped, title) == "normal"


@pytest.mark.parametrize("title, urgency", [
    ("Venezuela's oil exports rebound after US eases blockade", "normal"),
    ("Senate votes on war powers after boat strikes", "normal"),
    ("Hours after Trump's warning, US strikes another drug boat", "high"),
    ("Venezuela releases 40 political prisoners after amnesty vote", "high"),
])
def test_english_after_with_a_clause_is_background_unless_a_comma_ends_it(shipped, title, urgency):
    assert _urgency(shipped, title) == urgency


@pytest.mark.parametrize("title, urgency", [
    ("Maduro held at Brooklyn jail ahead of trial", "high"),
    ("Hearing for Maduro held in Manhattan court postponed", "normal"),
    ("Maduro's lawyers say he is held in harsh conditions at Brooklyn jail", "normal"),
])
def test_a_person_held_at_a_prison_is_in_custody(shipped, title, urgency):
    assert _urgency(shipped, title) == urgency


def test_an_aside_of_where_someone_is_held_is_no_custody(shipped):
    assert _urgency(shipped, "Judge sets trial date for Maduro and Flores", "The couple, held at the "
                    "Metropolitan Detention Center in Brooklyn, appeared by video.") == "normal"
