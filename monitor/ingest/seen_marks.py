"""What each feed's polls had seen, kept in a small file beside a SQLite database
(`monitor.db.seen`), so that a database restored from a backup is recognized.

A backup does not know the items the service stored, and alerted, after it was taken: a poll
of the restored database finds them new and alerted them a second time. The file outlives the
restore: a feed whose last poll (a 200, items read) in the file is later than the one in the
database had, up to then, already seen what it published; those items are stored as backfill.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("monitor.ingest")

SUFFIX = ".seen"
_LOCK = threading.Lock()


def marks_path(db_file: Path | None) -> Path | None:
    """The file beside a SQLite database; None for PostgreSQL or an in-memory database."""
    return None if db_file is None else db_file.with_name(db_file.name + SUFFIX)


def load_marks(path: Path | None) -> dict[str, datetime]:
    """Feed name → the time of its last poll that read items; {} when there is no file or it
    cannot be read (a mark missing only means a restore is not recognized)."""
    if path is None:
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): datetime.fromisoformat(v).astimezone(UTC) for k, v in raw.get("feeds", {}).items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        log.warning("cannot read %s (%s): a restored backup would not be recognized", path, exc)
        return {}


def record_mark(path: Path | None, feed: str, when: datetime) -> None:
    """Remember that `feed` was read at `when` (the latest of the file's and this one);
    written to a temporary file and renamed, so a crash never leaves half a file."""
    if path is None:
        return
    with _LOCK:
        marks = load_marks(path)
        if feed in marks and marks[feed] >= when:
            return
        marks[feed] = when
        body = json.dumps({"feeds": {k: v.isoformat() for k, v in sorted(marks.items())}})
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            old = os.umask(0o077)
            try:
                tmp.write_text(body, encoding="utf-8")
            finally:
                os.umask(old)
            tmp.replace(path)
        except OSError as exc:
            log.warning("cannot write %s (%s): a restored backup would not be recognized", path, exc)


def seen_until(path: Path | None, feed: str, last_success_at: datetime | None) -> datetime | None:
    """The feed's mark when it is later than the database's last success of the feed: the
    database is older than what the service had done (a restored backup). None otherwise."""
    mark = load_marks(path).get(feed)
    if mark is None or (last_success_at is not None and mark <= last_success_at):
        return None
    return mark
