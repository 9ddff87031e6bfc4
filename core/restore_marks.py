"""What the service had done, kept in a small file beside a SQLite database
(`monitor.db.seen`, `monitor.db.sent`), so that a database restored from a backup is recognized.
For PostgreSQL the files are `data/postgresql-HOST-PORT-NAME.seen` and `.sent` under the working
directory (storage.db.postgresql_marks_base): a `pg_restore` into the database is recognized too.

A backup does not know what the service did after it was taken. Put back, its polls found the
items stored since new and alerted them a second time, and its outbox sent again the alerts
that were still queued when it was taken. The file outlives the restore:

- `feeds`: each feed's last poll that stored new items. A feed whose mark is later than the
  database's last success had already seen what it published before then: those items are
  stored as backfill (monitor/ingest/poll.py).
- `monitor.db.sent`, beside it: the alerts sent (one JSON line each, appended; the last
  SENT_KEEP of the last SENT_DAYS kept), by their `dedupe_key` and a fingerprint of what they
  said, with their message id and chat. An alert the database holds as queued with that key and
  that content went out already: it is marked sent with that message (alerts/delivery/claims.py), and
  the story's edits find it. The key alone is not enough: a restored SQLite database numbers its
  next stories from the backup's last, so a new event's alert can carry the key of another
  event's alert sent after the backup (`new:presos:2`), and it must still go out.
- `pins`: each `pin_tally` channel's pinned message (chat, message id). A restored database
  that has none for the chat edits that message instead of pinning a second one
  (alerts/tally/pin.py).
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.jsonlines import read_lines
from storage.alerts import IN_FLIGHT_MARKS
from storage.db import FORGET_HOOKS, sent_path
from storage.db import marks_path as marks_path  # re-exported: the marks are read here

log = logging.getLogger("monitor.restore")

LINE_BYTES = 120  # about one line of the journal of sends
SENT_DAYS = 7
SENT_KEEP = 2000
# a feed's mark tells a restore of a PostgreSQL database only when it is this much later than the
# last success another replica (its host's clock a few minutes off) may have written
REPLICAS_MARGIN = timedelta(minutes=10)
_LOCK = threading.Lock()
LOCK_WAIT = 2.0  # seconds: a write of these files takes milliseconds


def _flock(fd: int, path: Path) -> bool:
    """Lock `fd` (flock), waiting at most LOCK_WAIT; whether it is locked. Given up, the wait
    goes on in a thread of its own, which closes `fd` once it has the lock (and so frees it)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    got, given_up, turn = threading.Event(), threading.Event(), threading.Lock()

    def wait() -> None:
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)  # the kernel's queue: a waiter is not starved
        with turn:
            got.set()
            if given_up.is_set():
                os.close(fd)

    threading.Thread(target=wait, name="marks-lock", daemon=True).start()
    if got.wait(LOCK_WAIT):
        return True
    with turn:
        if got.is_set():
            return True
        given_up.set()
    log.warning("%s: another process has held the lock of its directory for %.0f s (stopped?); "
                "writing without it", path, LOCK_WAIT)
    return False


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """This process's threads, and every process writing in `path`'s directory, one at a time.
    Two processes share the files (replicas or `monitor poll-once` in one working directory, the
    service and a command beside one SQLite file): each read the marks, added its own and wrote
    them back over the other's (two processes recording 100 feeds each kept 136 of 200), and a
    rewrite of the journal dropped the sends the other appended meanwhile (134 of 16,000). The
    directory itself is locked (flock), so no lock file is left beside the database; when it
    cannot be opened, the write that follows says why. A holder that keeps it past LOCK_WAIT (a
    command stopped with Ctrl-Z in the middle of a write) is not waited for longer: the write
    goes ahead as before, rather than hold a send's record or a poll for good."""
    with _LOCK:
        fd = None
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)  # PostgreSQL's data/, private
            fd = os.open(path.parent, os.O_RDONLY)
            if not _flock(fd, path):
                fd = None  # the waiting thread closes it
        except OSError:
            pass
        try:
            yield
        finally:
            if fd is not None:
                os.close(fd)  # releases the flock


@dataclass(frozen=True)
class SentMark:
    at: datetime
    message_id: int | None
    chat: str | None
    content: str  # payload_fingerprint of the alert as it was queued
    # the earlier lines of the same key, oldest first (`load_sent`): a story's message printed
    # (no token then) or deleted in the chat, then retold under the story's key (`outbox.retell_in`)
    earlier: tuple[SentMark, ...] = field(default=(), compare=False, repr=False)


def payload_fingerprint(payload: dict[str, Any]) -> str:
    """A short digest of an alert's payload as queued (what it tells, in which words), without
    the marks written on its row while its message is on its way (`storage.alerts.IN_FLIGHT_MARKS`):
    they change nothing the message says. With them, the admin chat told of a catch-up in flight
    (`notified`) made the stored payload differ from the one journaled, and a crash before the
    record sent the catch-up again."""
    return _digest({k: v for k, v in payload.items() if k not in IN_FLIGHT_MARKS})


