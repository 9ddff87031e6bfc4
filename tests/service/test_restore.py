"""A SQLite database restored from a backup (docs/OPERATIONS.md, "Backups"): the items the
service alerted after the backup was taken are not alerted a second time."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from service_world import World, free_port
from sqlalchemy import select

from core.config import load_config, resolve_runtime
from monitor.service import Service, poll_once, sync_config
from storage.db import open_database
from storage.models import Alert, Channel, Feed, Item, Story

CHANNELS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]


def poll(world: World, *, dry_run: bool = False) -> str:
    """`monitor poll-once`, in process (a fresh open of the database, as each command does)."""
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=world.db_url, env=world.env())
    db, out = open_database(world.db_url), io.StringIO()
    try:
        assert poll_once(config, runtime, db, out=out, dry_run=dry_run) == 0
    finally:
        db.dispose()
    return out.getvalue()


def backup(db: Path, to: Path) -> None:
    """SQLite's online backup, what `sqlite3 monitor.db ".backup to.db"` does."""
    src, dst = sqlite3.connect(db), sqlite3.connect(to)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def restore(db: Path, copy: Path) -> None:
    """As docs/OPERATIONS.md says: the -wal and -shm files removed, the file put back."""
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, db)


def released(world: World, *, dry_run: bool = False) -> Path:
    """The release at Tocorón published by `pitazo`, the channels written and one poll run
    (`dry_run`: its alert left queued); the database file."""
    world.publish("pitazo", "Excarcelan a 87 presos políticos del penal de Tocorón",
                  "Familiares esperaban frente al penal en Aragua.")
    world.write_config(CHANNELS)
    poll(world, dry_run=dry_run)
    return world.tmp / "monitor.db"


def released_then_backed_up(world: World, *, dry_run: bool = False) -> Path:
    """`released`, then a backup of the database to `backup.db` beside it."""
    db = released(world, dry_run=dry_run)
    backup(db, world.tmp / "backup.db")
    return db


def test_items_alerted_after_the_backup_are_not_alerted_again(world: World, caplog: pytest.LogCaptureFixture):
    world.feed("pitazo", "es")
    db = released_then_backed_up(world)

    world.publish("pitazo", "Detienen al periodista Luis Rojas en Caracas por publicar sobre la represión",
                  "El SEBIN lo trasladó a El Helicoide, denunció el SNTP.", age=timedelta(minutes=2))
    poll(world)
    assert len(world.texts("@presos_test")) == 2, world.texts("@presos_test")

    restore(db, world.tmp / "backup.db")  # the service stopped, the backup put back
    world.publish("pitazo", "Muere en custodia el sindicalista Pedro Gil en Tocorón, denuncia Provea",
                  "La ONG exigió una investigación independiente.",
                  published=datetime.now(UTC) + timedelta(seconds=2))  # RSS dates drop the fraction
    with caplog.at_level(logging.WARNING, logger="monitor.ingest"):
        out = poll(world)
    texts = world.texts("@presos_test")
    assert len(texts) == 3, texts  # the arrest once, the death in custody (after the stop) alerted
    assert "Luis Rojas" not in texts[2] and "Pedro Gil" in texts[2], texts
    assert "pitazo: 1 new, 1 older stored without alerts" in out, out
    assert "the database is older than this feed's last poll" in caplog.text
    assert "1 of its 2 new items" in caplog.text

    poll(world)  # the next poll: the restore is behind, nothing more
    assert len(world.texts("@presos_test")) == 3


