"""Migrations: a fresh database upgrades to head, downgrades to nothing, and upgrades again."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, make_url, select, text

from storage.db import alembic_config, downgrade, make_engine, migrate, open_database
from storage.models import Base, Feed

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"feeds", "items", "matches", "counts", "stories", "channels", "alerts", "watched_people",
          "feedback"}


def test_upgrade_downgrade_upgrade(any_db_url):
    engine = make_engine(any_db_url)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(engine, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_migrations_match_the_models(any_db):
    """Every model column exists in the migrated schema (no model-only change slips in)."""
    insp = inspect(any_db.engine)
    for table in Base.metadata.sorted_tables:
        migrated = {c["name"] for c in insp.get_columns(table.name)}
        assert {c.name for c in table.columns} == migrated, table.name


def test_migrations_make_the_models_indexes(any_db):
    """Every model index exists in the migrated schema, the partial pending index too."""
    insp = inspect(any_db.engine)
    for table in Base.metadata.sorted_tables:
        migrated = {i["name"] for i in insp.get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= migrated, table.name
    pending = [i for i in insp.get_indexes("items") if i["name"] == "ix_items_pending"]
    assert pending and pending[0]["column_names"] == ["published_at", "id"]


def test_pending_items_come_in_publication_order_from_their_index(any_db):
    from datetime import UTC, datetime, timedelta

    from storage.items import unclassified_ids
    from storage.models import Feed, Item

    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with any_db.session() as s:
        feed = Feed(name="f", url="https://f.example/rss")
        s.add(feed)
        s.flush()
        # a feed's document lists the newest first; one item is classified already
        for n, (hours, done) in enumerate([(1, False), (5, True), (3, False), (9, False)]):
            s.add(Item(feed_id=feed.id, guid=f"g{n}", title=f"t{hours}", published_at=now - timedelta(hours=hours),
                       content_hash=str(n), classified_at=now if done else None))
        s.flush()
        titles = {i.id: i.title for i in s.query(Item)}
        assert [titles[i] for i in unclassified_ids(s, 10)] == ["t9", "t3", "t1"]
        assert [titles[i] for i in unclassified_ids(s, 2)] == ["t9", "t3"]


def test_opening_twice_is_idempotent(any_db_url):
    open_database(any_db_url).dispose()
    db = open_database(any_db_url)
    head = ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
    assert head is not None and head >= "0003"
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    db.dispose()


def test_the_head_revision_a_start_compares_with_is_the_latest_migrations():
    # a migration added without moving storage.db.HEAD_REVISION would run Alembic at every start
    from storage.db import HEAD_REVISION, MIGRATIONS_DIR

    assert ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() == HEAD_REVISION, (
        "a new migration: set storage.db.HEAD_REVISION to its revision")


def test_a_start_on_a_current_schema_does_not_load_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    open_database(url).dispose()
    probe = ("import sys; from storage.db import open_database; "
             f"open_database({url!r}).dispose(); print(sorted(m for m in sys.modules if m.startswith('alembic')))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    db.dispose()


def test_sqlite_parent_directory_is_created(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'deep' / 'monitor.db'}")
    assert (tmp_path / "data" / "deep" / "monitor.db").exists()
    db.dispose()


def test_a_sqlite_path_under_the_home_folder_is_opened_there(tmp_path, monkeypatch):
    """`sqlite:///~/data/monitor.db`: its folder was made under the home folder, but SQLite was
    given the path as written and looked for a folder named `~` in the working directory:
    `unable to open database file` (or a second database there, its marks beside the first)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    db = open_database("sqlite:///~/data/monitor.db")
    with db.session() as s:
        s.add(Feed(name="f", url="https://x.org/feed", consecutive_failures=0))
    assert (tmp_path / "home" / "data" / "monitor.db").exists() and not (tmp_path / "~").exists()
    assert db.sqlite_file == tmp_path / "home" / "data" / "monitor.db"
    assert db.url == "sqlite:///~/data/monitor.db"
    db.dispose()


