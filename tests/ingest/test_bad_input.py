"""Every kind of bad input, each on its own feed, all polled at once against a real server:
each problem is recorded on its feed, the good feed is unaffected, nothing raises."""

import asyncio
import random
import socket
import string
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.config import FeedConfig, Selectors, Settings
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from storage.db import Database
from storage.models import Feed, Item

NOW = datetime.now(UTC)
GOOD = rss([SampleItem(f"Nota {i}", f"https://ex.org/{i}", "Texto " * 100,
                       published=NOW - timedelta(hours=1)) for i in range(3)])
LATIN1 = rss([SampleItem("Excarcelación en Caracas", "https://ex.org/latin", "Año " * 100,
                         published=NOW - timedelta(hours=1))], encoding="iso-8859-1"
             ).replace(b'encoding="iso-8859-1"', b'encoding="utf-8"')
PAGE = b'<html><body><div class="n"><a href="/n/1">Titular</a></div></body></html>'


def setup_routes(server: FeedServer) -> dict[str, str]:
    server.set_route("/good", GOOD)
    server.set_route("/invalid-xml", b"<rss><channel><title>x</title><item><title>a</ite")
    server.set_route("/html", b"<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>",
                     content_type="text/html")
    server.set_route("/empty", b"")
    server.set_route("/latin1", LATIN1, content_type="application/rss+xml; charset=utf-8")
    server.set_route("/500", b"error", status=500)
    server.set_route("/429", b"", status=429, headers={"Retry-After": "600"})
    server.set_route("/close", close=True)
    server.set_route("/stall", GOOD, delay=30)
    server.set_route("/trickle", b"<rss>", trickle=0.05)
    server.set_route("/huge", b"<", size=50_000_000)
    server.set_route("/loop1", redirect="/loop2", status=301)
    server.set_route("/loop2", redirect="/loop1", status=301)
    server.set_route("/robots.txt", b"User-agent: *\nDisallow: /private/\n",
                     content_type="text/plain")
    server.set_route("/private/news", PAGE, content_type="text/html")
    return {
        "good": "/good", "invalid-xml": "/invalid-xml", "html": "/html", "empty": "/empty",
        "latin1": "/latin1", "404": "/nothing-here", "500": "/500", "429": "/429",
        "close": "/close", "stall": "/stall", "trickle": "/trickle", "huge": "/huge",
        "loop": "/loop1", "robots": "/private/news",
    }


