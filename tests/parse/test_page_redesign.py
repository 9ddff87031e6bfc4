"""A page feed after its site's redesign, polled end to end (a real HTTP server on 127.0.0.1,
the fetcher, the parser, a SQLite file): what the operator is told by `monitor status` and the
status page, not only by the poll's own line."""

from datetime import UTC, datetime, timedelta
from html import escape

import pytest

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.status import render_status
from monitor.status_page import render_status_page
from storage.db import Database


def page_feed(server: FeedServer) -> FeedConfig:
    server.set_route("/robots.txt", b"", status=404)
    return FeedConfig(name="elpitazo", url=server.url("/news/"), type="page", language="es",
                      fetch_article="never", selectors={  # type: ignore[arg-type]
                          "item": "article", "title": "h2", "link": "a@href"})


async def test_a_pages_parse_problem_is_shown_by_monitor_status_and_the_status_page(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # the headline is an <h3> now: every item is stored without a title, the poll succeeds
    cfg = page_feed(server)
    server.set_route("/news/", ("<html><body>" + "".join(
        f"<article><h3><a href='/n/{i}'>Excarcelan a {i} presos políticos</a></h3></article>"
        for i in range(1, 6)) + "</body></html>").encode(), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and result.stored == 5, result.error
    problem = "5 of 5 items had no title (selector 'h2')"
    assert result.parse_problem == problem
    now = datetime.now(UTC)
    status = render_status(db, None, now=now)
    header, _, row = status.splitlines()[1:4]
    assert header.split()[-2:] == ["parse", "problem"]
    assert row.startswith("elpitazo  ok") and row.endswith(problem)
    assert f'<td class="err">{escape(problem)}</td>' in render_status_page(db, None, now=now)
    # the site fixed: the problem goes, with the next poll that reads the page whole
    server.set_route("/news/", b"<html><body><article><h2><a href='/n/9'>Liberan a un periodista"
                     b"</a></h2></article></body></html>", content_type="text/html")
    assert (await poll_feed(cfg, settings, fetcher, db)).parse_problem is None
    assert render_status(db, None, now=now).splitlines()[3].endswith(" -")


WALLS = {
    "consent": ("<div class='cmp'><p>Utilizamos cookies propias y de terceros para mejorar tu "
                "experiencia.</p><button>Aceptar las cookies</button></div>",
                'a cookie wall ("utilizamos cookies")'),
    "bot check": ("<h1>Verifying you are human. This may take a few seconds.</h1><p>el-pitazo.com "
                  "needs to review the security of your connection before proceeding.</p>",
                  'a bot check ("verifying you are human")'),
    "app": ("<noscript>You need to enable JavaScript to run this app.</noscript><div id='root'></div>"
            "<script>window.__DATA__ = {items: []}</script>",
            'a JavaScript notice ("enable JavaScript")'),
}


@pytest.mark.parametrize("kind", WALLS)
async def test_a_page_feed_served_a_wall_says_so_not_only_that_its_selector_matched_nothing(
    kind: str, server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # the operator's browser passes the wall and shows the listing, where the selector matches:
    # "matched nothing" alone sent them looking for a redesign that was not there
    cfg = page_feed(server)
    markup, wall = WALLS[kind]
    server.set_route("/news/", f"<html><head><title>El Pitazo</title></head><body>{markup}</body></html>"
                     .encode(), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "error"
    assert result.error == f"selector 'article' matched nothing; the page served is {wall}, not the listing"


async def test_a_feed_answered_with_a_challenge_says_it_is_a_bot_check(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = page_feed(server)
    server.set_route("/news/", b"<html><body>Just a moment...</body></html>", status=403,
                     headers={"cf-mitigated": "challenge"}, content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.error == "HTTP 403 (a bot check: cf-mitigated: challenge)"
    # a page without the wall: the selector's own failure, as before
    server.set_route("/news/", b"<html><body><div class='post'><h2>Liberan a dos presos</h2></div>"
                     b"</body></html>", content_type="text/html")
    again = await poll_feed(cfg, settings, fetcher, db)
    assert again.error == "selector 'article' matched nothing"


async def test_items_the_link_selector_found_no_link_in_are_reported(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # the headline's link lost its class in a redesign: every item was stored without a link
    # (an alert with nothing to open, no article text, no cross-feed dedup), and nothing was said
    cfg = page_feed(server)
    cfg = cfg.model_copy(update={"selectors": cfg.selectors.model_copy(update={"link": "a.titulo@href"})})
    server.set_route("/news/", ("<html><body>" + "".join(
        f"<article><h2><a class='title' href='/n/{i}'>Excarcelan a {i} presos políticos</a></h2>"
        "</article>" for i in range(1, 5))
        + "<article><h2><a class='titulo' href='/n/5'>Liberan a un periodista</a></h2></article>"
        + "</body></html>").encode(), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and result.stored == 5, result.error
    assert result.parse_problem == "4 of 5 items had no link (selector 'a.titulo@href')"


def listing(n: int, first: int = 0) -> bytes:
    """A listing of `n` articles, numbered from `first`."""
    return ("<html><body>" + "".join(
        f"<article><h2><a href='/n/{i}'>Nota {i} sobre los presos políticos</a></h2></article>"
        for i in range(first, first + n)) + "</body></html>").encode()


# the redesign: the listing's items are <div class="card"> now; one <article> is left (a promo)
REDESIGNED = ("<html><body><article><h2><a href='/suscribete'>Suscríbete al boletín</a></h2></article>"
              + "".join(f"<div class='card'><h3><a href='/n/x{i}'>Nota {i}</a></h3></div>" for i in range(22))
              + "</body></html>").encode()


async def polled(server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, body: bytes,
                 cfg: FeedConfig | None = None):  # type: ignore[no-untyped-def]
    server.set_route("/news/", body, content_type="text/html")
    result = await poll_feed(cfg or page_feed(server), settings, fetcher, db)
    assert result.status != "error", result.error
    return result


async def test_a_page_whose_item_count_drops_sharply_says_so_while_the_drop_lasts(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # before: the poll read 1 item where it read 20-25, and the feed stayed ok with no problem
    for k, n in enumerate([22, 25, 20, 23, 21, 24]):
        result = await polled(server, settings, fetcher, db, listing(n, first=100 * k))
        assert (result.parse_problem, result.items_read, result.item_drop) == (None, n, False)
    problem = "1 item read where the last 6 polls read 20-25 (selector 'article': the page redesigned?)"
    for _ in range(3):  # lasting: its own count never becomes the usual one
        result = await polled(server, settings, fetcher, db, REDESIGNED)
        assert (result.parse_problem, result.items_read, result.item_drop) == (problem, 1, True)
    now = datetime.now(UTC)
    row = render_status(db, None, now=now).splitlines()[3]
    assert row.startswith("elpitazo  ok") and "1 item read where the last 6 polls read 20-25" in row
    assert f'<td class="err">{escape(problem)}</td>' in render_status_page(db, None, now=now)
    # the site's listing back: the problem goes
    result = await polled(server, settings, fetcher, db, listing(21))
    assert (result.parse_problem, result.item_drop) == (None, False)


async def test_new_selectors_start_the_counts_over(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    for k in range(5):
        await polled(server, settings, fetcher, db, listing(20, first=100 * k))
    assert (await polled(server, settings, fetcher, db, REDESIGNED)).item_drop
    # the operator's new selectors read the redesigned page: no drop, counted afresh
    fixed = page_feed(server).model_copy(update={"selectors": page_feed(server).selectors.model_copy(
        update={"item": "div.card", "title": "h3"})})  # type: ignore[union-attr]
    result = await polled(server, settings, fetcher, db, REDESIGNED, fixed)
    assert (result.parse_problem, result.items_read, result.item_drop) == (None, 22, False)


@pytest.mark.parametrize("counts", [
    [3, 5, 2, 4, 3, 1, 1],  # a quiet listing: under 10 items read, never judged
    [14, 12, 13, 12, 11, 3],  # 3 items where 11-14 were read: more than a fifth of the fewest
    [25, 24, 1],  # too few polls to know the page's usual count
])
async def test_a_quiet_or_shrinking_listing_raises_no_drop(
    counts: list[int], server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    for k, n in enumerate(counts):
        result = await polled(server, settings, fetcher, db, listing(n, first=100 * k))
        assert (result.parse_problem, result.items_read, result.item_drop) == (None, n, False)


async def test_a_listing_that_shrank_for_a_week_is_the_pages_usual_count_then(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """A page that really lists 4 articles where it listed 20-25 was reported as a drop at
    every poll, for ever: the operator, who had looked, could only change its selectors. A
    drop lasting a week is the page's usual count from then on; one the listing's return
    interrupted starts its week over."""
    cfg, t0 = page_feed(server), datetime(2026, 12, 1, 12, tzinfo=UTC)

    async def at(days: float, body: bytes):  # type: ignore[no-untyped-def]
        server.set_route("/news/", body, content_type="text/html")
        return await poll_feed(cfg, settings, fetcher, db, now=t0 + timedelta(days=days))

    for k, n in enumerate([22, 25, 20, 23, 21, 24]):
        assert not (await at(k / 24, listing(n, first=100 * k))).item_drop
    assert (await at(1, listing(4))).item_drop
    assert not (await at(2, listing(22))).item_drop  # back: the next drop's week starts again
    for day in (3, 6, 9.9):
        assert (await at(day, listing(4))).item_drop, day
    for day in (10, 10.5, 11, 12, 13, 14):  # a week since the drop began: 4 is the usual now
        result = await at(day, listing(4))
        assert (result.parse_problem, result.items_read, result.item_drop) == (None, 4, False)
