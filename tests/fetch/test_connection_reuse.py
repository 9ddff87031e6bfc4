"""Conditional GETs answered 304 reuse one kept-alive connection per host (a 304 closed
unread used to close its connection: one TCP connection per poll)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import struct
import subprocess
from pathlib import Path

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


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command for a certificate")
async def test_a_tls_connection_answers_the_same_check_from_its_socket(tmp_path: Path) -> None:
    """Most feeds are HTTPS: the stream after the TLS upgrade is the library's (its ssl_object for
    ALPN), and the check still reads the socket under it."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    closing = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            await closing.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_side)
    port = server.sockets[0].getsockname()[1]
    try:
        plain = await GuardedBackend(OutboundPolicy(["127.0.0.1/32"])).connect_tcp("127.0.0.1", port)
        stream = await plain.start_tls(ssl.create_default_context(cafile=str(cert)), "127.0.0.1", timeout=10)
        assert isinstance(stream, QuickCheckStream)
        assert stream.get_extra_info("ssl_object") is not None
        await stream.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while not answer.endswith(b"ok"):
            answer += await stream.read(1024, timeout=10)
        assert answer.startswith(b"HTTP/1.1 200 OK")
        assert stream.get_extra_info("is_readable") is False  # answered, idle, open
        closing.set()
        for _ in range(200):
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable") is True  # the server's close is waiting
        await stream.aclose()
    finally:
        server.close()
        await server.wait_closed()
