"""This host's clock against the feeds' servers' (their Date headers): a clock a day ahead
stored every new item as backfill, never alerted, and nothing said why."""

from __future__ import annotations

import glob
import time
from datetime import UTC, datetime, timedelta

import pytest
from ruamel.yaml import YAML

from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch.server_clocks import ServerClocks

FAKETIME = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), None)
PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]


@pytest.mark.slow(seconds=5)  # one `monitor poll-once` process under libfaketime
@pytest.mark.skipif(FAKETIME is None, reason="libfaketime not installed (apt-get install faketime)")
def test_a_clock_a_day_ahead_of_the_feeds_servers_is_told(world) -> None:
    """Three feeds on three servers; `monitor poll-once` on a host whose clock is a day ahead.
    The release published five minutes ago looks a day old: stored as backfill, no alert (as a
    day-old item must be); the log says why, and how to fix it."""
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 87 presos políticos en Tocorón", "Familiares confirmaron.")
    with FeedServer() as two, FeedServer() as three:
        extra = []
        for server, name in ((two, "cocuyo"), (three, "runrunes")):
            server.set_route(f"/{name}.xml", rss([SampleItem(title="Clima en Caracas", link=f"{server.base_url}/1",
                                                              guid=f"{name}-1", published=datetime.now(UTC))]),
                             content_type="application/rss+xml")
            extra.append({"name": name, "url": server.url(f"/{name}.xml"), "language": "es", "interval": "30s",
                          "fetch_article": "never"})
        world.write_config(PRESOS)
        yaml = YAML()
        config = yaml.load(world.config_path.read_text(encoding="utf-8"))
        config["feeds"] += extra
        with world.config_path.open("w", encoding="utf-8") as fh:
            yaml.dump(config, fh)
        ahead = world.monitor("poll-once", LD_PRELOAD=str(FAKETIME), FAKETIME="+1d", FAKETIME_DONT_FAKE_MONOTONIC="1")
    assert ahead.returncode == 0, ahead.stderr
    assert "this host's clock is 1d ahead of the feeds' servers" in ahead.stderr, ahead.stderr
    assert "over backfill_window (1d) they are stored as backfill, never alerted" in ahead.stderr


def test_the_offset_is_the_median_of_the_servers_heard() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    clocks = ServerClocks()
    clocks.observe("https://a.example/feed", "Thu, 03 Dec 2026 12:00:00 GMT", now)  # a day behind us
    clocks.observe("https://a.example/other", "Thu, 03 Dec 2026 12:00:05 GMT", now)  # one host, one value
    assert clocks.offset() is None  # too few servers to judge
    clocks.observe("https://b.example/rss", "Thu, 03 Dec 2026 12:00:01 GMT", now)
    clocks.observe("https://c.example/rss", "Fri, 04 Dec 2026 12:00:00 GMT", now)  # one server right
    clocks.observe("https://d.example/rss", "not a date", now)
    right = ServerClocks()
    for host in "abc":
        right.observe(f"https://{host}.example/rss", "Fri, 04 Dec 2026 11:59:59 GMT", now)
    assert right.offset() == 1.0  # well under the 5 minutes told (monitor.service.CLOCK_OFF)
    assert clocks.offset() == timedelta(days=1).total_seconds() - 5  # a: its latest; b; c


async def test_a_cached_response_dates_from_its_origin_less_its_age(monkeypatch, make_fast_settings) -> None:
    """A cache (a CDN, Varnish) answers with the Date its origin gave the response it stored and
    an Age header of how long it has held it (RFC 9111): three feeds cached ten minutes made a
    host whose clock is right '10m ahead of the feeds' servers', an error told as sure."""
    from email.utils import formatdate

    from devtools import feedserver
    from monitor.fetch import Fetcher

    monkeypatch.setattr(feedserver._Handler, "date_time_string",
                        lambda self, timestamp=None: formatdate(time.time() - 600, usegmt=True))
    with FeedServer() as one, FeedServer() as two, FeedServer() as three:
        urls = []
        for server in (one, two, three):
            server.set_route("/feed.xml", rss([]), content_type="application/rss+xml", headers={"Age": "600"})
            urls.append(server.url("/feed.xml"))
        async with Fetcher(make_fast_settings(200_000), trusted=urls) as fetcher:
            for url in urls:
                assert (await fetcher.fetch(url)).ok
            offset = fetcher.server_clocks.offset()
    assert offset is not None and abs(offset) < 60, offset