def test_0003_downgrades_to_0002_and_back(any_db_url):
    """People and feedback come and go with their revision; the 0002 tables stay."""
    engine = make_engine(any_db_url)
    migrate(engine)
    downgrade(engine, "0002")
    names = set(inspect(engine).get_table_names())
    assert "watched_people" not in names and "feedback" not in names
    assert {"items", "alerts", "channels"} <= names
    migrate(engine)
    assert {"watched_people", "feedback"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def _three_stories_of_0012(s: Any, now: datetime) -> list[int]:
    """Rows as schema 0012 holds them (written by the models, items and alerts by their columns of 0012):
    a feed, three stories, an item and a sent message (`new:c:ID`, message N) of each."""
    from storage.models import Alert, Feed, Item, Story

    feed = Feed(name="f", url="https://f.example/rss")
    s.add(feed)
    s.flush()
    ids = []
    for n in (1, 2, 3):
        story = Story(title=f"story {n}", created_at=now, updated_at=now)
        s.add(story)
        s.flush()
        ids.append(story.id)
        s.execute(insert(Item).values(feed_id=feed.id, guid=f"g{n}", title=f"item {n}", content_hash=str(n),
                                      story_id=story.id, published_at=now))
        s.execute(insert(Alert).values(channel="c", story_id=story.id, kind="new", dedupe_key=f"new:c:{story.id}",
                                       status="sent", next_attempt_at=now, created_at=now, telegram_message_id=n))
    s.flush()
    return ids


def test_0013_keeps_stories_and_their_references_and_never_gives_a_number_again(any_db_url):
    """A database of 0012 (SQLite reused the highest deleted story id) upgraded: stories,
    their items and alerts keep their ids and references, and a deleted story's number is
    not given to the next story (PostgreSQL's sequence never did)."""
    from datetime import UTC, datetime

    from storage.db import Database
    from storage.models import Alert, Feed, Item, Story

    engine = make_engine(any_db_url)
    migrate(engine, "0012_story_updated_index")
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with Database(engine).session() as s:  # the models write 0012's rows (items: their columns of 0012)
        ids = _three_stories_of_0012(s, now)
    migrate(engine)
    db = Database(engine)
    with db.session() as s:
        assert {i.title: i.story_id for i in s.query(Item)} == {f"item {n}": ids[n - 1] for n in (1, 2, 3)}
        assert {a.dedupe_key: a.story_id for a in s.query(Alert)} == {f"new:c:{i}": i for i in ids}
        s.delete(s.get(Story, ids[2]))  # the newest story merged away
        s.flush()
        fresh = Story(title="the next event", created_at=now, updated_at=now)
        s.add(fresh)
        s.flush()
        assert fresh.id > ids[2]  # its number is not given again
        assert {i.title: i.story_id for i in s.query(Item)}["item 3"] is None
        assert s.query(Feed).count() == 1
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1  # on again after the migration
    downgrade(engine, "0012_story_updated_index")
    migrate(engine)
    engine.dispose()


def test_0015_adds_revisions_to_an_existing_database(any_db_url):
    """A database of 0014 upgraded: its items, their matches and stories keep their ids and
    references, none is a revision, and a revision stored then loses its link (not its row)
    when retention deletes its first version."""
    from datetime import UTC, datetime

    from storage.db import Database
    from storage.models import Feed, Item, Match, Story

    engine = make_engine(any_db_url)
    migrate(engine, "0014_story_clock")
    with engine.begin() as conn:  # the models have revision_of: 0014's rows are written by hand
        conn.execute(text("INSERT INTO feeds (name, url, consecutive_failures, paused, failure_reported, created_at) "
                          "VALUES ('f', 'https://f.example/rss', 0, false, false, '2026-03-02 08:00:00')"))
        conn.execute(text("INSERT INTO stories (title, topics, urgency, entities, counts, created_at, updated_at) "
                          "VALUES ('story', '[]', 'normal', '[]', '[]', '2026-03-02 08:00:00', '2026-03-02 08:00:00')"))
        feed_id = conn.execute(text("SELECT id FROM feeds")).scalar_one()
        story_id = conn.execute(text("SELECT id FROM stories")).scalar_one()
        for n in (1, 2):
            conn.execute(text(
                "INSERT INTO items (feed_id, guid, title, summary, published_at, fetched_at, content_hash, backfill, "
                "entities, story_id) VALUES (:feed, :guid, :title, '', '2026-03-02 08:00:00', '2026-03-02 08:00:00', "
                ":hash, false, '[]', :story)"), {"feed": feed_id, "guid": f"g{n}", "title": f"item {n}",
                                                   "hash": str(n), "story": story_id if n == 1 else None})
        first = conn.execute(text("SELECT id FROM items WHERE guid = 'g1'")).scalar_one()
        conn.execute(text("INSERT INTO matches (item_id, topic, urgency, terms, explain, created_at) "
                          "VALUES (:item, 'political_prisoners', 'high', '[]', '[]', '2026-03-02 08:00:00')"),
                     {"item": first})
    migrate(engine)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with Database(engine).session() as s:
        items = {i.guid: i for i in s.query(Item)}
        assert {g: (i.story_id, i.revision_of) for g, i in items.items()} == {"g1": (story_id, None), "g2": (None, None)}
        assert s.scalars(select(Match.item_id)).all() == [first]
        revision = Item(feed_id=feed_id, guid="g2#rev1", title="item 2, revised", content_hash="3", published_at=now,
                        revision_of=items["g2"].id)
        s.add(revision)
        s.flush()
        s.delete(items["g2"])  # retention deletes the first version
        s.flush()
        s.refresh(revision)
        assert revision.revision_of is None
        assert s.get(Story, story_id) is not None and s.query(Feed).count() == 1
    downgrade(engine, "0014_story_clock")
    assert "revision_of" not in {c["name"] for c in inspect(engine).get_columns("items")}
    migrate(engine)
    engine.dispose()


def test_a_migration_that_fails_half_way_on_sqlite_leaves_the_database_as_it_was(tmp_path):
    """SQLite commits a CREATE on its own unless a transaction is open: the environment opens
    one, so a table rebuild that fails half way (here: an operator's view on `stories` stops
    its rename) leaves no half-built table, the schema and rows of before, and the next
    attempt, once the view is gone, migrates."""
    import sqlite3

    import pytest

    from storage.db import DatabaseError

    path = tmp_path / "m.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, "0012_story_updated_index")
    engine.dispose()
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO stories (title, topics, urgency, entities, counts, created_at, updated_at) "
                "VALUES ('kept', '[]', 'normal', '[]', '[]', '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    raw.execute("CREATE VIEW recent_stories AS SELECT id, title FROM stories")
    raw.commit()
    with pytest.raises(DatabaseError, match="recent_stories"):
        open_database(f"sqlite:///{path}")
    tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not any(name.startswith("_alembic_tmp") for name in tables)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0012_story_updated_index",)]
    assert raw.execute("SELECT title FROM stories").fetchall() == [("kept",)]
    raw.execute("DROP VIEW recent_stories")
    raw.commit()
    raw.close()
    db = open_database(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM stories")).scalars().all() == ["kept"]
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    db.dispose()


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_a_postgres_url_without_a_driver_uses_psycopg(scheme):
    """Hosting platforms give postgres://, which SQLAlchemy no longer reads."""
    engine = make_engine(f"{scheme}://monitor:secret@127.0.0.1:5432/monitor")
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
    engine.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_a_postgres_url_opens_the_database():
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgres")
    db = open_database(url.render_as_string(hide_password=False))
    with db.session() as s:
        assert s.scalar(text("SELECT 1")) == 1
    db.dispose()


def test_0017_marks_no_stored_item_date_only(any_db_url):
    """Items stored before 0017 keep their time in messages: the new column is false for them."""
    from storage.db import Database
    from storage.models import Item

    engine = make_engine(any_db_url)
    migrate(engine, "0016_item_reference_indexes")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO feeds (name, url, consecutive_failures, paused, failure_reported, created_at) "
                          "VALUES ('f', 'https://f.example/rss', 0, false, false, '2026-03-02 08:00:00')"))
        conn.execute(text(
            "INSERT INTO items (feed_id, guid, title, summary, published_at, fetched_at, content_hash, backfill, "
            "entities) VALUES ((SELECT id FROM feeds), 'g', 't', '', '2026-03-02 00:00:00', '2026-03-02 08:00:00', "
            "'h', false, '[]')"))
    migrate(engine)
    with Database(engine).session() as s:
        assert [i.date_only for i in s.query(Item)] == [False]
    downgrade(engine, "0016_item_reference_indexes")
    assert "date_only" not in {c["name"] for c in inspect(engine).get_columns("items")}
    migrate(engine)
    engine.dispose()


