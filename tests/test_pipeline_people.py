"""The pipeline learns names from rule matches, watches them at once, and a restarted
service finds them in the database (real SQLite file, the default rules)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from core.people import add_person, remove_person
from monitor.pipeline import Pipeline
from storage.models import Feed, Item, Match, WatchedPerson
from storage.people import list_people

NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)


def _store(db, *titles: str) -> list[int]:
    with db.session() as s:
        feed = s.scalar(select(Feed).where(Feed.name == "f"))
        if feed is None:
            feed = Feed(name="f", url="https://f.example/rss", consecutive_failures=0)
            s.add(feed)
            s.flush()
        ids = []
        for t in titles:
            item = Item(feed_id=feed.id, guid=t, url=f"https://f.example/{abs(hash(t))}", title=t,
                        summary="", language="es", published_at=NOW, backfill=True,
                        content_hash=hashlib.sha256(t.encode()).hexdigest(), entities=[])
            s.add(item)
            s.flush()
            ids.append(item.id)
        return ids


def _explain(db, item_id: int) -> list[dict]:
    with db.session() as s:
        match = s.scalar(select(Match).where(Match.item_id == item_id, Match.topic == "political_prisoners"))
        return list(match.explain) if match else []


def test_a_name_learned_from_a_release_matches_later_items(db, default_config):
    pipeline = Pipeline(default_config, db)
    [teacher] = _store(db, "Excarcelan al sindicalista Teodoro Quintana, confirma Foro Penal")
    pipeline.process_pending(now=NOW)
    assert "Teodoro Quintana" in pipeline.watched
    with db.session() as s:
        [row] = [p for p in list_people(s) if p.name == "Teodoro Quintana"]
    assert row.origin == "learned"
    assert row.source_title == "Excarcelan al sindicalista Teodoro Quintana, confirma Foro Penal"

    [later] = _store(db, "Teodoro Quintana celebra su cumpleaños con sus nietos")
    pipeline.process_pending(now=NOW)
    assert _explain(db, later) == [{"term": "Teodoro Quintana", "field": "title", "role": "watched"}]
    assert _explain(db, teacher)[0]["role"] != "watched"


def test_a_watched_match_teaches_nothing(db, default_config):
    pipeline = Pipeline(default_config, db)
    pipeline.watched.add(["Teodoro Quintana"])
    _store(db, "Teodoro Quintana y Mireya Salcedo, liberada ayer, visitan Mérida")
    pipeline.process_pending(now=NOW)
    assert "Mireya Salcedo" not in pipeline.watched


def test_a_restarted_pipeline_loads_the_list_and_keeps_removals(db, default_config):
    first = Pipeline(default_config, db)
    _store(db, "Detienen al periodista Ramiro Oquendo en Caracas",
           "Excarcelan a Wilmer Azócar, confirma Foro Penal")
    first.process_pending(now=NOW)
    with db.session() as s:
        remove_person(s, "Wilmer Azócar")
    second = Pipeline(default_config, db)
    assert "Ramiro Oquendo" in second.watched
    assert "Wilmer Azócar" not in second.watched
    _store(db, "Wilmer Azócar sale en libertad, informa Foro Penal")
    second.process_pending(now=NOW)
    assert "Wilmer Azócar" not in second.watched  # removed names are never learned again


def test_an_item_teaching_a_name_too_long_to_store_is_still_classified(any_db, default_config):
    """A hostile headline's name of 247 characters: on PostgreSQL (VARCHAR(200)) its insert
    failed the item's transaction, and the item stayed unclassified, retried every round."""
    name = "Rodriguezzz" + "z" * 80 + " Perezzz" + "z" * 80 + " Gomezzz" + "z" * 60
    pipeline = Pipeline(default_config, any_db)
    [item] = _store(any_db, f"Detienen a {name} en Caracas, denuncia Foro Penal que es un preso político")
    result = pipeline.process_pending(now=NOW)
    assert result.failed == 0 and result.relevant == 1
    assert _explain(any_db, item)
    with any_db.session() as s:
        assert not [p for p in list_people(s) if p.name.startswith("Rodriguezzz")]


def test_a_name_added_with_a_title_matches_the_news_without_it(db, default_config):
    """'/watch Gral. Teodoro Quintana' watched "gral teodoro quintana", which the news, writing
    "el general Teodoro Quintana" or the name alone, never holds."""
    pipeline = Pipeline(default_config, db)
    with db.session() as s:
        assert add_person(s, "Gral. Teodoro Quintana", added_by="@ana") == ("Teodoro Quintana", True)
        assert add_person(s, "DR. Ramiro Oquendo") == ("Ramiro Oquendo", True)
        assert add_person(s, "Don Pérez") == ("Don Pérez", True)  # a title and one word: kept
    pipeline.refresh_watched(force=True)
    [item] = _store(db, "El general Teodoro Quintana celebra su cumpleaños con sus nietos")
    pipeline.process_pending(now=NOW)
    assert _explain(db, item) == [{"term": "Teodoro Quintana", "field": "title", "role": "watched"}]
    with db.session() as s:
        assert remove_person(s, "Gral. Teodoro Quintana") == "Teodoro Quintana"
        # a row stored with its title before still goes with its name as written
        s.add(WatchedPerson(name="Cnel. Wilmer Azócar", key="cnel wilmer azocar", origin="operator",
                            created_at=NOW, removed=False))
        s.flush()
        assert remove_person(s, "Cnel. Wilmer Azócar") == "Cnel. Wilmer Azócar"
