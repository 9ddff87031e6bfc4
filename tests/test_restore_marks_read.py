"""A feed's restore mark is read without parsing the whole marks file on every poll
(core/restore_marks.py `feed_mark`): at 10,000 feeds that parse was most of a poll's CPU.
It still sees what any process wrote last, and writes never start from a stale reading."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import core.restore_marks as marks
from core.restore_marks import feed_mark, load_feed_marks, record_feed_mark

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "monitor.db.seen"
    marks.flush_feed_marks()  # no timer left to write after the test


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every parse of a marks file, in order (the real reader, counted)."""
    seen: list[Path] = []
    real = marks._read

    def counted(p: Path) -> dict:
        seen.append(p)
        return real(p)

    monkeypatch.setattr(marks, "_read", counted)
    return seen


def _replace(path: Path, data: dict) -> None:
    """Another process's write: its own temporary file renamed over the marks."""
    other = path.with_name("other.tmp")
    other.write_text(json.dumps(data), encoding="utf-8")
    os.replace(other, path)


def test_an_unchanged_file_is_parsed_once_for_many_feeds(path: Path, reads: list[Path]) -> None:
    for k in range(50):
        record_feed_mark(path, f"feed{k}", T0 + timedelta(minutes=k))
    marks.flush_feed_marks()  # all on disk: read from the file, not from those pending
    reads.clear()
    got = [feed_mark(path, f"feed{k}") for k in range(50)]
    assert got == [T0 + timedelta(minutes=k) for k in range(50)]
    assert len(reads) <= 1  # one parse for 50 look-ups (before: 50, each of the whole file)


def test_a_write_by_another_process_is_seen(path: Path) -> None:
    record_feed_mark(path, "a", T0)
    assert feed_mark(path, "a") == T0
    later = T0 + timedelta(hours=1)  # the same length of text: the file's size is unchanged
    _replace(path, {"feeds": {"a": later.isoformat()}})
    assert feed_mark(path, "a") == later
    assert load_feed_marks(path) == {"a": later}


def test_own_writes_are_read_back(path: Path) -> None:
    assert feed_mark(path, "a") is None  # no file yet
    record_feed_mark(path, "a", T0)
    assert feed_mark(path, "a") == T0
    record_feed_mark(path, "a", T0 + timedelta(minutes=5))
    assert feed_mark(path, "a") == T0 + timedelta(minutes=5)
    assert feed_mark(path, "b") is None


def test_a_removed_or_broken_file_gives_no_mark(path: Path) -> None:
    record_feed_mark(path, "a", T0)
    assert feed_mark(path, "a") == T0
    path.unlink()
    assert feed_mark(path, "a") is None
    path.write_text("{not json", encoding="utf-8")
    assert feed_mark(path, "a") is None
    _replace(path, {"feeds": {"a": "yesterday"}})
    assert feed_mark(path, "a") is None  # a time it cannot read is no mark, as before
    assert feed_mark(None, "a") is None


