"""Article text over HTTP: what a poll stores as an item's `text` from its linked page."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.config import FeedConfig, Settings
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
