"""Page feeds and JSON Feeds polled end to end: a real HTTP server on 127.0.0.1, the fetcher,
the parsers, normalization and a SQLite file; what is stored is checked."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from storage.db import Database
from storage.models import Feed, Item

NOW = datetime.now(UTC)
HOUR_AGO = (NOW - timedelta(hours=1)).isoformat()


@pytest.fixture
def settings(make_fast_settings) -> Settings:  # type: ignore[no-untyped-def]
    return make_fast_settings(1_000_000)


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    async with Fetcher(settings, deadline=1.5) as f:
        yield f


def stored(db: Database, name: str) -> list[Item]:
    with db.session() as s:
        rows = list(s.scalars(select(Item).join(Feed).where(Feed.name == name).order_by(Item.id)))
        s.expunge_all()
        return rows


def json_item(i: int, summary: str = "Resumen") -> bytes:
    return (
        b'{"id": "%d", "url": "https://news.example/%d", "title": "Nota %d", '
        b'"summary": "%s", "date_published": "%s"}'
        % (i, i, i, summary.encode(), HOUR_AGO.encode())
    )


async def test_json_feed_with_a_lone_surrogate_is_stored(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # a generator that cut a summary inside an emoji (JavaScript slices UTF-16 code units)
    items = [json_item(1), json_item(2, "Emoji cortado \\ud83d"), json_item(3, "Entero \\ud83d\\ude00")]
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": [' + b", ".join(items) + b"]}"
    server.set_route("/feed.json", body, content_type="application/feed+json")
    cfg = FeedConfig(name="json", url=server.url("/feed.json"), language="es",
                     fetch_article="never")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    summaries = {r.guid: r.summary for r in stored(db, "json")}
    assert summaries == {"1": "Resumen", "2": "Emoji cortado", "3": "Entero \U0001f600"}



async def test_json_nested_too_deeply_is_a_parse_failure(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    body = b'{"version": "1.1", "items": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    server.set_route("/deep.json", body, content_type="application/feed+json")
    cfg = FeedConfig(name="deep", url=server.url("/deep.json"), language="es")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "error"
    assert result.error == "invalid JSON: nested too deeply"
    assert "internal error" not in (result.error or "")