async def test_bad_input_matrix(server: FeedServer, settings: Settings, db: Database) -> None:
    paths = setup_routes(server)
    feeds = [FeedConfig(name=n, url=server.url(p), language="es", fetch_article="never")
             for n, p in paths.items() if n != "robots"]
    feeds.append(FeedConfig(
        name="robots", url=server.url("/private/news"), type="page", language="es",
        selectors=Selectors(item="div.n", title="a", link="a@href")))
    with socket.socket() as sock:  # a port where nobody listens
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/feed"
    feeds.append(FeedConfig(name="refused", url=dead, language="es"))

    # the stalled server's feed meets a short answer timeout (0.5 s), the trickling one's a short
    # deadline (1.5 s): each its one limit, or the test would wait them out; the others' fetches
    # get the settings' 10 s, which no loaded host's stall reaches
    quick = settings.model_copy(update={"request_timeout": timedelta(seconds=0.5)})
    async with Fetcher(settings) as fetcher, Fetcher(quick) as hurried, Fetcher(settings, deadline=1.5) as bounded:
        limits = {"stall": hurried, "trickle": bounded}
        results = await asyncio.gather(*(poll_feed(f, settings, limits.get(f.name, fetcher), db) for f in feeds))
    by_name = {r.feed: r for r in results}

    assert by_name["good"].status == "new" and len(by_name["good"].new_item_ids) == 3
    latin = by_name["latin1"]
    assert latin.status == "new" and latin.parse_problem
    expected_errors = {
        "invalid-xml": "", "html": "not a feed", "empty": "empty response", "404": "HTTP 404",
        "500": "HTTP 500", "429": "HTTP 429", "close": "", "stall": "timeout",
        # the deadline ends a trickle, never a poll held for ever (its bytes are 0.05 s apart: a
        # loaded host missed the 0.5 s answer timeout once, when the fetch had it)
        "trickle": "timed out after 1.5s", "huge": "larger than", "loop": "redirect loop",
        "robots": "robots.txt", "refused": "",
    }
    for name, fragment in expected_errors.items():
        result = by_name[name]
        assert result.status == "error", (name, result)
        assert fragment in (result.error or ""), (name, result.error)
        assert result.consecutive_failures == 1
    assert by_name["429"].next_poll_at - by_name["429"].polled_at >= timedelta(seconds=600)
    assert by_name["loop"].redirected_to is None

    with db.session() as s:
        rows = {f.name: f for f in s.scalars(select(Feed))}
        titles = list(s.scalars(select(Item.title).join(Feed).where(Feed.name == "latin1")))
    assert titles == ["Excarcelación en Caracas"]
    for name in expected_errors:
        row = rows[name]
        assert row.consecutive_failures == 1 and row.last_error and row.last_error_at
        assert row.last_success_at is None and row.next_poll_at is not None
    assert rows["good"].last_error is None and rows["good"].consecutive_failures == 0
    assert rows["html"].parse_problem and rows["empty"].parse_problem
    assert rows["500"].last_status == 500 and rows["close"].last_status is None
    assert not server.hits("/private/news")  # robots.txt kept us out


async def test_a_guid_or_link_too_long_to_index_loses_no_item(
    server: FeedServer, settings: Settings, fetcher: Fetcher, any_db: Database
) -> None:
    """PostgreSQL refuses a B-tree entry over 2,704 bytes: one item whose GUID or link ran to
    3,000 characters failed the whole poll's transaction, at every poll, as a refused write (no
    failure counted, the feed shown healthy), and none of the feed's new items was stored. The
    GUID is now kept as a digest of itself, the link keys nothing; both stored once."""
    # random letters: PostgreSQL compresses an index entry first, a repeated text would fit
    hostile = "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=3_000))
    summary = "Texto largo de la nota. " * 30

    def good(feed: str) -> list[SampleItem]:
        return [SampleItem(f"Nota {i} de {feed}", f"https://ex.org/{feed}/{i}", f"{summary} {feed} {i}",
                           guid=f"g{i}", published=NOW - timedelta(hours=1)) for i in range(2)]

    server.set_route("/long-guid", rss([*good("guid"), SampleItem(
        "Nota de GUID largo", "https://ex.org/h", summary, guid=hostile, published=NOW - timedelta(hours=1))]))
    server.set_route("/long-link", rss([*good("link"), SampleItem(
        "Nota de enlace largo", "https://ex.org/h?q=" + hostile, summary + "!", guid="gh",
        published=NOW - timedelta(hours=1))]))
    for name in ("long-guid", "long-link"):
        cfg = FeedConfig(name=name, url=server.url("/" + name), language="es", fetch_article="never")
        first = await poll_feed(cfg, settings, fetcher, any_db)
        assert first.status == "new" and first.stored == 3, (first.error, first.database_refused)
        again = await poll_feed(cfg, settings, fetcher, any_db)
        assert again.stored == 0 and again.error is None, again.error  # the same keys at each poll
    with any_db.session() as s:
        rows = {i.title: i for i in s.scalars(select(Item).join(Feed).where(Feed.name.like("long-%")))}
        assert rows["Nota de GUID largo"].guid.startswith("long:") and len(rows["Nota de GUID largo"].guid) == 69
        assert rows["Nota de enlace largo"].canonical_url is None
        assert rows["Nota de enlace largo"].url == "https://ex.org/h?q=" + hostile  # kept: render shows its domain
