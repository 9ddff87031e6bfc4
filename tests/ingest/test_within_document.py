"""Several items of one document sharing a GUID or a link (a generator that gives every item
the homepage, live-blog posts told apart by #fragment only) are all stored, told apart by the
next key, and the parse problem says so; later polls store none of them twice."""

from __future__ import annotations

import pytest

from core.config import Settings
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from storage.db import Database
from storage.feeds import sync_feeds
from tests.ingest.test_poll_feed import LONG, feed_config, feed_row, item, items_of

HOME = "https://news.example/"


async def _poll(server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database,
                items: list[SampleItem]) -> tuple[int, int]:
    """Serve `items` and poll once; (new items, items skipped as known)."""
    server.set_route("/feed", rss(items))
    cfg = feed_config(server)
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status != "error", result.error
    return len(result.new_item_ids), result.skipped


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("same guid", "3 items share guid 'https://news.example/': told apart by link"),
        ("same link", "3 items share link 'https://news.example/': told apart by guid"),
        ("fragments",
         "3 items share link 'https://news.example/envivo': told apart by link fragment"),
        ("nothing but content",
         "3 items share guid 'https://news.example/': told apart by content; "
         "3 items share link 'https://news.example/': told apart by guid"),
    ],
)
async def test_items_sharing_a_key_are_all_stored_and_the_problem_named(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, kind: str,
    problem: str,
) -> None:
    guid, link = {
        "same guid": (lambda i: HOME, lambda i: f"https://news.example/n/{i}"),
        "same link": (lambda i: f"id-{i}", lambda i: HOME),
        "fragments": (lambda i: f"post-{i}", lambda i: f"https://news.example/envivo#post-{i}"),
        "nothing but content": (lambda i: HOME, lambda i: HOME),
    }[kind]
    entries = [item(i, guid=guid(i), link=link(i)) for i in (1, 2, 3)]
    assert await _poll(server, settings, fetcher, db, entries) == (3, 0)
    assert sorted(i.title for i in items_of(db, "pitazo")) == ["Nota 1", "Nota 2", "Nota 3"]
    assert feed_row(db, "pitazo").parse_problem == problem
    assert await _poll(server, settings, fetcher, db, entries) == (0, 3)


@pytest.mark.parametrize(
    "variant",
    ["distinct links", "homepage links", "homepage links, short titles"],
)
async def test_a_guid_shared_later_never_stores_an_item_twice(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, variant: str
) -> None:
    """Poll 1 lists one item with guid G; poll 2 lists it and two new ones with guid G; poll 3
    the same again. The short titles are too short to be recognised by content hash alone."""
    def entry(i: int) -> SampleItem:
        link = f"https://news.example/n/{i}" if variant == "distinct links" else HOME
        summary = "" if "short" in variant else f"{LONG} {i}"
        return item(i, guid="G", link=link, summary=summary)

    assert await _poll(server, settings, fetcher, db, [entry(1)]) == (1, 0)
    assert await _poll(server, settings, fetcher, db, [entry(3), entry(2), entry(1)]) == (2, 1)
    assert await _poll(server, settings, fetcher, db, [entry(3), entry(2), entry(1)]) == (0, 3)
    assert sorted(i.title for i in items_of(db, "pitazo")) == ["Nota 1", "Nota 2", "Nota 3"]
    # and when the generator lists one alone again, it is still known
    assert await _poll(server, settings, fetcher, db, [entry(2)]) == (0, 1)


async def test_the_same_item_listed_twice_is_stored_once(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    twice = [item(1), item(1), item(2, link=f"{HOME}n/2#comments"), item(2)]
    assert await _poll(server, settings, fetcher, db, twice) == (2, 0)
    assert feed_row(db, "pitazo").parse_problem is None