def test_a_new_database_in_place_of_the_old_one_is_no_restore(world: World, caplog: pytest.LogCaptureFixture):
    """The database removed to start over (`rm data/monitor.db`; on PostgreSQL `dropdb` and
    `createdb`, as an outside check does between runs) and created again by the next command: the
    marks beside it told what the old one had done. Before, the feed's items of the last minutes
    were stored as backfill (`pitazo: 0 new, 1 older stored without alerts`, a 'restored backup'),
    and an alert of the same key and text as one in the journal of sends was marked sent, unsent."""
    world.feed("pitazo", "es")
    db = released(world)
    assert len(world.texts("@presos_test")) == 1
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    with caplog.at_level(logging.INFO):
        out = poll(world)
    assert "pitazo: 1 new" in out, out
    assert "restored backup" not in caplog.text and "not sent again" not in caplog.text
    assert "a new database" in caplog.text and "monitor.db.seen" in caplog.text
    texts = world.texts("@presos_test")
    assert len(texts) == 2 and "Tocorón" in texts[1], texts  # alerted again: the new database's news


def test_an_alert_queued_in_the_backup_and_sent_after_it_is_not_sent_again(
    world: World, caplog: pytest.LogCaptureFixture,
):
    world.feed("pitazo", "es")
    world.feed("bbc", "en")
    db = released_then_backed_up(world, dry_run=True)  # the alert queued, not sent yet, at the backup
    poll(world)
    assert len(world.emulator.messages("@presos_test")) == 1

    restore(db, world.tmp / "backup.db")
    world.publish("bbc", "Venezuela frees 87 political prisoners from Tocorón prison",
                  "Relatives gathered outside the prison in Aragua state.",
                  published=datetime.now(UTC) + timedelta(seconds=2))
    with caplog.at_level(logging.WARNING):
        poll(world)
    [message] = world.emulator.messages("@presos_test")  # not sent a second time
    assert len(message.edits) == 1 and "bbc" in message.text.lower(), message.text  # the story's edit found it
    assert "was sent at" in caplog.text and "marked sent, not sent again" in caplog.text


def test_a_new_event_numbered_as_a_story_sent_after_the_backup_is_still_sent(world: World):
    """A restored SQLite database numbers its next story from the backup's last one: a new
    event's alert then carries the key of another event's alert sent after the backup
    (`new:presos:2`). It is another alert, told in other words: it goes out (by the key alone
    it was marked sent as the other event's message: the release never reached the channel)."""
    world.feed("pitazo", "es")
    world.feed("bbc", "en")
    db = released_then_backed_up(world)
    world.publish("bbc", "Journalist Luis López arrested by military counterintelligence in Caracas",
                  "Rights groups said he was taken from his home.")
    poll(world)
    assert len(world.emulator.messages("@presos_test")) == 2

    restore(db, world.tmp / "backup.db")
    world.items["bbc"].clear()  # the outlet's feed no longer lists it
    world._serve("bbc")
    world.publish("pitazo", "Foro Penal denuncia la detención de la sindicalista Ana Ruiz en Maracaibo",
                  "La dirigente fue llevada a la sede del Sebin.", published=datetime.now(UTC) + timedelta(seconds=2))
    poll(world)
    texts = [m.text for m in world.emulator.messages("@presos_test")]
    assert len(texts) == 3 and "Ana Ruiz" in texts[2], texts
    with open_database(world.db_url).session() as s:
        assert s.scalar(select(Story.id).join(Item).where(Item.title.like("%Ana Ruiz%"))) == 2  # the number reused


DIGEST_CONFIG = """rules: [venezuela-2026]
settings:
  http_listen: 127.0.0.1:{port}
feeds: [{{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}}]
channels:
  - {{name: resumen, chat_id: console, topics: [political_prisoners], mode: digest, schedule: ["{at}"]}}
"""

