"""robots.txt: fetched once per site and cached (RFC 9309 semantics).

A 4xx robots.txt means everything is allowed; a 5xx or an unreachable one means
nothing is, for a shorter while, as the RFC asks. Rules are matched as the RFC says (the
longest matching path decides, `*` and `$` in paths): urllib's RobotFileParser takes the
first rule that matches and reads `*` literally, so only its parsing is used. A site whose address the outbound
policy refuses is refused as a whole (robots.txt is the first request to it).
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from urllib.robotparser import RobotFileParser

if TYPE_CHECKING:
    from monitor.fetch.client import Fetcher

TTL = 24 * 3600.0
ERROR_TTL = 600.0
MAX_ROBOTS_BYTES = 500_000


class RobotsCache:
    def __init__(self, fetcher: Fetcher, *, ttl: float = TTL, error_ttl: float = ERROR_TTL) -> None:
        self.fetcher = fetcher
        self.ttl = ttl
        self.error_ttl = error_ttl
        self.agent = fetcher.user_agent.split("/", 1)[0].split()[0] or "*"
        self._cache: dict[str, tuple[float, RobotFileParser | None, str | None]] = {}
        self.refused: dict[str, str] = {}  # origin -> refused host, while cached
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> tuple[bool, str | None]:
        """(True, None) when `url` may be fetched, else (False, reason)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._cache.get(origin)
            if entry is None or entry[0] < time.monotonic():
                entry = await self._load(origin)
                self._cache[origin] = entry
        _, parser, problem = entry
        if parser is None:
            return False, problem
        if can_fetch(parser, self.agent, url):
            return True, None
        return False, "disallowed by robots.txt"

    def refused_host(self, url: str) -> str | None:
        """The host the policy refused when robots.txt of `url`'s site was fetched."""
        parts = urlsplit(url)
        return self.refused.get(f"{parts.scheme}://{parts.netloc}".lower())

    async def _load(self, origin: str) -> tuple[float, RobotFileParser | None, str | None]:
        result = await self.fetcher.fetch(origin + "/robots.txt", accept="text/plain, */*;q=0.5")
        now = time.monotonic()
        if result.refused is not None:
            self.refused[origin] = result.refused
            return now + self.error_ttl, None, result.error
        self.refused.pop(origin, None)
        parser = RobotFileParser()
        if result.status is not None and 400 <= result.status < 500:
            parser.parse([])  # no robots.txt: everything allowed
            return now + self.ttl, parser, None
        if not result.ok or result.status is None or result.status >= 300:
            why = result.error or f"HTTP {result.status}"
            return now + self.error_ttl, None, f"robots.txt unavailable ({why})"
        text = result.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        return now + self.ttl, parser, None


def can_fetch(parser: RobotFileParser, agent: str, url: str) -> bool:
    """Whether the rules of `agent`'s group (else `*`'s) allow `url`: the rule with the
    longest path that matches decides, Allow on a tie (RFC 9309, 2.2.2). Paths are compared
    percent-decoded (RobotFileParser stores them quoted, `*` as `%2A`)."""
    entry = next((e for e in parser.entries if e.applies_to(agent)), parser.default_entry)
    if entry is None:
        return True
    parts = urlsplit(url)
    path = unquote(parts.path or "/") + (f"?{unquote(parts.query)}" if parts.query else "")
    best: tuple[int, bool] | None = None
    for rule in entry.rulelines:
        pattern = unquote(rule.path)
        if pattern and _pattern(pattern).match(path):
            key = (len(pattern), rule.allowance)
            best = key if best is None or key > best else best
    return True if best is None else best[1]


def _pattern(path: str) -> re.Pattern[str]:
    """A robots.txt path as a regex: `*` any characters, a final `$` the end of the URL."""
    end = path.endswith("$")
    body = ".*".join(re.escape(part) for part in (path[:-1] if end else path).split("*"))
    return re.compile(body + ("$" if end else ""), re.DOTALL)
