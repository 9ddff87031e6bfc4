"""The health listener's views of the service: `/healthz` and the status page with its tally chart
(read in the listener's thread)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from alerts.tally.figures import Tally
from monitor.health import HealthServer, listen_failure
from monitor.service.housekeeping import HEARTBEAT_EVERY, Housekeeping
from storage.alerts import queue_depth
from storage.db import ping
from storage.feeds import last_successful_poll

log = logging.getLogger("monitor.service")  # the service's one logger, as before the split

CHART_EVERY = 600.0  # the status page's tally chart is redrawn at most this often


class StatusViews(Housekeeping):
    """What the health listener serves: `/healthz`, the status page and its tally chart."""

    def _start_health(self) -> HealthServer | None:
        try:
            server = HealthServer(self.config.settings.http_listen, self.metrics, self.health,
                                  page=self.status_page, chart=self.tally_chart)
        except OSError as exc:
            log.error("%s", listen_failure(self.config.settings.http_listen, exc))
            return None
        log.info("health and metrics on %s/healthz and /metrics", server.address)
        return server.start()

    def status_page(self) -> str:
        """The HTML status page at `/` (read in the health listener's thread)."""
        from monitor.status_page import render_status_page

        return render_status_page(self.db, self.config, now=datetime.now(UTC), telegram=self.worker.health.status(),
                                  tally=self.page_tally())

    def page_tally(self, *, fresh: bool = False) -> tuple[datetime, Tally]:
        """The tally the status page and its chart show, read at most once every 10 minutes
        (`fresh`: now): a year's tally takes seconds, and the page reloads every minute in each
        open tab (before, each reload read it: 2.4-4 s on bench/year_db.py's year)."""
        from alerts.tally.figures import load_tally

        if fresh or self._tally is None or time.monotonic() - self._tally[0] > CHART_EVERY:
            with self.db.session() as session:
                self._tally = (time.monotonic(), datetime.now(UTC), load_tally(session, self.config))
        return self._tally[1], self._tally[2]

    def tally_chart(self) -> bytes | None:
        """The tally chart for the status page, drawn at most once every 10 minutes."""
        from alerts.tally.chart import render_png

        drawn_for, png = self._chart
        _, tally = self.page_tally(fresh=png is None)
        read = self._tally[0] if self._tally else 0.0
        if read != drawn_for:  # drawn again only from a tally read again
            png = render_png(tally) if tally.figures else None
            self._chart = (read, png)
        return png

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {"time": datetime.now(UTC).isoformat()}
        beat_age = time.monotonic() - self.heartbeat
        alive = bool(self.scheduler and self.scheduler.running) and beat_age < 6 * HEARTBEAT_EVERY
        report["scheduler"] = {"alive": alive, "heartbeat_age_s": round(beat_age, 1)}
        try:
            with self.db.session() as session:
                ping(session)
                depth = queue_depth(session, {c.name for c in self.config.channels})
                last = last_successful_poll(session)
                identity = self.db.identity_in(session)  # PostgreSQL's read once, on this connection
            report["database"] = {"reachable": True, "id": identity}
            problem = self._database_file()
            if problem is not None:
                report["database"]["file"] = problem
            refused = self.db.write_refused  # reads answer, writes do not: nothing is stored or sent
            if refused is not None:
                report["database"].update(writable=False, error=refused.reason,
                                          refused_since=refused.since.isoformat())
            report["queue_depth"] = depth.queued
            report["alerts_held"] = {"disabled": depth.disabled, "removed": depth.removed}
            report["last_successful_poll_age_s"] = (
                round((datetime.now(UTC) - last).total_seconds(), 1) if last else None
            )
            self.metrics.queue_depth.set(depth.queued)
            self.metrics.alerts_held.labels(reason="disabled").set(depth.disabled)
            self.metrics.alerts_held.labels(reason="removed").set(depth.removed)
            if last is not None:  # a new process, or a replica polling none: the stored one, not 0
                self.metrics.last_success.set(last.timestamp())
        except Exception as exc:
            report["database"] = {"reachable": False, "error": str(exc).splitlines()[0]}
        offset = self.fetcher.server_clocks.offset()
        report["clock_offset_s"] = None if offset is None else round(offset, 1)  # ahead of the feeds' servers
        report["replica"] = self.replicas.status()  # "leader": whether this replica leads
        report["model"] = self.pipeline.model_load.status  # "rules only" when missing or corrupt
        report["telegram"] = self.worker.health.status()  # an outage does not make the service unhealthy
        database = report["database"]
        healthy = database["reachable"] and database.get("writable", True) and "file" not in database
        report["status"] = "ok" if alive and healthy else "unhealthy"
        return report
