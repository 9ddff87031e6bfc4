"""ETag / Last-Modified values that cannot go back in a request header (non-ASCII, as PHP under
a Spanish locale writes `mié, 03 dic 2025 …`) are neither stored nor sent: before, the poll
that received one succeeded and every later poll failed with UnicodeEncodeError."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from core.config import Settings
from devtools.feedserver import FeedServer
from devtools.samples import rss
from monitor.fetch import Fetcher
from monitor.fetch import client as fetch_client
from monitor.ingest import poll_feed
from monitor.ingest.poll_states import PollStates
from storage.db import Database
from storage.feeds import sync_feeds
from storage.models import Feed
from tests.ingest.test_poll_feed import feed_config, feed_row, item

SPANISH_DATE = "mié, 03 dic 2025 10:00:00 GMT"
# FeedServer writes header values as Latin-1: this string goes out as the UTF-8 bytes of "mié"
SPANISH_DATE_UTF8 = "mi\xc3\xa9, 03 dic 2025 10:00:00 GMT"


@pytest.mark.parametrize(
    "validators",
    [
        {"last_modified": SPANISH_DATE},
        {"last_modified": SPANISH_DATE_UTF8},
        {"etag": '"nota-é"'},
        {"etag": '"nota-\xc3\xa9"'},
    ],
)
async def test_a_non_ascii_validator_never_breaks_later_polls(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database,
    validators: dict[str, str],
) -> None:
    server.set_route("/feed", rss([item(1)]), **validators)
    cfg = feed_config(server)
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    results = [await poll_feed(cfg, settings, fetcher, db) for _ in range(3)]
    assert [r.status for r in results] == ["new", "unchanged", "unchanged"], results[1].error
    row = feed_row(db, "pitazo")
    assert row.etag is None and row.last_modified is None and row.consecutive_failures == 0
    for hit in server.hits("/feed"):
        assert "if-none-match" not in hit.headers and "if-modified-since" not in hit.headers


async def test_a_usable_validator_is_kept_beside_an_unusable_one(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """Through the batched 304 path too (PollStates): the 304 repeats the bad Last-Modified."""
    server.set_route("/feed", rss([item(1)]), etag='"v1"', last_modified=SPANISH_DATE)
    cfg = feed_config(server)
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    states = PollStates(db)
    statuses = [(await poll_feed(cfg, settings, fetcher, db, states=states)).status
                for _ in range(3)]
    assert statuses == ["new", "not_modified", "not_modified"]
    states.flush()
    row = feed_row(db, "pitazo")
    assert row.etag == '"v1"' and row.last_modified is None
    assert [h.headers.get("if-none-match") for h in server.hits("/feed")] == [None, '"v1"', '"v1"']
    assert all("if-modified-since" not in h.headers for h in server.hits("/feed"))


async def test_a_stored_unusable_validator_is_not_sent(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """A row written before this check (or by hand) heals on the next poll."""
    server.set_route("/feed", rss([item(1)]))
    cfg = feed_config(server)
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
        s.execute(update(Feed).values(etag='"nota-é"', last_modified=SPANISH_DATE))
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    hit = server.hits("/feed")[0]
    assert "if-none-match" not in hit.headers and "if-modified-since" not in hit.headers
    row = feed_row(db, "pitazo")
    assert row.etag is None and row.last_modified is None


async def test_a_request_that_cannot_be_sent_is_made_again_unconditionally(
    server: FeedServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: were a validator let through that httpx cannot encode, the
    request fails before reaching the server, and is made again without validators."""
    monkeypatch.setattr(fetch_client, "usable_validator", lambda value: value)
    server.set_route("/feed", rss([item(1)]), etag='"v1"')
    async with Fetcher(settings, trusted=[server.url("/")]) as fetcher:
        result = await fetcher.fetch(server.url("/feed"), etag='"nota-é"', last_modified="x")
    assert result.ok and result.status == 200 and result.body
    hits = server.hits("/feed")
    assert len(hits) == 1 and "if-none-match" not in hits[0].headers
    assert "if-modified-since" not in hits[0].headers