def _digest_channel(tmp_path: Path, *, last_digest: timedelta, told: timedelta) -> tuple[Any, Any, Any, Path, datetime]:
    """A digest channel `resumen` due 3 minutes ago, its last roundup `last_digest` ago, and one
    story told `told` ago: (config, runtime, the database, its file, now)."""
    now = datetime.now(UTC)
    at = (now - timedelta(minutes=3)).astimezone(ZoneInfo("America/Caracas"))
    path = tmp_path / "feeds.yaml"
    path.write_text(DIGEST_CONFIG.format(port=free_port(), at=f"{at:%H:%M}"), encoding="utf-8")
    config = load_config(path)
    db_file = tmp_path / "m.db"
    runtime = resolve_runtime(config, config_path=str(path), db_flag=f"sqlite:///{db_file}", env={})
    db = open_database(f"sqlite:///{db_file}")
    sync_config(config, db)
    with db.session() as s:
        s.scalar(select(Channel).where(Channel.name == "resumen")).last_digest_at = now - last_digest
        story = Story(title="Excarcelan a 20 presos políticos", topics=["political_prisoners"],
                      urgency="high", told_at=now - told)
        s.add(story)
        s.flush()
        s.add(Item(feed_id=s.scalar(select(Feed.id).where(Feed.name == "medio")), guid="g1",
                   url="https://medio.example/1", title=story.title, summary="", language="es",
                   published_at=now - told, content_hash="h1", entities=[],
                   story_id=story.id, classified_at=now - told))
    return config, runtime, db, db_file, now