def test_a_migration_stopped_by_a_full_disk_on_sqlite_says_so(tmp_path):
    """A full disk during a table rebuild (0015 copies `items`), played by a file-size limit on
    the process (RLIMIT_FSIZE; Python ignores SIGXFSZ): SQLite rolls the transaction back by
    itself, and the error names the disk, not the environment's own ROLLBACK that found no
    transaction (`cannot rollback - no transaction is active`). The database is as it was and
    migrates once there is room."""
    import resource
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "m.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, "0014_story_clock")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO feeds (name, url, consecutive_failures, paused, failure_reported, created_at) "
                          "VALUES ('f', 'https://f.example/rss', 0, false, false, '2026-03-02 08:00:00')"))
        conn.execute(text(
            "INSERT INTO items (feed_id, guid, title, summary, published_at, fetched_at, content_hash, backfill, "
            "entities) VALUES ((SELECT id FROM feeds), :guid, :title, '', '2026-03-02 00:00:00', "
            "'2026-03-02 08:00:00', :guid, false, '[]')"),
            [{"guid": f"g{n}", "title": f"item {n} " + "x" * 500} for n in range(2000)])
    engine.dispose()
    limit = path.stat().st_size + 256 * 1024  # room for the WAL to start, not for a copy of `items`

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    code = ("from storage.db import open_database; import sys\n"
            "try:\n    open_database(sys.argv[1])\nexcept Exception as exc:\n    print(exc)")
    result = subprocess.run([sys.executable, "-c", code, f"sqlite:///{path}"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], preexec_fn=small_files, timeout=120)
    assert result.stderr == ""
    assert "cannot open database" in result.stdout and "no transaction" not in result.stdout, result.stdout
    assert "disk is full" in result.stdout or "disk I/O error" in result.stdout, result.stdout
    db = open_database(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM items")).scalar_one() == 2000
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    db.dispose()


def test_0013_never_gives_a_number_a_merge_freed_before_the_upgrade(any_db_url):
    """A database of 0012 whose newest story was merged away by a version of before the merged
    keys (2026-12-03): the story's row is gone, its messages are tied to no story under the
    story's own keys (`new:c:3`). Upgraded, the next story is not number 3: its first alert would
    have found that message by key and edited it (another event's headline) instead of being
    sent."""
    from datetime import UTC, datetime

    from storage.alerts import alert_by_key
    from storage.db import Database
    from storage.models import Story

    engine = make_engine(any_db_url)
    migrate(engine, "0012_story_updated_index")
    now = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    with Database(engine).session() as s:
        ids = _three_stories_of_0012(s, now)
        # the merge of that version: the items to the older story, the messages to no story, keys kept
        s.execute(text("UPDATE items SET story_id = :keep WHERE story_id = :gone"), {"keep": ids[1], "gone": ids[2]})
        s.execute(text("UPDATE alerts SET story_id = NULL WHERE story_id = :gone"), {"gone": ids[2]})
        s.execute(text("DELETE FROM stories WHERE id = :gone"), {"gone": ids[2]})
    migrate(engine)
    with Database(engine).session() as s:
        fresh = Story(title="another event", created_at=now, updated_at=now)
        s.add(fresh)
        s.flush()
        assert fresh.id > ids[2]
        assert alert_by_key(s, f"new:c:{fresh.id}") is None
    engine.dispose()


def test_a_database_at_the_latest_migration_opens_without_running_alembic(any_db_url, monkeypatch):
    """Alembic reads every migration's file to find there is nothing to do (20 ms a start, and a
    test's database each time); a database one migration behind is still migrated."""
    from alembic import command

    from storage.db import head_revision

    engine = make_engine(any_db_url)
    migrate(engine, "0018_canonical_paths")
    calls: list[str] = []
    real_upgrade = command.upgrade
    monkeypatch.setattr(command, "upgrade", lambda cfg, rev: (calls.append(rev), real_upgrade(cfg, rev)))
    open_database(any_db_url).dispose()
    open_database(any_db_url).dispose()
    assert calls == ["head"]
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
    engine.dispose()


def test_a_database_written_by_a_newer_version_is_refused_in_one_line(any_db_url):
    from storage.db import DatabaseError

    engine = make_engine(any_db_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="is at schema 0099_from_the_future, written by a newer "
                       "version of the monitor"):
        open_database(any_db_url)


def test_an_upgrade_of_an_existing_database_is_logged_once_with_both_versions(any_db_url, caplog):
    """Alembic's own lines are silenced: a release's first start upgraded a 0010 database to the
    head without a word in the log, so an operator could not tell that it had happened, nor
    that the old release would now refuse the database. One line, at the start that does it."""
    import logging

    from storage.db import head_revision

    def announced() -> list[str]:
        return [r.getMessage() for r in caplog.records if "schema upgraded" in r.getMessage()]

    caplog.set_level(logging.INFO, logger="storage.db")
    open_database(any_db_url).dispose()
    assert announced() == []  # a new database is created, not upgraded
    engine = make_engine(any_db_url)
    downgrade(engine, "0010_count_part")
    engine.dispose()
    open_database(any_db_url).dispose()
    steps = int(head_revision()[:4]) - 10
    assert len(announced()) == 1
    assert announced()[0].startswith(
        f"database schema upgraded from 0010_count_part to {head_revision()} ({steps} migrations, ")
    assert announced()[0].endswith("; an older version of the monitor can no longer open it")
    open_database(any_db_url).dispose()  # the next start has nothing to do and says nothing
    assert len(announced()) == 1


def test_0022_on_an_item_with_a_hundred_counts_and_a_long_summary_takes_no_time(any_db_url):
    """0022 searched the text once for each pair of an item's counts of one event, and read every
    pair with its item's text at once: one item of a page listing 120 figures, its summary
    10,000 characters, took 28 s (and a few hundred such items the upgrade's whole night). Now
    only the pairs written one right after the other are searched for: the same ranges found."""
    import time

    engine = make_engine(any_db_url)
    migrate(engine, "0021_count_ranges")
    places = " ".join(f"En la cárcel {n} hay {n} presos políticos." for n in range(100, 220))
    summary = (f"Foro Penal: entre 56 y 76 excarcelados. {places} " * 3)[:10_000]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO feeds (name, url, consecutive_failures, paused, failure_reported, created_at) "
                          "VALUES ('f', 'https://f.example/rss', 0, false, false, '2026-03-02 08:00:00')"))
        conn.execute(text(
            "INSERT INTO items (feed_id, guid, title, summary, published_at, fetched_at, content_hash, backfill, "
            "entities, date_only) VALUES ((SELECT id FROM feeds), 'g', 'Presos políticos: 300 o 400', :s, "
            "'2026-03-02 00:00:00', '2026-03-02 08:00:00', 'h', false, '[]', false)"), {"s": summary})
        numbers = [("released", 56), ("released", 76), ("held", 300), ("held", 400),
                   *(("held", n) for n in range(100, 220))]
        conn.execute(text("INSERT INTO counts (item_id, event, number, confident, additional) "
                          "VALUES ((SELECT id FROM items), :e, :n, true, false)"),
                     [{"e": e, "n": n} for e, n in numbers])
    started = time.perf_counter()
    migrate(engine, "0022_count_range_ends")  # 0022 alone: the later migrations are not what is timed
    took = time.perf_counter() - started
    migrate(engine)
    with engine.connect() as conn:
        ranges = conn.execute(text("SELECT number, upto FROM counts WHERE upto IS NOT NULL ORDER BY number")).all()
    engine.dispose()
    assert [tuple(r) for r in ranges] == [(56, 76), (300, 400)]
    # 0022 alone: 0.45-0.65 s idle, 2.9-4.8 s beside four busy loops; the fault 29.6-30.2 s idle
    assert took < 15, f"0022 took {took:.1f} s for one item"


