"""Fixtures for the alerts tests: a Bot API emulator on 127.0.0.1, a config with test
channels and outlets, items in the database, and a worker wired to the emulator.

`db` runs on a SQLite file and, when TEST_DATABASE_URL is set, on PostgreSQL too.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alerts_helpers import TOKEN, IdleControls, running
from sqlalchemy import select

from alerts.admin import AdminBot
from alerts.delivery import DeliveryWorker
from core.config import AppConfig, ChannelConfig, FeedConfig, Runtime
from core.logs import setup_logging
from devtools.emulator import BotApiEmulator
from monitor.pipeline import Pipeline
from storage.alerts import sync_channels
from storage.db import Database
from storage.feeds import sync_feeds
from storage.models import Feed, Item

FEEDS = [
    FeedConfig(name="elpitazo", outlet="El Pitazo", url="https://elpitazo.net/feed", language="es"),
    FeedConfig(name="bbcmundo", outlet="BBC Mundo", url="https://bbc.com/mundo/feed", language="es"),
    FeedConfig(name="cocuyo", outlet="Efecto Cocuyo", url="https://efectococuyo.com/feed", language="es"),
    FeedConfig(name="reuters", outlet="Reuters", url="https://reuters.com/feed", language="en"),
]


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """Alerts run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return any_db_url


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    with BotApiEmulator(hang_seconds=0.6) as emu:
        yield emu


@pytest.fixture
def make_config(default_config: AppConfig) -> Callable[..., AppConfig]:
    def make(channels: list[dict[str, Any]], **settings: Any) -> AppConfig:
        return default_config.model_copy(update={
            "feeds": FEEDS,
            "channels": [ChannelConfig(**c) for c in channels],
            "settings": default_config.settings.model_copy(update=settings),
        })

    return make


@pytest.fixture
def make_synced_config(make_config: Callable[..., AppConfig], db: Database) -> Callable[..., AppConfig]:
    """`make_config`, with the feeds' and channels' rows written as the service does."""

    def make(channels: list[dict[str, Any]], **settings: Any) -> AppConfig:
        cfg = make_config(channels, **settings)
        with db.session() as s:
            sync_feeds(s, [(f.name, f.url) for f in cfg.feeds])
            sync_channels(s, [(c.name, c.chat_id) for c in cfg.channels])
        return cfg

    return make


@pytest.fixture
def pipeline(config: AppConfig, db: Database) -> Pipeline:
    """The real pipeline on the test module's `config`."""
    return Pipeline(config, db)


@pytest.fixture
async def bot(config: AppConfig, runtime: Runtime, db: Database, pipeline: Pipeline) -> AsyncIterator[AdminBot]:
    """The admin bot of the test module's `config`, running, watching the pipeline's people."""
    admin = AdminBot(config, runtime, db, IdleControls(), poll_timeout=1, base_backoff=0.05,
                     max_backoff=0.2, request_timeout=10.0, watched=pipeline.watched)
    async with running(admin):
        yield admin


@pytest.fixture
def runtime(emulator: BotApiEmulator, db_url: str) -> Runtime:
    return Runtime("feeds.yaml", db_url, emulator.api_url, TOKEN)


_seq = itertools.count(1)


@pytest.fixture
def add_item() -> Callable[..., Item]:
    def add(
        session: Any, feed: str, title: str, *, summary: str = "", text: str | None = None,
        lang: str = "es", url: str | None = None, published: datetime | None = None,
    ) -> Item:
        row = session.scalar(select(Feed).where(Feed.name == feed))
        if row is None:
            row = Feed(name=feed, url=f"https://{feed}.example/feed", consecutive_failures=0)
            session.add(row)
            session.flush()
        n = next(_seq)
        item = Item(
            feed_id=row.id, guid=f"{feed}-{n}", url=url or f"https://{feed}.example/news/{n}",
            title=title, summary=summary, text=text, language=lang,
            published_at=published or datetime(2026, 3, 14, 13, 30, tzinfo=UTC),
            content_hash=hashlib.sha256(f"{feed}{n}{title}".encode()).hexdigest(), entities=[],
        )
        session.add(item)
        session.flush()
        return item

    return add


@pytest.fixture
def out() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
async def make_worker(db: Database, runtime: Runtime, out: io.StringIO) -> AsyncIterator[Callable[..., Any]]:
    """Delivery workers started on the test's database and emulator, closed at the end. Their
    requests wait 10 s for an answer: with 0.4 s, 54 of the 92 tests of the files that use them
    failed when one answer came 0.5 s late (a loaded host stalls a process that long: 1.64 s
    in CI once). A test of Telegram's timeout gives its own, under the emulator's hang_seconds."""
    workers: list[DeliveryWorker] = []

    async def make(config: AppConfig, **kw: Any) -> DeliveryWorker:
        kw.setdefault("request_timeout", 10.0)
        kw.setdefault("runtime", runtime)
        w = DeliveryWorker(config, kw.pop("runtime"), kw.pop("db", db), out=out, **kw)
        await w.start()
        workers.append(w)
        return w

    yield make
    for w in workers:
        await w.close()


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The service's own log output (setup_logging), httpx request lines included."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    setup_logging("DEBUG", stream=stream)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("httpx").setLevel(logging.WARNING)
