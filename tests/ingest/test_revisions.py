"""Revisions: an item its outlet retitled in place with another figure is stored again, as a
new item pointing to its first version; other retitles are ignored (monitor/ingest/dedup.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from alerts.tally.figures import load_tally
from core.config import AppConfig, FeedConfig, Settings
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.ingest.dedup import MAX_REVISIONS
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.feeds import sync_feeds
from storage.models import Item

NOW = datetime.now(UTC).replace(microsecond=0)
SUMMARY = "La ONG confirmó las excarcelaciones en Caracas durante la madrugada."


def title(n: int) -> str:
    return f"Ascienden a {n} las excarcelaciones de presos políticos, según Foro Penal"


def serve(server: FeedServer, items: list[SampleItem], version: int, body: bytes | None = None) -> None:
    server.set_route("/feed", body or rss(items), etag=f'"v{version}"')


async def setup(server: FeedServer, db: Database, **kw: object) -> FeedConfig:
    cfg = FeedConfig(name="efecto", url=server.url("/feed"), language="es", **kw)  # type: ignore[arg-type]
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    return cfg


def stored(db: Database) -> list[Item]:
    with db.session() as s:
        rows = list(s.scalars(select(Item).order_by(Item.id)))
        s.expunge_all()
        return rows


async def test_a_new_figure_is_a_revision_and_a_reworded_title_is_not(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    entry = SampleItem(title(8), "https://efecto.example/n/1", SUMMARY, "nota-1", NOW - timedelta(hours=2))
    serve(server, [entry], 1)
    server.set_route("/n/1", "<html><body><p>El texto.</p></body></html>", content_type="text/html")
    cfg = await setup(server, db, fetch_article="always")  # the poll checks its new items again
    await poll_feed(cfg, settings, fetcher, db, now=NOW)

    entry.title = "Foro Penal: ascienden a ocho las excarcelaciones de presos políticos"  # the same figure
    serve(server, [entry], 2)
    same = await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(minutes=10))
    assert (same.stored, same.skipped) == (0, 1)
    entry.title, entry.summary = title(8), SUMMARY + " Actualizada."  # the summary alone
    serve(server, [entry], 3)
    assert (await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(minutes=20))).stored == 0

    entry.title = title(16)
    serve(server, [entry], 4)
    later = NOW + timedelta(hours=1)
    revised = await poll_feed(cfg, settings, fetcher, db, now=later)
    assert (revised.stored, revised.skipped, revised.backfilled) == (1, 0, 0)
    first, revision = stored(db)
    assert revision.id in revised.new_item_ids
    assert (revision.title, revision.revision_of, revision.canonical_url) == (title(16), first.id, first.canonical_url)
    assert revision.guid.startswith("nota-1#rev") and revision.published_at == later  # news now
    assert (await poll_feed(cfg, settings, fetcher, db, now=later + timedelta(minutes=10))).stored == 0
    assert len(stored(db)) == 2


async def test_a_revision_of_an_old_item_is_news_now_and_an_updated_time_is_kept(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """The first poll stored the article as backfill (three days old); retitled with a new
    figure, it is alertable. An Atom entry's <updated> later than the first version dates it."""
    old = NOW - timedelta(days=3)
    entry = SampleItem(title(8), "https://efecto.example/n/1", SUMMARY, "nota-1", old)
    serve(server, [entry], 1)
    cfg = await setup(server, db)
    first = await poll_feed(cfg, settings, fetcher, db, now=NOW)
    assert first.backfilled == 1

    updated = NOW + timedelta(minutes=50)
    serve(server, [], 2, body=(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>efecto</title><id>urn:efecto</id><updated>{NOW.isoformat()}</updated>"
        f'<entry><title>{title(16)}</title><link rel="alternate" href="https://efecto.example/n/1"/>'
        f"<id>nota-1</id><published>{old.isoformat()}</published><updated>{updated.isoformat()}</updated>"
        f"<summary>{SUMMARY}</summary></entry></feed>").encode())
    revised = await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(hours=1))
    assert (revised.stored, revised.backfilled, len(revised.new_item_ids)) == (1, 0, 1)
    assert stored(db)[-1].published_at == updated


