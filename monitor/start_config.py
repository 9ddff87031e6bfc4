"""How `monitor run` reads feeds.yaml at its start: a file still being written is waited for,
and a file without `feeds:` or `channels:` while the database holds some is refused.

The watcher of the running service (monitor.service) applies a change once two looks agree
and refuses a file that lacks a section the running config has; a start has no running config,
so it waits for the file to be quiet for as long as the watcher's two looks, and compares
with the database: its feed and channel rows are what earlier runs were configured with.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from core.config import AppConfig, ConfigError, load_config
from storage.db import Database
from storage.models import Alert, Channel, Feed

FileState = tuple[int, int, int, int] | None
SETTLE = 2.0  # seconds the file must be unchanged before a start reads it (the watcher's two looks)
SETTLE_LIMIT = 30.0  # a file written for longer is read as it is then
SECTIONS = ("feeds", "channels")


def file_state(path: str) -> FileState:
    """What tells the watcher the file changed: its modification time, and its change time,
    size and inode, which a chmod or chown that makes it readable again changes too (the
    modification time stays: a file refused as unreadable would never be read again)."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


def read_settled(
    path: str, *, settle: float | None = None, limit: float = SETTLE_LIMIT,
    sleep: Callable[[float], None] = time.sleep, told: Callable[[str], None] | None = None,
) -> tuple[AppConfig, FileState]:
    """The config once the file has not changed for `settle` seconds (at most `limit` of
    waiting), and the state of the file it was read from: the watcher's first look compares
    with it, so a write that ends after the read is applied. Before, a start read a file cut
    by an editor or a copy in progress, and the watcher took the finished file for the one
    read: the service ran without the channels the cut left out until the next edit."""
    settle = SETTLE if settle is None else settle
    deadline = time.monotonic() + limit
    quiet: FileState = None  # the state a wait ended on: the same at the next look is quiet
    while True:
        state = file_state(path)
        age = time.time() - state[0] / 1e9 if state else settle
        if age < settle and state != quiet and time.monotonic() < deadline:
            if told and quiet is None:
                told(f"{Path(path).name} changed {max(0.0, age):.1f} s ago: reading it once it is "
                     f"unchanged for {settle:.0f} s")
            sleep(settle - age if age >= 0 else settle)  # a time in the future: one full wait
            quiet = state
            continue
        try:
            config = load_config(path)
        except ConfigError:
            if file_state(path) != state and time.monotonic() < deadline:
                continue  # written while read: read again
            raise
        if file_state(path) != state and time.monotonic() < deadline:
            continue
        return config, state


def sections_missing(config: AppConfig, db: Database) -> str | None:
    """Why `config` may not start on `db`, or None: it has no `feeds:` or no `channels:`
    section while the database holds rows of them (a file cut before them, or a section
    deleted): the service would poll no feed, or classify the news for no channel and never
    send their queued alerts. `feeds: []` or `channels: []` says it is meant."""
    absent = [key for key in SECTIONS if key not in config.model_fields_set]
    if not absent:
        return None
    with db.session() as session:
        rows = {
            "feeds": session.scalar(select(func.count(Feed.id))) or 0,
            "channels": session.scalar(select(func.count(Channel.id))) or 0,
        }
        queued = session.scalar(select(func.count(Alert.id)).where(Alert.status.in_(("pending", "sending")))) or 0
    absent = [key for key in absent if rows[key]]
    if not absent:
        return None
    held = f", {queued} alert(s) queued" if "channels" in absent else ""
    return (f"the file has no {' and no '.join(repr(k) for k in absent)} section, and the database has "
            f"{' and '.join(f'{rows[k]} {k}' for k in absent)}{held}: a file still being written? "
            f"Not started; to run without them, write {' and '.join(f'{k}: []' for k in absent)}")
