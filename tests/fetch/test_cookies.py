"""Cookies over months of polling: a cookie lives for one fetch (the cookie check's return),
so sites that set a cookie on every visit, a huge cookie, or a metered paywall counting
articles per cookie cannot change what later fetches get. Real loopback servers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.config import Settings
from monitor.fetch import Fetcher
from monitor.ingest.article import fetch_article

BODY = b"<rss version='2.0'><channel><title>x</title></channel></rss>"
FIELD_LIMIT = 8190  # Apache's LimitRequestFieldSize; nginx's large_client_header_buffers is 8 KB
ARTICLE = (
    "<html><body><article><h1>Excarcelan a presos politicos</h1>"
    + "".join(f"<p>Parrafo {i} de la nota sobre las excarcelaciones en Caracas, con detalles "
              "de cada caso y de las familias que esperaban afuera del centro.</p>" for i in range(8))
    + "</article></body></html>"
).encode()
PAYWALL = (
    b"<html><body><article><p>Has alcanzado el limite de articulos gratuitos. Contenido "
    b"exclusivo para suscriptores: suscribete para seguir leyendo.</p></article></body></html>"
)
FREE_ARTICLES = 3


class _Site(BaseHTTPRequestHandler):
    """/visit sets a new cookie every time (a 200-byte value, a year's Max-Age); /huge sets one
    cookie of 10 KB; /feed is the feed; /nota/N is an article, behind a meter that counts the
    articles read with its cookie. Any request whose Cookie header is over FIELD_LIMIT bytes is
    answered 400, as Apache and nginx do."""

    protocol_version = "HTTP/1.1"
    visits = 0
    cookies_seen: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        cookie = self.headers.get("Cookie") or ""
        type(self).cookies_seen.append(cookie)
        headers: dict[str, str] = {}
        if len(cookie) > FIELD_LIMIT:
            status, body = 400, b"Size of a request header field exceeds server limit."
        elif self.path == "/visit":
            type(self).visits += 1
            headers["Set-Cookie"] = f"v{self.visits}={'x' * 200}; Path=/; Max-Age=31536000"
            status, body = 200, BODY
        elif self.path == "/huge":
            headers["Set-Cookie"] = f"big={'y' * 10_000}; Path=/; Max-Age=31536000"
            status, body = 200, BODY
        elif self.path.startswith("/nota/"):
            read = int(cookie.split("meter=", 1)[1].split(";")[0]) if "meter=" in cookie else 0
            headers["Set-Cookie"] = f"meter={read + 1}; Path=/; Max-Age=2592000"
            headers["Content-Type"] = "text/html; charset=utf-8"
            status, body = 200, PAYWALL if read >= FREE_ARTICLES else ARTICLE
        else:
            status, body = 200, BODY
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def handler() -> type[_Site]:
    return type("Site", (_Site,), {"visits": 0, "cookies_seen": []})


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def site(handler: type[_Site]) -> Iterator[str]:
    with serving(handler) as url:
        yield url


async def test_a_site_that_sets_a_cookie_on_every_visit_is_read_poll_after_poll(
    site: str, settings: Settings
) -> None:
    """Kept for the process's life, 41 visits' cookies made a Cookie header over 8 KB: every
    later poll of the site was a 400, for good."""
    async with Fetcher(settings, trusted=[site]) as fetcher:
        results = [await fetcher.fetch(site + "/visit") for _ in range(60)]
    assert [r.error for r in results if not r.ok] == []


async def test_a_huge_cookie_fails_no_later_fetch(site: str, settings: Settings) -> None:
    async with Fetcher(settings, trusted=[site]) as fetcher:
        assert (await fetcher.fetch(site + "/huge")).ok
        after = await fetcher.fetch(site + "/feed")
    assert after.ok and after.body == BODY, after.error


async def test_a_metered_paywall_does_not_count_the_articles_read(site: str, settings: Settings) -> None:
    """A site that counts the articles read per cookie served its paywall from the fourth on."""
    async with Fetcher(settings, trusted=[site]) as fetcher:
        articles = [await fetch_article(fetcher, f"{site}/nota/{n}") for n in range(FREE_ARTICLES + 3)]
    assert [a.problem for a in articles] == [None] * len(articles)
    assert all("Excarcelan" in (a.text or "") or "Parrafo" in (a.text or "") for a in articles)


class _Redirector(BaseHTTPRequestHandler):
    """Sets a cookie and redirects to the URL in the query (another host)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.send_response(302)
        self.send_header("Set-Cookie", "session=secret-of-a; Path=/; Max-Age=3600")
        self.send_header("Location", self.path.split("?to=", 1)[1])
        self.send_header("Content-Length", "0")
        self.end_headers()


async def test_a_cookie_goes_back_to_its_own_host_only(
    site: str, handler: type[_Site], settings: Settings
) -> None:
    """A redirect to another host does not carry the first host's cookie."""
    other = site.replace("127.0.0.1", "localhost")  # the same server under another host name
    with serving(_Redirector) as first:
        async with Fetcher(settings, trusted=[first, other]) as fetcher:
            result = await fetcher.fetch(f"{first}/go?to={other}/feed")
            again = await fetcher.fetch(f"{other}/feed")
    assert result.ok and again.ok, (result.error, again.error)
    assert handler.cookies_seen == ["", ""]
