"""Redirect edge cases: a cookie check that sends the client back to the URL it asked for
(not a loop), and a redirect without a Location header (not an "empty response")."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.config import Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher

BODY = b"<rss version='2.0'><channel><title>x</title></channel></rss>"


class _CookieCheck(BaseHTTPRequestHandler):
    """/feed answers 302 back to itself with Set-Cookie until the cookie comes back."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if "seen=1" in (self.headers.get("Cookie") or ""):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            body = BODY
        else:
            self.send_response(302)
            self.send_header("Location", "/feed")
            self.send_header("Set-Cookie", "seen=1; Path=/")
            body = b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def cookie_site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _CookieCheck)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


async def test_a_cookie_check_back_to_the_same_url_is_followed(
    cookie_site: str, settings: Settings
) -> None:
    async with Fetcher(settings, trusted=[cookie_site]) as fetcher:
        result = await fetcher.fetch(cookie_site + "/feed")
    assert result.ok and result.status == 200 and result.body == BODY, result.error


async def test_a_cookie_that_does_not_end_the_loop_is_still_a_loop(
    server: FeedServer, settings: Settings
) -> None:
    server.set_route("/ck", redirect="/ck", status=302, headers={"Set-Cookie": "n=1; Path=/"})
    server.set_route("/a", redirect="/b", status=302)
    server.set_route("/b", redirect="/a", status=302)
    async with Fetcher(settings, trusted=[server.url("/")]) as fetcher:
        cookie_loop = await fetcher.fetch(server.url("/ck"))
        plain_loop = await fetcher.fetch(server.url("/a"))
    assert cookie_loop.error == "redirect loop" and len(server.hits("/ck")) == 2
    assert plain_loop.error == "redirect loop"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_without_location_says_so(
    server: FeedServer, settings: Settings, status: int
) -> None:
    server.set_route("/moved", b"moved", status=status, content_type="text/plain")
    async with Fetcher(settings, trusted=[server.url("/")]) as fetcher:
        result = await fetcher.fetch(server.url("/moved"))
    assert not result.ok and result.status == status
    assert result.error == f"HTTP {status} without a Location header"


async def test_a_redirect_to_a_url_urllib_cannot_read_says_so(
    server: FeedServer, settings: Settings
) -> None:
    # "http://[oops" (an unclosed IPv6 host): urljoin raised ValueError out of fetch(), and the
    # poll was recorded as "internal error: ValueError: Invalid IPv6 URL" with a traceback logged
    server.set_route("/moved", redirect="http://[oops/feed", status=301)
    async with Fetcher(settings, trusted=[server.url("/")]) as fetcher:
        result = await fetcher.fetch(server.url("/moved"))
    assert not result.ok and result.status == 301
    assert result.error == "redirect to an invalid URL 'http://[oops/feed'"
