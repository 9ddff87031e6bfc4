"""Time for the delivery worker: wall time for the database, monotonic time for rate
limits, and sleeping; `ManualClock` lets tests run minutes of backoff in milliseconds."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that only moves when told to (`advance`) or when something sleeps on it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime.now(UTC)
        self._offset = 0.0

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        return 1000.0 + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += max(0.0, seconds)

    def step(self, seconds: float) -> None:
        """The wall clock stepped (NTP, a VM restored, the date set by hand), either way:
        `now()` moves, `monotonic()` does not."""
        self._start += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)
