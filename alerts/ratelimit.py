"""Client-side flood control: at most N messages per window per chat and M per second overall.

Per chat the window counts *completion* times: the next message starts only a
full window after an earlier one was answered, so the server, which counts
arrivals, can never see N+1 inside its window. `block` holds a chat after a 429
for exactly its retry_after.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, per_chat: int, per_second: int, *, window: float = 60.0,
        clock: Callable[[], float], sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.per_chat = per_chat
        self.per_second = per_second
        self.window = window
        self._clock = clock
        self._sleep = sleep or asyncio.sleep
        self._chats: dict[str, deque[float]] = {}
        self._blocked: dict[str, float] = {}
        self._held: dict[str, float] = {}  # chats whose window other replicas filled: until when
        self._global: deque[float] = deque()
        self._lock = asyncio.Lock()

    def configure(self, per_chat: int, per_second: int) -> None:
        self.per_chat, self.per_second = per_chat, per_second

    def chat_wait(self, chat: str) -> float:
        """Seconds until `chat` may send again (0 when it may now)."""
        now = self._clock()
        times = self._chats.setdefault(chat, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        wait = max(self._blocked.get(chat, 0.0), self._held.get(chat, 0.0)) - now
        if len(times) >= self.per_chat:
            wait = max(wait, times[-self.per_chat] + self.window - now)
        return max(0.0, wait)

    def record(self, chat: str) -> None:
        self._chats.setdefault(chat, deque()).append(self._clock())

    def seed(self, chat: str, times: list[float]) -> None:
        """Add completion times (on this limiter's clock) a process before this one recorded:
        its sends in the last window still count against the chat."""
        merged = sorted([*self._chats.get(chat, ()), *times])
        self._chats[chat] = deque(merged)

    def hold(self, chat: str, seconds: float) -> None:
        """Wait `seconds` before `chat`'s next message: its window, shared with other replicas
        through the outbox, is full (no 429: `blocked` stays False)."""
        self._held[chat] = max(self._held.get(chat, 0.0), self._clock() + seconds)

    def block(self, chat: str, seconds: float) -> None:
        self._blocked[chat] = max(self._blocked.get(chat, 0.0), self._clock() + seconds)

    def blocked(self, chat: str) -> bool:
        """Whether `chat` is held by a 429's retry_after."""
        return self._blocked.get(chat, 0.0) > self._clock()

    async def acquire_global(self) -> None:
        """Wait for a slot in the overall per-second budget and take it."""
        async with self._lock:
            while True:
                now = self._clock()
                while self._global and self._global[0] <= now - 1.0:
                    self._global.popleft()
                if len(self._global) < self.per_second:
                    self._global.append(now)
                    return
                await self._sleep(self._global[0] + 1.0 - now)  # type: ignore[misc]