def test_a_roundup_sent_after_the_backup_is_not_queued_again(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """The daily roundup went out after the backup; the backup put back still had the day
    before's roundup time, and the next start queued that day's roundup again, as missed."""
    config, runtime, db, db_file, now = _digest_channel(
        tmp_path, last_digest=timedelta(days=1, minutes=3), told=timedelta(hours=2))
    db_url = f"sqlite:///{db_file}"
    backup(db_file, tmp_path / "backup.db")

    async def start_and_deliver() -> int:
        opened = open_database(db_url)
        service = Service(config, runtime, opened, out=io.StringIO())
        try:
            queued = service._enqueue_missed_digests(datetime.now(UTC))  # what the start's tick runs
            await service.worker.start()
            await service.worker.deliver_pending()
            return queued
        finally:
            await service.close()
            opened.dispose()

    assert asyncio.run(start_and_deliver()) == 1  # the roundup missed while stopped: sent
    db.dispose()
    restore(db_file, tmp_path / "backup.db")
    with caplog.at_level(logging.WARNING):
        assert asyncio.run(start_and_deliver()) == 0  # not queued a second time
    assert "the database is older than its last roundup" in caplog.text
    db = open_database(db_url)
    with db.session() as s:
        assert s.scalar(select(Channel.last_digest_at).where(Channel.name == "resumen")) > now - timedelta(minutes=4)
    db.dispose()


def test_a_queued_roundup_sent_after_the_backup_is_not_folded_into_the_next_one(tmp_path: Path):
    """The backup was taken while a roundup was queued (13 h before the next slot) and it went out
    after; the backup put back holds it queued. The next slot folds the channel's roundups unsent
    after catch_up_after into its own (alerts/digest.py): folded, that one's stories were told a
    second time. The service's tick gives the fold the worker's journal of sends."""
    from alerts.digest import enqueue_digest

    config, runtime, db, db_file, now = _digest_channel(tmp_path, last_digest=timedelta(days=1), told=timedelta(hours=14))
    with db.session() as s:
        [first] = enqueue_digest(s, config, "resumen", now=now - timedelta(hours=13))
        assert "20 presos" in first.payload["text"]
    backup(db_file, tmp_path / "backup.db")
    db_url = f"sqlite:///{db_file}"

    async def start_and_deliver(tick: bool) -> str:
        opened, out = open_database(db_url), io.StringIO()
        service = Service(config, runtime, opened, out=out)
        try:
            if tick:  # the start's tick, as the service runs it: on the loop, the journal given
                await service.missed_digests()
            await service.worker.start()
            await service.worker.deliver_pending()
            return out.getvalue()
        finally:
            await service.close()
            opened.dispose()

    assert "20 presos" in asyncio.run(start_and_deliver(tick=False))  # sent after the backup
    db.dispose()
    restore(db_file, tmp_path / "backup.db")
    db = open_database(db_url)
    with db.session() as s:
        later = Story(title="Detienen al periodista Luis Pérez", topics=["political_prisoners"], urgency="high",
                      told_at=now - timedelta(hours=1))
        s.add(later)
        s.flush()
        s.add(Item(feed_id=s.scalar(select(Feed.id)), guid="g2", url="https://medio.example/2", title=later.title,
                   summary="", language="es", published_at=now - timedelta(hours=1), content_hash="h2",
                   entities=[], story_id=later.id, classified_at=now - timedelta(hours=1)))
    db.dispose()
    printed = asyncio.run(start_and_deliver(tick=True))
    assert "Luis Pérez" in printed and "20 presos" not in printed  # before (no journal): told again
    db = open_database(db_url)
    with db.session() as s:
        assert s.get(Alert, first.id).status == "sent"
    db.dispose()


def test_the_journal_of_sends_stays_small_and_survives_a_cut_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from core import restore_marks as marks

    monkeypatch.setattr(marks, "SENT_KEEP", 10)
    path = marks.marks_path(tmp_path / "monitor.db")
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(100):
        marks.record_sent(path, f"new:presos:{n}", marks.SentMark(start + timedelta(minutes=n), n, "@presos", f"{n:020d}"))
    sent_file = marks.sent_path(path)
    assert sent_file is not None and sent_file.stat().st_size <= 2 * 10 * marks.LINE_BYTES
    with sent_file.open("a") as fh:
        fh.write('["new:presos:cut", "2026-12-0')  # a crash in the middle of a line
    sent = marks.load_sent(path)
    assert "new:presos:99" in sent and "new:presos:0" not in sent and len(sent) <= 30
    assert sent["new:presos:99"] == marks.SentMark(start + timedelta(minutes=99), 99, "@presos", f"{99:020d}")
    assert oct(sent_file.stat().st_mode & 0o777) == "0o600"


def test_a_clock_set_back_is_no_restore(world: World, caplog: pytest.LogCaptureFixture):
    """The feeds' marks written while the clock ran an hour ahead (set right since, by NTP or
    by hand) are ahead of every poll after: they told no restore, yet each new item of that
    hour, published before the mark, was stored as backfill and never alerted."""
    from core import restore_marks as marks

    world.feed("pitazo", "es")
    db = released(world)
    path = marks.marks_path(db)
    ahead = timedelta(hours=1)  # that poll ran on a clock an hour ahead: its times are an hour ahead
    marks.record_feed_mark(path, "pitazo", marks.load_feed_marks(path)["pitazo"] + ahead)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE feeds SET last_success_at = datetime(last_success_at, '+1 hour'), "
                     "next_poll_at = NULL")
    conn.close()
    with caplog.at_level(logging.WARNING):
        poll(world)  # the clock set right: a start, a poll with nothing new (304)
    assert marks.feed_mark(path, "pitazo") is None, "a mark ahead would be taken for a restore once passed"
    assert "the last polls of 1 feed(s)" in caplog.text and "ahead of the clock" in caplog.text
    caplog.clear()
    world.publish("pitazo", "Detienen al periodista Luis Rojas en Caracas por publicar sobre la represión",
                  "El SEBIN lo trasladó a El Helicoide, denunció el SNTP.",
                  published=datetime.now(UTC) + timedelta(seconds=2))
    with caplog.at_level(logging.WARNING, logger="monitor.ingest"):
        poll(world)
    texts = world.texts("@presos_test")
    assert len(texts) == 2 and "Luis Rojas" in texts[1], texts
    assert "restored backup" not in caplog.text


def test_a_feed_mark_ahead_of_the_clock_is_replaced_and_tells_no_restore(tmp_path: Path):
    from core import restore_marks as marks

    path = marks.marks_path(tmp_path / "monitor.db")
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    marks.record_feed_mark(path, "pitazo", now + timedelta(days=1))  # a clock a day ahead, set right since
    assert marks.seen_until(marks.feed_mark(path, "pitazo"), now - timedelta(minutes=5), now) is None
    marks.record_feed_mark(path, "pitazo", now)
    assert marks.feed_mark(path, "pitazo") == now
    assert marks.seen_until(now, now - timedelta(minutes=5), now + timedelta(minutes=5)) == now  # a restore


