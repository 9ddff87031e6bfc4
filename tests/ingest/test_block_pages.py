"""Bot checks, paywalls, cookie walls and "enable JavaScript" notices served instead of the
article (status 200): a poll stores none of them as an item's text, and keeps what the feed
gave. The pages in tests/data/blockpages follow the markup and wording of the real ones."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from poll_process import poll_once_dry_run
from sqlalchemy import select

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.ingest.article import extract_text
from monitor.ingest.blockpage import BLOCK_PAGE_CHARS
from storage.db import Database
from storage.models import Item

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "tests" / "data" / "blockpages").glob("*.html"))
HTML = "text/html; charset=utf-8"
NOW = datetime.now(UTC)
KINDS = {  # what the log names each page, by the start of its file name
    "access_denied": "a bot check", "bot_check": "a bot check", "just_a_moment": "a bot check",
    "robot": "a bot check", "un_momento": "a bot check", "paywall": "a paywall",
    "cookie_wall": "a cookie wall", "consent": "a cookie wall", "enable_js": "a JavaScript notice",
}
CONTENT = (  # content:encoded the feed gives, longer than the wall's text
    "<p>Foro Penal confirmó la excarcelación de 40 presos políticos del Helicoide durante la "
    "madrugada del martes. Entre ellos hay dirigentes sindicales y periodistas detenidos desde "
    "2024.</p><p>Las familias esperaron frente a la sede desde el lunes; la ONG pidió publicar la "
    "lista completa de los excarcelados y las condiciones de sus medidas cautelares.</p>"
)


def item(server: FeedServer, path: str, n: int, title: str, summary: str = "Breve.",
         content: str | None = None) -> SampleItem:
    return SampleItem(title=title, link=server.url(path), summary=summary, guid=f"g-{n}",
                      published=NOW - timedelta(minutes=5 + n), content=content)


def stored(db: Database) -> dict[str, str | None]:
    with db.session() as s:
        return {i.title: i.text for i in s.scalars(select(Item))}


def kind_of(page: Path) -> str:
    return next(kind for prefix, kind in KINDS.items() if page.stem.startswith(prefix))


def test_every_sample_page_is_short_and_extracted() -> None:
    # the rule's length comes from these pages: trafilatura reads each as some text
    assert len(PAGES) >= 12
    for page in PAGES:
        text = extract_text(page.read_bytes(), {"content-type": HTML}, "https://x.example/n/1")
        assert text and len(text) < BLOCK_PAGE_CHARS, page.name


async def test_a_bot_check_paywall_or_wall_is_not_the_items_text(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # "To continue, please click the box below to let us know you're not a robot." was stored
    # as the item's text, fed the matcher and became the alert's summary; in `always` mode it
    # replaced the longer content:encoded the feed gave
    items = []
    for n, page in enumerate(PAGES):
        server.set_route(f"/n/{page.stem}", page.read_bytes(), content_type=HTML)
        items.append(item(server, f"/n/{page.stem}", n, f"Nota {page.stem}"))
    server.set_route("/n/con", (ROOT / "tests/data/blockpages/bot_check_en.html").read_bytes(),
                     content_type=HTML)
    items.append(item(server, "/n/con", 99, "Con contenido", content=CONTENT))
    server.set_route("/feed", rss(items))
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es", fetch_article="always")
    limited = settings.model_copy(update={"article_fetch_limit": len(items)})
    with caplog.at_level(logging.INFO, logger="monitor.ingest.article"):
        result = await poll_feed(cfg, limited, fetcher, db)
    assert result.status == "new" and len(result.new_item_ids) == len(items)
    assert result.articles == 0
    texts = stored(db)
    assert texts.pop("Con contenido") == (
        "Foro Penal confirmó la excarcelación de 40 presos políticos del Helicoide durante la "
        "madrugada del martes. Entre ellos hay dirigentes sindicales y periodistas detenidos desde "
        "2024. Las familias esperaron frente a la sede desde el lunes; la ONG pidió publicar la "
        "lista completa de los excarcelados y las condiciones de sus medidas cautelares.")
    assert texts == {f"Nota {page.stem}": None for page in PAGES}
    logged = [r.getMessage() for r in caplog.records if "no article text for" in r.getMessage()]
    assert len(logged) == len(items)
    for page in PAGES:
        lines = [m for m in logged if f"/n/{page.stem}: " in m]
        assert lines and all(f": {kind_of(page)} (" in m and m.endswith(", not the article")
                             for m in lines), lines


async def test_a_challenge_header_marks_the_response_as_a_bot_check(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # AWS WAF answers its challenge with 202 and a script page, Cloudflare with 403: the log
    # says it was a bot check, not a missing article or a plain refusal (the header decides,
    # whatever the body)
    article = ("<html><body><article><h1>Liberan a 12 presos políticos</h1><p>"
               + "Foro Penal confirmó las excarcelaciones en Tocorón. " * 6
               + "</p></article></body></html>")
    server.set_route("/n/aws", article, status=202, content_type=HTML,
                     headers={"x-amzn-waf-action": "challenge"})
    server.set_route("/n/cf", (ROOT / "tests/data/blockpages/just_a_moment_en.html").read_bytes(),
                     status=403, content_type=HTML, headers={"cf-mitigated": "challenge"})
    server.set_route("/feed", rss([item(server, "/n/aws", 1, "A"), item(server, "/n/cf", 2, "B")]))
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es", fetch_article="always")
    with caplog.at_level(logging.INFO, logger="monitor.ingest.article"):
        result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and result.articles == 0
    assert stored(db) == {"A": None, "B": None}
    logged = " | ".join(r.getMessage() for r in caplog.records)
    assert "/n/aws: a bot check (x-amzn-waf-action: challenge), not the article" in logged
    assert "/n/cf: HTTP 403 (a bot check: cf-mitigated: challenge)" in logged


SHORT_NEWS = {  # real briefs that mention subscribers, cookies, robots or JavaScript in passing
    "Conatel saca a NTN24 de la parrilla": (
        "Conatel ordenó a las cableoperadoras retirar el canal NTN24 de su parrilla desde este "
        "lunes. La medida afecta a más de dos millones de suscriptores de DirecTV y SimpleTV, "
        "según la Cámara Venezolana de Televisión por Suscripción.",
        "Los suscriptores que llamaron al servicio de atención no recibieron explicación.",
    ),
    "Revisan las visitas en El Helicoide": (
        "Familiares de presos políticos denunciaron que los custodios del Helicoide revisaron "
        "una por una las cookies y galletas que llevaron a los detenidos el domingo.",
        "Foro Penal pidió que se respeten las visitas y que se permita el paso de alimentos.",
    ),
    "Treasury renews Chevron licence": (
        "The Treasury renewed the licence that lets Chevron operate in Venezuela for six more "
        "months, officials said on Tuesday. Industry newsletters told subscribers the decision "
        "was expected.",
        "A robot used to inspect pipelines at the Petropiar upgrader was among the equipment "
        "cleared for import; websites that track tankers said cookies and JavaScript glitches "
        "delayed their data.",
    ),
}


def news(title: str, *paragraphs: str, tail: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
            f"{tail}</article></body></html>")


BESIDE = {  # a site's banner, player and login prompt, which trafilatura keeps beside a brief
    "Excarcelan a 12 presos en Tocorón": (
        "Utilizamos cookies propias y de terceros para mejorar tu experiencia. Si continúas "
        "navegando, aceptas su uso.",
        "Foro Penal confirmó este martes la excarcelación de 12 presos políticos del centro de "
        "reclusión de Tocorón, en el estado Aragua.",
        "Este video requiere JavaScript habilitado en su navegador.",
        "¿Ya eres suscriptor? Inicia sesión",
    ),
    "Treasury lifts sanctions on two officials": (
        "We use cookies to improve your experience. By continuing you accept our use of cookies.",
        "The Treasury lifted sanctions on two Venezuelan officials on Tuesday.",
        "To view this video please enable JavaScript.",
        "Already a subscriber? Sign in",
    ),
}


def beside(title: str, banner: str, brief: str, player: str, login: str) -> str:
    return (f'<html><head><title>{title}</title></head><body><div class="aviso"><p>{banner}</p>'
            f'<button>OK</button></div><div class="nota"><h1>{title}</h1><p>{brief}</p>'
            f'<div class="jwplayer"><p>{player}</p></div><p>{login.split("? ")[0]}? '
            f'<a href="/login">{login.split("? ")[1]}</a></p></div></body></html>')


async def test_real_articles_that_mention_subscribers_or_cookies_are_kept(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    items = []
    for n, (title, paragraphs) in enumerate(SHORT_NEWS.items()):
        server.set_route(f"/n/{n}", news(title, *paragraphs), content_type=HTML)
        items.append(item(server, f"/n/{n}", n, title))
    for n, (title, lines) in enumerate(BESIDE.items(), start=5):
        server.set_route(f"/n/{n}", beside(title, *lines), content_type=HTML)
        items.append(item(server, f"/n/{n}", n, title))
    # a full article the site ends with its paywall notice: the notice is no reason to lose it
    long = [f"Párrafo {i}: Foro Penal documentó nuevas excarcelaciones en Tocorón y Rodeo I, "
            "con medidas cautelares de presentación periódica." for i in range(16)]
    tail = "<p>Este contenido es exclusivo para suscriptores. ¿Ya eres suscriptor?</p>"
    server.set_route("/n/long", news("Excarcelaciones en Tocorón", *long, tail=tail),
                     content_type=HTML)
    items.append(item(server, "/n/long", 9, "Excarcelaciones en Tocorón"))
    server.set_route("/feed", rss(items))
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es", fetch_article="always")
    limited = settings.model_copy(update={"article_fetch_limit": len(items)})
    result = await poll_feed(cfg, limited, fetcher, db)
    assert result.articles == len(items)
    texts = stored(db)
    for title, paragraphs in SHORT_NEWS.items():
        text = texts[title]
        assert text and len(text) < BLOCK_PAGE_CHARS and all(p in text for p in paragraphs)
    for title, lines in BESIDE.items():
        assert texts[title] == "\n".join(lines)
    long_text = texts["Excarcelaciones en Tocorón"]
    assert long_text and long[0] in long_text and long[-1] in long_text


def test_the_alert_tells_the_feeds_text_not_the_wall(server: FeedServer, tmp_path: Path) -> None:
    """The `monitor` process: the console channel prints the alert poll-once --dry-run would
    send. Before, its summary read "Verificando que usted es un ser humano. Esto puede tardar
    unos segundos…" and the feed's summary of the other item was lost."""
    pages = ROOT / "tests" / "data" / "blockpages"
    server.set_route("/n/1", (pages / "un_momento_es.html").read_bytes(), content_type=HTML)
    server.set_route("/n/2", (pages / "bot_check_en.html").read_bytes(), content_type=HTML)
    server.set_route("/feed", rss([
        item(server, "/n/1", 1, "Excarcelan a 40 presos políticos en El Helicoide",
             summary="Foro Penal confirmó la excarcelación de 40 presos políticos en la madrugada."),
        item(server, "/n/2", 2, "EE UU anuncia nuevas sanciones contra Venezuela",
             content="<p>El Departamento del Tesoro anunció nuevas sanciones contra funcionarios "
                     "venezolanos por la detención de opositores.</p>" * 3),
    ]))
    done = poll_once_dry_run(tmp_path, server.url("/feed"), ["political_prisoners", "us_actions"])
    db_path = tmp_path / "m.db"
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Foro Penal confirmó la excarcelación de 40 presos políticos en la madrugada." in out
    assert "El Departamento del Tesoro anunció nuevas sanciones" in out
    for wall in ("ser humano", "seguridad de su conexión", "robot", "JavaScript", "cookies"):
        assert wall not in out
    with sqlite3.connect(db_path) as con:
        texts = dict(con.execute("SELECT title, text FROM items"))
    assert texts["Excarcelan a 40 presos políticos en El Helicoide"] is None
    assert (texts["EE UU anuncia nuevas sanciones contra Venezuela"] or "").startswith(
        "El Departamento del Tesoro anunció nuevas sanciones")