def test_0027_gives_items_stored_with_a_zero_date_their_fetch_time(any_db_url):
    """Items stored before ingest read a zero date as no date (year 1 of Go's and .NET's zero
    time, the Unix epoch) take their fetch time; a year-1 item's classification had failed at
    every round (an OverflowError, 48 h before year 1). Other dates are left alone."""
    from datetime import UTC

    from monitor.pipeline import Pipeline
    from storage.db import Database
    from storage.models import Item

    engine = make_engine(any_db_url)
    migrate(engine, "0026_alert_claimed_key")
    db = Database(engine)
    fetched = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    dates = {"zero": datetime(1, 1, 1, tzinfo=UTC), "epoch": datetime(1970, 1, 1, tzinfo=UTC),
             "old": datetime(1999, 12, 31, 23, 0, tzinfo=UTC), "day": datetime(2026, 3, 2, 7, 0, tzinfo=UTC)}
    with db.session() as s:
        s.execute(text("INSERT INTO feeds (name, url, consecutive_failures, paused, failure_reported, created_at) "
                       "VALUES ('f', 'https://f.example/rss', 0, false, false, '2026-03-02 08:00:00')"))
        feed_id = s.scalar(text("SELECT id FROM feeds"))
        for guid, when in dates.items():
            s.add(Item(feed_id=feed_id, guid=guid, title="Foro Penal contabiliza 800 presos políticos en Venezuela",
                       summary="", published_at=when, fetched_at=fetched, content_hash=guid, backfill=False,
                       entities=[], date_only=guid == "zero"))
        s.commit()
        before = Pipeline(_default_config(), db).process_pending(now=fetched)
        assert before.failed == 1  # the year-1 item, at every round
    migrate(engine)
    with db.session() as s:
        now = {i.guid: (i.published_at, i.date_only) for i in s.scalars(select(Item))}
    assert now == {"zero": (fetched, False), "epoch": (fetched, False), "old": (dates["old"], False),
                   "day": (dates["day"], False)}
    after = Pipeline(_default_config(), db).process_pending(now=fetched)
    assert after.failed == 0
    engine.dispose()


