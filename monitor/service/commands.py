"""The two commands: `monitor poll-once` (one pass) and `monitor run` (the long run)."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO

from core.config import AppConfig, Runtime
from monitor.service.config_rows import sync_config
from monitor.service.core import STOP_LIMIT, Service
from monitor.start_config import FileState
from storage.db import Database


def poll_once(
    config: AppConfig, runtime: Runtime, db: Database, *, dry_run: bool = False,
    only: list[str] | None = None, out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    unknown = [n for n in only or [] if config.feed(n) is None]
    if unknown:
        print(f"error: no such feed: {', '.join(unknown)}; feeds: "
              f"{', '.join(f.name for f in config.feeds) or 'none'}", file=sys.stderr)
        return 2
    return asyncio.run(_poll_once(config, runtime, db, dry_run=dry_run, only=only, out=out))


async def _poll_once(
    config: AppConfig, runtime: Runtime, db: Database, *, dry_run: bool, only: list[str] | None,
    out: TextIO,
) -> int:
    sync_config(config, db)
    service = Service(config, runtime, db, out=out, dry_run=dry_run)
    summary = _Summary(out)
    try:
        await service.drop_marks_ahead()  # a clock set back since the last run
        await service.classify_pending()
        results = await service.poll_once(only)
        for result in results:
            summary.line(result.summary_line())
        for name in service.skipped_paused:
            summary.line(f"{name}: paused from the admin chat, not polled (/resume {name}, "
                         f"or name it: --feed {name})")
        service.check_server_clocks()
        failed = sum(r.status == "error" for r in results)
        new = sum(len(r.new_item_ids) for r in results)
        await service.worker.start()
        stats = await service.worker.deliver_pending()
        summary.line(f"{len(results)} feeds polled, {failed} failed, {new} new items; alerts: {stats}")
        if service.items_failed:
            summary.line(f"{service.items_failed} items could not be processed: left pending for the "
                         "next run (the log has each one's error)")
    finally:
        await service.close()
    return summary.told()


class _Summary:
    """The pass's summary lines. One that cannot be written (`poll-once >> poll.log` on a full
    disk) stops no work: before, the pass ended at the first line, its alerts queued and
    unsent, in a traceback. The error is told once the pass is done, exit 1."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failed: OSError | None = None

    def line(self, text: str) -> None:
        if self.failed is not None:
            return
        try:
            print(text, file=self.out)
            self.out.flush()
        except OSError as exc:
            self.failed = exc

    def told(self) -> int:
        """0, or after the error: 1 and one line on stderr (a closed pipe: as main() ends it)."""
        if self.failed is None:
            return 0
        if isinstance(self.failed, BrokenPipeError):  # the reader had enough
            raise self.failed
        print(f"error: cannot write the output: {self.failed.strerror or self.failed} (the pass was "
              "done: its summary is lost)", file=sys.stderr)
        return 1


def run_service(config: AppConfig, runtime: Runtime, db: Database, *, config_state: FileState,
                reload_asked: threading.Event | None = None) -> int:
    """`monitor run`; `reload_asked` is set by a SIGHUP received while starting, `config_state`
    is the state of the file `config` was read from (monitor.start_config.read_settled)."""

    async def main() -> int:
        service = Service(config, runtime, db)
        service.config_read_from(config_state)
        service.exit_after_stop = STOP_LIMIT
        if reload_asked is not None:
            service.reload_asked = reload_asked
        return await service.run()

    return asyncio.run(main())
