"""Conditional GETs answered 304 reuse one kept-alive connection per host (a 304 closed
unread used to close its connection: one TCP connection per poll)."""

from __future__ import annotations

import asyncio

from core.config import Settings
from monitor.fetch import Fetcher


async def test_304s_reuse_one_connection(settings: Settings) -> None:
    connections = 0
    requests = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections, requests
        connections += 1
        try:
            while (await reader.readuntil(b"\r\n\r\n")):
                requests += 1
                writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    try:
        async with Fetcher(settings, trusted=[url]) as fetcher:
            for _ in range(5):
                result = await fetcher.fetch(url, etag='"v1"')
                assert result.ok and result.not_modified and result.headers["etag"] == '"v1"'
    finally:
        server.close()
        await server.wait_closed()
    assert requests == 5
    assert connections == 1