def _default_config() -> Any:
    from core.config import load_config

    return load_config(ROOT / "feeds.yaml")


def _items_at_0017(path, n: int) -> None:
    """A database at 0017 with `n` items: one in 3 linked with a small-letter escape (0018
    rewrites it), one in 5 with a Unicode host (0020), each URL of a real article's length."""
    import sqlite3

    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, "0017_item_date_only")
    engine.dispose()
    now = "2026-01-01 00:00:00.000000"
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO feeds (name, url, consecutive_failures, paused, failure_reported, created_at) "
                     "VALUES ('f', 'https://x.org/feed', 0, 0, 0, ?)", (now,))
        rows = []
        for i in range(n):
            host = "ñandú.example" if i % 5 == 0 else "www.elnacional.com"
            slug = "liberaci%c3%b3n" if i % 3 == 0 else "liberacion"
            url = f"https://{host}/venezuela/foro-penal-contabiliza-{i}-presos-politicos-tras-la-{slug}-de-esta-semana/"
            rows.append((f"g{i}", url, url, f"h{i}", now))
        conn.executemany(
            "INSERT INTO items (feed_id, guid, url, canonical_url, title, summary, published_at, fetched_at, "
            "content_hash, backfill, entities, date_only) VALUES (1, ?, ?, ?, 't', '', ?5, ?5, ?4, 0, '[]', 0)", rows)


