"""Page feeds and JSON Feeds polled end to end: a real HTTP server on 127.0.0.1, the fetcher,
the parsers, normalization and a SQLite file; what is stored is checked."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import pytest
from sqlalchemy import select

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.parse import read_relative_date
from monitor.parse.feeds import AUTHOR_CHARS
from storage.db import Database
from storage.models import Feed, Item

NOW = datetime.now(UTC)
HOUR_AGO = (NOW - timedelta(hours=1)).isoformat()


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



def _rss(titles: list[str]) -> bytes:
    """An RSS 2.0 document of one item per title, written as given (references and all)."""
    entries = "".join(f"<item><title>{t}</title><link>https://example.org/{i}</link>"
                      f"<guid>{i}</guid></item>" for i, t in enumerate(titles, 1))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"{entries}</channel></rss>").encode()


async def test_rss_with_surrogate_character_references_is_stored(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # an emoji written as its two UTF-16 halves, and a title cut inside one
    titles = ["Liberan a cinco presos &#xD83D;&#xDE00;", "Emoji cortado &#xD83D;",
              "Decimal &#55357;&#56832; y &#233;xito"]
    server.set_route("/feed.xml", _rss(titles), content_type="application/rss+xml")
    cfg = FeedConfig(name="rss", url=server.url("/feed.xml"), language="es", fetch_article="never")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert sorted(r.title for r in stored(db, "rss")) == [
        "Decimal \U0001f600 y éxito", "Emoji cortado", "Liberan a cinco presos \U0001f600"]


async def test_rss_with_a_character_reference_beyond_unicode_is_stored(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # &#x110000; and beyond name no character: feedparser's chr() raised, the whole feed was
    # "unreadable" on every poll; the reference is dropped, the items are kept
    titles = ["Liberan a cinco presos &#x110000;", "Otra nota &#99999999999;", "Sin nada raro"]
    server.set_route("/beyond.xml", _rss(titles), content_type="application/rss+xml")
    cfg = FeedConfig(name="beyond", url=server.url("/beyond.xml"), language="es", fetch_article="never")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert sorted(r.title for r in stored(db, "beyond")) == [
        "Liberan a cinco presos", "Otra nota", "Sin nada raro"]


async def test_rss_with_a_long_author_is_read_at_once(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # feedparser looks for an e-mail address in every author (webMaster, managingEditor, author,
    # dc:creator) with a regex that is quadratic in its length: 30 KB of author took 16 s, 100 KB
    # four minutes, in a thread that held the GIL, so the whole service stood still meanwhile
    name = "Redacción " + "A" * 30_000
    body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<webMaster>{name}</webMaster><item><title>Liberan a cinco presos</title>"
            f"<author>{name}</author><link>https://example.org/1</link></item></channel></rss>")
    server.set_route("/author.xml", body.encode(), content_type="application/rss+xml")
    cfg = FeedConfig(name="author", url=server.url("/author.xml"), language="es", fetch_article="never")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert [r.title for r in stored(db, "author")] == ["Liberan a cinco presos"]
    # what feedparser's regex saw: the first AUTHOR_CHARS characters, whatever the feed wrote
    parsed = feedparser.parse(body)
    assert len(parsed.feed.publisher) <= AUTHOR_CHARS and len(parsed.entries[0].author) <= AUTHOR_CHARS


async def test_json_feed_with_a_link_urllib_cannot_read_is_stored_without_it(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # a relative "//[::1/x" (an unclosed IPv6 host) made urljoin raise: "internal error" on every
    # poll, and the feed's other items were never stored
    body = (b'{"version": "1.1", "items": [{"id": "1", "url": "//[::1/x", "title": "Nota uno"}, '
            b'{"id": "2", "url": "https://news.example/2", "title": "Nota dos"}]}')
    server.set_route("/ipv6.json", body, content_type="application/feed+json")
    cfg = FeedConfig(name="ipv6", url=server.url("/ipv6.json"), language="es", fetch_article="never")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert {r.guid: r.url for r in stored(db, "ipv6")} == {"1": None, "2": "https://news.example/2"}


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


def page(*articles: str) -> bytes:
    return ("<html><head><meta charset='utf-8'></head><body>" + "".join(
        f"<article>{a}<time datetime='{HOUR_AGO}'></time></article>" for a in articles)
        + "</body></html>").encode()


def page_feed(server: FeedServer, name: str = "page", **selectors: str) -> FeedConfig:
    server.set_route("/robots.txt", b"", status=404)
    return FeedConfig(name=name, url=server.url("/news/"), type="page", language="es",
                      fetch_article="never", selectors={  # type: ignore[arg-type]
                          "item": "article", "title": "h2", "link": "a@href",
                          "date": "time@datetime", **selectors})


async def test_page_links_that_lead_nowhere_else_are_no_links(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = page_feed(server)
    server.set_route("/news/", page(
        "<h2>Liberan a veinte presos políticos</h2><a href='#'>ver</a>",
        "<h2>Escribe a la redacción sobre los presos</h2><a href='mailto:r@site.example'>x</a>",
        "<h2>Comparte la nota sobre los presos</h2><a href='javascript:void(0)'>x</a>",
        "<h2>Nota con ancla de la lista de presos</h2><a href='#nota-4'>x</a>",
    ), content_type="text/html")
    first = await poll_feed(cfg, settings, fetcher, db)
    assert first.status == "new", first.error
    server.set_route("/news/", page(
        "<h2>Otro titular, también enlazado a la página misma</h2><a href='#'>ver</a>"),
        content_type="text/html")
    second = await poll_feed(cfg, settings, fetcher, db)
    assert second.status == "new" and second.stored == 1, second.summary_line()
    links = {r.title: (r.url, r.canonical_url) for r in stored(db, "page")}
    here = server.url("/news/")
    assert links == {  # the page itself is shown, but identifies no item
        "Liberan a veinte presos políticos": (here, None),
        "Escribe a la redacción sobre los presos": (None, None),
        "Comparte la nota sobre los presos": (None, None),
        "Nota con ancla de la lista de presos": (here + "#nota-4", here + "#nota-4"),
        "Otro titular, también enlazado a la página misma": (here, None),
    }


async def test_a_page_link_urllib_cannot_read_is_no_link_and_the_page_is_read(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # urljoin raised ValueError on "http://[::1" (an unclosed IPv6 host) and on a <base href>
    # like it: the poll failed with an internal error every time, none of the page's items stored
    cfg = page_feed(server)
    server.set_route("/news/", page(
        "<h2>Liberan a veinte presos políticos</h2><a href='/n/1'>ver</a>",
        "<h2>Nota con un enlace roto</h2><a href='http://[::1/n/2'>x</a>",
    ), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert {r.title: r.url for r in stored(db, "page")} == {
        "Liberan a veinte presos políticos": server.url("/n/1"), "Nota con un enlace roto": None}
    server.set_route("/news/", (  # a <base href> urllib cannot read: links are the page's own
        "<html><head><base href='http://[oops/'></head><body><article><h2>Otro titular sobre los "
        f"presos</h2><a href='/n/3'>ver</a><time datetime='{HOUR_AGO}'></time></article></body></html>"
    ).encode(), content_type="text/html")
    again = await poll_feed(cfg, settings, fetcher, db)
    assert again.status == "new" and again.stored == 1, again.error
    assert stored(db, "page")[-1].url == server.url("/n/3")


async def test_page_link_text_is_a_link_only_when_it_is_a_url(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = page_feed(server, link="a, span.url")
    server.set_route("/news/", page(
        "<h2>Liberan a veinte presos políticos</h2><a onclick='go(1)'>Liberan a veinte presos</a>",
        "<h2>Detenido un dirigente sindical</h2><a onclick='go(2)'>Detenido</a>",
        "<h2>Nota con la dirección escrita</h2><span class='url'>/n/7</span>",
    ), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    links = {r.title: r.url for r in stored(db, "page")}
    assert links == {
        "Liberan a veinte presos políticos": None,
        "Detenido un dirigente sindical": None,
        "Nota con la dirección escrita": server.url("/n/7"),
    }


async def test_page_listing_one_article_in_several_places_stores_it_once(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = page_feed(server, summary="p")
    server.set_route("/news/", page(
        "<a href='/n/1'><img src='/f.jpg' alt='Foto: EFE'></a>",  # the photo
        "<h2><a href='/n/1'>Liberan a veinte presos políticos</a></h2>"
        "<p>El Foro Penal confirmó las excarcelaciones.</p>",  # the lead story
        "<h2><a href='/n/1'>Liberan a veinte presos políticos</a></h2>",  # "lo más leído"
        "<h2><a href='/n/2'>Otra nota</a></h2>",
        "<h2><a href='/n/2'>Otro titular con el mismo enlace</a></h2>",
    ), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    rows = {(r.url, r.title, r.summary) for r in stored(db, "page")}
    assert rows == {
        (server.url("/n/1"), "Liberan a veinte presos políticos",
         "El Foro Penal confirmó las excarcelaciones."),
        (server.url("/n/2"), "Otra nota", ""),  # different titles: two items, told apart
        (server.url("/n/2"), "Otro titular con el mismo enlace", ""),
    }


async def test_page_listing_one_article_with_its_title_cut_short_stores_it_once(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # a sidebar ("lo más leído") cuts the headline with an ellipsis: two items of one article,
    # neither with a canonical URL (their link shared), stored again under an RSS feed's copy
    cfg = page_feed(server)
    full = "Foro Penal confirma la excarcelación de 20 presos políticos en Caracas"
    server.set_route("/news/", page(
        "<h2><a href='/n/1'>Foro Penal confirma la excarcelación de 20 presos…</a></h2>",
        f"<h2><a href='/n/1'>{full}</a></h2>",
        "<h2><a href='/n/1'>Foro Penal confirma la excarcelación de 20 presos&nbsp;...</a></h2>",
        "<h2><a href='/n/2'>Detienen al periodista Luis Pérez</a></h2>",
        "<h2><a href='/n/2'>Detienen al periodista…</a></h2>",
        "<h2><a href='/n/3'>Liberan a dos activistas en Zulia</a></h2>",  # same link, other words
        "<h2><a href='/n/3'>Liberan a dos…, dice Provea</a></h2>",
    ), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    rows = sorted((r.title, r.canonical_url) for r in stored(db, "page"))
    assert rows == [
        ("Detienen al periodista Luis Pérez", server.url("/n/2")),
        (full, server.url("/n/1")),
        ("Liberan a dos activistas en Zulia", None),
        ("Liberan a dos…, dice Provea", None),
    ]


@pytest.mark.parametrize("declared", ["header", "meta"])
async def test_page_declared_latin1_is_read_as_windows_1252(
    declared: str, server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # browsers read iso-8859-1 as windows-1252 (WHATWG Encoding): its quotes, dashes and €
    # are what the outlet wrote, not C1 control characters
    cfg = page_feed(server)
    html = page("<h2>“Libérenlos ya” — 5 € por día…</h2><a href='/n/1'>x</a>").decode()
    meta = "<meta charset='iso-8859-1'>" if declared == "meta" else ""
    body = html.replace("<meta charset='utf-8'>", meta).encode("cp1252")
    ctype = "text/html; charset=ISO-8859-1" if declared == "header" else "text/html"
    server.set_route("/news/", body, content_type=ctype)
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert [r.title for r in stored(db, "page")] == ["“Libérenlos ya” — 5 € por día…"]


@pytest.mark.parametrize("declared", [
    ("header", "ISO-8859-1"), ("meta", "iso-8859-1"), ("header", "windows-1252"), ("meta", "utf-16")])
async def test_a_page_in_utf8_declared_otherwise_is_read_as_utf8(
    declared: tuple[str, str], server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # a site moved to UTF-8 with its old Latin-1 header or <meta> left: read as declared, its
    # titles were mojibake ("ExcarcelaciÃ³n de presos polÃ\xadticos"), which no rule matched
    cfg = page_feed(server)
    where, charset = declared
    html = page("<h2>Excarcelación de presos políticos en Tocorón</h2><a href='/n/1'>x</a>",
                "<h2>Liberan a dos periodistas</h2><a href='/n/2'>x</a>").decode()
    meta = f"<meta charset='{charset}'>" if where == "meta" else ""
    body = html.replace("<meta charset='utf-8'>", meta).encode()
    ctype = f"text/html; charset={charset}" if where == "header" else "text/html"
    server.set_route("/news/", body, content_type=ctype)
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert sorted(r.title for r in stored(db, "page")) == [
        "Excarcelación de presos políticos en Tocorón", "Liberan a dos periodistas"]
    # a page of ASCII alone declared UTF-16 (browsers read such a <meta> as UTF-8): no item was read
    server.set_route("/news/", body.replace("ó".encode(), b"o").replace("í".encode(), b"i"), content_type=ctype)
    again = await poll_feed(cfg, settings, fetcher, db)
    assert again.status != "error", again.error


@pytest.mark.parametrize("meta", ["<meta charset='iso-8859-15'>",
                                  '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=ISO-8859-15">'])
async def test_a_pages_meta_charset_after_its_first_4_kb_is_read(
    meta: str, server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # 5 KB of inline style before the <meta>: it was not seen, and the page read as
    # windows-1252 ("5 ¤ de multa, Œ" for "5 € de multa, Œ"); browsers honour it in the head
    cfg = page_feed(server)
    style = "<style>" + ".nota{color:#333}\n" * 300 + "</style>"
    html = page("<h2>Liberación: 5 € de multa a cada preso, dice Œdipo</h2><a href='/n/1'>x</a>").decode()
    body = html.replace("<meta charset='utf-8'>", style + meta).encode("iso-8859-15")
    assert body.lower().find(b"<meta") > 4096
    server.set_route("/news/", body, content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert [r.title for r in stored(db, "page")] == ["Liberación: 5 € de multa a cada preso, dice Œdipo"]


async def test_a_section_label_on_a_line_of_its_own_in_a_page_title_is_dropped(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # as an RSS title's last line "…\nPOLÍTICA" is: a page writes the line with <br> or a block
    # of its own, and its text was joined with spaces ("… presos políticos POLÍTICA")
    cfg = page_feed(server, title=".titulo")
    server.set_route("/news/", page(
        "<div class='titulo'><a href='/n/1'>Liberan a 20 presos políticos</a><br>POLÍTICA</div>",
        "<div class='titulo'><h3><a href='/n/2'>Detienen a un periodista en Caracas</a></h3>"
        "<span class='cat'>EE UU</span></div>",
        "<div class='titulo'><a href='/n/3'>Sanciones de <strong>EEUU</strong> a tanqueros de "
        "<b>PDVSA</b></a></div>",
        "<div class='titulo'><p><a href='/n/4'>Rubio:</a></p><p>\"Maduro debe irse\"</p></div>",
    ), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new", result.error
    assert {r.url.rsplit("/", 1)[1]: r.title for r in stored(db, "page")} == {
        "1": "Liberan a 20 presos políticos", "2": "Detienen a un periodista en Caracas",
        "3": "Sanciones de EEUU a tanqueros de PDVSA", "4": 'Rubio: "Maduro debe irse"'}


async def test_page_selectors_that_find_no_title_or_date_are_reported(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # the site was redesigned: the headline is an h3 now and the date a <span>
    cfg = page_feed(server)
    server.set_route("/news/", (
        "<html><body>" + "".join(
            f"<article><h3><a href='/n/{i}'>Titular {i} sobre los presos</a></h3>"
            f"<span>hace {i} horas</span></article>" for i in range(1, 4))
        + "<article><h2><a href='/n/4'>Titular 4</a></h2><time datetime='sin fecha'></time></article>"
        + "</body></html>").encode(), content_type="text/html")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and result.stored == 4, result.error
    assert result.parse_problem == (
        "3 of 4 items had no title (selector 'h2'); "
        "4 of 4 items had no readable date (selector 'time@datetime', read: 'sin fecha')")


async def test_page_times_without_offset_are_read_in_the_feeds_zone(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # a Caracas outlet writes its own clock's times; read as UTC they were 4 h early
    day = (NOW - timedelta(days=2)).date()
    dmy = day.strftime("%d/%m/%Y")
    rows = [("iso", f"{day.isoformat()}T14:30"), ("dmy", f"{dmy} 2:30 p. m."),
            ("offset", f"{day.isoformat()}T14:30:00-04:00"), ("date", dmy),
            ("utc", day.strftime("%a, %d %b %Y 14:30:00 -0000"))]  # RFC 5322: UTC, local zone unknown
    for path in ("/portada", "/portada-madrid"):
        body = "".join(f'<li><a href="{path}/{k}">Nota {k}</a><time>{t}</time></li>' for k, t in rows)
        server.set_route(path, f"<html><body><ul>{body}</ul></body></html>".encode())
    selectors = {"item": "li", "title": "a", "link": "a@href", "date": "time"}
    at = datetime(day.year, day.month, day.day, tzinfo=UTC)

    caracas = FeedConfig(name="caracas", url=server.url("/portada"), type="page", language="es",
                         selectors=selectors, fetch_article="never")
    assert settings.timezone == "America/Caracas"
    assert (await poll_feed(caracas, settings, fetcher, db)).status == "new"
    got = {r.title: r.published_at.replace(tzinfo=UTC) for r in stored(db, "caracas")}
    assert got == {"Nota iso": at + timedelta(hours=18, minutes=30),
                   "Nota dmy": at + timedelta(hours=18, minutes=30),
                   "Nota offset": at + timedelta(hours=18, minutes=30),
                   "Nota date": at,  # a date alone stays 00:00 UTC (the backfill rule's reading)
                   "Nota utc": at + timedelta(hours=14, minutes=30)}

    madrid = FeedConfig(name="madrid", url=server.url("/portada-madrid"), type="page", language="es",
                        selectors=selectors, fetch_article="never", timezone="Europe/Madrid")
    assert (await poll_feed(madrid, settings, fetcher, db)).status == "new"
    got = {r.title: r.published_at.replace(tzinfo=UTC) for r in stored(db, "madrid")}
    offset = datetime(day.year, day.month, day.day, 14, 30, tzinfo=ZoneInfo("Europe/Madrid")).utcoffset()
    assert got["Nota iso"] == got["Nota dmy"] == at + timedelta(hours=14, minutes=30) - offset
    assert got["Nota offset"] == at + timedelta(hours=18, minutes=30)


def test_a_feeds_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Caracas'"):
        FeedConfig(name="x", url="https://example.org/", language="es", timezone="Caracas")


async def test_feed_times_without_offset_are_read_in_the_feeds_zone(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # RSS, Atom and JSON Feed items dated "2026-01-09 14:30:00" or with a pubDate without a zone:
    # feedparser reads them as UTC (and keeps the text), so a Caracas outlet's items were 4 h early
    day = (NOW - timedelta(days=2)).date()
    rfc = day.strftime("%a, %d %b %Y 14:30:00")
    rows = [("iso", f"{day.isoformat()} 14:30:00"), ("rfc", rfc), ("t", f"{day.isoformat()}T14:30"),
            ("vet", f"{rfc} VET"),  # a zone's name the readers do not know
            ("unknown", f"{rfc} -0000"), ("gmt", f"{rfc} GMT"), ("utc", f"{day.isoformat()} 14:30:00 UTC"),
            ("z", f"{day.isoformat()}T14:30:00Z"), ("offset", f"{day.isoformat()}T14:30:00-04:00")]
    for path in ("rss", "madrid"):
        rss = "".join(f"<item><title>Nota {k}</title><link>https://{path}.example/{k}</link>"
                      f"<pubDate>{t}</pubDate></item>" for k, t in rows)
        server.set_route(f"/{path}", f"<rss version='2.0'><channel><title>r</title>{rss}</channel></rss>".encode(),
                         content_type="application/rss+xml")
    atom = "".join(f"<entry><title>Nota {k}</title><id>urn:{k}</id><link href='https://a.example/{k}'/>"
                   f"<updated>{t}</updated></entry>" for k, t in rows)
    server.set_route("/atom", f"<feed xmlns='http://www.w3.org/2005/Atom'><title>a</title>{atom}</feed>".encode(),
                     content_type="application/atom+xml")
    items = ", ".join(f'{{"id": "{k}", "url": "https://j.example/{k}", "title": "Nota {k}", '
                      f'"date_published": "{t}"}}' for k, t in rows)
    server.set_route("/json", f'{{"version": "https://jsonfeed.org/version/1.1", "items": [{items}]}}'.encode(),
                     content_type="application/feed+json")
    at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    caracas, utc = at + timedelta(hours=18, minutes=30), at + timedelta(hours=14, minutes=30)
    expected = {"Nota iso": caracas, "Nota rfc": caracas, "Nota t": caracas, "Nota vet": caracas,
                "Nota unknown": utc, "Nota gmt": utc, "Nota utc": utc, "Nota z": utc, "Nota offset": caracas}
    assert settings.timezone == "America/Caracas"
    for name in ("rss", "atom", "json"):
        cfg = FeedConfig(name=name, url=server.url(f"/{name}"), language="es", fetch_article="never")
        assert (await poll_feed(cfg, settings, fetcher, db)).status == "new"
        got = {r.title: r.published_at.replace(tzinfo=UTC) for r in stored(db, name)}
        assert got == expected, name

    madrid = FeedConfig(name="madrid", url=server.url("/madrid"), language="es", fetch_article="never",
                        timezone="Europe/Madrid")
    assert (await poll_feed(madrid, settings, fetcher, db)).status == "new"
    got = {r.title: r.published_at.replace(tzinfo=UTC) for r in stored(db, "madrid")}
    offset = datetime(day.year, day.month, day.day, 14, 30, tzinfo=ZoneInfo("Europe/Madrid")).utcoffset()
    assert got["Nota iso"] == got["Nota rfc"] == utc - offset
    assert got["Nota gmt"] == utc


async def test_an_item_dated_without_a_time_of_day_is_stored_so(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # "December 3, 2026" is stored at 00:00 UTC of that day, the same instant as an item of
    # 20:00 in Caracas the day before: items.date_only tells them apart for the messages
    day = (NOW - timedelta(hours=6)).date()
    rows = [("day", day.strftime("%B %d, %Y")), ("iso", day.isoformat()),
            ("eight", f"{day.isoformat()}T00:00:00Z"), ("time", day.strftime("%a, %d %b %Y 09:15:00 -0400"))]
    rss = "".join(f"<item><title>Nota {k}</title><link>https://d.example/{k}</link><pubDate>{t}</pubDate></item>"
                  for k, t in rows)
    server.set_route("/dates", f"<rss version='2.0'><channel><title>r</title>{rss}</channel></rss>".encode(),
                     content_type="application/rss+xml")
    cfg = FeedConfig(name="dates", url=server.url("/dates"), language="en", fetch_article="never")
    assert (await poll_feed(cfg, settings, fetcher, db)).status == "new"
    got = {r.title: (r.published_at.replace(tzinfo=UTC), r.date_only) for r in stored(db, "dates")}
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert got["Nota day"] == got["Nota iso"] == (midnight, True)
    assert got["Nota eight"] == (midnight, False)
    assert got["Nota time"][1] is False


ABSURD_ZONE = "Fri, 09 Jan 2026 14:30:00 +9999999999999999999"


@pytest.mark.parametrize("kind", ["rss", "json", "page"])
async def test_a_date_with_an_absurd_zone_offset_is_no_date_and_loses_no_item(
    kind: str, server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # Python's date parser raises OverflowError on such a zone, which the readers did not catch:
    # the JSON Feed and the page failed whole at every poll ("internal error: OverflowError",
    # nothing of the feed stored), the RSS item was skipped
    if kind == "rss":
        body = _rss(["Liberan a cinco presos", "Otra nota"]).replace(
            b"<guid>1</guid>", f"<guid>1</guid><pubDate>{ABSURD_ZONE}</pubDate>".encode())
        cfg = FeedConfig(name=kind, url=server.url("/f"), language="es", fetch_article="never")
    elif kind == "json":
        body = (b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", '
                b'"url": "https://news.example/1", "title": "Liberan a cinco presos", "date_published": "'
                + ABSURD_ZONE.encode() + b'"}, ' + json_item(2) + b"]}")
        cfg = FeedConfig(name=kind, url=server.url("/f"), language="es", fetch_article="never")
    else:
        body = (f"<html><body><ul><li><a href='/n/1'>Liberan a cinco presos</a><time>{ABSURD_ZONE}</time></li>"
                "<li><a href='/n/2'>Otra nota</a><time>09/01/2026</time></li></ul></body></html>").encode()
        cfg = FeedConfig(name=kind, url=server.url("/f"), type="page", language="es", fetch_article="never",
                         selectors={"item": "li", "title": "a", "link": "a@href", "date": "time"})
    server.set_route("/f", body)
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and result.error is None, result.error
    assert len(stored(db, kind)) == 2


async def test_a_json_feed_of_a_million_items_is_read_up_to_the_limit_and_told_in_one_line(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # every item was built before the document's limit cut the list (3.1 million of them, 7 s
    # of CPU and 329 MB), and each one not an object added its own problem: one poll wrote a
    # problem of 136 million characters to the feed's row and the log
    settings = settings.model_copy(update={"max_entries_per_document": 3})
    items = [json_item(i) for i in range(1, 6)] + [b"1"] * 200_000
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": [' + b", ".join(items) + b"]}"
    server.set_route("/many.json", body, content_type="application/feed+json")
    cfg = FeedConfig(name="many", url=server.url("/many.json"), language="es", fetch_article="never")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and result.stored == 3, result.error
    assert result.parse_problem == "200002 of 200005 entries not read (max_entries_per_document: 3)"
    body = (b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
            + b", ".join([json_item(9)] + [b"1"] * 200_000) + b"]}")
    server.set_route("/many.json", body, content_type="application/feed+json")
    result = await poll_feed(cfg, settings.model_copy(update={"max_entries_per_document": 100_000}), fetcher, db)
    assert result.parse_problem == "200,000 items skipped: not an object"


def test_a_documents_problems_are_told_once_each_in_a_bounded_line() -> None:
    from monitor.parse import PROBLEM_CHARS, ParsedFeed

    parsed = ParsedFeed(problems=["entry skipped: bad date"] * 400 + ["JSON Feed without an items list"])
    assert parsed.problem == "entry skipped: bad date (x400); JSON Feed without an items list"
    parsed = ParsedFeed(problems=[f"entry {i} skipped: {'x' * 100}" for i in range(500)])
    assert parsed.problem is not None and len(parsed.problem) == PROBLEM_CHARS and parsed.problem.endswith("…")


async def test_an_offset_written_with_a_colon_or_after_gmt_is_kept(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """An RFC 822 date whose offset is written "-04:00" (PHP's `P`), "GMT-0400" (JavaScript's
    Date), "GMT-4" or "UTC-4", with a comment after it, keeps that offset. The RFC 822 reader
    knew none of them and the time was read in the feed's zone: an English feed in New York
    stored "10:00:00 -04:00" at 15:00 UTC in January (1 h late), "+01:00" at 15:00 (6 h late),
    though feedparser itself read both right."""
    day = (NOW - timedelta(days=2)).date()
    rfc = day.strftime("%a, %d %b %Y 10:00:00")
    rows = [("colon", f"{rfc} -04:00"), ("east", f"{rfc} +01:00"), ("half", f"{rfc} +05:30"),
            ("js", day.strftime("%a %b %d %Y 10:00:00 GMT-0400 (hora de Venezuela)")),
            ("gmt", f"{rfc} GMT-4"), ("utc", f"{rfc} UTC-04:00"), ("plain", f"{rfc} -0400"),
            ("local", rfc)]
    rss = "".join(f"<item><title>Nota {k}</title><link>https://ny.example/{k}</link>"
                  f"<pubDate>{t}</pubDate></item>" for k, t in rows)
    server.set_route("/ny", f"<rss version='2.0'><channel><title>r</title>{rss}</channel></rss>".encode(),
                     content_type="application/rss+xml")
    page = "".join(f'<li><a href="/nota/{k}">Nota {k}</a><time>{t}</time></li>' for k, t in rows)
    server.set_route("/ny-page", f"<html><body><ul>{page}</ul></body></html>".encode())
    at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    four = at + timedelta(hours=4)
    new_york = at.replace(tzinfo=None).replace(tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)
    expected = {"Nota colon": four, "Nota east": at - timedelta(hours=1),
                "Nota half": at - timedelta(hours=5, minutes=30), "Nota js": four, "Nota gmt": four,
                "Nota utc": four, "Nota plain": four, "Nota local": new_york}
    feeds = [FeedConfig(name="ny", url=server.url("/ny"), language="en", fetch_article="never",
                        timezone="America/New_York"),
             FeedConfig(name="ny-page", url=server.url("/ny-page"), type="page", language="en",
                        selectors={"item": "li", "title": "a", "link": "a@href", "date": "time"},
                        fetch_article="never", timezone="America/New_York")]
    for cfg in feeds:
        assert (await poll_feed(cfg, settings, fetcher, db)).status == "new"
        got = {r.title: r.published_at.replace(tzinfo=UTC) for r in stored(db, cfg.name)}
        assert got == expected, cfg.name


# 10:00 in Caracas on 14 January 2026: the fetch the relative dates below are read from
FETCHED = datetime(2026, 1, 14, 14, 0, tzinfo=UTC)


async def test_a_pages_relative_dates_and_times_alone_are_read_from_the_fetch(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """"hace 2 horas", "5 hours ago", "14:30", "Hoy 09:15", "Ayer, 10:30 p. m." on a listing
    are read from the fetch's time, in the feed's zone. They were no date: every item was
    stored at the fetch time, and the feed's problem said `no readable date` at every poll."""
    rows = [("horas", "Hace 2 horas"), ("min", "hace 5 min"), ("ago", "5 hours ago"), ("dias", "hace 3 días"),
            ("mes", "Hace un mes"), ("hora", "08:30"), ("pm", "9:40 a. m."), ("noche", "23:50"),
            ("hoy", "Hoy 09:15"), ("ayer", "Ayer, 10:30 p. m."), ("yday", "Yesterday"), ("ahora", "Justo ahora"),
            ("pub", "Publicado hoy a las 9:05"), ("pubayer", "Publicado ayer")]
    body = "".join(f'<li><a href="/n/{k}">Nota {k}</a><span class="d">{t}</span></li>' for k, t in rows)
    server.set_route("/rel", f"<html><body><ul>{body}</ul></body></html>".encode())
    cfg = FeedConfig(name="rel", url=server.url("/rel"), type="page", language="es", fetch_article="never",
                     selectors={"item": "li", "title": "a", "link": "a@href", "date": "span.d"})
    result = await poll_feed(cfg, settings, fetcher, db, now=FETCHED)
    assert result.status == "new" and result.error is None, result.error
    caracas = ZoneInfo("America/Caracas")

    def local(day: int, hour: int, minute: int) -> datetime:
        return datetime(2026, 1, day, hour, minute, tzinfo=caracas).astimezone(UTC)

    got = {r.title: (r.published_at.replace(tzinfo=UTC), r.date_only) for r in stored(db, "rel")}
    assert got == {
        "Nota horas": (FETCHED - timedelta(hours=2), False), "Nota min": (FETCHED - timedelta(minutes=5), False),
        "Nota ago": (FETCHED - timedelta(hours=5), False), "Nota dias": (FETCHED - timedelta(days=3), False),
        "Nota mes": (FETCHED - timedelta(days=30), False),
        "Nota hora": (local(14, 8, 30), False), "Nota pm": (local(14, 9, 40), False),
        "Nota noche": (local(13, 23, 50), False),  # 13:50 ahead of the fetch today: last night's
        "Nota hoy": (local(14, 9, 15), False), "Nota ayer": (local(13, 22, 30), False),
        "Nota yday": (datetime(2026, 1, 13, tzinfo=UTC), True), "Nota ahora": (FETCHED, False),
        "Nota pub": (local(14, 9, 5), False), "Nota pubayer": (datetime(2026, 1, 13, tzinfo=UTC), True),
    }
    with db.session() as s:
        assert s.scalar(select(Feed.parse_problem).where(Feed.name == "rel")) is None