def sent_as(mark: SentMark, payload: dict[str, Any]) -> bool:
    """Whether the journal's `mark` is of a message that said what `payload` says. A line written
    before December 2026 digests the whole payload, marks included."""
    return mark.content in (payload_fingerprint(payload), _digest(payload))


def line_saying(mark: SentMark | None, payload: dict[str, Any]) -> SentMark | None:
    """Of the journal's lines of one key (`mark`, the latest, and its `earlier` ones), the latest
    that said what `payload` says; None when none did. A key can have several: the story's
    message printed while no token was set (or deleted in the chat) and its retelling, which
    takes the story's key. With the last line alone, a restored backup's printed row matched
    nothing and went out to the chat, beside the retelling."""
    if mark is None:
        return None
    return next((m for m in (mark, *reversed(mark.earlier)) if sent_as(m, payload)), None)


def _digest(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]



def _fix(path: Path, exc: OSError | ValueError) -> str:
    """What to do about a marks file this user may not read or write: one a command run as root
    made (`monitor poll-once` without setpriv), kept root's. The journal of sends is appended to,
    never replaced, so it stayed unwritable, each send saying only that it was refused."""
    if not isinstance(exc, PermissionError):
        return ""
    try:
        import pwd

        user = pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        user = str(os.geteuid())
    return (f"; chown it to the user {user} (`chown {user}: {path}`): "
            "a command run as another user (root) made it")


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return raw if isinstance(raw, dict) else {}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s (%s): a restored backup would not be recognized%s", path, exc, _fix(path, exc))
        return {}


# The marks file as this process last read it, by path, with the file's signature then. Every
# poll that reads a document asks for its feed's mark; reading and parsing the whole file each
# time made a poll's cost grow with the number of feeds (at 10,000 feeds, 19 ms of CPU a poll
# and the service no longer kept up, bench/bench_scale.py). A file rewritten since (by this
# process or another: always a new file renamed over it, so another inode) is read again.
# Writes read the file afresh under the lock, never from here.
_SEEN: dict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = {}
_MEMORY = threading.Lock()  # what this process holds of the marks files: _SEEN and the pending marks


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _read_seen(path: Path) -> dict[str, Any]:
    """`_read(path)`, from this process's last reading while the file is the same one."""
    signature = _signature(path)
    if signature is None:
        return {}
    with _MEMORY:
        kept = _SEEN.get(path)
    if kept is not None and kept[0] == signature:
        return kept[1]
    data = _read(path)
    if _signature(path) == signature:  # not replaced while it was read
        with _MEMORY:
            _SEEN[path] = (signature, data)
    return data


