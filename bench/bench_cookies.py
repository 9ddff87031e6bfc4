"""What the fetcher's cookies cost over months: a loopback server sets a fresh cookie on every
response (a new name each visit, a year's Max-Age: what ad and analytics scripts do), and the
fetcher fetches it N times. Prints the cookies the fetcher holds, the Cookie header it sends,
the growth of peak RSS, and the time of a fetch at the start and at the end.

    python -m bench.bench_cookies [N]
"""

from __future__ import annotations

import asyncio
import os
import platform
import resource
import sys
import time

from core.config import Settings
from monitor.fetch.client import Fetcher

BODY = b"<rss><channel><title>t</title></channel></rss>"


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, state: dict[str, int]) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            cookie = next((line for line in head.split(b"\r\n") if line.lower().startswith(b"cookie:")), b"")
            state["n"] += 1
            state["cookie_bytes"] = len(cookie)
            n = state["n"]
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                + f"Set-Cookie: v{n}=visit-{n}-{'x' * 40}; Path=/; Max-Age=31536000\r\n".encode()
                + f"Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):  # the bench ends
        writer.close()


def held(fetcher: Fetcher) -> int:
    return len(fetcher._client.cookies.jar)


async def run(n: int) -> None:
    state = {"n": 0, "cookie_bytes": 0}
    server = await asyncio.start_server(lambda r, w: _serve(r, w, state), "127.0.0.1", 0, limit=2**24)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/feed"
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    settings = Settings(allow_private=["127.0.0.1"])
    async with Fetcher(settings, trusted=[url]) as fetcher:
        start = time.perf_counter()
        for _ in range(200):
            assert (await fetcher.fetch(url)).ok
        first = (time.perf_counter() - start) / 200
        t0 = time.perf_counter()
        for i in range(n - 400):
            result = await fetcher.fetch(url)
            if not result.ok:
                print(f"fetch {i + 200}: {result.error}")
                break
        middle = time.perf_counter() - t0
        start = time.perf_counter()
        for _ in range(200):
            result = await fetcher.fetch(url)
        last = (time.perf_counter() - start) / 200
        memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024
        print(f"{n:,} responses, each setting a new cookie: {held(fetcher):,} cookies held; "
              f"last request's Cookie header {state['cookie_bytes']:,} bytes; last fetch: "
              f"{result.status} {result.error or ''}")
        print(f"peak RSS grew {memory / 1e6:.1f} MB; a fetch {first * 1e3:.2f} ms at first, "
              f"{last * 1e3:.2f} ms at the end ({last / first:.1f}x); middle {middle:.0f} s")
    server.close()
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()} "
          f"({platform.machine()}, {platform.system()})")


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
