"""The status page at `/` on the health listener (issue 16): server-rendered HTML naming
every feed, the queue per channel and the last alerts; checked over real HTTP and, where
Debian's Chromium is installed, in a headless browser (page loaded, screenshot taken)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from service_world import World
from sqlalchemy import select
from test_restore import poll

from core.config import load_config, resolve_runtime
from monitor.ingest.result import PollResult
from monitor.service import Service
from storage.alerts import sync_channels
from storage.db import open_database
from storage.feeds import record_poll, sync_feeds
from storage.models import Alert, Count, Feed, Item, Match

CONFIG = """rules: [venezuela-2026]
settings: {{http_listen: "127.0.0.1:{port}"}}
feeds:
{feeds}
channels:
  - {{name: presos, chat_id: console, topics: [political_prisoners]}}
  - {{name: eeuu, chat_id: console, topics: [us_actions]}}
"""
NAMES = ["efecto-cocuyo", "el-pitazo", "foro-penal", "bbc-mundo", "medio-<raro>&"]
USERINFO = ["user:secret"] * 4 + ["lector:secret@cl4ve"]


@pytest.fixture
def service(tmp_path: Path) -> Service:
    feeds = "\n".join(  # the last password holds an '@', as passwords may
        f'  - {{name: "{n}", url: "https://{userinfo}@{i}.example.org/feed", language: es}}'
        for i, (n, userinfo) in enumerate(zip(NAMES, USERINFO, strict=True))
    )
    path = tmp_path / "feeds.yaml"
    with socket.socket() as sock:  # a free port for the listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path.write_text(CONFIG.format(feeds=feeds, port=port), encoding="utf-8")
    config = load_config(path)
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})
    db = open_database(db_url)
    now = datetime.now(UTC)
    with db.session() as session:
        rows = sync_feeds(session, [(f.name, "https://" + f.url.split("@")[-1]) for f in config.feeds])
        sync_channels(session, [(c.name, c.chat_id) for c in config.channels])
        record_poll(rows["foro-penal"], now, 503, failures=2, next_poll_at=now + timedelta(minutes=5),
                    last_error="HTTP 503 from the server")
        record_poll(rows["el-pitazo"], now, 200, failures=0, next_poll_at=now + timedelta(minutes=10),
                    last_success_at=now)
        session.add(Alert(channel="presos", dedupe_key="k1", status="sent", kind="new",
                          payload={"text": "Excarcelan a <b>dos</b> presos políticos"}))
        session.add(Alert(channel="eeuu", dedupe_key="k2", status="pending", kind="new",
                          payload={"text": "EEUU sanciona a tanqueros"}))
        session.commit()
    return Service(config, runtime, db)


def test_status_page_names_every_feed_and_the_queue(service: Service) -> None:
    server = service._start_health()
    assert server is not None
    try:
        response = httpx.get(server.address + "/", timeout=10)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        for name in NAMES[:-1]:
            assert name in html
        assert "medio-&lt;raro&gt;&amp;" in html and "<raro>" not in html  # escaped
        assert "secret" not in html and "cl4ve" not in html  # no userinfo of a feed URL
        assert "<script" not in html.lower() and 'name="viewport"' in html
        assert "presos" in html and "eeuu" in html and "Excarcelan a &lt;b&gt;dos&lt;/b&gt;" in html
        assert httpx.get(server.address + "/healthz", timeout=10).status_code in (200, 503)
    finally:
        server.stop()


def test_status_page_warns_while_telegram_fails(service: Service) -> None:
    server = service._start_health()
    assert server is not None
    try:
        assert "Telegram: sends failing" not in httpx.get(server.address + "/", timeout=10).text
        today = datetime.now(UTC).replace(hour=0, minute=4, second=0, microsecond=0)
        for since, shown in ((today, "since 00:04 UTC"), (today - timedelta(days=2), f"since {today - timedelta(days=2):%Y-%m-%d} 00:04 UTC")):
            for channel in ("presos", "eeuu", "presos"):  # as the worker records failed sends
                service.worker.health.failed(channel, since)
            html = httpx.get(server.address + "/", timeout=10).text
            assert f"Telegram: sends failing {shown} (3 in a row)" in html  # an older outage: its day too
            service.worker.health.answered()
            assert "Telegram: sends failing" not in httpx.get(server.address + "/", timeout=10).text
    finally:
        server.stop()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="no Chromium (Debian: apt-get install chromium)")
def test_status_page_in_headless_chromium(service: Service, tmp_path: Path) -> None:
    server = service._start_health()
    assert server is not None
    shot = tmp_path / "status.png"
    try:
        base = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'profile'}", "--window-size=390,844"]  # a phone
        dom = subprocess.run([*base, "--dump-dom", server.address + "/"], capture_output=True,
                             text=True, timeout=90, check=False)
        assert dom.returncode == 0, dom.stderr[-2000:]
        for name in NAMES[:-1]:
            assert name in dom.stdout
        assert "Queue per channel" in dom.stdout and "Last alerts" in dom.stdout
        done = subprocess.run([*base, f"--screenshot={shot}", server.address + "/"],
                              capture_output=True, text=True, timeout=90, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        assert shot.stat().st_size > 5_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        server.stop()


def test_status_page_shows_the_tally_and_its_chart(service: Service) -> None:
    server = service._start_health()
    assert server is not None
    try:
        assert "No figures stored yet" in httpx.get(server.address + "/", timeout=10).text
        assert httpx.get(server.address + "/tally.png", timeout=10).status_code == 404
        service._chart, service._tally = (0.0, None), None  # read and drawn again at the next request
        with service.db.session() as session:
            feed = session.scalars(select(Feed).where(Feed.name == "foro-penal")).one()
            item = Item(feed_id=feed.id, guid="g1", url="https://foropenal.example/61",
                        title="Foro Penal verifica 61 excarcelaciones", content_hash="h1",
                        published_at=datetime.now(UTC) - timedelta(hours=2))
            session.add(item)
            session.flush()
            session.add(Match(item_id=item.id, topic="political_prisoners", urgency="high"))
            session.add(Count(item_id=item.id, event="released", number=61, source="Foro Penal"))
            held = Item(feed_id=feed.id, guid="g2", url="https://foropenal.example/800",
                        title="Siguen presos más de 800", content_hash="h2",
                        published_at=datetime.now(UTC) - timedelta(hours=1))
            session.add(held)
            session.flush()
            session.add(Match(item_id=held.id, topic="political_prisoners", urgency="normal"))
            session.add(Count(item_id=held.id, event="held", number=800, source=None, qualifier="more than"))
            session.commit()
        html = httpx.get(server.address + "/", timeout=10).text
        assert "<h2>Tally</h2>" in html and "<td>61</td>" in html and "Foro Penal" in html
        # quoted as stated and by whom, as the pin and `monitor tally` do (it read "800", "other")
        assert "<td>more than 800</td>" in html and "<td>other (" in html
        assert 'src="/tally.png"' in html
        chart = httpx.get(server.address + "/tally.png", timeout=30)
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
        assert chart.content[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        server.stop()


def test_metrics_give_the_stored_last_successful_poll_after_a_restart(service: Service) -> None:
    """A new process has polled nothing yet: the gauge says the last good poll the database
    holds (el-pitazo's, just now), as /healthz does, not 0 (1970, an alert at every restart)."""
    server = service._start_health()
    assert server is not None
    try:
        text = httpx.get(server.address + "/metrics", timeout=10).text
        value = next(float(line.split()[-1]) for line in text.splitlines()
                     if line.startswith("monitor_last_successful_poll_timestamp_seconds "))
        assert abs(value - datetime.now(UTC).timestamp()) < 60
        assert httpx.get(server.address + "/healthz", timeout=10).json()["last_successful_poll_age_s"] < 60
    finally:
        server.stop()


def test_the_status_page_reads_the_tally_at_most_every_ten_minutes(service: Service) -> None:
    """The page reloads itself every minute in each open tab, and each reload read the whole
    tally: 2.4-4 s on a year of figures (bench/year_db.py), in the service's process. Now it is
    read once for the page and its chart, again after 10 minutes, and the page says how old."""
    with _tally_reads(service) as reads:
        server = service._start_health()
        assert server is not None
        try:
            for _ in range(3):
                assert "<h2>Tally</h2>" in httpx.get(server.address + "/", timeout=10).text
            assert len(reads) == 1
            read_at = service._tally[1]  # type: ignore[index]
            service._tally = (service._tally[0], read_at - timedelta(minutes=5), service._tally[2])  # type: ignore[index]
            assert "As read 5m ago (read at most every 10 minutes)" in httpx.get(server.address + "/", timeout=10).text
            service._tally = (service._tally[0] - 601, *service._tally[1:])  # type: ignore[index]
            httpx.get(server.address + "/", timeout=10)
            assert len(reads) == 2
        finally:
            server.stop()


def test_a_config_reload_reads_the_status_pages_tally_again(service: Service) -> None:
    """The page's tally is read with the config's topics, rule packs and timezone: after a reload
    that changed them it showed the old config's figures as current for up to 10 minutes."""
    with _tally_reads(service) as reads:
        server = service._start_health()
        assert server is not None
        try:
            httpx.get(server.address + "/", timeout=10)
            changed = service.config.model_copy(update={
                "settings": service.config.settings.model_copy(update={"timezone": "UTC"})})
            service._apply(changed)
            httpx.get(server.address + "/", timeout=10)
            assert len(reads) == 2, "the tally read with the old config was shown after the reload"
        finally:
            server.stop()


@contextmanager
def _tally_reads(service: Service) -> Iterator[list[str]]:
    """The tally's SELECTs (storage/tally.py) the service's database runs meanwhile."""
    from sqlalchemy import event

    reads: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM counts JOIN items" in statement:
            reads.append(statement)

    event.listen(service.db.engine, "before_cursor_execute", seen)
    try:
        yield reads
    finally:
        event.remove(service.db.engine, "before_cursor_execute", seen)


def _feed_row(html: str, name: str) -> str:
    start = html.index(f"<b>{name}</b>")
    return html[start:html.index("</tr>", start)]


def test_a_feed_not_polled_has_no_next_poll_not_an_overdue_one(service: Service) -> None:
    """A paused feed and one removed from feeds.yaml keep the next poll their last poll stored:
    three days on, the page said "overdue 2d23h59m" (months, in time), as if the service held
    their polls up; nothing is planned for them."""
    now = datetime.now(UTC)
    with service.db.session() as session:
        long_ago = now - timedelta(days=3)
        paused = session.scalars(select(Feed).where(Feed.name == "foro-penal")).one()
        paused.paused, paused.next_poll_at = True, long_ago
        session.add(Feed(name="quitado", url="https://quitado.example.org/feed", next_poll_at=long_ago,
                         last_success_at=long_ago))
        late = session.scalars(select(Feed).where(Feed.name == "bbc-mundo")).one()
        late.next_poll_at = now - timedelta(minutes=12)  # polled, and held up: overdue
    server = service._start_health()
    assert server is not None
    try:
        html = httpx.get(server.address + "/", timeout=10).text
    finally:
        server.stop()
    for name in ("foro-penal", "quitado"):
        assert "overdue" not in _feed_row(html, name), _feed_row(html, name)
    assert "overdue 12m" in _feed_row(html, "bbc-mundo")


def test_monitor_status_gives_no_next_poll_to_a_feed_not_polled(world: World) -> None:
    """`monitor status`, three days after a feed was paused, another disabled and a third removed:
    each read "overdue 2d23h59m32s" in the next poll column."""
    for name in ("vivo", "pausado", "apagado", "quitado"):
        world.feed(name)
        world.publish(name, f"Noticia de {name}")
    channels = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]
    world.write_config(channels)
    poll(world)  # in process: the `monitor status` process below is what this test is about
    db = open_database(world.db_url)
    with db.session() as session:
        for feed in session.scalars(select(Feed)):
            feed.paused = feed.name == "pausado"
            if feed.name != "vivo":  # three days on: their stored times stay where they were
                feed.next_poll_at -= timedelta(days=3)
    db.dispose()
    world.write_config(channels, feeds=["vivo", "pausado", "apagado"])
    text = world.config_path.read_text(encoding="utf-8").replace("- name: apagado\n", "- name: apagado\n  enabled: false\n")
    world.write_config([], raw=text)
    result = world.monitor("status")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.split()[:1]}
    for name, state in (("pausado", "paused"), ("apagado", "disabled"), ("quitado", "removed")):
        assert state in rows[name] and "overdue" not in rows[name], rows[name]
        assert rows[name].rstrip().endswith(" -"), rows[name]
    assert "in " in rows["vivo"]


def test_metrics_give_a_pages_items_read_and_its_drops(service: Service) -> None:
    """A page's poll gives its items read and counts it when it is a drop (monitor/ingest/item_counts.py),
    from 0 at its first; a feed's other polls (an RSS feed's, a 304) leave them alone."""
    service._count_poll(PollResult(feed="el-pitazo", status="new", stored=20, items_read=20))
    service._count_poll(PollResult(feed="el-pitazo", status="new", stored=1, items_read=1, item_drop=True))
    service._count_poll(PollResult(feed="efecto-cocuyo", status="not_modified"))
    server = service._start_health()
    assert server is not None
    try:
        text = httpx.get(server.address + "/metrics", timeout=10).text
    finally:
        server.stop()
    lines = [line for line in text.splitlines() if line.startswith("monitor_page_")]
    assert lines == ['monitor_page_items_read{feed="el-pitazo"} 1.0',
                     'monitor_page_item_drops_total{feed="el-pitazo"} 1.0']
