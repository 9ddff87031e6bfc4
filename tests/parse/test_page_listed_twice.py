"""One article a page lists twice under two headlines (a lead box with a short one, the list
with the whole one), polled end to end: a real HTTP server on 127.0.0.1, the fetcher, the
parser, normalization and a SQLite file. It is one item, kept from the list's headline; a live
blog (one link retitled between polls) is still a revision."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from storage.db import Database
from storage.models import Feed, Item

HOUR_AGO = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
LIST = ["Lluvias afectan a Caracas", "Suben los precios del pan", "Abren inscripciones en la UCV"]


def stored(db: Database) -> list[tuple[str, str | None, str | None, int | None]]:
    with db.session() as s:
        return [(r.title, r.url, r.canonical_url, r.revision_of) for r in s.scalars(
            select(Item).join(Feed).where(Feed.name == "page").order_by(Item.id))]


def listing(lead: tuple[str, str] | None, listed: list[tuple[str, str]]) -> bytes:
    """A page: a lead box of one article (link, headline), then the list."""
    def article(link: str, title: str) -> str:
        return f"<article><h2><a href='{link}'>{title}</a></h2><time datetime='{HOUR_AGO}'></time></article>"
    box = f"<section class='destacada'>{article(*lead)}</section>" if lead else ""
    rows = "".join(f"<li>{article(*row)}</li>" for row in listed)
    return f"<html><body>{box}<ul class='lista'>{rows}</ul></body></html>".encode()


def page_feed(server: FeedServer) -> FeedConfig:
    server.set_route("/robots.txt", b"", status=404)
    return FeedConfig(name="page", url=server.url("/news/"), type="page", language="es",
                      fetch_article="never", selectors={  # type: ignore[arg-type]
                          "item": "article", "title": "h2", "link": "a@href", "date": "time@datetime"})


async def poll(server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, body: bytes) -> int:
    server.set_route("/news/", body, content_type="text/html")
    result = await poll_feed(page_feed(server), settings, fetcher, db)
    assert result.status != "error" and result.parse_problem is None, (result.error, result.parse_problem)
    return result.stored


OTHERS = [(f"/n/{i}", title) for i, title in enumerate(LIST, 2)]


async def test_an_article_in_the_lead_box_and_the_list_under_two_headlines_is_one_item(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # before: two items (no canonical URL: their link shared), alerted twice or as an update
    whole = "Foro Penal confirma la excarcelación de 20 presos políticos en El Rodeo I"
    body = listing(("/n/1", "Excarcelan a 20 presos"), [("/n/1", whole), *OTHERS])
    assert await poll(server, settings, fetcher, db, body) == 4
    article = server.url("/n/1")
    assert stored(db)[0] == (whole, article, article, None)  # the list's headline
    # the lead box moves on to another article, then back: nothing more stored
    assert await poll(server, settings, fetcher, db, listing(("/n/3", "Pan más caro"), [
        ("/n/1", whole), *OTHERS])) == 0
    assert await poll(server, settings, fetcher, db, body) == 0
    assert len(stored(db)) == 4


async def test_a_headline_cut_short_gives_way_to_the_whole_one_wherever_it_stands(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    whole = "Foro Penal: excarcelan a 20 presos políticos en El Rodeo I"
    body = listing(("/n/1", whole), [("/n/1", "Excarcelan a 20 presos políticos en…"), *OTHERS])
    assert await poll(server, settings, fetcher, db, body) == 4
    assert stored(db)[0][0] == whole


async def test_headlines_of_one_link_in_one_place_or_linking_home_stay_apart(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # two list rows whose link selector found their section's link, and a lead box and a row
    # both linking to the homepage: several articles, told apart at ingestion as before
    server.set_route("/news/", listing(("/", "Liberan a dos activistas en Zulia"), [
        ("/", "Detienen a un periodista en Lara"), ("/politica/", "Excarcelan a 20 presos"),
        ("/politica/", "Sancionan a 3 funcionarios"), *OTHERS]), content_type="text/html")
    result = await poll_feed(page_feed(server), settings, fetcher, db)
    assert result.stored == 7, result.error
    assert result.parse_problem is not None and "told apart" in result.parse_problem


async def test_a_live_blog_listed_twice_is_still_revised_when_its_figure_grows(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # the live page keeps its link; its list headline grows a figure between polls
    lead = ("/envivo", "EN VIVO | Minuto a minuto")
    def body(n: int) -> bytes:
        return listing(lead, [("/envivo", f"EN VIVO | Ascienden a {n} los presos políticos excarcelados"),
                              *OTHERS])
    assert await poll(server, settings, fetcher, db, body(8)) == 4
    assert await poll(server, settings, fetcher, db, body(16)) == 1
    live = [(title, revision_of) for title, url, _, revision_of in stored(db) if url == server.url("/envivo")]
    assert [(t.endswith("a 8 los presos políticos excarcelados"), r is None) for t, r in live] == [
        (True, True), (False, False)]
    assert live[1][0].endswith("a 16 los presos políticos excarcelados")
    # and listed alone, as live blogs were before
    assert await poll(server, settings, fetcher, db, listing(None, [
        ("/envivo", "EN VIVO | Ascienden a 24 los presos políticos excarcelados"), *OTHERS])) == 1


async def test_a_third_listing_cut_short_of_the_second_headline_is_the_same_article(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # lead box, list, and "lo más leído" cutting the list's headline: compared with the lead's
    # alone, the cut one was a third headline, and the three stayed apart
    whole = "Foro Penal confirma la excarcelación de 20 presos políticos en El Rodeo I"
    body = listing(("/n/1", "Excarcelan a 20 presos"), [("/n/1", whole), *OTHERS]).replace(
        b"</body>", b"<aside class='mas-leido'><article><h2><a href='/n/1'>Foro Penal confirma la "
        b"excarcelaci\xc3\xb3n de 20 presos\xe2\x80\xa6</a></h2></article></aside></body>")
    assert await poll(server, settings, fetcher, db, body) == 4
    assert stored(db)[0][0] == whole
