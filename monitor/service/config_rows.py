"""feeds.yaml's feeds and channels written to their tables, at a start, a reload and a poll-once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from core.config import AppConfig
from monitor.ingest.feed_state import stored_url
from storage.alerts import sync_channels
from storage.db import Database
from storage.feeds import sync_feeds


def sync_config(config: AppConfig, db: Database) -> None:
    """Write feeds.yaml's feeds and channels. A replica (or a `poll-once`) writing the same new
    rows at the same moment fails this insert on the unique name: written again, the rows it
    inserted are found (before, `monitor poll-once` exited 1 with a traceback then)."""
    try:
        _write_config_rows(config, db)
    except IntegrityError:
        _write_config_rows(config, db)


def _write_config_rows(config: AppConfig, db: Database) -> None:
    with db.session() as session:
        sync_feeds(session, [(f.name, stored_url(f.url)) for f in config.feeds])
        sync_channels(session, [(c.name, c.chat_id) for c in config.channels])