def test_writes_never_start_from_a_stale_reading(path: Path) -> None:
    """A write reads the file afresh under the lock: another process's marks are kept."""
    record_feed_mark(path, "a", T0)
    assert feed_mark(path, "a") == T0  # kept in memory now
    _replace(path, {"feeds": {"a": T0.isoformat(), "b": T0.isoformat()}})
    record_feed_mark(path, "c", T0)
    marks.flush_feed_marks()
    assert set(json.loads(path.read_text(encoding="utf-8"))["feeds"]) == {"a", "b", "c"}


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every rewrite of a marks file: the data written (the real writer, counted)."""
    done: list[dict] = []
    real = marks._write

    def counted(p: Path, data: dict) -> None:
        copy = json.loads(json.dumps(data))
        real(p, data)
        done.append(copy)  # counted once on disk: a test waiting for the count reads the file then

    monkeypatch.setattr(marks, "_write", counted)
    return done


def _until(check, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.02)


def test_a_round_of_polls_rewrites_the_file_once_a_second_not_once_a_poll(
        path: Path, writes: list[dict]) -> None:
    """A cold round of N feeds rewrote the file of N marks N times (10,000 feeds: the service no
    longer kept up). The first mark is written at once, the rest of that second together."""
    for k in range(200):
        record_feed_mark(path, f"feed{k}", T0 + timedelta(seconds=k))
    assert len(writes) == 1  # the first at once
    assert feed_mark(path, "feed199") == T0 + timedelta(seconds=199)  # known before it is written
    assert load_feed_marks(path)["feed150"] == T0 + timedelta(seconds=150)
    _until(lambda: len(writes) == 2)  # the timer writes the other 199 together
    on_disk = json.loads(path.read_text(encoding="utf-8"))["feeds"]
    assert len(on_disk) == 200 and on_disk["feed199"] == (T0 + timedelta(seconds=199)).isoformat()


def test_pending_marks_are_written_by_a_flush(path: Path, writes: list[dict]) -> None:
    record_feed_mark(path, "a", T0)
    record_feed_mark(path, "b", T0)
    assert "b" not in json.loads(path.read_text(encoding="utf-8"))["feeds"]
    marks.flush_feed_marks()  # what the service's close and a normal exit (atexit) do
    assert set(json.loads(path.read_text(encoding="utf-8"))["feeds"]) == {"a", "b"}
    count = len(writes)
    marks.flush_feed_marks()
    assert len(writes) == count  # nothing pending: nothing written


def test_a_new_database_drops_the_marks_not_written_yet(tmp_path: Path) -> None:
    """Marks pending for a database removed and created again are of the old one: written
    later they would take the new database's first polls for a restored backup's."""
    from storage.db import forget_marks

    base = tmp_path / "monitor.db"
    path = marks.marks_path(base)
    assert path is not None
    record_feed_mark(path, "a", T0)
    record_feed_mark(path, "b", T0)  # pending
    forget_marks(base)  # a new database created in its place
    assert not path.exists()
    assert feed_mark(path, "b") is None
    marks.flush_feed_marks()
    assert not path.exists()  # nothing of the old database written back


def test_marks_ahead_are_dropped_with_those_pending(path: Path) -> None:
    later = T0 + timedelta(days=1)
    record_feed_mark(path, "a", T0)
    record_feed_mark(path, "b", later)  # pending, ahead of T0 + 1 h
    assert marks.drop_feed_marks_ahead(path, T0 + timedelta(hours=1)) == ["b"]
    assert load_feed_marks(path) == {"a": T0}


def test_two_flushes_of_one_file_write_a_feed_s_marks_in_their_order(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A timer's flush took the pending marks, then waited (for the directory's lock, for the
    CPU) while a poll's flush took the feed's newer mark and wrote it: the older was written
    last, and the feed's mark went back. One flush of a file at a time now."""
    import threading
    from contextlib import contextmanager

    real = marks._locked
    stalled, go = threading.Event(), threading.Event()

    @contextmanager
    def slow_first(p: Path):
        if not stalled.is_set():  # the first flush stalls after taking its marks
            stalled.set()
            assert go.wait(10)
        with real(p):
            yield

    monkeypatch.setattr(marks, "_locked", slow_first)
    marks._pending.setdefault(path, {})["f"] = T0
    first = threading.Thread(target=marks.flush_feed_marks, args=(path,))
    first.start()
    assert stalled.wait(10)
    marks._pending.setdefault(path, {})["f"] = T0 + timedelta(minutes=5)  # a later poll's mark
    second = threading.Thread(target=marks.flush_feed_marks, args=(path,))
    second.start()
    second.join(0.5)  # it may not write before the first has
    go.set()
    first.join(10)
    second.join(10)
    assert json.loads(path.read_text(encoding="utf-8"))["feeds"]["f"] == (T0 + timedelta(minutes=5)).isoformat()


def test_a_send_recorded_after_a_cut_line_is_read_back(tmp_path: Path) -> None:
    """A full disk cuts the journal's line being appended (measured on a 64 KB tmpfs: 39 bytes
    of a line written, then ENOSPC), as a crash may. The next send, recorded once there was
    room again, was appended to the cut line, the two one invalid line: that send was not in
    the journal, and after a restored backup it was sent a second time."""
    from core.restore_marks import SentMark, load_sent, record_sent
    from storage.db import sent_path

    base = tmp_path / "monitor.db.seen"
    assert record_sent(base, "new:presos:1", SentMark(T0, 101, "-100123", "a"))
    journal = sent_path(base)
    assert journal is not None
    with journal.open("a", encoding="utf-8") as fh:  # what the full disk left of the second send
        fh.write('["new:presos:2", "2026-03-01T12:01:00+00:00", 1')
    assert record_sent(base, "new:presos:3", SentMark(T0 + timedelta(minutes=2), 103, "-100123", "c"))
    sent = load_sent(base)
    assert sorted(sent) == ["new:presos:1", "new:presos:3"]
    assert sent["new:presos:3"].message_id == 103


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path: Path) -> None:
    """The marks are written to `….PID.tmp`, then renamed; a write a full disk cut short (or a
    rename refused) left that file, with what fitted of the marks, beside the database: one
    more at each start of the service on a full disk."""
    base = tmp_path / "monitor.db.seen"
    base.mkdir()  # the rename over it is refused
    marks._write(base, {"feeds": {"efecto": T0.isoformat()}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["monitor.db.seen"]
