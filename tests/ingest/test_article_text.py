"""Article text over HTTP: what a poll stores as an item's `text` from its linked page."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.config import FeedConfig, Selectors, Settings
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from storage.db import Database
from storage.models import Item

NOW = datetime.now(UTC)


def short_item(server: FeedServer, path: str, n: int = 1, title: str = "Sanciones") -> SampleItem:
    return SampleItem(title=title, link=server.url(path), summary="Breve.", guid=f"g-{n}",
                      published=NOW - timedelta(minutes=5))


def texts(db: Database) -> list[str | None]:
    with db.session() as s:
        return [i.text for i in s.scalars(select(Item).order_by(Item.id))]


def page(title: str, *paragraphs: str, head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head>{head}<title>Nota</title></head><body><article>"
            f"<h1>{title}</h1>{body}</article></body></html>")


LIBERATION = "Fiscal General anuncia la liberación de 225 detenidos de las protestas"
PARAGRAPHS = [
    "Foro Penal pidió publicar la lista completa y dijo que hasta el momento ha confirmado "
    "110 excarcelaciones.",
    "Las familias esperan frente a la sede del Helicoide desde el martes.",
]


async def test_article_in_a_declared_single_byte_charset_is_read_in_it(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # the charset declared (header or <meta>), not guessed: trafilatura's guess stored
    # "liberaciˇn", "pidiˇ" (the ó lost), which neither matched nor read well in an alert
    html = page(LIBERATION, *PARAGRAPHS)
    server.set_route("/art/1", html.encode("cp1252"),
                     content_type="text/html; charset=windows-1252")
    server.set_route("/art/2", html.encode("latin-1"), content_type="text/html; charset=ISO-8859-1")
    meta = page(LIBERATION, *PARAGRAPHS, head='<meta charset="iso-8859-1">')
    server.set_route("/art/3", meta.encode("latin-1"), content_type="text/html")
    server.set_route("/feed", rss([short_item(server, f"/art/{n}", n) for n in (1, 2, 3)]))
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.articles == 3
    for text in texts(db):
        assert text and text.startswith(LIBERATION) and "Foro Penal pidió publicar" in text


SPORT = [
    "El Caracas FC venció 2-1 al Deportivo Táchira en el estadio Olímpico de la UCV.",
    "Los goles llegaron en el segundo tiempo y sellaron su pase a la final del torneo.",
    "El técnico destacó el trabajo del equipo durante toda la temporada.",
]
ELSEWHERE = "Foro Penal: excarcelan a 40 presos políticos en El Helicoide"
POINTERS = [  # how outlets link their other articles inside a story's body
    f'<strong>Lee también:</strong> <a href="/a">{ELSEWHERE}</a>',
    f'<a href="/a">LEA TAMBIÉN | {ELSEWHERE}</a>',
    f'<strong><a href="/a">{ELSEWHERE}</a></strong>',
    f'Te puede interesar: <a href="/a">{ELSEWHERE}</a>',
    f'RELATED: <a href="/a">{ELSEWHERE}</a>',
    f'» <a href="/a">{ELSEWHERE}</a>',
    f"Lee también: {ELSEWHERE}",
]


async def test_links_to_other_articles_inside_the_body_are_not_its_text(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # a football report with "Lee también: Foro Penal: excarcelan a 40 presos políticos…" in
    # its body was stored with that line, and matched political_prisoners with a confident
    # count of 40 released: a false alert, and a figure in the story of the real release
    for n, pointer in enumerate(POINTERS):
        html = page("Caracas FC a la final", SPORT[0], pointer, *SPORT[1:])
        server.set_route(f"/art/{n}", html, content_type="text/html; charset=utf-8")
    quote = f'<blockquote class="wp-embedded-content"><a href="/a">{ELSEWHERE}</a></blockquote>'
    server.set_route("/art/q", page("Caracas FC a la final", *SPORT).replace("</h1>", "</h1>" + quote),
                     content_type="text/html; charset=utf-8")
    # a link inside a sentence is the article's text
    cited = page("Caracas FC a la final", *SPORT,
                 'La directiva citó <a href="/a">el informe de Foro Penal</a> sobre los presos.')
    server.set_route("/art/c", cited, content_type="text/html; charset=utf-8")
    paths = [*(f"/art/{n}" for n in range(len(POINTERS))), "/art/q", "/art/c"]
    server.set_route("/feed", rss([short_item(server, p, n, f"Caracas FC a la final ({n})")
                                   for n, p in enumerate(paths)]))
    cfg = FeedConfig(name="deportes", url=server.url("/feed"), language="es",
                     fetch_article="always")
    limited = settings.model_copy(update={"article_fetch_limit": len(paths)})
    result = await poll_feed(cfg, limited, fetcher, db)
    assert result.articles == len(paths)
    stored = texts(db)
    assert len(stored) == len(paths)
    for text in stored:
        assert text and all(s in text for s in SPORT)
        assert "excarcelan" not in text and "TAMBIÉN" not in text
    assert sum("el informe de Foro Penal sobre los presos" in (t or "") for t in stored) == 1


NEWS = [  # a listing: one headline is about prisoners, the others are not
    ("Excarcelan a 40 presos políticos en El Helicoide",
     "Foro Penal confirmó la excarcelación de 40 presos políticos durante la madrugada."),
    ("Caracas FC avanza a la final",
     "El equipo capitalino venció 2-1 al Táchira en el estadio Olímpico de la UCV."),
]


def listing(link: str) -> str:
    hour_ago = (NOW - timedelta(hours=1)).isoformat()
    notes = "".join(
        f'<div class="nota"><h2><a href="{link.format(i=i)}">{t}</a></h2>'
        f'<time datetime="{hour_ago}">hoy</time><p>{s}</p></div>' for i, (t, s) in enumerate(NEWS))
    return f"<html><body><main>{notes}</main></body></html>"


async def test_a_page_linking_into_itself_is_not_fetched_as_each_items_article(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # items linked "#nota-1" were given the whole listing as their text: the football item
    # read "Excarcelan a 40 presos políticos…" and matched as a release of 40
    server.set_route("/prensa", listing("#nota-{i}"), content_type="text/html; charset=utf-8")
    sel = Selectors(item="div.nota", title="h2", link="h2 a@href", date="time@datetime",
                    summary="p")
    cfg = FeedConfig(name="prensa", url=server.url("/prensa"), language="es", type="page",
                     selectors=sel)
    result = await poll_feed(cfg, settings, fetcher, db)
    assert len(result.new_item_ids) == 2 and result.articles == 0
    assert texts(db) == [None, None]
    assert len(server.hits("/prensa")) == 1


async def test_a_home_page_is_no_items_article(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    # a feed whose items all link to the home page, and an article removed since, whose
    # address now redirects to the home page: the home page's headlines were their text
    server.set_route("/", listing("/n/{i}"), content_type="text/html; charset=utf-8")
    server.set_route("/n/9", redirect="/", status=301)
    server.set_route("/feed", rss([
        short_item(server, "/", 1, "Inflación de noviembre"),
        short_item(server, "/n/9", 2, "Nuevo horario del metro"),
    ]))
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert len(result.new_item_ids) == 2 and result.articles == 0
    assert texts(db) == [None, None]
    assert len(server.hits("/n/9")) == 1 and len(server.hits("/")) == 1  # the redirect's


async def test_the_articles_of_a_poll_are_read_one_at_a_time_in_their_own_thread(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # trafilatura parses with one lxml parser of its module: three articles of one poll read at
    # once in the default thread pool aborted a test worker ("Fatal Python error: Aborted")
    import trafilatura

    real, under_way, most, threads = trafilatura.extract, [0], [0], set()
    lock = threading.Lock()

    def watched(*args: object, **kwargs: object) -> str | None:
        with lock:
            under_way[0] += 1
            most[0] = max(most[0], under_way[0])
            threads.add(threading.current_thread().name)
        time.sleep(0.05)  # long enough for another read to start, were reads concurrent
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                under_way[0] -= 1

    monkeypatch.setattr(trafilatura, "extract", watched)
    pages = range(1, settings.article_fetch_limit + 1)  # a poll reads at most this many
    for n in pages:
        server.set_route(f"/art/{n}", page(f"{LIBERATION} ({n})", *PARAGRAPHS))
    server.set_route("/feed", rss([short_item(server, f"/art/{n}", n) for n in pages]))
    result = await poll_feed(FeedConfig(name="medio", url=server.url("/feed"), language="es"),
                             settings, fetcher, db)
    assert result.articles == len(pages) >= 3
    assert most[0] == 1
    assert threads and all(name.startswith("article-read") for name in threads), threads
    stored = sorted(t or "" for t in texts(db))
    assert [t.split(")")[0] for t in stored] == [f"{LIBERATION} ({n}" for n in pages]
    assert all(PARAGRAPHS[1] in t for t in stored)
