"""The operator's controls (alerts.admin.AdminControls): what the admin chat may change in the
running service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from monitor.service.state import ServiceState
from storage.feeds import feed_named

log = logging.getLogger("monitor.service")  # the service's one logger, as before the split


class OperatorControls(ServiceState):
    """What the admin chat may change: pauses, and a wake of the delivery worker."""

    def pause(self, name: str) -> bool:
        """Stop polling a feed until resumed; the pause survives restarts (Feed.paused)."""
        return self._set_paused(name, True)

    def resume(self, name: str) -> bool:
        return self._set_paused(name, False)

    def _set_paused(self, name: str, paused: bool) -> bool:
        """Store the pause, then tell the scheduler on the event loop (the admin chat calls
        this from a worker thread, so that a locked database holds no poll)."""
        if self.config.feed(name) is None:
            return False
        with self.db.session() as session:
            feed = feed_named(session, name)
            if feed is not None:
                feed.paused = paused
        if self.feed_scheduler is not None:
            self._on_loop((self.feed_scheduler.pause if paused else self.feed_scheduler.resume), name)
        log.info("%s %s by the operator", name, "paused" if paused else "resumed")
        return True

    def _on_loop(self, call: Callable[[str], object], arg: str) -> None:
        """`call(arg)` now when on the service's event loop, else queued to it."""
        loop = self._loop
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if loop is None or here is loop:
            call(arg)
        else:
            loop.call_soon_threadsafe(call, arg)

    def wake_delivery(self) -> None:
        self.worker.wake()
