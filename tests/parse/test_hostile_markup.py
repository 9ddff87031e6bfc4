"""Markup that costs CPU per byte (docs/INGESTION.md, "Hostile markup"): documents served on
127.0.0.1 and polled through the fetcher, the parsers and a SQLite file. What is asserted is
what is read and stored; the time taken is measured in bench/bench_hostile.py."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from xml.sax.xmlreader import AttributesNSImpl

import pytest
from sqlalchemy import select

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from storage.db import Database
from storage.models import Feed, Item

HOUR_AGO = (datetime.now(UTC) - timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S +0000")


@pytest.fixture
def settings(make_fast_settings) -> Settings:  # type: ignore[no-untyped-def]
    return make_fast_settings(10_000_000)


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    async with Fetcher(settings, deadline=5) as f:
        yield f


def titles(db: Database, name: str) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Item.title).join(Feed).where(Feed.name == name).order_by(Item.id)))


def rss(*descriptions: str) -> bytes:
    items = "".join(
        f"<item><title>Nota {i}</title><link>https://news.example/{i}</link><guid>g{i}</guid>"
        f"<pubDate>{HOUR_AGO}</pubDate><description>{d}</description></item>"
        for i, d in enumerate(descriptions, start=1)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
            "</channel></rss>").encode()


async def test_an_element_of_thousands_of_attributes_is_read_in_linear_time(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # xml.sax's getValueByQName scans every attribute for each one feedparser looks up: one
    # element of 50,000 attributes (400 KB) held a poll for minutes. Counted, not timed.
    scans = 0
    stdlib = AttributesNSImpl.getValueByQName

    def counted(self: AttributesNSImpl, name: str) -> str:
        nonlocal scans
        scans += 1
        return stdlib(self, name)  # type: ignore[no-any-return]

    monkeypatch.setattr(AttributesNSImpl, "getValueByQName", counted)
    attrs = " ".join(f'a{i}="{i}"' for i in range(3_000))
    server.set_route("/feed.xml", rss(f"<div {attrs}>Liberan a 12 presos</div>", "Otra nota"),
                     content_type="application/rss+xml")
    cfg = FeedConfig(name="attrs", url=server.url("/feed.xml"), language="es", fetch_article="never")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert sorted(titles(db, "attrs")) == ["Nota 1", "Nota 2"]
    assert scans < 10  # not once per attribute (3,000), each a scan of all of them
