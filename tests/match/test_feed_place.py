"""A feed about Venezuela lends its context to its items that name no other country
(monitor/match/feed_place.py, docs/MATCHING.md "A feed about Venezuela")."""

from __future__ import annotations

import pytest

from monitor.match.feed_place import MIN_ITEMS, FeedPlaces

PLOT = "Detienen a tres militares acusados de conspiración"


def test_a_feed_about_venezuela_lends_its_context_to_prisoners_items(shipped):
    assert shipped.classify(title=PLOT, lang="es").topics == []
    assert shipped.classify(title=PLOT, lang="es", feed_venezuelan=True).topics == ["political_prisoners"]


def test_an_item_that_names_another_country_is_read_on_its_own_words(shipped):
    title = "Detienen en Bogotá a tres militares colombianos acusados de conspiración"
    assert shipped.classify(title=title, lang="es", feed_venezuelan=True).topics == []


def test_us_actions_takes_no_context_from_the_feed(shipped):
    """The US acts everywhere, and such feeds carry its news of other countries too."""
    title = "Gobierno solicita reunión de emergencia a la ONU tras ataques de EE. UU."
    assert shipped.classify(title=title, lang="es", feed_venezuelan=True).topics == []


@pytest.mark.parametrize("title, place", [
    ("Excarcelan a 20 presos políticos en Caracas", "venezuela"),
    ("Cuba excarcela a 50 presos políticos", "elsewhere"),
    ("Excarcelan a dos presos políticos colombianos", ""),  # a nationality places nothing
    (PLOT, ""),
])
def test_the_place_an_item_names(shipped, title, place):
    assert shipped.classify(title=title, lang="es").place == place


def test_a_feed_is_about_venezuela_from_enough_items_half_of_which_name_it():
    places = FeedPlaces()
    assert not places.about_venezuela(1, lambda: ["venezuela"] * (MIN_ITEMS - 1))  # too few yet
    places.record(1, "venezuela")
    assert places.about_venezuela(1, lambda: pytest.fail("seeded once only"))
    assert places.about_venezuela(2, lambda: ["venezuela", ""] * MIN_ITEMS)  # half
    assert not places.about_venezuela(3, lambda: ["venezuela", "", "elsewhere"] * MIN_ITEMS)  # a third
    for _ in range(MIN_ITEMS * 3):  # the feed turns to other news: its share follows
        places.record(2, "elsewhere")
    assert not places.about_venezuela(2, list)


def test_recording_a_feed_never_asked_about_keeps_nothing():
    places = FeedPlaces()
    places.record(7, "venezuela")
    assert places.share(7) is None
