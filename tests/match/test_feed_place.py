"""A feed about Venezuela lends its context to its items that name no other country
(monitor/match/feed_place.py, docs/MATCHING.md "A feed about Venezuela")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

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


def test_a_seed_that_fails_is_tried_again_next_time():
    """A database refusing the seed's read (or a bug in it) must not leave the feed counted
    from nothing for the rest of the process: the next item of the feed seeds it again."""
    places = FeedPlaces()

    def refused() -> list[str]:
        raise RuntimeError("database is locked")

    with pytest.raises(RuntimeError):
        places.about_venezuela(1, refused)
    assert places.share(1) is None
    assert places.about_venezuela(1, lambda: ["venezuela"] * MIN_ITEMS)


@pytest.mark.parametrize("stored", [
    None, 5, "Caracas", {"name": "Caracas"}, [["Caracas"]], [{"name": ["Caracas"]}], [{"name": None}],
    [{"name": {"Caracas": 1}}], [{}],
])
def test_entities_stored_in_another_shape_place_nothing_and_raise_nothing(shipped, stored):
    """The seed reads each stored item's `entities` (a list of {"name", "type"} as the pipeline
    writes them); a row written otherwise (by hand, an older version) is read as naming nothing."""
    assert shipped.stored_place(stored) == ""
    assert shipped.stored_place([*([stored] if stored is not None else []), {"name": "Caracas", "type": "place"}]) \
        == "venezuela"


def test_a_backlog_item_that_cannot_be_read_counts_as_naming_nothing(db, default_config):
    """The seed reads a new feed's backlog itself; an item the classifier fails on (the bug the
    pipeline leaves that item pending for) must not fail the seed, and with it every item of
    the feed that asks it."""
    from monitor.match import Classifier
    from monitor.match.feed_place import classify_in_feed
    from monitor.pipeline import Pipeline
    from storage.models import Feed, Item

    class Failing(Classifier):
        def classify(self, title="", *args, **kwargs):
            if title == "unreadable":
                raise ValueError("a bug met by one item")
            return super().classify(title, *args, **kwargs)

    base = Pipeline(default_config, db).classifier
    classifier = Failing.__new__(Failing)
    classifier.__dict__.update(base.__dict__)
    titles = ["unreadable"] + [f"Alcaldía de Caracas inaugura la plaza número {i}" for i in range(12)]
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://elpitazo.net/feed/", consecutive_failures=0)
        for i, title in [*enumerate(titles), (99, "Detienen a tres militares acusados de conspiración")]:
            s.add(Item(feed=feed, guid=str(i), url=f"https://x.org/{i}", canonical_url=f"https://x.org/{i}",
                       title=title, summary="", language="es", content_hash=str(i),
                       published_at=datetime(2026, 1, 5, tzinfo=UTC)))
    places = FeedPlaces()
    with db.session() as s:
        item = s.scalars(select(Item).where(Item.guid == "99")).one()
        assert classify_in_feed(classifier, places, s, item).topics == ["political_prisoners"]
        assert places.share(item.feed_id) == (13, pytest.approx(12 / 13))


@pytest.mark.parametrize("title", [
    "Detienen en EE UU a tres exmilitares acusados de conspiración",
    "Detienen en Miami a tres militares acusados de conspiración",
])
def test_an_item_set_in_the_united_states_takes_no_context_from_the_feed(shipped, title):
    """The US is no place of the gazetteer (its name is the actor of us_actions), so an arrest
    there was a Venezuelan political arrest for a feed about Venezuela."""
    assert shipped.classify(title=title, lang="es", feed_venezuelan=True).topics == []
    against = "Detienen a tres militares acusados de conspiración contra EE UU"  # not where it happens
    assert shipped.classify(title=against, lang="es", feed_venezuelan=True).topics == ["political_prisoners"]
