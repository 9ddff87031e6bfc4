"""Items dated without a time of day ("3 de diciembre de 2025", JSON Feed "2025-12-03", RSS
"Wed, 03 Dec 2025") are judged for backfill by the end of that day in the feed's zone: the
stored published_at stays 00:00 UTC of the date (story matching reads it), but an item a
Caracas outlet dated today and published after 20:00 there is alerted, not backfilled."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core.config import FeedConfig, Selectors, Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from storage.db import Database
from storage.feeds import sync_feeds
from tests.ingest.test_poll_feed import LONG, items_of

# 19:00 and 21:40 on 3 December in Caracas (UTC-4); the second is already 4 December in UTC
EVENING = datetime(2025, 12, 3, 23, 0, tzinfo=UTC)
NIGHT = datetime(2025, 12, 4, 1, 40, tzinfo=UTC)
MIDNIGHT_UTC = datetime(2025, 12, 3)  # how SQLite gives the stored published_at back


PAGE_SELECTORS = Selectors(item="li.n", title="a", link="a@href", date="span.d")


def page_feed(server: FeedServer, language: str = "es") -> FeedConfig:
    """A `page` feed of `page()`'s listing at /src."""
    return FeedConfig(name="src", url=server.url("/src"), language=language, fetch_article="never",
                      type="page", selectors=PAGE_SELECTORS)


def page(items: list[tuple[int, str]]) -> bytes:
    lis = "".join(
        f'<li class="n"><a href="/nota/{i}">Nota {i} sobre presos políticos</a>'
        f'<span class="d">{date}</span></li>' for i, date in items
    )
    return f'<html><head><meta charset="utf-8"></head><body><ul>{lis}</ul></body></html>'.encode()


def json_doc(items: list[tuple[int, str]]) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "t",
        "items": [{"id": f"n{i}", "url": f"https://news.example/n/{i}",
                   "title": f"Nota {i} sobre presos políticos", "content_text": LONG,
                   "date_published": date} for i, date in items],
    }).encode()


def rss_doc(items: list[tuple[int, str]]) -> bytes:
    entries = "".join(
        f"<item><title>Nota {i} sobre presos políticos</title><guid>n{i}</guid>"
        f"<link>https://news.example/n/{i}</link><description>{LONG}</description>"
        f"<pubDate>{date}</pubDate></item>" for i, date in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://news.example/</link><description>d</description>{entries}"
            "</channel></rss>").encode()


CASES = {
    "page": (page, "3 de diciembre de 2025", "30 de noviembre de 2025", "text/html; charset=utf-8"),
    "json": (json_doc, "2025-12-03", "2025-11-30", "application/feed+json"),
    "rss": (rss_doc, "Wed, 03 Dec 2025", "Sun, 30 Nov 2025", "application/rss+xml"),
}


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_an_item_dated_today_is_alerted_late_in_the_evening(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, kind: str
) -> None:
    build, today, days_ago, ctype = CASES[kind]
    caracas = settings.model_copy(update={"timezone": "America/Caracas"})
    server.set_route("/src", build([(1, today)]), content_type=ctype)
    cfg = FeedConfig(name="src", url=server.url("/src"), language="es", fetch_article="never",
                     **({"type": "page", "selectors": PAGE_SELECTORS} if kind == "page" else {}))
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    first = await poll_feed(cfg, caracas, fetcher, db, now=EVENING)
    assert first.status == "new" and len(first.new_item_ids) == 1, first.error

    # published at 21:30 in Caracas, listed with the same date; and one dated days ago
    server.set_route("/src", build([(2, today), (1, today), (3, days_ago)]), content_type=ctype)
    second = await poll_feed(cfg, caracas, fetcher, db, now=NIGHT)
    assert len(second.new_item_ids) == 1 and second.backfilled == 1
    stored = {i.title: i for i in items_of(db, "src")}
    tonight = stored["Nota 2 sobre presos políticos"]
    assert not tonight.backfill and second.new_item_ids == [tonight.id]
    assert tonight.published_at.replace(tzinfo=None) == MIDNIGHT_UTC  # stored as before
    assert stored["Nota 3 sobre presos políticos"].backfill


@pytest.mark.parametrize(("shown_in", "feed_zone"), [("America/Caracas", None), ("Europe/Madrid", "America/Caracas")],
                         ids=["the settings' zone", "the feed's own zone"])
