"""storage.copy (`monitor db copy`): every table copied as it is, ids, times, JSON and counters kept,
from SQLite into SQLite and, with TEST_DATABASE_URL, into PostgreSQL and back."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, func, insert, select, text

from storage.copy import CopyRefused, copy_database, sqlite_user
from storage.db import Database, open_database
from storage.leases import take
from storage.models import (
    Alert,
    Base,
    Channel,
    Count,
    Feed,
    Feedback,
    Item,
    Match,
    Story,
    TallyPin,
    WatchedPerson,
)
from tests.conftest import _reset

T0 = datetime(2026, 1, 12, 9, 30, 15, 123456, tzinfo=UTC)
PG = os.environ.get("TEST_DATABASE_URL")
needs_pg = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)")


def _fill(db: Database) -> None:
    """A row in every table, with what a copy may lose: a story merged away (its number drawn, its
    row gone), JSON stored as SQL NULL beside JSON `null`, a revision pointing at its first version,
    booleans, times to the microsecond, a lease."""
    with db.session() as s:
        feed = Feed(name="pitazo", url="https://elpitazo.net/feed/", etag='W/"abc"', paused=True,
                    consecutive_failures=2, last_success_at=T0, next_poll_at=T0 + timedelta(minutes=10))
        kept, merged = Story(title="Excarcelan a 87", counts=[{"number": 87}], told_at=T0), Story(title="otra")
        s.add_all([feed, kept, merged])
        s.flush()
        first = Item(feed=feed, guid="g1", title="Excarcelan a 87 presos políticos", published_at=T0,
                     content_hash="h1", story=kept, story_match={"score": 0.93}, date_only=True)
        s.add(first)
        s.flush()
        revision = Item(feed=feed, guid="g1r", title="Excarcelan a 88 presos políticos", published_at=T0,
                        content_hash="h2", revision_of=first.id, story=kept)
        revision.matches.append(Match(topic="political_prisoners", urgency="high", terms=["presos"]))
        revision.counts.append(Count(event="released", number=88, source="Foro Penal", upto=90, confident=False))
        s.add_all([revision, Channel(name="presos", chat_id="-1001", configured_chat_id="@presos", disabled=True,
                                     disabled_reason="403"),
                   Alert(channel="presos", story_id=kept.id, dedupe_key="new:presos:1", status="sent",
                         payload={"text": "ñ 🇻🇪", "sent_chat_id": "-1001"}, telegram_message_id=41, sent_at=T0),
                   WatchedPerson(name="Rocío San Miguel", key="rocio san miguel", origin="learned",
                                 source_item_id=first.id),
                   Feedback(kind="split", item_id=first.id, story_id=merged.id, title="t", operator="cli:ana"),
                   TallyPin(channel="presos", chat_id="-1001", message_id=7, pinned=True, text="87")])
        s.execute(insert(Item).values(feed_id=feed.id, guid="g0", title="x", published_at=T0, content_hash="h0",
                                      entities=[]))  # JSON left out: SQL NULL
        s.execute(text("UPDATE items SET story_match = 'null' WHERE guid = 'g1r'"))  # JSON null, as the ORM's None
        take(s, "update:77", "done", timedelta(days=2))
        s.execute(delete(Story).where(Story.id == merged.id))  # merged away: its number stays drawn


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.engine.connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in Base.metadata.sorted_tables}


def _null_json(conn: Connection) -> list[tuple[str, bool]]:
    return [(g, bool(n)) for g, n in conn.execute(text("SELECT guid, story_match IS NULL FROM items ORDER BY guid"))]


def _copied(source: Database, url: str) -> Database:
    report = copy_database(source.engine.url.render_as_string(hide_password=False), url)
    assert report.source is not None and report.target is not None
    report.source.dispose()
    assert report.rows["items"] == 3 and report.rows["stories"] == 1 and report.total == 13
    return report.target


def _same(a: Database, b: Database) -> None:
    assert _rows(a) == _rows(b)
    with a.engine.connect() as x, b.engine.connect() as y:
        assert _null_json(x) == _null_json(y) == [("g0", True), ("g1", False), ("g1r", False)]
    with b.session() as s:  # the counters go on past the copied ids, and past the story merged away
        story = Story(title="nueva")
        s.add_all([story, Feed(name="bbc", url="https://bbc.com/feed")])
        s.flush()
        assert story.id == 3
        assert s.scalar(select(func.max(Feed.id))) == 2


def test_a_copy_into_sqlite_keeps_every_row_and_the_story_numbers(db: Database, tmp_path: Path):
    _fill(db)
    target = _copied(db, f"sqlite:///{tmp_path / 'copy.db'}")
    _same(db, target)
    target.dispose()


@needs_pg
def test_a_copy_into_postgresql_and_back_keeps_every_row(db: Database, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    assert PG is not None
    monkeypatch.chdir(tmp_path)
    _reset(PG)
    _fill(db)
    target = _copied(db, PG)
    try:
        with target.engine.connect() as conn:
            assert conn.scalar(text("SELECT last_value FROM stories_id_seq")) == 2  # the merged-away story's
        back = _copied(target, f"sqlite:///{tmp_path / 'back.db'}")
        _same(db, back)
        back.dispose()
        _same(db, target)
    finally:
        target.dispose()
        _reset(PG)


def test_a_copy_that_fails_midway_leaves_the_target_empty(db: Database, tmp_path: Path):
    """All or nothing: a row the target refuses rolls every table back; copied again once fixed."""
    _fill(db)
    target_url = f"sqlite:///{tmp_path / 'copy.db'}"
    with open_database(target_url).engine.begin() as conn:  # a trigger refusing the counts
        conn.execute(text("CREATE TRIGGER no_counts BEFORE INSERT ON counts BEGIN "
                          "SELECT RAISE(ABORT, 'counts refused'); END"))
    with pytest.raises(CopyRefused, match=r"^cannot copy counts \(after 0 rows\): counts refused; nothing"):
        copy_database(db.engine.url.render_as_string(hide_password=False), target_url)
    target = open_database(target_url)
    with target.engine.begin() as conn:
        assert conn.scalar(select(func.count()).select_from(Feed)) == 0
        conn.execute(text("DROP TRIGGER no_counts"))
    target.dispose()
    _same(db, _copied(db, target_url))


def test_a_sqlite_file_open_in_another_process_is_seen(tmp_path: Path):
    import subprocess
    import sys

    path = tmp_path / "m.db"
    open_database(f"sqlite:///{path}").dispose()
    assert sqlite_user(path) is None
    script = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL');"
              "c.execute('SELECT count(*) FROM feeds').fetchall(); print('open', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", script, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        assert sqlite_user(path) == holder.pid
        mine = open_database(f"sqlite:///{path}")  # this process's own connection is not another's
        with mine.engine.connect() as conn:
            conn.execute(text("SELECT 1 FROM feeds"))
            holder.communicate("", timeout=30)
            assert sqlite_user(path) is None
        mine.dispose()
    finally:
        holder.kill()