def _upgrade_peak(path) -> int:
    """Python's peak allocation (bytes) while 0018 and 0020 rewrite the canonical URLs."""
    import tracemalloc

    engine = make_engine(f"sqlite:///{path}")
    tracemalloc.start()
    try:
        migrate(engine, "0020_canonical_hosts")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        engine.dispose()


def test_0018_and_0020_read_the_items_a_page_at_a_time(tmp_path):
    """Both migrations read every item's canonical URL at once: on a year's 1.27 million items
    `monitor run` reached 553 MB while upgrading from 0017, past the unit's MemoryMax=512M (the
    kernel kills it, systemd starts it again, for ever). Their memory no longer grows with the
    archive, and every URL of every page is rewritten."""
    import sqlite3

    _items_at_0017(tmp_path / "small.db", 15_000)
    _items_at_0017(tmp_path / "large.db", 45_000)
    small, large = _upgrade_peak(tmp_path / "small.db"), _upgrade_peak(tmp_path / "large.db")
    assert large < 1.4 * small, (small, large)
    with sqlite3.connect(tmp_path / "large.db") as conn:
        urls = dict(conn.execute("SELECT guid, canonical_url FROM items"))
    assert urls["g0"] == ("https://xn--and-6ma2c.example/venezuela/foro-penal-contabiliza-0-presos-politicos"
                          "-tras-la-liberaci%C3%B3n-de-esta-semana/")
    assert urls["g44985"].startswith("https://xn--and-6ma2c.example/") and "%C3%B3n" in urls["g44985"]
    assert urls["g44998"] == ("https://www.elnacional.com/venezuela/foro-penal-contabiliza-44998-presos-"
                              "politicos-tras-la-liberacion-de-esta-semana/")
    assert sum("%c3" in u or "ñ" in u for u in urls.values()) == 0


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_a_migration_longer_than_the_servers_idle_in_transaction_timeout_opens_the_database():
    """The replicas' migration lock was held in an open transaction for the whole migration: a
    server (or role) with idle_in_transaction_session_timeout shorter than it ended that
    connection, the lock was lost halfway and the start failed ("terminating connection due to
    idle-in-transaction timeout") on a database it had migrated. The turn is now the migration
    transaction's own lock, and that transaction turns the timeout off for itself: a pause
    between its statements on a loaded machine (longer than these 20 ms) ended it."""
    from storage.db import DatabaseError, head_revision
    from tests.conftest import _reset

    url = os.environ["TEST_DATABASE_URL"]
    _reset(url)
    timeout = make_url(url).update_query_dict({"options": "-c idle_in_transaction_session_timeout=20"})
    try:
        db = open_database(timeout.render_as_string(hide_password=False))
    except DatabaseError as exc:
        pytest.fail(str(exc))
    with db.session() as session:
        assert session.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
    db.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_a_start_waits_for_another_replicas_migration_past_the_roles_lock_timeout():
    """The turn to migrate waits without limit. The lock_timeout docs/OPERATIONS.md has operators
    behind PgBouncer set on the service's role (or one a pooled server connection kept from the
    service's own SET) cut the wait: a replica starting while another migrated for longer failed
    with `canceling statement due to lock timeout`."""
    import threading

    from storage.db import MIGRATION_LOCK, DatabaseError, head_revision
    from tests.conftest import _reset

    url = os.environ["TEST_DATABASE_URL"]
    _reset(url)
    other = make_engine(url)  # another replica, its migration under way for 2 s
    with other.connect() as holder:
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        threading.Timer(2.0, holder.rollback).start()
        role_timeout = make_url(url).update_query_dict({"options": "-c lock_timeout=500"})
        try:
            db = open_database(role_timeout.render_as_string(hide_password=False))
        except DatabaseError as exc:
            pytest.fail(str(exc))
    other.dispose()
    with db.session() as session:
        assert session.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
    db.dispose()
