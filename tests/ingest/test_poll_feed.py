from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from core.config import AppConfig, FeedConfig, Selectors, Settings
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, json_feed, rss
from monitor.fetch import Fetcher
from monitor.ingest import PollResult, backoff_delay, poll_feed
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.feeds import sync_feeds
from storage.models import Feed, Item

NOW = datetime.now(UTC)
LONG = "Texto largo de la nota. " * 30  # enough text: no article fetch in `auto` mode


def item(i: int, hours_ago: float = 1, **kw: object) -> SampleItem:
    base: dict[str, object] = {
        "title": f"Nota {i}", "link": f"https://news.example/n/{i}?utm_source=rss",
        "summary": f"<p>{LONG} {i}</p>", "guid": f"guid-{i}",
        "published": NOW - timedelta(hours=hours_ago),
    }
    base.update(kw)
    return SampleItem(**base)  # type: ignore[arg-type]


def feed_config(server: FeedServer, name: str = "pitazo", path: str = "/feed", **kw: object
                ) -> FeedConfig:
    return FeedConfig(name=name, url=server.url(path), language="es", **kw)  # type: ignore[arg-type]


def feed_row(db: Database, name: str) -> Feed:
    with db.session() as s:
        row = s.scalars(select(Feed).where(Feed.name == name)).one()
        s.expunge(row)
        return row


def items_of(db: Database, name: str) -> list[Item]:
    with db.session() as s:
        rows = list(s.scalars(select(Item).join(Feed).where(Feed.name == name).order_by(Item.id)))
        s.expunge_all()
        return rows


async def test_first_poll_then_304_then_one_new(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/feed", rss([item(1), item(2, hours_ago=3), item(3, hours_ago=48)]),
                     etag='"v1"', last_modified="Mon, 05 Jan 2026 10:00:00 GMT")
    cfg = feed_config(server)
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    first = await poll_feed(cfg, settings, fetcher, db)
    assert first.status == "new" and first.stored == 3
    assert len(first.new_item_ids) == 2 and first.backfilled == 1
    assert first.summary_line() == "pitazo: 2 new, 1 older stored without alerts"
    stored = items_of(db, "pitazo")
    # stored oldest published first (the feed lists them newest first): monitor/ingest/order.py
    assert [i.guid for i in stored] == ["guid-3", "guid-2", "guid-1"]
    assert [i.backfill for i in stored] == [True, False, False]
    newest = stored[-1]
    assert newest.canonical_url == "https://news.example/n/1"
    assert newest.title == "Nota 1" and newest.language == "es"
    assert "<p>" not in newest.summary
    row = feed_row(db, "pitazo")
    assert row.etag == '"v1"' and row.last_status == 200
    assert row.first_success_at is not None and row.last_success_at is not None
    assert row.consecutive_failures == 0 and row.next_poll_at == first.next_poll_at
    assert first.next_poll_at - first.polled_at == cfg.interval

    second = await poll_feed(cfg, settings, fetcher, db)
    assert second.status == "not_modified" and second.new_item_ids == []
    assert second.summary_line() == "pitazo: 304 not modified"
    hits = server.hits("/feed")
    assert hits[1].headers["if-none-match"] == '"v1"'
    assert hits[1].headers["if-modified-since"] == "Mon, 05 Jan 2026 10:00:00 GMT"

    server.set_route("/feed", rss([item(4, hours_ago=0.5), item(1), item(2, hours_ago=3)]),
                     etag='"v2"')
    third = await poll_feed(cfg, settings, fetcher, db)
    assert third.status == "new" and len(third.new_item_ids) == 1 and third.skipped == 2
    assert items_of(db, "pitazo")[-1].guid == "guid-4"
    assert feed_row(db, "pitazo").etag == '"v2"'

    fourth = await poll_feed(cfg, settings, fetcher, db)  # 304 again with the new ETag
    assert fourth.status == "not_modified"
    server.set_route("/feed", rss([item(4, hours_ago=0.5)]))  # no validators any more
    fifth = await poll_feed(cfg, settings, fetcher, db)
    assert fifth.status == "unchanged" and fifth.summary_line() == "pitazo: no new items"


