"""Conditional GETs answered 304 reuse one kept-alive connection per host (a 304 closed
unread used to close its connection: one TCP connection per poll)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

import pytest

from core.config import Settings
from monitor.fetch import Fetcher
from monitor.fetch.policy import GuardedBackend, OutboundPolicy, QuickCheckStream


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


@pytest.mark.parametrize("ending", ["close", "reset"])
async def test_a_kept_alive_connection_the_server_closed_is_not_a_failed_fetch(
    ending: str, settings: Settings
) -> None:
    """A server that closes a kept-alive connection as the next request arrives (its idle timeout
    running out at that moment; here every connection's second request) made httpx fail the
    fetch with "Server disconnected without sending a response" (or ReadError, closed with a
    reset): every other poll of such a server failed, and 15-18 of 200 fetches timed at a server's
    0.2 s idle timeout. The request is sent again once on a new connection, as browsers and
    urllib3 do for a GET."""
    requests = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal requests
        try:
            await reader.readuntil(b"\r\n\r\n")
            requests += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<rss/>")
            await writer.drain()
            await reader.readuntil(b"\r\n\r\n")  # the next request: closed unanswered
            requests += 1
            if ending == "reset":
                writer.get_extra_info("socket").setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/feed.xml"
    try:
        async with Fetcher(settings, trusted=[url]) as fetcher:
            results = [await fetcher.fetch(url) for _ in range(4)]
    finally:
        server.close()
        await server.wait_closed()
    assert [r.error for r in results] == [None] * 4
    assert [r.body for r in results] == [b"<rss/>"] * 4
    assert requests == 7  # 4 answered, 3 sent on a closing connection (the last one's is kept)


@pytest.mark.parametrize("ending", ["close", "reset"])
async def test_a_new_connection_closed_unanswered_is_not_sent_again(ending: str, settings: Settings) -> None:
    """Only a kept-alive connection's request is sent again: on a new connection the server
    read the request and chose to close (an overloaded or rate-limiting host dropping it, a
    crash after it acted), and asking again at once doubled what such a host counted. It was
    sent twice."""
    requests = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal requests
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await reader.readuntil(b"\r\n\r\n")
            requests += 1
            if ending == "reset":
                writer.get_extra_info("socket").setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/feed.xml"
    try:
        async with Fetcher(settings, trusted=[url]) as fetcher:
            result = await fetcher.fetch(url)
    finally:
        server.close()
        await server.wait_closed()
    assert result.error is not None and result.status is None
    if ending == "close":
        assert result.error == "protocol error: Server disconnected without sending a response."
    assert requests == 1


async def test_an_idle_connection_the_server_closed_is_seen_closed_before_it_is_reused() -> None:
    """httpcore asks each idle connection of the pool whether the server closed it (its socket
    readable) before it reuses one; `QuickCheckStream` answers from the socket itself (anyio
    built the stream's whole table of attributes for it, about 30 times a request)."""
    closing = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await closing.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        stream = await GuardedBackend(OutboundPolicy(["127.0.0.1/32"])).connect_tcp("127.0.0.1", port)
        assert isinstance(stream, QuickCheckStream)
        assert stream.get_extra_info("is_readable") is False  # open and idle
        assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)  # the rest: anyio's
        closing.set()
        for _ in range(200):
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable") is True  # the b"" of the close is waiting
        assert await stream.read(10) == b""
        await stream.aclose()
        assert stream.get_extra_info("is_readable") is True  # closed here: no descriptor
    finally:
        server.close()
        await server.wait_closed()
