"""A remembered permanent redirect (feeds.effective_url) lets go: when the site moves the feed
back to the URL in feeds.yaml, and when the remembered URL is gone (404/410) or keeps failing
while the configured one works."""

from __future__ import annotations

import logging

import pytest

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from devtools.samples import rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.ingest.poll import MOVE_FAILURES
from storage.db import Database
from storage.feeds import sync_feeds
from tests.ingest.test_poll_feed import feed_config, feed_row, item


async def _moved(server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
                 ) -> FeedConfig:
    """Feed /feed, moved for good to /new and polled once there."""
    server.set_route("/feed", redirect="/new", status=301)
    server.set_route("/new", rss([item(1)]))
    cfg = feed_config(server)
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    first = await poll_feed(cfg, settings, fetcher, db)
    assert first.redirected_to == server.url("/new")
    assert feed_row(db, cfg.name).effective_url == server.url("/new")
    return cfg


async def test_a_move_back_to_the_configured_url_is_forgotten(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = await _moved(server, settings, fetcher, db)
    server.set_route("/feed", rss([item(1)]))
    server.set_route("/new", redirect="/feed", status=301)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="monitor.ingest"):
        back = await poll_feed(cfg, settings, fetcher, db)
    assert back.status == "unchanged" and back.redirected_to is None
    assert "moved permanently" not in back.summary_line()
    assert "update feeds.yaml" not in caplog.text and "moved back" in caplog.text
    assert feed_row(db, cfg.name).effective_url is None
    await poll_feed(cfg, settings, fetcher, db)
    assert len(server.hits("/new")) == 2 and len(server.hits("/feed")) == 3  # /new no more


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_remembered_url_falls_back_to_the_configured_one(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, status: int
) -> None:
    cfg = await _moved(server, settings, fetcher, db)
    server.set_route("/new", b"gone", status=status, content_type="text/plain")
    server.set_route("/feed", rss([item(2), item(1)]))
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "new" and result.stored == 1, result.error
    row = feed_row(db, cfg.name)
    assert row.effective_url is None and row.consecutive_failures == 0
    await poll_feed(cfg, settings, fetcher, db)
    assert len(server.hits("/new")) == 2  # not asked again


async def test_a_gone_remembered_url_is_dropped_even_when_the_configured_one_fails(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = await _moved(server, settings, fetcher, db)
    server.set_route("/new", b"gone", status=410, content_type="text/plain")
    server.set_route("/feed", b"broken", status=500, content_type="text/plain")
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "error" and result.error == "HTTP 500"
    assert feed_row(db, cfg.name).effective_url is None


async def test_a_remembered_url_that_keeps_failing_is_given_up(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = await _moved(server, settings, fetcher, db)
    server.set_route("/new", b"down", status=503, content_type="text/plain")
    server.set_route("/feed", rss([item(1)]))
    for failure in range(1, MOVE_FAILURES):  # a passing outage keeps the move
        result = await poll_feed(cfg, settings, fetcher, db)
        assert result.status == "error" and result.consecutive_failures == failure
        assert feed_row(db, cfg.name).effective_url == server.url("/new")
    assert len(server.hits("/feed")) == 1
    result = await poll_feed(cfg, settings, fetcher, db)
    assert result.status == "unchanged", result.error
    assert feed_row(db, cfg.name).effective_url is None


async def test_the_move_is_kept_while_the_configured_url_fails_too(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg = await _moved(server, settings, fetcher, db)
    server.set_route("/new", b"down", status=503, content_type="text/plain")
    server.set_route("/feed", b"down too", status=502, content_type="text/plain")
    for _ in range(MOVE_FAILURES + 1):
        result = await poll_feed(cfg, settings, fetcher, db)
        assert result.status == "error" and result.error == "HTTP 503"  # the remembered URL's
    assert feed_row(db, cfg.name).effective_url == server.url("/new")
    server.set_route("/feed", rss([item(1)]))  # the configured URL answers again: taken
    assert (await poll_feed(cfg, settings, fetcher, db)).status == "unchanged"
    assert feed_row(db, cfg.name).effective_url is None