def _write_text(path: Path, text: str) -> None:
    """To a temporary file, renamed: a crash never leaves half a file. Private, as the database."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    old = os.umask(0o077)
    try:
        path.parent.mkdir(exist_ok=True)  # PostgreSQL's data/, private as the database
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        with suppress(OSError):  # what a full disk let it write is not left beside the database
            tmp.unlink()
        raise
    finally:
        os.umask(old)


def _write(path: Path, data: dict[str, Any]) -> None:
    try:
        _write_text(path, json.dumps(data))
    except OSError as exc:
        log.warning("cannot write %s (%s): a restored backup would not be recognized%s", path, exc, _fix(path, exc))


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)).astimezone(UTC)
    except ValueError:
        return None


def load_feed_marks(path: Path | None) -> dict[str, datetime]:
    """Feed name → the time of its last poll that read items."""
    if path is None:
        return {}
    feeds = _read(path).get("feeds")
    marks = {str(k): _when(v) for k, v in feeds.items()} if isinstance(feeds, dict) else {}
    with _MEMORY:
        marks.update(_pending.get(path, {}))  # this process's, not written yet
    return {k: v for k, v in marks.items() if v is not None}


def feed_mark(path: Path | None, feed: str) -> datetime | None:
    """The time of `feed`'s last poll that read items (None: no mark): that one entry read,
    from the file as last read while it is unchanged."""
    if path is None:
        return None
    with _MEMORY:
        pending = _pending.get(path, {}).get(feed)
    if pending is not None:  # this process's, not written yet
        return pending
    feeds = _read_seen(path).get("feeds")
    return _when(feeds.get(feed)) if isinstance(feeds, dict) and feed in feeds else None


# A feed's mark is written at once when the file was not written in the last MARKS_EVERY
# seconds, else with the marks of the polls that end within that second, by a timer. The file
# holds every feed's mark and each write rewrites it: one write a poll made a round of N feeds
# N rewrites of N marks (10,000 feeds: a cold round of 10,000 writes of 600 KB held the GIL from
# a worker thread, and every poll's fetch waited for it; bench/bench_scale.py). A process killed
# within that second loses those polls' marks only: a backup restored afterwards is then
# recognized by the feeds' earlier marks. A normal exit writes what is pending (`atexit`).
MARKS_EVERY = 1.0
_pending: dict[Path, dict[str, datetime]] = {}
_written_at: dict[Path, float] = {}
_timers: dict[Path, threading.Timer] = {}
_flushing: dict[Path, threading.Lock] = {}  # a file's flush under way (flush_feed_marks)


def record_feed_mark(path: Path | None, feed: str, when: datetime) -> None:
    """Remember that `feed` was read at `when`, the latest poll's time: a mark ahead of it was
    written on a clock since set back, and is replaced. Written now, or within MARKS_EVERY."""
    if path is None:
        return
    with _MEMORY:
        _pending.setdefault(path, {})[feed] = when
        if time.monotonic() - _written_at.get(path, -MARKS_EVERY) < MARKS_EVERY:
            if path not in _timers:
                timer = _timers[path] = threading.Timer(MARKS_EVERY, flush_feed_marks, (path,))
                timer.daemon = True
                timer.start()
            return
    flush_feed_marks(path)


def flush_feed_marks(path: Path | None = None) -> None:
    """Write the pending feed marks (of `path`, or of every file) now. One flush of a file at a
    time, from taking its pending marks to writing them: two flushes (a timer's and a poll's)
    that each took theirs could write them in the other order, a feed's older mark last."""
    with _MEMORY:
        paths = [path] if path is not None else list(_pending)
        turns = [(p, _flushing.setdefault(p, threading.Lock())) for p in paths]
    for p, turn in turns:
        with turn:
            with _MEMORY:
                timer = _timers.pop(p, None)
                if timer is not None and timer is not threading.current_thread():
                    timer.cancel()
                marks = _pending.pop(p, {})
                _written_at[p] = time.monotonic()
            if marks:
                _write_feed_marks(p, marks)


def _write_feed_marks(path: Path, marks: dict[str, datetime]) -> None:
    with _locked(path):
        data = _read(path)
        feeds = data.get("feeds") if isinstance(data.get("feeds"), dict) else {}
        changed = {feed: when.isoformat() for feed, when in marks.items() if _when(feeds.get(feed)) != when}
        if changed:
            data["feeds"] = {**feeds, **changed}
            _write(path, data)


def _drop_pending(path: Path) -> None:
    """Forget the marks not written yet for `path`: the database they were of is gone."""
    with _MEMORY:
        _pending.pop(path, None)
        timer = _timers.pop(path, None)
        _written_at.pop(path, None)
        _SEEN.pop(path, None)
    if timer is not None:
        timer.cancel()


atexit.register(flush_feed_marks)
FORGET_HOOKS.append(_drop_pending)


def _ahead(data: dict[str, Any], now: datetime) -> list[str]:
    feeds = data.get("feeds") if isinstance(data.get("feeds"), dict) else {}
    return [name for name, at in feeds.items() if (when := _when(at)) is not None and when > now]


def drop_feed_marks_ahead(path: Path | None, now: datetime) -> list[str]:
    """Forget the feed marks later than `now`, written on a clock since set back: the feeds
    whose mark was dropped. Kept, such a mark was taken for a restore once the clock caught up
    with it, if the feed's last poll before was earlier (a 304 does not replace it): what the
    feed had published in between was stored as backfill, never alerted."""
    if path is None:
        return []
    flush_feed_marks(path)
    if not _ahead(_read(path), now):
        return []  # the usual case: nothing written, data/ not created
    with _locked(path):
        data = _read(path)
        feeds = data.get("feeds") if isinstance(data.get("feeds"), dict) else {}
        ahead = _ahead(data, now)
        if ahead:
            data["feeds"] = {name: at for name, at in feeds.items() if name not in ahead}
            _write(path, data)
        return ahead


def seen_until(mark: datetime | None, last_success_at: datetime | None, now: datetime, *,
               margin: timedelta = timedelta(0)) -> datetime | None:
    """The feed's `mark` when it is later than the database's last success of the feed (by more
    than `margin`): the database is older than what the service had done (a restored backup).
    None otherwise, and for a mark ahead of `now`: written on a clock since set back (NTP, a
    host an hour or a day ahead set right), it tells no restore, and every item published
    before it would be taken for seen (stored as backfill, never alerted) until the clock
    caught up with it. On PostgreSQL the last success may be another replica's, stamped by its
    host's clock: `REPLICAS_MARGIN` keeps a host minutes ahead from taking it for a restore."""
    if mark is None or mark > now or (last_success_at is not None and mark <= last_success_at + margin):
        return None
    return mark