async def test_an_old_item_newly_listed_with_a_relative_date_is_backfill(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """A page's later poll lists a note "hace 3 días" (a "most read" box) beside a new one "hace
    5 minutos": the old one is stored as backfill, never alerted; read as no date, both were
    news of that poll and both alerted."""
    def page(rows: list[tuple[str, str]]) -> bytes:
        body = "".join(f'<li><a href="/n/{k}">Nota {k}</a><span class="d">{t}</span></li>' for k, t in rows)
        return f"<html><body><ul>{body}</ul></body></html>".encode()

    cfg = FeedConfig(name="rel", url=server.url("/rel"), type="page", language="es", fetch_article="never",
                     selectors={"item": "li", "title": "a", "link": "a@href", "date": "span.d"})
    server.set_route("/rel", page([("a", "hace 1 hora")]))
    assert (await poll_feed(cfg, settings, fetcher, db, now=FETCHED)).status == "new"
    server.set_route("/rel", page([("b", "hace 5 minutos"), ("a", "hace 2 horas"), ("old", "hace 3 días")]))
    later = await poll_feed(cfg, settings, fetcher, db, now=FETCHED + timedelta(hours=1))
    assert later.backfilled == 1 and len(later.new_item_ids) == 1
    assert {r.title: r.backfill for r in stored(db, "rel")} == {"Nota a": False, "Nota b": False, "Nota old": True}


@pytest.mark.parametrize("text", ["hace 5000 años", "hace 99999999999999999999999 años", "hace 2 lustros",
                                  "ayer 25:00", "hoy 10:61", "x" * 5000, "hace " * 2000])
def test_a_relative_date_out_of_range_or_unknown_is_no_date(text: str) -> None:
    """Before year 1, an hour that does not exist, a unit not known: no date, never an error
    (the page's other items are read)."""
    assert read_relative_date(text, ZoneInfo("America/Caracas"), FETCHED) is None


async def test_a_time_written_before_a_numeric_date_is_kept(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """"9:30 - 14/01/2026", "9:30 a. m. | 14/01/2026": the time before a numeric date is read
    in the feed's zone, as after it and as before a written date ("10:30 - 14 de enero de
    2026"). It was dropped: the item was a date alone, shown without its time and stored at
    00:00 UTC, before the items of the evening before in Caracas."""
    rows = [("before", "9:30 - 14/01/2026"), ("meridiem", "9:30 a. m. | 14/01/2026"), ("iso", "09:30 2026/01/14"),
            ("after", "14/01/2026 - 9:30 a. m."), ("gmt", "13:30 GMT 14/01/2026"), ("alone", "14/01/2026")]
    body = "".join(f'<li><a href="/n/{k}">Nota {k}</a><span class="d">{t}</span></li>' for k, t in rows)
    server.set_route("/num", f"<html><body><ul>{body}</ul></body></html>".encode())
    cfg = FeedConfig(name="num", url=server.url("/num"), type="page", language="es", fetch_article="never",
                     selectors={"item": "li", "title": "a", "link": "a@href", "date": "span.d"})
    assert (await poll_feed(cfg, settings, fetcher, db, now=FETCHED)).status == "new"
    half_past_nine = datetime(2026, 1, 14, 13, 30, tzinfo=UTC)  # 9:30 in Caracas
    got = {r.title: (r.published_at.replace(tzinfo=UTC), r.date_only) for r in stored(db, "num")}
    assert got == {"Nota before": (half_past_nine, False), "Nota meridiem": (half_past_nine, False),
                   "Nota iso": (half_past_nine, False), "Nota after": (half_past_nine, False),
                   "Nota gmt": (half_past_nine, False), "Nota alone": (datetime(2026, 1, 14, tzinfo=UTC), True)}