async def test_feed_row_created_when_missing(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/feed", rss([item(1)]))
    result = await poll_feed(feed_config(server, name="fresh"), settings, fetcher, db)
    assert result.status == "new"
    assert feed_row(db, "fresh").url == server.url("/feed")


async def test_republished_items_are_recognised(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/a", rss([item(1), item(2)]))
    server.set_route("/b", rss([]))
    a, b = feed_config(server, "a", "/a"), feed_config(server, "b", "/b")
    assert len((await poll_feed(a, settings, fetcher, db)).new_item_ids) == 2
    # Same feed: a new GUID but the same canonical URL (other tracking parameters, fragment).
    same_url = item(1, guid="guid-1-new", link="https://NEWS.example/n/1?fbclid=zz#comments")
    # Same feed: new GUID and URL, same title and text.
    same_text = item(2, guid="guid-2-new", link="https://news.example/otra/ruta")
    server.set_route("/a", rss([same_url, same_text, item(5)]))
    again = await poll_feed(a, settings, fetcher, db)
    assert again.skipped == 2 and len(again.new_item_ids) == 1
    # Another feed: same canonical URL is known; same text at another URL is a new report.
    other_url = item(9, guid="x1", link="https://news.example/n/5")
    wire_copy = item(1, guid="x2", link="https://other-outlet.example/copia")
    server.set_route("/b", rss([other_url, wire_copy]))
    other = await poll_feed(b, settings, fetcher, db)
    assert other.skipped == 1 and len(other.new_item_ids) == 1
    assert items_of(db, "b")[0].url == "https://other-outlet.example/copia"


async def test_duplicates_inside_one_document(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """The same item listed twice is stored once; different items that share a guid or a
    link are all stored (tests/ingest/test_within_document.py)."""
    server.set_route("/feed", rss([item(1), item(1), item(2, guid="guid-1"),
                                   item(3, link="https://news.example/n/1")]))
    result = await poll_feed(feed_config(server), settings, fetcher, db)
    assert result.stored == 3
    assert sorted(i.title for i in items_of(db, "pitazo")) == ["Nota 1", "Nota 2", "Nota 3"]


async def test_undated_items_on_first_poll_are_backfilled(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/feed", rss([item(1, published=None), item(2)]))
    cfg = feed_config(server)
    first = await poll_feed(cfg, settings, fetcher, db)
    assert first.backfilled == 1 and len(first.new_item_ids) == 1
    server.set_route("/feed", rss([item(3, published=None), item(1, published=None)]))
    second = await poll_feed(cfg, settings, fetcher, db)
    assert len(second.new_item_ids) == 1 and second.backfilled == 0  # normal operation


async def test_items_a_clock_a_year_ahead_dates_on_first_poll_are_backfilled(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """An outlet whose clock (or CMS) dates its items a year ahead: each date is in the future,
    so the item stands at the fetch time, no more dated than an undated item. On a first poll
    every such item was alerted, its whole archive at once; now they are backfill, as undated
    items are. A date a few minutes ahead (a server's clock drifting) is still a date."""
    ahead = timedelta(days=365)
    server.set_route("/feed", rss([item(1, published=NOW + ahead), item(2, published=NOW + ahead - timedelta(days=3)),
                                   item(3, published=NOW + timedelta(minutes=5))]))
    cfg = feed_config(server)
    first = await poll_feed(cfg, settings, fetcher, db, now=NOW)
    assert first.backfilled == 2 and len(first.new_item_ids) == 1
    assert [i.guid for i in items_of(db, "pitazo") if i.id in first.new_item_ids] == ["guid-3"]
    assert all(i.published_at.replace(tzinfo=UTC) == NOW for i in items_of(db, "pitazo"))
    server.set_route("/feed", rss([item(4, published=NOW + ahead + timedelta(hours=1)), item(1, published=NOW + ahead)]))
    second = await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(minutes=10))
    assert len(second.new_item_ids) == 1 and second.backfilled == 0  # normal operation: news


@pytest.mark.parametrize(("kind", "zero"), [
    ("rss", datetime(1, 1, 1, tzinfo=UTC)), ("json", datetime(1, 1, 1, tzinfo=UTC)),
    ("rss", datetime(1970, 1, 1, tzinfo=UTC)), ("json", datetime(1969, 12, 31, 20, tzinfo=timezone(-timedelta(hours=4)))),
])
async def test_a_zero_date_is_no_date_and_its_item_is_told(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, default_config: AppConfig, kind: str,
    zero: datetime,
) -> None:
    """A date written for a missing one (an RSS pubDate, a JSON Feed's date_published): Go's and
    .NET's zero time, 0001-01-01T00:00:00Z, was stored as the item's date and its classification
    failed at every round (an OverflowError placing it in a story 48 h before year 1, a traceback
    each time); the Unix epoch (a timestamp 0, in UTC or the server's zone) made it 56 years old,
    stored as backfill, never alerted: a feed that writes it for every item told nothing. A date
    before 1900, or the epoch, is no date: the item stands at the fetch time, as an undated one
    (news on a later poll)."""
    made = rss if kind == "rss" else json_feed
    server.set_route("/feed", made([item(1)]))
    cfg = feed_config(server)
    await poll_feed(cfg, settings, fetcher, db, now=NOW)
    title = "Foro Penal contabiliza 800 presos políticos en Venezuela"
    server.set_route("/feed", made([item(2, published=zero, title=title), item(1)]))
    second = await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(minutes=10))
    done = Pipeline(default_config, db).process_pending(now=NOW + timedelta(minutes=11))
    assert done.failed == 0 and done.relevant == 1
    assert len(second.new_item_ids) == 1 and second.backfilled == 0
    [zeroed] = [i for i in items_of(db, "pitazo") if i.guid == "guid-2"]
    assert zeroed.published_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=10)
    assert zeroed.classified_at is not None and zeroed.story_id is not None


async def test_long_stop_backfills(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = feed_config(server)
    server.set_route("/feed", rss([item(1)]))
    long_ago = NOW - timedelta(days=5)
    await poll_feed(cfg, settings, fetcher, db, now=long_ago)
    # Five days later: items from the stop are older than the window, undated ones too.
    server.set_route("/feed", rss([item(2, hours_ago=72), item(3, published=None),
                                   item(4, hours_ago=2)]))
    result = await poll_feed(cfg, settings, fetcher, db, now=NOW)
    assert result.backfilled == 2 and len(result.new_item_ids) == 1
    assert [i.guid for i in items_of(db, "pitazo") if i.id in result.new_item_ids] == ["guid-4"]


async def test_failures_back_off_and_reset(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = feed_config(server, interval="1m")
    server.set_route("/feed", b"oops", status=500)
    first = await poll_feed(cfg, settings, fetcher, db)
    second = await poll_feed(cfg, settings, fetcher, db)
    assert first.status == second.status == "error"
    assert first.next_poll_at - first.polled_at == timedelta(minutes=2)
    assert second.next_poll_at - second.polled_at == timedelta(minutes=4)
    assert second.summary_line() == (
        "pitazo: error: HTTP 500 (2 failures in a row, next try in 4m)")
    row = feed_row(db, "pitazo")
    assert row.consecutive_failures == 2 and row.last_error == "HTTP 500"
    assert row.last_status == 500 and row.last_success_at is None
    for _ in range(10):
        capped = await poll_feed(cfg, settings, fetcher, db)
    assert capped.next_poll_at - capped.polled_at == settings.max_backoff
    server.set_route("/feed", rss([item(1)]))
    ok = await poll_feed(cfg, settings, fetcher, db)
    assert ok.status == "new" and ok.next_poll_at - ok.polled_at == timedelta(minutes=1)
    row = feed_row(db, "pitazo")
    assert row.consecutive_failures == 0 and row.last_error == "HTTP 500"  # kept as history


def test_backoff_delay() -> None:
    m = timedelta(minutes=1)
    assert backoff_delay(m * 10, 1, timedelta(hours=6)) == m * 20
    assert backoff_delay(m * 10, 30, timedelta(hours=6)) == timedelta(hours=6)
    assert backoff_delay(m, 1, timedelta(hours=6), retry_after=600) == m * 10
    assert backoff_delay(m, 1, timedelta(hours=6), retry_after=10**9) == timedelta(hours=6)
    assert backoff_delay(timedelta(hours=8), 1, timedelta(hours=6)) == timedelta(hours=8)


async def test_retry_after_is_honoured(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/feed", b"", status=429, headers={"Retry-After": "3600"})
    result = await poll_feed(feed_config(server, interval="1m"), settings, fetcher, db)
    assert result.status == "error" and "HTTP 429" in (result.error or "")
    assert result.next_poll_at - result.polled_at == timedelta(hours=1)
    assert "Retry-After 1h" in (result.error or "")


async def test_a_retry_after_of_centuries_is_an_http_error_not_an_internal_one(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """`Retry-After: 99999999999999999` (or 400 nines) overflowed timedelta while the error
    was written: the feed showed "internal error: OverflowError", not the 503, with a
    traceback in the log at every poll."""
    for value in ("99999999999999999", "9" * 400):
        server.set_route("/feed", b"", status=503, headers={"Retry-After": value})
        result = await poll_feed(feed_config(server, interval="1m"), settings, fetcher, db)
        assert result.status == "error" and (result.error or "").startswith("HTTP 503 (Retry-After ")
        assert result.next_poll_at - result.polled_at == settings.max_backoff
    # an HTTP date whose zone Python's parser overflows on: no wait given (Fetcher.fetch raised)
    server.set_route("/feed", b"", status=503, headers={"Retry-After": "Fri, 09 Jan 2026 14:30:00 +99999999999999999999"})
    result = await poll_feed(feed_config(server, interval="1m"), settings, fetcher, db)
    assert result.status == "error" and result.error is not None and result.error.startswith("HTTP 503"), result.error


async def test_permanent_redirect_becomes_effective_url(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/old", redirect="/new", status=301)
    server.set_route("/new", rss([item(1)]))
    cfg = feed_config(server, path="/old")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.redirected_to == server.url("/new")
    assert "moved permanently to" in result.summary_line()
    assert feed_row(db, "pitazo").effective_url == server.url("/new")
    await poll_feed(cfg, settings, fetcher, db)
    assert len(server.hits("/old")) == 1 and len(server.hits("/new")) == 2


async def test_bozo_feed_stores_entries_and_records_problem(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    body = rss([item(1), item(2)]).replace(b"</channel></rss>", b"<item><title>a & b")
    server.set_route("/feed", body)
    cfg = feed_config(server)
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and len(result.new_item_ids) >= 2
    assert feed_row(db, "pitazo").parse_problem
    server.set_route("/feed", rss([item(1), item(2)]))
    await poll_feed(cfg, settings, fetcher, db)
    assert feed_row(db, "pitazo").parse_problem is None


async def test_json_feed(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/feed.json", json_feed([item(1), item(2)], version="1.1"),
                     content_type="application/json")
    result = await poll_feed(feed_config(server, path="/feed.json"), settings, fetcher, db)
    assert len(result.new_item_ids) == 2


ARTICLE = """<html><head><title>Nota</title></head><body><nav>Inicio | Política</nav>
<article><h1>Excarcelan a presos políticos</h1>{paras}</article>
<footer>Copyright</footer></body></html>"""


def article_html(i: int) -> bytes:
    paras = "".join(
        f"<p>Párrafo {j} del artículo {i}: Foro Penal confirmó la excarcelación de varios "
        "presos políticos en Caracas durante la noche del martes.</p>" for j in range(6))
    return ARTICLE.format(paras=paras).encode("utf-8")


async def test_article_text_for_short_items(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    short = [item(i, summary="Breve.", link=server.url(f"/art/{i}")) for i in range(3)]
    old = item(9, hours_ago=72, summary="Breve.", link=server.url("/art/9"))
    for i in (0, 1, 2, 9):
        server.set_route(f"/art/{i}", article_html(i), content_type="text/html; charset=utf-8")
    server.set_route("/feed", rss([*short, old]))
    limited = settings.model_copy(update={"article_fetch_limit": 2})
    result = await poll_feed(feed_config(server), limited, fetcher, db)
    assert result.articles == 2 and len(result.new_item_ids) == 3
    texts = [i.text for i in items_of(db, "pitazo")]
    assert sum(1 for t in texts if t and "Foro Penal confirmó" in t) == 2
    assert not server.hits("/art/9")  # backfill: never fetched
    assert "Copyright" not in (texts[0] or "")


async def test_article_fetch_never_and_long_items(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/art/1", article_html(1), content_type="text/html")
    server.set_route("/feed", rss([item(1, summary="Breve.", link=server.url("/art/1"))]))
    await poll_feed(feed_config(server, fetch_article="never"), settings, fetcher, db)
    server.set_route("/feed2", rss([item(2, link=server.url("/art/1?x=2"))]))
    await poll_feed(feed_config(server, "long", "/feed2"), settings, fetcher, db)
    assert not server.hits("/art/1")
    server.set_route("/feed3", rss([item(3, link=server.url("/art/1?x=3"))]))
    await poll_feed(feed_config(server, "always", "/feed3", fetch_article="always"), settings,
                    fetcher, db)
    assert len(server.hits("/art/1")) == 1


PAGE = """<html><body><ul>
<li class="r"><a class="t" href="/press/1">Statement on Venezuela sanctions</a>
  <time datetime="{d1}">today</time></li>
<li class="r"><a class="t" href="/press/2">Older statement</a><time datetime="{d2}">x</time></li>
</ul></body></html>"""


async def test_page_feed_with_article_text(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    page = PAGE.format(d1=(NOW - timedelta(hours=1)).isoformat(),
                       d2=(NOW - timedelta(days=3)).isoformat())
    server.set_route("/press/", page, content_type="text/html; charset=utf-8")
    server.set_route("/press/1", article_html(1), content_type="text/html")
    sel = Selectors(item="li.r", title="a.t", link="a.t@href", date="time@datetime")
    cfg = FeedConfig(name="state", url=server.url("/press/"), type="page", language="en",
                     selectors=sel)
    result = await poll_feed(cfg, settings, fetcher, db)
    assert len(result.new_item_ids) == 1 and result.backfilled == 1 and result.articles == 1
    stored = items_of(db, "state")
    assert [i.url for i in stored] == [server.url("/press/2"), server.url("/press/1")]  # oldest first
    fresh = stored[-1]
    assert fresh.language == "en" and fresh.text and "Foro Penal" in fresh.text
    assert fresh.guid == server.url("/press/1")
    assert len(server.hits("/robots.txt")) == 1


def test_summary_lines() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    r = PollResult(feed="f", status="new", new_item_ids=[1, 2, 3], stored=3, polled_at=at,
                   next_poll_at=at + timedelta(minutes=10))
    assert r.summary_line() == "f: 3 new"
    r = PollResult(feed="f", status="error", error="HTTP 404", consecutive_failures=1,
                   polled_at=at, next_poll_at=at + timedelta(minutes=20))
    assert r.summary_line() == "f: error: HTTP 404 (1 failure in a row, next try in 20m)"


async def test_database_failure_is_reported_not_raised(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/feed", rss([item(1)]))
    db.dispose()
    broken = Database.__new__(Database)
    broken.engine = db.engine

    def no_session() -> None:
        raise RuntimeError("database is gone")

    broken.session = no_session  # type: ignore[method-assign,assignment]
    result = await poll_feed(feed_config(server), settings, fetcher, broken)
    assert result.status == "error" and "database is gone" in (result.error or "")


@pytest.mark.parametrize(
    "content_location", [None, "feed.rss.xml", "http://10.0.0.5:8080/app/feed.rss", "/es/rss.xml"])
async def test_relative_links_resolve_against_the_fetched_url(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database,
    content_location: str | None,
) -> None:
    """Not against the server's Content-Location (a backend address a proxy leaked would
    become every item's link)."""
    headers = {"Content-Location": content_location} if content_location else {}
    server.set_route("/site/feed", rss([item(1, link="/nota/1"), item(2, link="nota/2")]),
                     headers=headers)
    result = await poll_feed(feed_config(server, path="/site/feed"), settings, fetcher, db)
    assert result.stored == 2
    assert sorted(i.url or "" for i in items_of(db, "pitazo")) == [
        server.url("/nota/1"), server.url("/site/nota/2")]


@pytest.mark.parametrize("kind", ["rss", "json"])
async def test_a_nul_in_an_items_guid_or_link_does_not_stop_the_poll(
    server: FeedServer, settings: Settings, fetcher: Fetcher, any_db: Database, kind: str,
) -> None:
    """PostgreSQL refuses NUL in text: a GUID or link with one (`&#0;` from a broken CMS, a
    JSON Feed's "\\u0000") made every poll of the feed fail there, its other items with it."""
    if kind == "rss":
        body = rss([item(1), item(2)]).replace(b"guid-2", b"guid&#0;-2").replace(b"/n/2", b"/n/&#0;2")
        server.set_route("/feed", body)
    else:
        server.set_route("/feed", json_feed([item(1), item(2, guid="guid\x00-2", link="https://news.example/n/\x002")]),
                         content_type="application/feed+json")
    result = await poll_feed(feed_config(server), settings, fetcher, any_db)
    assert result.status == "new" and result.stored == 2, result.error
    stored = items_of(any_db, "pitazo")
    assert all("\x00" not in (i.guid + (i.url or "") + (i.canonical_url or "")) for i in stored)
    assert sorted(i.canonical_url or "" for i in stored) == ["https://news.example/n/1", "https://news.example/n/2"]


async def test_a_daily_feed_alerts_what_it_published_just_after_the_last_poll(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """A feed polled every day (`interval: 1d`, accepted with the default 24h window) is polled
    again a day plus up to 2 minutes of jitter later: an item published in the minute after
    a poll was older than the window at the next one, stored as backfill, never alerted."""
    cfg = feed_config(server, interval="1d")
    first_poll = NOW - timedelta(days=1, seconds=90)
    server.set_route("/feed", rss([item(1, hours_ago=25)]))
    await poll_feed(cfg, settings, fetcher, db, now=first_poll)
    server.set_route("/feed", rss([item(2, published=first_poll + timedelta(seconds=30)),
                                   item(1, hours_ago=25)]))
    result = await poll_feed(cfg, settings, fetcher, db, now=NOW)
    assert result.backfilled == 0 and len(result.new_item_ids) == 1


async def test_todays_date_alone_east_of_utc_is_a_date_on_first_poll(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """At 00:30 in Madrid (22:30 UTC) today's date alone, 00:00 UTC of tomorrow's UTC date,
    is 90 minutes ahead of the fetch by a clock that is right: the item is news, not an
    undated one."""
    from devtools.samples import json_feed

    now = datetime(2026, 7, 14, 22, 30, tzinfo=UTC)
    doc = json_feed([item(1, published=None)]).replace(b'"title": "Nota 1"',
                                                       b'"title": "Nota 1", "date_published": "2026-07-15"')
    server.set_route("/feed", doc, content_type="application/feed+json")
    first = await poll_feed(feed_config(server, timezone="Europe/Madrid"), settings, fetcher, db, now=now)
    assert len(first.new_item_ids) == 1 and first.backfilled == 0, first


async def test_an_item_stored_before_the_percent_encoding_rule_is_known_to_another_feed(
    server: FeedServer, settings: Settings, fetcher: Fetcher, tmp_path
) -> None:
    """An article stored by a version of before 2026-12-04, whose canonical URL kept its path as
    the feed wrote it (WordPress writes `%c3%b3` in small letters), is listed after the upgrade
    by the outlet's other feed with the same link: the canonical URL is now `%C3%B3`, and
    without the stored ones rewritten the item was stored again and its alert edited to name
    the other feed beside it."""
    link = "https://news.example/politica/excarcelaci%c3%b3n-de-presos/"
    result = await _poll_after_upgrade(server, settings, fetcher, tmp_path, "0017_item_date_only", stored=link, read=link)
    assert result.skipped == 1 and result.new_item_ids == [], result


async def _poll_after_upgrade(
    server: FeedServer, settings: Settings, fetcher: Fetcher, tmp_path: Path, revision: str, *, stored: str, read: str,
) -> PollResult:
    """An item linked as `stored` kept by the version at `revision`, the database migrated to
    the latest, then another feed of the outlet listing the article as `read`: that poll."""
    from storage.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'up.db'}")
    migrate(engine, revision)
    with Database(engine).session() as s:
        feed = Feed(name="portada", url="https://news.example/feed")
        s.add(feed)
        s.flush()
        s.add(Item(feed_id=feed.id, guid="p-1", url=stored, canonical_url=stored, title="Nota 1",
                   summary=LONG, content_hash="old", published_at=NOW - timedelta(hours=2),
                   fetched_at=NOW - timedelta(hours=2)))
    migrate(engine)
    db = Database(engine)
    server.set_route("/otra", rss([item(1, guid="q-1", link=read, title="Nota 1, con otro título")]))
    otra = feed_config(server, "otra", "/otra")
    with db.session() as s:
        sync_feeds(s, [(otra.name, otra.url)])
    try:
        return await poll_feed(otra, settings, fetcher, db)
    finally:
        engine.dispose()


IDN_LINK = "https://ñandú.example/presos/excarcelan-a-15"
PUNYCODE_LINK = "https://xn--and-6ma2c.example/presos/excarcelan-a-15"


async def test_an_item_linked_through_both_spellings_of_an_idn_host_is_one_item(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """One feed's <link> in Unicode, another's in punycode: the canonical URLs differed, the
    article was stored twice and its alert edited to name the second feed as another source
    ("También: b"). Now both are the IDNA form and the second feed's item is known."""
    server.set_route("/a", rss([item(1, guid="a-1", link=IDN_LINK)]))
    server.set_route("/b", rss([item(1, guid="b-1", link=PUNYCODE_LINK, title="Nota 1, otro título")]))
    assert len((await poll_feed(feed_config(server, "a", "/a"), settings, fetcher, db)).new_item_ids) == 1
    other = await poll_feed(feed_config(server, "b", "/b"), settings, fetcher, db)
    assert other.skipped == 1 and other.new_item_ids == [], other
    stored = items_of(db, "a")
    assert [(i.url, i.canonical_url) for i in stored] == [(IDN_LINK, PUNYCODE_LINK)]  # the link as written


async def test_an_item_stored_under_a_unicode_host_before_the_upgrade_is_known_in_punycode(
    server: FeedServer, settings: Settings, fetcher: Fetcher, tmp_path
) -> None:
    """An item stored by a version of before 2026-12-04 kept its host as written (Unicode);
    migration 0020 rewrites it in IDNA, so the other feed's punycode link finds it."""
    result = await _poll_after_upgrade(server, settings, fetcher, tmp_path, "0019_alert_sent_at_index",
                                       stored=IDN_LINK, read=PUNYCODE_LINK)
    assert result.skipped == 1 and result.new_item_ids == [], result


async def test_an_item_republished_with_decomposed_accents_is_recognised(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """A CMS that writes "Rocío" as "Roci" + U+0301 makes the same words: one item, stored
    composed."""
    import unicodedata

    title = "Excarcelan a Rocío San Miguel tras ocho meses de detención"
    first = item(1, title=title)
    server.set_route("/feed", rss([first]))
    cfg = feed_config(server)
    assert len((await poll_feed(cfg, settings, fetcher, db)).new_item_ids) == 1
    decomposed = item(1, guid="guid-1-nfd", link="https://news.example/otra/ruta",
                      title=unicodedata.normalize("NFD", title),
                      summary=unicodedata.normalize("NFD", f"<p>{LONG} 1</p>"))
    server.set_route("/feed", rss([first, decomposed]))
    again = await poll_feed(cfg, settings, fetcher, db)
    assert again.new_item_ids == [] and again.skipped >= 1
    assert [i.title for i in items_of(db, "pitazo")] == [title]


async def test_a_poll_whose_write_met_a_postgresql_deadlock_stores_its_items_within_seconds(
    server: FeedServer, settings: Settings, fetcher: Fetcher, any_db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL aborts one of two conflicting transactions (another replica's) with 40P01:
    the poll's items waited the feed's whole interval (30 min) for the next poll. The server
    raises a real 40P01 on the poll's first insert (a trigger), then lets the writes through."""
    if any_db.dialect != "postgresql":
        pytest.skip("deadlocks and serialization failures are PostgreSQL's")
    with any_db.engine.begin() as conn:
        conn.execute(text("CREATE SEQUENCE deadlock_once"))
        conn.execute(text(
            "CREATE FUNCTION deadlock_once() RETURNS trigger AS $$ BEGIN "
            "IF nextval('deadlock_once') = 1 THEN RAISE EXCEPTION 'deadlock detected' "
            "USING ERRCODE = 'deadlock_detected'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"))
        conn.execute(text("CREATE TRIGGER deadlock_once BEFORE INSERT ON items "
                          "FOR EACH ROW EXECUTE FUNCTION deadlock_once()"))
    monkeypatch.setattr("monitor.ingest.poll.CONFLICT_DELAY", 0.05)  # 1 s in the service
    server.set_route("/feed", rss([item(1), item(2)]))
    cfg = feed_config(server, interval="30m")
    try:
        result = await poll_feed(cfg, settings, fetcher, any_db)
        stored = items_of(any_db, "pitazo")
    finally:
        with any_db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER deadlock_once ON items"))
            conn.execute(text("DROP FUNCTION deadlock_once(); DROP SEQUENCE deadlock_once"))
    assert (result.status, result.stored, result.database_refused) == ("new", 2, False), result.error
    assert sorted(i.guid for i in stored) == ["guid-1", "guid-2"]  # once each
    assert result.duration < 5 and len(server.hits("/feed")) == 2


def test_a_store_whose_feed_row_is_gone_makes_the_row_by_name(settings: Settings, db: Database) -> None:
    """The store writes the row its poll read (by id); a row gone
    meanwhile (an operator's DELETE) is made again by name, and the items are stored on it,
    the first success, the validators and the next poll with them. A 304 keeps the stored
    validators it does not repeat, and the first success."""
    from monitor.fetch.client import FetchResult
    from monitor.ingest.feed_state import record_success
    from monitor.ingest.normalize import normalize_entry
    from monitor.parse import ParsedEntry

    cfg = FeedConfig(name="gone", url="https://gone.example/feed", language="es")
    with db.session() as s:
        old_id = sync_feeds(s, [(cfg.name, cfg.url), ("other", "https://other.example/feed")])[cfg.name].id
    with db.session() as s:
        s.execute(text("DELETE FROM feeds WHERE id = :id"), {"id": old_id})
    entry = ParsedEntry(guid="g1", link="https://gone.example/n/1", title="Excarcelan a 3 presos políticos",
                        summary="Foro Penal confirmó las excarcelaciones.", published=NOW - timedelta(hours=1))
    new = normalize_entry(entry, base_url=cfg.url, language="es", fetched_at=NOW)
    assert new is not None
    fetched = FetchResult(url=cfg.url, final_url=cfg.url, status=200, headers={"etag": '"e1"', "last-modified": "x"})
    result = record_success(db, cfg, settings, NOW, fetched, None, [(new, False)], 0, feed_id=old_id)
    assert result.status == "new" and len(result.new_item_ids) == 1
    row = feed_row(db, "gone")
    assert row.id != old_id and [i.guid for i in items_of(db, "gone")] == ["g1"]
    assert (row.etag, row.last_modified, row.first_success_at, row.next_poll_at) == (
        '"e1"', "x", NOW, NOW + cfg.interval)

    later = NOW + timedelta(hours=1)
    not_modified = FetchResult(url=cfg.url, final_url=cfg.url, status=304, headers={"etag": '"e2"'})
    assert record_success(db, cfg, settings, later, not_modified, None, [], None, feed_id=row.id).status == "not_modified"
    row = feed_row(db, "gone")
    assert (row.etag, row.last_modified, row.first_success_at, row.last_success_at) == ('"e2"', "x", NOW, later)


async def test_a_first_listing_left_for_later_polls_is_still_the_first_listing(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """Undated entries of a feed's first poll are backfill (never alerted); those a first poll
    left over max_new_items_per_poll are still of that listing when later polls store them.
    Before, the second poll took them for news and alerted them."""
    server.set_route("/feed", rss([item(i, published=None) for i in range(5)]))
    cfg = feed_config(server, fetch_article="never", max_new_items_per_poll=2)
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    polls = [await poll_feed(cfg, settings, fetcher, db) for _ in range(3)]
    assert [(r.stored, r.backfilled, len(r.new_item_ids), r.held) for r in polls] == [
        (2, 2, 0, 3), (2, 2, 0, 1), (1, 1, 0, 0)]
    assert feed_row(db, "pitazo").first_success_at is not None  # the first listing is stored
    # what the feed lists next is news
    server.set_route("/feed", rss([item(9, published=None), *(item(i, published=None) for i in range(5))]))
    later = await poll_feed(cfg, settings, fetcher, db)
    assert (later.stored, len(later.new_item_ids)) == (1, 1)