def test_a_roundup_sent_on_a_clock_ahead_is_no_restore(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """A roundup sent while the clock ran a day ahead is in the journal of sends under a key a
    day ahead. The clock set right, each start took it for a roundup sent after a backup and
    moved the channel's last roundup time a day ahead; the tick then ran that roundup's period
    from there (empty) to now, and the stories told since the real last roundup were in none."""
    from alerts.digest import enqueue_due_digests
    from core import restore_marks as marks

    config, runtime, db, db_file, now = _digest_channel(
        tmp_path, last_digest=timedelta(minutes=2), told=timedelta(minutes=1))
    ahead = (now + timedelta(days=1, minutes=-3)).replace(second=0, microsecond=0)
    marks.record_sent(marks.marks_path(db_file), f"digest:resumen:{ahead.isoformat()}:0",
                      marks.SentMark(ahead, None, "console", "0" * 20))

    service = Service(config, runtime, db, out=io.StringIO())
    with caplog.at_level(logging.WARNING):
        assert service._enqueue_missed_digests(datetime.now(UTC)) == 0  # what the start's tick runs
    asyncio.run(service.close())
    assert "a restored backup" not in caplog.text
    with db.session() as s:  # the next roundup tells the story
        [digest] = enqueue_due_digests(s, config, now=now + timedelta(days=1))
        assert "20 presos" in digest.payload["text"], digest.payload["text"]
    db.dispose()


def test_a_journal_of_sends_with_a_damaged_byte_neither_stops_a_start_nor_a_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
):
    """A byte that is no UTF-8 in `monitor.db.sent` (a disk error, a crash's torn block) raised
    UnicodeDecodeError, not OSError: the service's start failed reading it, and a send whose
    journal line made the file due for its rewrite raised before the alert was marked sent
    (retried: sent twice)."""
    from core import restore_marks as marks

    monkeypatch.setattr(marks, "SENT_KEEP", 1)
    path = marks.marks_path(tmp_path / "monitor.db")
    at = datetime(2026, 12, 4, 12, tzinfo=UTC)
    marks.record_sent(path, "new:presos:1", marks.SentMark(at, 1, "@presos", "0" * 20))
    sent_file = marks.sent_path(path)
    assert sent_file is not None
    with sent_file.open("ab") as fh:
        fh.write(b'["new:presos:\xff\xfe", "2026-12-04T12:00:00+00:00", 2, "@presos", "x"]\n')
    assert "new:presos:1" in marks.load_sent(path)
    marks.record_sent(path, "new:presos:3", marks.SentMark(at, 3, "@presos", "3" * 20))  # rewritten
    assert "new:presos:3" in marks.load_sent(path)


def _record_from(path: Path, who: str, n: int, step: Any) -> None:
    from core import restore_marks as marks

    for i in range(n):
        if i % 10 == 0:
            step.wait(60)  # the two writers keep pace: a rewrite's last SENT_KEEP lines hold both
        at = datetime.now(UTC)
        marks.record_feed_mark(path, f"{who}-feed-{i}", at)
        marks.record_sent(path, f"new:{who}:{i}", marks.SentMark(at, i, "@presos", f"{i:020d}"))


