"""Hot reload: feeds.yaml watched (or a SIGHUP), read, its rows written, then applied to every
part of the running service; an invalid or half-written file keeps the last config."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from core.config import AppConfig, ConfigError, Settings, console_fallback, load_config
from core.logs import redact
from monitor.fetch import Fetcher
from monitor.match import Classifier
from monitor.service.config_rows import sync_config
from monitor.service.housekeeping import Housekeeping
from monitor.start_config import file_state
from storage.db import refusal
from storage.errors import DatabaseError

log = logging.getLogger("monitor.service")  # the service's one logger, as before the split

# settings the HTTP client is built from: a reload that changes one rebuilds the fetcher
FETCHER_SETTINGS = ("request_timeout", "connect_timeout", "max_body_bytes", "max_redirects",
                    "user_agent", "contact_url", "concurrency", "per_host_concurrency")
# settings read once at start-up: a reload that changes one says so by name
RESTART_SETTINGS = ("http_listen", "database_url")
CONFIG_WATCH_EVERY = 2.0


def log_cautions(config: AppConfig) -> None:
    """The config's valid values that most often are a mistake (check-config warns of them too)."""
    for issue in config.cautions:
        log.warning("config: %s", issue)


class ConfigReload(Housekeeping):
    """A changed feeds.yaml (the watcher, SIGHUP) applied to the running service."""

    def _schedule_config_watch(self) -> None:
        assert self.scheduler is not None
        self.scheduler.add_job(
            self._watch_config, IntervalTrigger(seconds=CONFIG_WATCH_EVERY), id="config-watch",
            coalesce=True, max_instances=1,
        )

    async def _watch_config(self) -> None:
        if self._reloads:  # one waits for the database: the next tick looks again
            return
        seen = file_state(self.runtime.config_path)
        if seen == self._config_seen:
            return
        if seen != self._config_changing:  # perhaps half written: applied if the next look finds it the same
            self._config_changing = seen
            return
        self._config_seen = seen
        self._reload_soon()

    def _reload_soon(self) -> None:
        """A reload in a task of its own (the watcher's tick, SIGHUP): its rows are written in a
        worker thread, which may wait for a lock another process holds (the busy timeout)."""
        task = asyncio.get_running_loop().create_task(self.reload(), name="reload")
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    async def reload(self) -> bool:
        """Apply a changed feeds.yaml; an invalid file is logged and the old config stays."""
        async with self._reload_lock:
            try:
                # in a thread: parsing and checking the file (a fifth of a second, more on a busy
                # host or a file of hundreds of feeds) held every poll and /healthz
                new = await asyncio.to_thread(load_config, self.runtime.config_path)
            except ConfigError as exc:
                for line in exc.render().splitlines():
                    log.error("config reload rejected: %s", line.strip())
                log.error("keeping the last valid config")
                return False
            missing = _sections_missing(self.config, new)
            if missing:
                log.error("config reload rejected: %s has no %s (the running config has %s): a file still "
                          "being written? To remove them all, write %s",
                          Path(self.runtime.config_path).name, " and no ".join(f"'{k}' section" for k in missing),
                          " and ".join(f"{len(getattr(self.config, k))} {k}" for k in missing),
                          " and ".join(f"'{k}: []'" for k in missing))
                log.error("keeping the last valid config")
                return False
            try:  # the rows first: a failure here leaves the old config whole, not half applied
                await asyncio.to_thread(sync_config, new, self.db)
                # (its rules' classifier and the rows just written read back: a database lost
                # between them ended the reload task, the file marked as seen and never applied)
                classifier = await asyncio.to_thread(self.pipeline.classifier_for, new)
                rows = await self._read_schedule_rows() if self.feed_scheduler is not None else None
            except (SQLAlchemyError, DatabaseError) as exc:
                reason = refusal(exc) if isinstance(exc, OperationalError) else redact(
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                log.error("config reload failed: %s; keeping the last config, trying again shortly", reason)
                self._config_seen = None  # the watcher's next tick tries the same file again
                return False
            if self.stop_event.is_set():  # stopping while it waited: the next start reads the file
                return False
            self._apply(new, classifier, rows)
            return True

    async def _read_schedule_rows(self) -> tuple[set[str], dict[str, datetime | None]]:
        """`_schedule_rows`, the rows just written, read in a thread: on the event loop, a slow
        or locked database held every poll for the read. Read again when the operator paused or
        resumed a feed meanwhile (the admin chat stores it, then tells the scheduler on the loop):
        the reload's set, read before, would undo that in the scheduler."""
        assert self.feed_scheduler is not None
        while True:
            changes = self.feed_scheduler.pause_changes
            rows = await asyncio.to_thread(self._schedule_rows)
            if self.feed_scheduler.pause_changes == changes:
                return rows

    def _schedule_rows(self) -> tuple[set[str], dict[str, datetime | None]]:
        """The feeds paused from the admin chat, and each feed's stored next poll."""
        return self._paused_feeds(), self._next_polls()

    def _apply(self, new: AppConfig, classifier: Classifier | None = None,
               rows: tuple[set[str], dict[str, datetime | None]] | None = None) -> None:
        """Run on `new`, whose rows are written (with its rules, and the scheduler's `rows`
        (`_schedule_rows`), when read already)."""
        old = self.config
        self.config = new
        if self.poll_states is not None:
            self.poll_states.clear()  # a changed URL reset its validators on the row
        self.pipeline.update_config(new, classifier)
        self.worker.update_config(new)
        self.worker.stale_after = new.settings.delivery_lease  # the next claims use the new lease
        self.admin.update_config(new)
        self.tally_posts.update_config(new)
        # the status page's tally and chart were read with the old topics, packs and timezone:
        # kept, the page showed them as current for up to 10 minutes after the reload
        self._tally = None
        self._apply_fetcher_settings(old.settings, new.settings)
        if self.feed_scheduler is not None:
            self.feed_scheduler.settings = new.settings
            paused, next_polls = rows if rows is not None else self._schedule_rows()
            self.feed_scheduler.paused = paused  # a renamed feed keeps its row's pause
            self.feed_scheduler.sync(new.enabled_feeds, next_polls)
            self._leave_round(set(self.first_round.waiting or ()) - (
                {f.name for f in new.enabled_feeds} - self.feed_scheduler.paused))
            self._schedule_digests()
        added = {f.name for f in new.feeds} - {f.name for f in old.feeds}
        removed = {f.name for f in old.feeds} - {f.name for f in new.feeds}
        self.fetcher.trust_only([f.url for f in new.feeds])
        for name in removed:
            self.metrics.forget_feed(name)
        for topic in set(old.topics) - set(new.topics):
            self.metrics.forget_topic(topic)
        for channel in {c.name for c in old.channels} - {c.name for c in new.channels}:
            self.metrics.forget_channel(channel)
        self.metrics.add_channels(c.name for c in new.channels)
        log.info(
            "config reloaded: %s (feeds added: %s; removed: %s)",
            new.summary(), ", ".join(sorted(added)) or "none", ", ".join(sorted(removed)) or "none",
        )
        log_cautions(new)
        fallback = console_fallback(new, self.runtime)
        if fallback and fallback != console_fallback(old, self.runtime):  # a Telegram channel added
            log.warning("%s", fallback)

    def _apply_fetcher_settings(self, old: Settings, new: Settings) -> None:
        """Rebuild the HTTP client when one of its settings changed (polls in flight finish on
        the old one, closed after its deadline); name the settings that need a restart."""
        changed = [k for k in FETCHER_SETTINGS if getattr(old, k) != getattr(new, k)]
        if changed:
            retired, self.fetcher = self.fetcher, Fetcher(new)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                task = loop.create_task(_close_later(retired, retired.deadline + 1))
                self._retired_fetchers[task] = retired
                task.add_done_callback(lambda t: self._retired_fetchers.pop(t, None))
            log.info("fetcher rebuilt for the new %s", ", ".join(changed))
        restart = [k for k in RESTART_SETTINGS if getattr(old, k) != getattr(new, k)]
        if restart:
            log.warning("config reloaded, but %s take%s effect only after a restart",
                        ", ".join(f"settings.{k}" for k in restart), "s" if len(restart) == 1 else "")


async def _close_later(fetcher: Fetcher, seconds: float) -> None:
    """Close a fetcher replaced by a reload once the fetches it started had time to end."""
    try:
        await asyncio.sleep(seconds)
    finally:
        await fetcher.aclose()


def _sections_missing(old: AppConfig, new: AppConfig) -> list[str]:
    """The sections, `feeds` and `channels`, that the running config has and the new file
    lacks: a file read while an editor writes it (truncated, then written) ends before them,
    and applied it removed every feed and channel; the items classified meanwhile were
    alerted to no channel."""
    return [key for key in ("feeds", "channels") if getattr(old, key) and key not in new.model_fields_set]