async def test_the_end_of_the_day_is_the_feeds_zone(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, shown_in: str, feed_zone: str | None,
) -> None:
    """3 December ends at 04:00 UTC on the 4th in Caracas: 24 h later it is backfill. A Caracas
    outlet's feed (`timezone: America/Caracas`) on a service shown in Madrid ends its day there
    too, not at 23:00 UTC on the 3rd, by which an item of that date was backfill 5 h early."""
    zoned = settings.model_copy(update={"timezone": shown_in})
    cfg = FeedConfig(name="src", url=server.url("/src"), language="es", fetch_article="never",
                     timezone=feed_zone)
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    server.set_route("/src", json_doc([(0, "2025-12-04")]), content_type="application/json")
    await poll_feed(cfg, zoned, fetcher, db, now=datetime(2025, 12, 4, 12, tzinfo=UTC))
    server.set_route("/src", json_doc([(1, "2025-12-03")]), content_type="application/json")
    within = await poll_feed(cfg, zoned, fetcher, db, now=datetime(2025, 12, 5, 3, tzinfo=UTC))
    assert len(within.new_item_ids) == 1 and within.backfilled == 0
    server.set_route("/src", json_doc([(2, "2025-12-03")]), content_type="application/json")
    after = await poll_feed(cfg, zoned, fetcher, db, now=datetime(2025, 12, 5, 5, tzinfo=UTC))
    assert after.new_item_ids == [] and after.backfilled == 1


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_a_document_sorted_by_date_alone_is_stored_in_its_numbers_order(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, kind: str
) -> None:
    """The days newest first, each listed oldest first (as a sort on the date alone leaves
    them): read bottom-up, the day's later notes were stored, classified and told before the
    first. The ids' or links' numbers count up with the dates, so they order each day."""
    build, today, days_ago, ctype = CASES[kind]
    server.set_route("/src", build([(14, today), (15, today), (16, today), (3, days_ago), (5, days_ago)]),
                     content_type=ctype)
    cfg = FeedConfig(name="src", url=server.url("/src"), language="es", fetch_article="never",
                     **({"type": "page", "selectors": PAGE_SELECTORS} if kind == "page" else {}))
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    result = await poll_feed(cfg, settings, fetcher, db, now=NIGHT)
    assert result.status == "new", result.error
    assert [i.title.split()[1] for i in items_of(db, "src")] == ["3", "5", "14", "15", "16"]


async def test_a_spanish_rfc822_date_keeps_its_time_and_offset(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/src", rss_doc([(1, "Mié, 03 Dic 2025 21:30:00 -0400")]),
                     content_type="application/rss+xml")
    cfg = FeedConfig(name="src", url=server.url("/src"), language="es", fetch_article="never")
    result = await poll_feed(cfg, settings, fetcher, db, now=NIGHT)
    assert len(result.new_item_ids) == 1
    stored = items_of(db, "src")[0]
    assert stored.published_at.replace(tzinfo=None) == datetime(2025, 12, 4, 1, 30)


