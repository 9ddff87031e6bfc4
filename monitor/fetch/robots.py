"""robots.txt: fetched once per site and cached (RFC 9309 semantics).

A 4xx robots.txt means everything is allowed; a 5xx or an unreachable one means
nothing is, for a shorter while, as the RFC asks. Rules are matched by Protego as the RFC
says (the longest matching path decides, `*` and `$` in paths): urllib's RobotFileParser
takes the first rule that matches and reads `*` literally, so a site writing `Disallow: /`
before `Allow: /noticias/` had every article refused. A site whose address the outbound
policy refuses is refused as a whole (robots.txt is the first request to it). Sites whose
entry expired are forgotten once the cache holds MAX_SITES, and past MAX_SITES unexpired the
ones soonest to expire, so a service that meets new sites for months (or thousands in a
minute) does not keep every one.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from protego import Protego

if TYPE_CHECKING:
    from monitor.fetch.client import Fetcher

TTL = 24 * 3600.0
ERROR_TTL = 600.0
MAX_ROBOTS_BYTES = 500_000
MAX_SITES = 1_000  # cached sites before expired ones are forgotten


class RobotsCache:
    def __init__(self, fetcher: Fetcher, *, ttl: float = TTL, error_ttl: float = ERROR_TTL) -> None:
        self.fetcher = fetcher
        self.ttl = ttl
        self.error_ttl = error_ttl
        self.agent = fetcher.user_agent.split("/", 1)[0].split()[0] or "*"
        self._cache: dict[str, tuple[float, Protego | None, str | None]] = {}
        self.refused: dict[str, str] = {}  # origin -> refused host, while cached
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> tuple[bool, str | None]:
        """(True, None) when `url` may be fetched, else (False, reason)."""
        origin = _site(url)
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._cache.get(origin)
            if entry is None or entry[0] < time.monotonic():
                entry = await self._load(origin)
                self._cache[origin] = entry
                self._forget_expired()
        _, parser, problem = entry
        if parser is None:
            return False, problem
        if parser.can_fetch(url, self.agent):
            return True, None
        return False, "disallowed by robots.txt"

    def refused_host(self, url: str) -> str | None:
        """The host the policy refused when robots.txt of `url`'s site was fetched."""
        return self.refused.get(_site(url))

    def forget_refused(self) -> None:
        """Forget the sites the outbound policy refused: it changed (a reloaded allow list, a
        new feed's origin), and they are asked again rather than refused until their entry
        expires."""
        for origin in self.refused:
            self._cache.pop(origin, None)
        self.refused.clear()

    def _forget_expired(self) -> None:
        if len(self._cache) <= MAX_SITES:
            return
        now = time.monotonic()
        gone = [o for o, (until, _, _) in self._cache.items() if until < now]
        if len(self._cache) - len(gone) > MAX_SITES:  # a burst of new sites: the soonest to expire too
            soonest = sorted((until, o) for o, (until, _, _) in self._cache.items() if until >= now)
            gone += [o for _, o in soonest[:len(self._cache) - len(gone) - MAX_SITES]]
        for origin in gone:
            del self._cache[origin]
            self.refused.pop(origin, None)
            lock = self._locks.get(origin)
            if lock is not None and not lock.locked():
                del self._locks[origin]

    async def _load(self, origin: str) -> tuple[float, Protego | None, str | None]:
        result = await self.fetcher.fetch(origin + "/robots.txt", accept="text/plain, */*;q=0.5")
        now = time.monotonic()
        if result.refused is not None:
            self.refused[origin] = result.refused
            return now + self.error_ttl, None, result.error
        self.refused.pop(origin, None)
        if result.status is not None and 400 <= result.status < 500:
            return now + self.ttl, Protego.parse(""), None  # no robots.txt: everything allowed
        if not result.ok or result.status is None or result.status >= 300:
            why = result.error or f"HTTP {result.status}"
            return now + self.error_ttl, None, f"robots.txt unavailable ({why})"
        text = result.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return now + self.ttl, Protego.parse(text), None


def _site(url: str) -> str:
    """The site `url` is on, its robots.txt's origin: scheme and host lower-cased, the user
    and password as written (lower-cased with the rest, a feed's password fetched robots.txt
    with the wrong one: a 401, read as "everything allowed", at every refresh)."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    return f"{parts.scheme.lower()}://{userinfo}{at}{host.lower()}"
