"""What the service had done, kept in a small file beside a SQLite database
(`monitor.db.seen`), so that a database restored from a backup is recognized.

A backup does not know what the service did after it was taken. Put back, its polls found the
items stored since new and alerted them a second time, and its outbox sent again the alerts
that were still queued when it was taken. The file outlives the restore:

- `feeds`: each feed's last poll that read items. A feed whose mark is later than the
  database's last success had already seen what it published before then: those items are
  stored as backfill (monitor/ingest/poll.py).
- `sent`: the alerts sent in the last SENT_DAYS (at most SENT_KEEP), by their `dedupe_key`, with
  their message id and chat. An alert the database holds as queued whose key is there went out
  already: it is marked sent with that message (alerts/delivery.py), and the story's edits find it.
- `pins`: each `pin_tally` channel's pinned message (chat, message id). A restored database
  that has none for the chat edits that message instead of pinning a second one
  (alerts/tally/pin.py).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

log = logging.getLogger("monitor.restore")

SUFFIX = ".seen"
SENT_DAYS = 7
SENT_KEEP = 2000
_LOCK = threading.Lock()


@dataclass(frozen=True)
class SentMark:
    at: datetime
    message_id: int | None
    chat: str | None


def marks_path(db_file: Path | None) -> Path | None:
    """The file beside a SQLite database; None for PostgreSQL or an in-memory database."""
    return None if db_file is None else db_file.with_name(db_file.name + SUFFIX)


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return raw if isinstance(raw, dict) else {}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s (%s): a restored backup would not be recognized", path, exc)
        return {}


def _write(path: Path, data: dict[str, Any]) -> None:
    """To a temporary file, renamed: a crash never leaves half a file. Private, as the database."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        old = os.umask(0o077)
        try:
            tmp.write_text(json.dumps(data), encoding="utf-8")
        finally:
            os.umask(old)
        tmp.replace(path)
    except OSError as exc:
        log.warning("cannot write %s (%s): a restored backup would not be recognized", path, exc)


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
    return {k: v for k, v in marks.items() if v is not None}


def record_feed_mark(path: Path | None, feed: str, when: datetime) -> None:
    """Remember that `feed` was read at `when` (the later of the file's and this one)."""
    if path is None:
        return
    with _LOCK:
        data = _read(path)
        feeds = data.get("feeds") if isinstance(data.get("feeds"), dict) else {}
        known = _when(feeds.get(feed)) if feed in feeds else None
        if known is not None and known >= when:
            return
        data["feeds"] = {**feeds, feed: when.isoformat()}
        _write(path, data)


def seen_until(path: Path | None, feed: str, last_success_at: datetime | None) -> datetime | None:
    """The feed's mark when it is later than the database's last success of the feed: the
    database is older than what the service had done (a restored backup). None otherwise."""
    mark = load_feed_marks(path).get(feed)
    if mark is None or (last_success_at is not None and mark <= last_success_at):
        return None
    return mark


def load_sent(path: Path | None) -> dict[str, SentMark]:
    """Alert dedupe_key → when and as which message it was sent."""
    if path is None:
        return {}
    sent = _read(path).get("sent")
    out: dict[str, SentMark] = {}
    for key, entry in (sent.items() if isinstance(sent, dict) else []):
        if not isinstance(entry, list) or len(entry) != 3 or (at := _when(entry[0])) is None:
            continue
        message_id = entry[1] if isinstance(entry[1], int) else None
        out[str(key)] = SentMark(at, message_id, None if entry[2] is None else str(entry[2]))
    return out


def record_sent(path: Path | None, key: str, mark: SentMark) -> None:
    """Remember alert `key` as sent; entries older than SENT_DAYS, and the oldest past
    SENT_KEEP, are dropped (a restore older than that is told by the feeds' marks alone)."""
    if path is None:
        return
    with _LOCK:
        data = _read(path)
        sent = data.get("sent") if isinstance(data.get("sent"), dict) else {}
        sent[key] = [mark.at.isoformat(), mark.message_id, mark.chat]
        horizon = (mark.at - timedelta(days=SENT_DAYS)).isoformat()
        kept = sorted(((k, v) for k, v in sent.items() if isinstance(v, list) and v and str(v[0]) >= horizon),
                      key=lambda kv: str(kv[1][0]))[-SENT_KEEP:]
        data["sent"] = dict(kept)
        _write(path, data)


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
    with _LOCK:
        data = _read(path)
        pins = data.get("pins") if isinstance(data.get("pins"), dict) else {}
        data["pins"] = {**pins, channel: [chat, message_id]}
        _write(path, data)
