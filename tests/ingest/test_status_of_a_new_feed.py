"""`monitor status` and the status page before a feed's first poll has ended."""

from __future__ import annotations

from datetime import UTC, datetime

from core.config import AppConfig, FeedConfig, Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.status import render_status
from monitor.status_page import render_status_page
from storage.db import Database
from storage.feeds import sync_feeds

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Excarcelan a '
       b'dos presos pol\xc3\xadticos</title><link>http://127.0.0.1/n/1</link></item></channel></rss>')


def _row(text: str, name: str) -> list[str]:
    return next(line.split() for line in text.splitlines() if line.startswith(name + " "))


async def test_a_feed_not_polled_yet_is_new_not_ok(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, default_config: AppConfig
) -> None:
    """The start writes every feed's row before its first poll (a start-up round spreads them
    over minutes): such a row read `ok`, "last success: never", as if the feed worked; a dead
    site read `ok` until its first poll failed."""
    server.set_route("/up", RSS, content_type="application/rss+xml")
    polled = FeedConfig(name="polled", url=server.url("/up"), language="es", fetch_article="never")
    waiting = FeedConfig(name="waiting", url=server.url("/later"), language="es", fetch_article="never")
    failing = FeedConfig(name="failing", url=server.url("/gone"), language="es", fetch_article="never")
    config = default_config.model_copy(update={"feeds": [polled, waiting, failing]})
    with db.session() as s:
        sync_feeds(s, [(f.name, f.url) for f in config.feeds])
    assert (await poll_feed(polled, settings, fetcher, db, now=NOW)).status == "new"
    assert (await poll_feed(failing, settings, fetcher, db, now=NOW)).error

    text = render_status(db, config, now=NOW)
    assert _row(text, "polled")[1] == "ok"
    assert _row(text, "waiting")[1:3] == ["new", "never"]
    assert _row(text, "failing")[1] == "failing"
    page = render_status_page(db, config, now=NOW)
    waiting_row = page[page.index("<b>waiting</b>"):].split("</tr>")[0]
    assert '<td class="new">new</td>' in waiting_row
