"""Date-only items (`items.date_only`, stored at 00:00 UTC of their date) are classified in
the order of the start of their date in their feed's zone, not of that 00:00 UTC: a Caracas
item dated the 14th comes after one published at 21:00 on the 13th there (01:00 UTC on the
14th), so the earlier report is the story's first alert (storage.items.unclassified_ids),
and `monitor stories` lists it first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from alerts.stories.report import render_stories
from core.config import AppConfig, FeedConfig, Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.feeds import sync_feeds
from storage.items import FeedZones, unclassified_ids
from storage.models import Alert, Feed, Item
from tests.ingest.test_poll_feed import LONG

NOW = datetime(2026, 1, 14, 14, 0, tzinfo=UTC)  # 10:00 on the 14th in Caracas
TIMED = "Excarcelan a Rocío San Miguel tras casi dos años detenida"
DATED = "Rocío San Miguel sale en libertad tras casi dos años detenida"


def _rss(title: str, date: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://timed.example/</link><description>d</description>"
            f"<item><title>{title}</title><guid>t1</guid><link>https://timed.example/n/1</link>"
            f"<description>{LONG}</description><pubDate>{date}</pubDate></item></channel></rss>").encode()


def _json_feed(title: str, date: str) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
        {"id": "d1", "url": "https://dated.example/n/1", "title": title, "content_text": LONG,
         "date_published": date}]}).encode()


async def test_a_date_only_item_of_the_14th_is_told_after_a_report_of_21_00_on_the_13th(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, default_config: AppConfig,
) -> None:
    caracas = settings.model_copy(update={"timezone": "America/Caracas"})
    server.set_route("/timed", _rss(TIMED, "Tue, 13 Jan 2026 21:00:00 -0400"), content_type="application/rss+xml")
    server.set_route("/dated", _json_feed(DATED, "2026-01-14"), content_type="application/feed+json")
    feeds = [FeedConfig(name=name, url=server.url(f"/{name}"), language="es", fetch_article="never")
             for name in ("dated", "timed")]
    with db.session() as s:
        sync_feeds(s, [(f.name, f.url) for f in feeds])
    for feed in feeds:  # the date-only feed's poll ends first: its item gets the lower id
        assert len((await poll_feed(feed, caracas, fetcher, db, now=NOW)).new_item_ids) == 1

    config = default_config.model_copy(update={
        "feeds": feeds, "settings": default_config.settings.model_copy(update={"timezone": "America/Caracas"})})
    Pipeline(config, db).process_pending(now=NOW)
    with db.session() as s:
        ids = {i.title: i.id for i in s.scalars(select(Item))}
        alerts = [(a.kind, a.payload["item_id"]) for a in s.scalars(select(Alert).order_by(Alert.id))]
        # before: the date-only item, 00:00 UTC on the 14th, was the story's first report and
        # the report of the evening before its edit
        assert alerts == [("new", ids[TIMED]), ("edit", ids[DATED])]
        # `monitor stories` lists them in the order they were placed
        report = render_stories(s, config, since=NOW - timedelta(days=2))
        assert report.index(f"item {ids[TIMED]} ") < report.index(f"item {ids[DATED]} ")
        assert s.get(Item, ids[DATED]).story_id == s.get(Item, ids[TIMED]).story_id


def test_the_date_starts_in_each_feeds_own_zone(any_db: Database) -> None:
    """A Tokyo item dated the 14th (its date starts at 15:00 UTC on the 13th) comes before a
    report of 16:00 UTC on the 13th, a Caracas one of the same date after it; with a limit
    of one the Tokyo item is the first, though stored after the timed one's horizon."""
    zones = FeedZones({"tokyo": ZoneInfo("Asia/Tokyo"), "caracas": ZoneInfo("America/Caracas")}, UTC)
    with any_db.session() as s:
        for name in ("tokyo", "caracas", "timed"):
            s.add(Feed(name=name, url=f"https://{name}.example/feed", consecutive_failures=0))
        s.flush()
        feed = {f.name: f for f in s.scalars(select(Feed))}

        def add(name: str, when: datetime, date_only: bool) -> int:
            item = Item(feed=feed[name], guid=name, url=f"https://{name}.example/1", canonical_url=f"https://{name}.example/1",
                        title=name, summary="", language="es", published_at=when, content_hash=name,
                        date_only=date_only)
            s.add(item)
            s.flush()
            return item.id

        caracas = add("caracas", datetime(2026, 1, 14, tzinfo=UTC), True)
        tokyo = add("tokyo", datetime(2026, 1, 14, tzinfo=UTC), True)
        timed = add("timed", datetime(2026, 1, 13, 16, tzinfo=UTC), False)
    with any_db.session() as s:
        assert unclassified_ids(s, 10)[0] == timed  # by the stored 00:00 UTC
        assert unclassified_ids(s, 10, zones=zones) == [tokyo, timed, caracas]
        assert unclassified_ids(s, 1, zones=zones) == [tokyo]
        assert unclassified_ids(s, 1, zones=zones, skip=[tokyo]) == [timed]
