"""The outbound policy end to end: a feed on 127.0.0.1 (the operator's own, trusted) links
to a second loopback server that plays an internal service. The internal service never
receives a request, and its text reaches neither the database nor a message."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from internal_service import InternalService
from poll_process import poll_once_dry_run
from sqlalchemy import select

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.status import render_status
from storage.db import Database
from storage.models import Feed, Item

ROOT = Path(__file__).resolve().parents[2]
SECRET = "SECRETO-INTERNO-42 credenciales del servicio interno"
TITLE = "Excarcelan a 87 presos políticos del penal de Tocorón"


@pytest.fixture
def internal() -> Iterator[InternalService]:
    with InternalService(SECRET) as service:
        yield service


def _item(link: str, n: int = 1, title: str = TITLE) -> SampleItem:
    return SampleItem(title=title, link=link, summary="Breve.", guid=f"g-{n}",
                      published=datetime.now(UTC) - timedelta(minutes=5))


def _row(db: Database, name: str) -> Feed:
    with db.session() as s:
        row = s.scalars(select(Feed).where(Feed.name == name)).one()
        s.expunge(row)
        return row


def _everything(db_path: Path) -> str:
    with sqlite3.connect(db_path) as conn:
        return "\n".join(conn.iterdump())


async def test_item_links_to_an_internal_service_are_refused(
    server: FeedServer, internal: InternalService, settings: Settings, db: Database, db_url: str
) -> None:
    server.set_route("/feed", rss([
        _item(internal.url("/admin"), 1),
        _item(server.url("/own-article"), 2, "Nota del mismo sitio"),
    ]))
    own = "<html><body><article><p>" + "Texto propio del medio. " * 40 + "</p></article></body></html>"
    server.set_route("/own-article", own, content_type="text/html")
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es", fetch_article="always")
    async with Fetcher(settings, deadline=10.0) as fetcher:
        result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and result.stored == 2 and result.articles == 1
    assert result.refused == ["127.0.0.1"]
    assert "links refused: 127.0.0.1" in result.summary_line()
    assert internal.connections == 0  # not even robots.txt
    assert server.hits("/own-article")  # same origin as the operator's feed: allowed
    with db.session() as s:
        texts = {i.guid: i.text for i in s.scalars(select(Item))}
    assert texts["g-2"] and "Texto propio" in texts["g-2"] and texts["g-1"] is None
    row = _row(db, "medio")
    assert row.consecutive_failures == 0 and "refused" in (row.last_error or "")
    status = render_status(db, None, now=datetime.now(UTC))
    assert "links refused" in status
    assert SECRET not in _everything(Path(db_url.removeprefix("sqlite:///")))


async def test_allow_private_lets_a_listed_internal_host_through(
    server: FeedServer, internal: InternalService, settings: Settings, db: Database
) -> None:
    server.set_route("/feed", rss([_item(internal.url("/admin"))]))
    allowed = settings.model_copy(update={"allow_private": ["127.0.0.1/32"]})
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es", fetch_article="always")
    async with Fetcher(allowed, deadline=10.0) as fetcher:
        result = await poll_feed(cfg, allowed, fetcher, db)
    assert result.articles == 1 and not result.refused
    assert internal.connections == 2  # robots.txt, then the page


async def test_a_permanent_redirect_to_an_internal_address_is_not_remembered(
    server: FeedServer, internal: InternalService, settings: Settings, db: Database
) -> None:
    server.set_route("/feed", redirect=internal.url("/latest/meta-data"), status=301)
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es")
    async with Fetcher(settings, deadline=10.0) as fetcher:
        result = await poll_feed(cfg, settings, fetcher, db)
        assert result.status == "error" and "refused" in (result.error or "")
        row = _row(db, "medio")
        assert row.effective_url is None and "refused" in (row.last_error or "")
        # The feed comes back: the old URL is still the one polled.
        server.set_route("/feed", rss([_item("https://news.example/1")]))
        again = await poll_feed(cfg, settings, fetcher, db)
    assert again.status == "new"
    assert internal.connections == 0


async def test_a_remembered_move_that_is_now_refused_is_forgotten(
    server: FeedServer, internal: InternalService, settings: Settings, db: Database
) -> None:
    """A new URL saved before the policy existed (pointing inside) is dropped on refusal."""
    server.set_route("/feed", rss([_item("https://news.example/1")]))
    cfg = FeedConfig(name="medio", url=server.url("/feed"), language="es")
    async with Fetcher(settings, deadline=10.0) as fetcher:
        await poll_feed(cfg, settings, fetcher, db)
        with db.session() as s:
            s.scalars(select(Feed)).one().effective_url = internal.url("/admin")
        refused = await poll_feed(cfg, settings, fetcher, db)
        assert refused.status == "error"
        assert _row(db, "medio").effective_url is None
        back = await poll_feed(cfg, settings, fetcher, db)
    assert back.status in ("unchanged", "new", "not_modified")
    assert internal.connections == 0


def test_poll_once_never_reaches_the_internal_service(
    server: FeedServer, internal: InternalService, tmp_path: Path
) -> None:
    """The `monitor` process itself: the alert printed by poll-once --dry-run carries the
    feed's title, never the internal page's text."""
    server.set_route("/feed", rss([_item(internal.url("/admin"))]))
    done = poll_once_dry_run(tmp_path, server.url("/feed"), ["political_prisoners"])
    db_path = tmp_path / "m.db"
    assert done.returncode == 0, done.stderr
    assert "Excarcelan a 87" in done.stdout  # the alert was printed
    assert internal.connections == 0
    assert SECRET not in done.stdout + done.stderr
    assert SECRET not in _everything(db_path)
    assert "refused" in done.stdout + done.stderr
