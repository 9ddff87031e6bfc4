"""How far this host's clock is from the web servers' it polls, by their `Date` headers.

A clock set wrong by hand, or a VM restored with the time of its snapshot, is wrong for the
whole service: a day ahead, every new item looks a day old and is stored as backfill, never
alerted; an hour or more behind, every item's date looks ahead and is taken for no date. Each
response's `Date` gives the server's time to the second; the median over the last hosts heard
(one value per host and port, so one feed's wrong server, or many feeds of one site, cannot
decide it)
says whether this host's clock is off, and by how much.
"""

from __future__ import annotations

import statistics
from collections import OrderedDict
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

HOSTS_KEPT = 25
HOSTS_NEEDED = 3  # fewer hosts heard: no judgement


class ServerClocks:
    def __init__(self) -> None:
        self._offsets: OrderedDict[str, float] = OrderedDict()  # host -> local minus server, s

    def observe(self, url: str, date: str | None, now: datetime | None = None, age: str | None = None) -> None:
        """Note a response's `Date` header, read at `now` (default: the clock). `age`, its
        `Age` header: a cache (a CDN, Varnish) answers with the Date its origin gave the response
        it stored, `Age` seconds ago (RFC 9111); read without it, a feed cached ten minutes
        made a right clock '10m ahead of the feeds' servers'."""
        parts = urlsplit(url)
        if not parts.hostname or not date:
            return
        host = f"{parts.hostname}:{parts.port or ''}"
        try:
            server = parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        if server.tzinfo is None:  # "-0000": UTC by RFC 5322
            server = server.replace(tzinfo=UTC)
        self._offsets[host] = ((now or datetime.now(UTC)) - server).total_seconds() - _seconds(age)
        self._offsets.move_to_end(host)
        while len(self._offsets) > HOSTS_KEPT:
            self._offsets.popitem(last=False)

    def offset(self) -> float | None:
        """Seconds this host's clock is ahead of the servers' (negative: behind), the median
        of the last hosts heard; None before HOSTS_NEEDED hosts have answered."""
        if len(self._offsets) < HOSTS_NEEDED:
            return None
        return statistics.median(self._offsets.values())


def _seconds(age: str | None) -> float:
    """An `Age` header's seconds (a non-negative integer, RFC 9111); 0 when absent or invalid."""
    value = (age or "").strip()
    return float(value) if value.isascii() and value.isdigit() else 0.0