def _sent_lines(path: Path) -> list[list[Any]]:
    """The journal's entries; a line cut by a crash, or spoiled by a byte that is not UTF-8,
    is left out alone (core/jsonlines.py): no error stops a start or a send."""
    try:
        with path.open("rb") as fh:
            lines = list(read_lines(fh))
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("cannot read %s (%s): a restored backup would not be recognized%s", path, exc, _fix(path, exc))
        return []
    return [line.value for line in lines if isinstance(line.value, list) and len(line.value) == 5]


def load_sent(marks: Path | None) -> dict[str, SentMark]:
    """Alert dedupe_key → when and as which message it was last sent, with the earlier lines of
    that key (`SentMark.earlier`: `line_saying` reads them all)."""
    path = sent_path(marks)
    if path is None:
        return {}
    out: dict[str, SentMark] = {}
    for key, at, message_id, chat, content in _sent_lines(path):
        if (when := _when(at)) is not None:
            before = out.get(str(key))
            out[str(key)] = SentMark(when, message_id if isinstance(message_id, int) else None,
                                     None if chat is None else str(chat), str(content),
                                     () if before is None else (*before.earlier, replace(before, earlier=())))
    return out


def record_sent(marks: Path | None, key: str, mark: SentMark) -> bool:
    """Append alert `key` to the journal of sends; whether it is there (never for an in-memory database).
    Past twice SENT_KEEP lines' worth of bytes it is rewritten with the last SENT_KEEP sends of
    the last SENT_DAYS (a restore older than that is told by the feeds' marks alone)."""
    path = sent_path(marks)
    if path is None:
        return False
    line = json.dumps([key, mark.at.isoformat(), mark.message_id, mark.chat, mark.content]) + "\n"
    with _locked(path):
        try:
            old = os.umask(0o077)
            try:
                path.parent.mkdir(exist_ok=True)
                _append_line(path, line)
            finally:
                os.umask(old)
            if path.stat().st_size > 2 * SENT_KEEP * LINE_BYTES:
                horizon = (mark.at - timedelta(days=SENT_DAYS)).isoformat()
                kept = [e for e in _sent_lines(path) if str(e[1]) >= horizon][-SENT_KEEP:]
                _write_text(path, "".join(json.dumps(e) + "\n" for e in kept))
        except OSError as exc:
            log.warning("cannot write %s (%s): a restored backup would not be recognized%s", path, exc, _fix(path, exc))
            return False
    return True


def _append_line(path: Path, line: str) -> None:
    """Append `line` to the journal, on a line of its own: a line a full disk or a crash cut
    short is ended first. Appended to it, the next send's line was spoiled with it and never
    read (after a restored backup that send went out a second time)."""
    with path.open("a+b") as fh:
        end = fh.seek(0, os.SEEK_END)
        if end:
            fh.seek(end - 1)
            if fh.read(1) != b"\n":
                line = "\n" + line
        fh.write(line.encode("utf-8"))


def carry_sent(source: Path | None, target: Path | None) -> int:
    """Append to the journal of sends of the database at `target` (its marks base) the lines of
    `source`'s that it lacks, in their order (`monitor db copy`); how many. Merged, never
    replaced: lines the target's journal has stay. A send made just before the copy whose record
    never reached the database (a crash) is then found by the target's service, which marks the
    copied `sending` row sent with that message instead of sending it again. Raises OSError when
    the target's journal cannot be written."""
    src, dst = sent_path(source), sent_path(target)
    if src is None or dst is None or src == dst:
        return 0
    with _locked(src):
        lines = [json.dumps(entry) for entry in _sent_lines(src)]
    if not lines:
        return 0
    with _locked(dst):
        have = {json.dumps(entry) for entry in _sent_lines(dst)}
        new = [line for line in dict.fromkeys(lines) if line not in have]
        if new:
            old = os.umask(0o077)
            try:
                dst.parent.mkdir(exist_ok=True)
                _append_line(dst, "".join(line + "\n" for line in new))
            finally:
                os.umask(old)
    return len(new)


def load_pins(path: Path | None) -> dict[str, tuple[str, int]]:
    """Channel → (chat, message id) of its pinned tally."""
    if path is None:
        return {}
    pins = _read(path).get("pins")
    return {str(k): (str(v[0]), v[1]) for k, v in (pins.items() if isinstance(pins, dict) else [])
            if isinstance(v, list) and len(v) == 2 and isinstance(v[1], int)}


def record_pin(path: Path | None, channel: str, chat: str, message_id: int) -> None:
    """Remember channel's pinned tally message."""
    if path is None:
        return
    with _locked(path):
        data = _read(path)
        pins = data.get("pins") if isinstance(data.get("pins"), dict) else {}
        data["pins"] = {**pins, channel: [chat, message_id]}
        _write(path, data)
