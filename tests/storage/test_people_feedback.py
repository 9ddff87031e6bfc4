"""Watched people and operator feedback in a real database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set): names folded to one key, removed names never learned again,
feedback turned into labelled lines."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from core.people import add_person, learn_person, load_watched, remove_person, seed_people
from monitor.match.people import load_seed
from storage.feedback import add_feedback, feedback_examples
from storage.models import Feed, Item, Match
from storage.people import list_people, watched_names

NOW = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)


def _item(session, title: str, topics: list[str], n: int = 1) -> Item:
    feed = Feed(name=f"f{n}", url=f"https://f{n}.example/rss", consecutive_failures=0)
    session.add(feed)
    session.flush()
    item = Item(feed_id=feed.id, guid=f"g{n}", url=f"https://f{n}.example/a/{n}", title=title,
                summary="", language="es", published_at=NOW,
                content_hash=hashlib.sha256(title.encode()).hexdigest(), entities=[])
    session.add(item)
    session.flush()
    for t in topics:
        session.add(Match(item_id=item.id, topic=t, urgency="normal", terms=[], explain=[]))
    session.flush()
    return item


def test_a_name_is_one_person_whatever_its_accents_and_case(any_db):
    with any_db.session() as s:
        assert add_person(s, "Rocío San Miguel", added_by="@ana") == ("Rocío San Miguel", True)
        assert add_person(s, "ROCIO SAN MIGUEL") == ("Rocío San Miguel", False)
        assert not learn_person(s, "rocio san miguel", item_id=None, url=None, title=None)
    with any_db.session() as s:
        [row] = list_people(s)
    assert (row.name, row.origin, row.added_by) == ("Rocío San Miguel", "operator", "@ana")


def test_a_name_pasted_with_invisible_characters_is_the_person_the_news_names(any_db):
    """A zero-width space, a soft hyphen or a bidi mark pasted inside a name (`people add`,
    `/watch`) split its key ("jo se perez"), which no headline ever met."""
    with any_db.session() as s:
        assert add_person(s, "José Pérez") == ("José Pérez", True)
        for pasted in ("Jo\u200bsé Pérez", "José Pé\u00adrez", "\u200eJosé Pérez\u200f", "José\u2060 Pérez"):
            assert add_person(s, pasted) == ("José Pérez", False), repr(pasted)
        assert [p.key for p in list_people(s)].count("jose perez") == 1


def test_learned_names_keep_the_item_that_taught_them(any_db):
    with any_db.session() as s:
        item = _item(s, "Excarcelan a Virgilio Laverde", ["political_prisoners"])
        assert learn_person(s, "Virgilio Laverde", item_id=item.id, url=item.url, title=item.title,
                            now=NOW)
    with any_db.session() as s:
        [row] = list_people(s)
    assert row.origin == "learned"
    assert row.source_title == "Excarcelan a Virgilio Laverde"
    assert row.source_url == "https://f1.example/a/1"
    assert row.created_at == NOW


def test_a_removed_name_is_never_learned_again_but_an_operator_may_add_it(any_db):
    with any_db.session() as s:
        learn_person(s, "Didelis Corredor", item_id=None, url=None, title="x")
        assert remove_person(s, "didelis corredor", removed_by="@ana") == "Didelis Corredor"
        assert remove_person(s, "Didelis Corredor") is None  # already removed
        assert not learn_person(s, "Didelis Corredor", item_id=None, url=None, title="y")
        assert watched_names(s) == []
        assert [p.removed for p in list_people(s, include_removed=True)] == [True]
        assert add_person(s, "Didelis Corredor", added_by="@ana") == ("Didelis Corredor", True)
        assert watched_names(s) == ["Didelis Corredor"]


def test_seeding_adds_only_unknown_names_and_keeps_removals(any_db):
    with any_db.session() as s:
        assert seed_people(s, ["Rafael Tudares", "Enrique Márquez"]) == 2
        remove_person(s, "Rafael Tudares")
        assert seed_people(s, ["Rafael Tudares", "Enrique Márquez", "Biagio Pilieri"]) == 1
        assert sorted(watched_names(s)) == ["Biagio Pilieri", "Enrique Márquez"]
        assert "Biagio Pilieri" in load_watched(s, load_seed())  # the shipped seed adds to it, never removes


def test_a_name_without_letters_is_refused(any_db):
    with any_db.session() as s, pytest.raises(ValueError):
        add_person(s, " ... ")


def test_a_name_longer_than_its_column_is_refused_or_not_learned(any_db):
    """PostgreSQL refuses more than 200 characters in `watched_people.name` (SQLite stored
    them): an operator's long name is a clear error, a long one the news teaches is not
    learned, and the session goes on."""
    long = " ".join(["Rodríguez"] * 25)  # 249 characters
    with any_db.session() as s:
        with pytest.raises(ValueError, match="at most 200"):
            add_person(s, long)
        item = _item(s, f"Detienen a {long}", ["political_prisoners"])
        assert not learn_person(s, long, item_id=item.id, url=item.url, title=item.title, now=NOW)
        assert seed_people(s, [long, "Rocío San Miguel"], now=NOW) == 1
    with any_db.session() as s:
        assert watched_names(s) == ["Rocío San Miguel"]


def test_feedback_becomes_corrected_labels(any_db):
    with any_db.session() as s:
        missed = _item(s, "Nahuel Gallo habló con su familia", [], n=1)
        wrong = _item(s, "Precio del petróleo tras la captura de Maduro", ["us_actions"], n=2)
        both = _item(s, "EEUU pide liberar a presos", ["us_actions"], n=3)
        add_feedback(s, kind="miss", item_id=missed.id, url=missed.url, title=missed.title,
                     summary="", topic="political_prisoners", operator="@ana", now=NOW)
        add_feedback(s, kind="wrong", item_id=wrong.id, url=wrong.url, title=wrong.title,
                     summary="", topic="us_actions", operator="@ana", now=NOW)
        add_feedback(s, kind="miss", item_id=both.id, url=both.url, title=both.title,
                     summary="", topic="political_prisoners", operator="42", now=NOW)
        add_feedback(s, kind="split", item_id=both.id, url=both.url, title=both.title,
                     summary="", topic=None, operator="42", note="story 3", now=NOW)
    with any_db.session() as s:
        examples = {e["title"]: e for e in feedback_examples(s)}
    assert len(examples) == 3  # a split is not a label
    assert examples["Nahuel Gallo habló con su familia"] == {
        "id": f"operator-item{missed.id}", "lang": "es", "title": "Nahuel Gallo habló con su familia",
        "summary": "", "topics": ["political_prisoners"], "counts": [], "label_source": "operator",
    }
    assert examples["Precio del petróleo tras la captura de Maduro"]["topics"] == []
    assert examples["EEUU pide liberar a presos"]["topics"] == ["political_prisoners", "us_actions"]


def test_the_newest_report_about_an_item_wins(any_db):
    with any_db.session() as s:
        item = _item(s, "Foro Penal verifica excarcelaciones", [], n=1)
        for kind, minute in (("miss", 1), ("wrong", 2)):
            add_feedback(s, kind=kind, item_id=item.id, url=item.url, title=item.title, summary="",
                         topic="political_prisoners", operator="@a",
                         now=NOW.replace(minute=minute))
    with any_db.session() as s:
        [example] = feedback_examples(s)
    assert example["topics"] == []


def test_unknown_feedback_kind_is_refused(any_db):
    with any_db.session() as s, pytest.raises(ValueError):
        add_feedback(s, kind="maybe", item_id=None, url=None, title="t", summary="", topic=None,
                     operator=None)
