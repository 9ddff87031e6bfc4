"""Kept-alive connections a server closes as the next request goes out: a loopback server closes
connections idle for 0.2 s, and the fetcher fetches it every 0.190-0.209 s (the race of a
server's keep-alive timeout with a poll). Prints how many fetches failed, and with what.

    python -m bench.bench_keepalive [N]
"""

from __future__ import annotations

import asyncio
import collections
import os
import platform
import sys

from core.config import Settings
from monitor.fetch.client import Fetcher

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<rss/>"
IDLE = 0.2  # seconds the server keeps an idle connection


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE)
            writer.write(RESPONSE)
            await writer.drain()
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        writer.close()


async def run(n: int) -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/feed"
    outcomes: collections.Counter[str] = collections.Counter()
    async with Fetcher(Settings(allow_private=["127.0.0.1"]), trusted=[url]) as fetcher:
        for i in range(n):
            await asyncio.sleep(IDLE - 0.01 + (i % 20) * 0.001)
            outcomes[(await fetcher.fetch(url)).error or "ok"] += 1
    server.close()
    failed = n - outcomes["ok"]
    print(f"{failed} of {n} fetches failed: {dict(outcomes)}")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()} "
          f"({platform.machine()}, {platform.system()})")


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