def test_two_processes_sharing_the_files_keep_each_others_marks_and_sends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Two replicas (or `monitor poll-once` beside the service) in one working directory share
    the marks and the journal of sends: each wrote the marks back over the other's, and a
    rewrite of the journal dropped the sends the other appended meanwhile."""
    import multiprocessing

    from core import restore_marks as marks

    monkeypatch.setattr(marks, "SENT_KEEP", 40)  # a rewrite every hundred sends or so
    monkeypatch.setattr(marks, "LOCK_WAIT", 60.0)  # a loaded machine: the lock is waited for, not given up
    # every mark written at once (not batched a second, as the service does): 600 rewrites that
    # must keep the other process's marks; a forked writer also ends without `atexit`
    monkeypatch.setattr(marks, "MARKS_EVERY", 0.0)
    path = marks.marks_path(tmp_path / "monitor.db")
    n = 300
    forked = multiprocessing.get_context("fork")
    step = forked.Barrier(2)  # unpaced, one writer could finish first and the other's rewrites keep only its own
    writers = [forked.Process(target=_record_from, args=(path, who, n, step)) for who in ("a", "b")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)  # 300 locked writes with fsync each: over 30 s once on 2 cores with the suite and other jobs
        assert w.exitcode == 0, f"writer exit code {w.exitcode} (None: still writing)"
    assert len(marks.load_feed_marks(path)) == 2 * n, "a feed's mark written over by the other process"
    sent = marks.load_sent(path)
    for who in ("a", "b"):
        kept = sorted(int(key.rsplit(":", 1)[1]) for key in sent if key.startswith(f"new:{who}:"))
        assert kept and kept == list(range(kept[0], n)), f"sends of {who} lost: {len(kept)} kept from {kept[:1]}"


def test_a_process_stopped_while_holding_the_marks_lock_holds_no_write_for_good(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A command stopped with Ctrl-Z in the middle of a write keeps the directory's lock: the
    service's next send record or poll waits LOCK_WAIT for it, then writes without it."""
    import fcntl
    import os

    from core import restore_marks as marks

    monkeypatch.setattr(marks, "LOCK_WAIT", 0.2)
    path = marks.marks_path(tmp_path / "monitor.db")
    assert path is not None
    held = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as another process's open file description would
    try:
        write = threading.Thread(target=marks.record_feed_mark,
                                 args=(path, "pitazo", datetime(2026, 12, 4, tzinfo=UTC)))
        write.start()
        write.join(10)  # LOCK_WAIT: 0.20-0.22 s beside four busy loops; the fault waits while the lock is held
        assert not write.is_alive(), "the write waits for the lock's holder"
    finally:
        os.close(held)
    write.join(10)
    assert marks.feed_mark(path, "pitazo") == datetime(2026, 12, 4, tzinfo=UTC)


def test_a_journal_of_sends_left_by_root_says_how_to_give_it_back(world: World):
    """`monitor poll-once` run as root (the docs' setpriv left out) made monitor.db.sent root's,
    mode 0600; the database chowned back as its own error said, every send of the service's user
    then logged `cannot write …sent (Permission denied): a restored backup would not be
    recognized`, naming no fix, and the file stayed root's: it is appended to, never replaced."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv: a file of another user, and root without its override")
    sent = world.tmp / "monitor.db.sent"
    world.feed("pitazo", "es")
    released(world)
    assert sent.exists()
    os.chown(sent, 65534, 65534)  # another user's file, private (as the service's umask makes it)
    sent.chmod(0o600)
    world.publish("pitazo", "Detienen al periodista Luis Rojas en Caracas por publicar sobre la represión",
                  "El SEBIN lo trasladó a El Helicoide, denunció el SNTP.", age=timedelta(minutes=2))
    caps = "-dac_override,-dac_read_search"
    done = subprocess.run(
        ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", sys.executable, "-m", "monitor",
         "poll-once", "--config", str(world.config_path), "--db", world.db_url],
        env=world.env(), capture_output=True, text=True, timeout=120, cwd=world.tmp,
    )
    assert done.returncode == 0, done.stderr
    assert len(world.emulator.messages("@presos_test")) == 2  # the send itself goes out
    assert (f"cannot write {sent} ([Errno 13] Permission denied: '{sent}'): a restored backup would "
            f"not be recognized; chown it to the user root (`chown root: {sent}`)") in done.stderr