async def test_a_page_dated_day_month_year_is_read_day_first(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """03-12-2025 is 3 December 2025: feedparser's reading was 20 December 2003, so the item
    was stored 22 years old, as backfill."""
    cfg = page_feed(server)
    server.set_route("/src", page([(0, "02-12-2025")]), content_type="text/html")
    await poll_feed(cfg, settings, fetcher, db, now=datetime(2025, 12, 3, 12, tzinfo=UTC))
    server.set_route("/src", page([(1, "03-12-2025"), (0, "02-12-2025")]),
                     content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db, now=datetime(2025, 12, 3, 15, tzinfo=UTC))
    assert len(result.new_item_ids) == 1 and result.backfilled == 0
    stored = items_of(db, "src")
    assert [i.published_at.replace(tzinfo=None) for i in stored] == [
        datetime(2025, 12, 2), datetime(2025, 12, 3)]


async def test_a_page_dated_with_an_english_ordinal_day_is_read(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """"December 3rd, 2025" was no date: the poll said the item had no readable date, on a
    first poll the item was stored without an alert, and later an old item newly listed
    ("November 30th, 2025") was alerted as news of the hour."""
    cfg = page_feed(server, "en")
    server.set_route("/src", page([(0, "Wednesday, December 3rd, 2025")]), content_type="text/html")
    first = await poll_feed(cfg, settings, fetcher, db, now=datetime(2025, 12, 3, 15, tzinfo=UTC))
    assert len(first.new_item_ids) == 1 and first.backfilled == 0 and first.parse_problem is None, first.parse_problem
    server.set_route("/src", page([(1, "November 30th, 2025"), (0, "Wednesday, December 3rd, 2025")]),
                     content_type="text/html")
    second = await poll_feed(cfg, settings, fetcher, db, now=datetime(2025, 12, 3, 16, tzinfo=UTC))
    assert second.new_item_ids == [] and second.backfilled == 1
    stored = items_of(db, "src")
    assert [i.published_at.replace(tzinfo=None) for i in stored] == [
        datetime(2025, 12, 3), datetime(2025, 11, 30)]


@pytest.mark.parametrize("first_of_month", ["1º de enero de 2027", "1° de enero de 2027", "1.º de enero de 2027",
                                            "viernes 1ro. de enero de 2027", "1ero de enero de 2027"])
async def test_a_page_dated_with_a_spanish_ordinal_first_of_the_month_is_read(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, first_of_month: str,
) -> None:
    """Spanish writes the first of a month as an ordinal ("1º de enero", "1ro. de enero"): it
    was no date, so on 5 January an item of New Year's Day newly listed was dated at the fetch
    and alerted as news of the hour."""
    cfg = page_feed(server)
    server.set_route("/src", page([(0, "5 de enero de 2027")]), content_type="text/html")
    first = await poll_feed(cfg, settings, fetcher, db, now=datetime(2027, 1, 5, 15, tzinfo=UTC))
    assert len(first.new_item_ids) == 1 and first.parse_problem is None, first.parse_problem
    server.set_route("/src", page([(0, "5 de enero de 2027"), (1, first_of_month)]), content_type="text/html")
    second = await poll_feed(cfg, settings, fetcher, db, now=datetime(2027, 1, 5, 16, tzinfo=UTC))
    assert second.new_item_ids == [] and second.backfilled == 1 and second.parse_problem is None, second.parse_problem
    stored = items_of(db, "src")
    assert [i.published_at.replace(tzinfo=None) for i in stored] == [datetime(2027, 1, 5), datetime(2027, 1, 1)]
    assert stored[1].date_only


async def test_a_page_dated_with_two_digit_years_is_read_near_the_fetch(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """"12.01.26", "12/01/26 - 9:30 a. m." were no date: each item of such a page took its
    fetch time, so an old note listed again was alerted as news of the hour. A two-digit year
    is 20YY near the fetch; a version number, a figure and a year far from the fetch are not
    dates."""
    cfg = page_feed(server)
    server.set_route("/src", page([(0, "12.01.26 10:30")]), content_type="text/html")
    first = await poll_feed(cfg, settings, fetcher, db, now=datetime(2026, 1, 12, 16, tzinfo=UTC))
    assert len(first.new_item_ids) == 1 and first.parse_problem is None, first.parse_problem
    server.set_route("/src", page([(1, "12/01/26 - 9:30 a. m."), (0, "12.01.26 10:30"), (2, "09-01-26"),
                                   (3, "v1.2.26"), (4, "1.200"), (5, "12.01.99")]), content_type="text/html")
    second = await poll_feed(cfg, settings, fetcher, db, now=datetime(2026, 1, 12, 17, tzinfo=UTC))
    # 9:30 today is new, 9 January backfill; the three that are no date stand at the fetch
    assert len(second.new_item_ids) == 4 and second.backfilled == 1
    assert second.parse_problem == "3 of 6 items had no readable date (selector 'span.d', read: 'v1.2.26')"
    stored = {i.title.split()[1]: i for i in items_of(db, "src")}
    assert stored["0"].published_at.replace(tzinfo=None) == datetime(2026, 1, 12, 14, 30)  # Caracas, UTC-4
    assert stored["1"].published_at.replace(tzinfo=None) == datetime(2026, 1, 12, 13, 30)
    assert stored["2"].published_at.replace(tzinfo=None) == datetime(2026, 1, 9) and stored["2"].date_only
    assert stored["2"].backfill and not stored["1"].backfill
    assert {stored[n].published_at.replace(tzinfo=None) for n in "345"} == {datetime(2026, 1, 12, 17)}


async def test_a_time_with_a_european_zone_name_is_read_in_that_zone(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """"Mon, 12 Jan 2026 10:00:00 CET" (an outlet in Madrid) was read in the feed's zone,
    Caracas: 14:00 UTC, not 09:00, and an item published within the hour stood five hours
    ahead of the fetch, past the hour allowed: no date, the fetch time."""
    server.set_route("/src", rss_doc([(1, "Mon, 12 Jan 2026 10:00:00 CET"), (2, "Mon, 12 Jan 2026 09:30:00 XYZ")]),
                     content_type="application/rss+xml")
    cfg = FeedConfig(name="src", url=server.url("/src"), language="es", fetch_article="never")
    await poll_feed(cfg, settings, fetcher, db, now=datetime(2026, 1, 12, 9, 20, tzinfo=UTC))
    stored = {i.title.split()[1]: i.published_at.replace(tzinfo=None) for i in items_of(db, "src")}
    assert stored["1"] == datetime(2026, 1, 12, 9, 0)
    assert stored["2"] == datetime(2026, 1, 12, 9, 20)  # an unknown name: read in Caracas, ahead: the fetch