async def test_a_sixth_revision_is_ignored_and_said_once(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, caplog
) -> None:
    entry = SampleItem(title(8), "https://efecto.example/live", SUMMARY, "en-vivo-6", NOW - timedelta(hours=1))
    serve(server, [entry], 0)
    cfg = await setup(server, db)
    await poll_feed(cfg, settings, fetcher, db, now=NOW)
    caplog.set_level(logging.INFO, logger="monitor.ingest")
    figures = range(9, 9 + MAX_REVISIONS + 3)
    for hour, n in enumerate(figures, start=1):
        entry.title = title(n)
        serve(server, [entry], hour)
        await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(hours=hour))
    again = await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(hours=20))  # polled again, same title

    items = stored(db)
    assert [i.title for i in items] == [title(n) for n in range(8, 9 + MAX_REVISIONS)]
    assert {i.revision_of for i in items[1:]} == {items[0].id} and len({i.guid for i in items}) == len(items)
    assert again.stored == 0
    said = [r.getMessage() for r in caplog.records if "revisions" in r.getMessage()]
    assert len(said) == 1, said
    assert f"item {items[0].id} retitled again" in said[0] and title(9 + MAX_REVISIONS) in said[0]



async def test_a_figure_put_back_is_the_outlets_latest_figure(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, default_config: AppConfig
) -> None:
    """8, then 16, then 8 again (the outlet corrected its figure back down): the return to an
    earlier title is a revision, so the tally says 8. Before, it was ignored as a title stored
    before and the tally kept 16."""
    entry = SampleItem(title(8), "https://efecto.example/n/1", SUMMARY, "nota-1", NOW - timedelta(hours=2))
    serve(server, [entry], 1)
    cfg = await setup(server, db)
    await poll_feed(cfg, settings, fetcher, db, now=NOW - timedelta(hours=1))
    for version, (n, hour) in enumerate([(16, 0), (8, 1)], start=2):
        entry.title = title(n)
        serve(server, [entry], version)
        await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(hours=hour))
    Pipeline(default_config, db).process_pending(now=NOW + timedelta(hours=2))

    items = stored(db)
    assert [i.title for i in items] == [title(8), title(16), title(8)]
    assert {i.revision_of for i in items[1:]} == {items[0].id} and len({i.guid for i in items}) == 3
    with db.session() as s:
        tally = load_tally(s, default_config)
    assert [(f.number, f.outlet) for f in tally.figures] == [(8, "efecto")]


async def test_a_feed_alternating_two_titles_stores_each_at_most_twice(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """Two caches serving the old and the new headline in turn: 8, 16, 8, 16 are stored, then
    nothing more, and the item keeps revisions for a real update."""
    entry = SampleItem(title(8), "https://efecto.example/n/1", SUMMARY, "nota-1", NOW - timedelta(hours=2))
    serve(server, [entry], 0)
    cfg = await setup(server, db)
    await poll_feed(cfg, settings, fetcher, db, now=NOW - timedelta(hours=1))
    for poll, n in enumerate([16, 8] * 6, start=1):
        entry.title = title(n)
        serve(server, [entry], poll)
        await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(minutes=10 * poll))
    assert [i.title for i in stored(db)] == [title(8), title(16), title(8), title(16)]

    entry.title = title(20)
    serve(server, [entry], 20)
    assert (await poll_feed(cfg, settings, fetcher, db, now=NOW + timedelta(hours=3))).stored == 1


def atom(headline: str, published: datetime, updated: datetime) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>efecto</title><id>urn:efecto</id><updated>{updated.isoformat()}</updated>"
            f'<entry><title>{headline}</title><link rel="alternate" href="https://efecto.example/n/1"/>'
            f"<id>nota-1</id><published>{published.isoformat()}</published><updated>{updated.isoformat()}</updated>"
            f"<summary>{SUMMARY}</summary></entry></feed>").encode()


async def test_an_updated_time_older_than_the_last_poll_does_not_date_a_revision(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    """The CMS bumped <updated> for an edit two days ago and not for today's retitle: the
    polls since saw the old headline, so the retitle is news now, not two days old. Before,
    it was dated at the stale <updated> and stored as backfill (no alert)."""
    published, edited = NOW - timedelta(days=3), NOW - timedelta(days=2)
    serve(server, [], 1, body=atom(title(8), published, published))
    cfg = await setup(server, db)
    assert (await poll_feed(cfg, settings, fetcher, db, now=published + timedelta(minutes=5))).backfilled == 0
    serve(server, [], 2, body=atom(title(8), published, edited))  # an edit of the text
    for hours in range(1, 49, 12):  # polled all along, the same headline
        assert (await poll_feed(cfg, settings, fetcher, db, now=edited + timedelta(hours=hours))).stored == 0

    serve(server, [], 3, body=atom(title(16), published, edited))  # retitled, <updated> left as it was
    revised = await poll_feed(cfg, settings, fetcher, db, now=NOW)
    assert (revised.stored, revised.backfilled) == (1, 0)
    assert stored(db)[-1].published_at == NOW
