"""The tally is built with Python's cyclic collector paused (core/collector.py): over 100,000
counts the collector ran again and again over rows and votes that hold no cycles, a sixth of
the tally's time. It is put back as it was, also when the tally fails."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta

import pytest

import alerts.tally.figures as figures
from alerts.tally.figures import load_tally
from core.collector import collector_paused
from core.config import AppConfig
from storage.db import Database
from storage.models import Feed
from tests.tally.stored import add_headline

NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)


def _stored(db: Database) -> None:
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://el-pitazo.example/feed", consecutive_failures=0)
        s.add(feed)
        for n, number in enumerate((687, 684)):
            add_headline(s, feed, n, NOW - timedelta(days=5 - 4 * n), f"Foro Penal contabiliza {number} presos políticos",
                         now=NOW, stated=("held", number, "Foro Penal"))


@pytest.mark.parametrize("enabled", [True, False])
def test_the_tally_is_built_with_the_collector_paused_and_puts_it_back(
        db: Database, default_config: AppConfig, observe_collector: None, collector_seen: list[bool],
        enabled: bool) -> None:
    _stored(db)
    (gc.enable if enabled else gc.disable)()
    with db.session() as s:
        tally = load_tally(s, default_config)
    assert collector_seen == [False]  # off while the rows were read into the tally
    assert gc.isenabled() is enabled  # as it was before
    assert [f.number for f in tally.figures] == [684]


def test_a_failing_tally_puts_the_collector_back(db: Database, default_config: AppConfig,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("broken")

    monkeypatch.setattr(figures, "tally_of_rows", broken)
    gc.enable()
    with db.session() as s, pytest.raises(RuntimeError):
        load_tally(s, default_config)
    assert gc.isenabled()
    with collector_paused(), collector_paused():  # nested: the inner one leaves it off
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.fixture
def collector_seen() -> list[bool]:
    return []


@pytest.fixture
def observe_collector(monkeypatch: pytest.MonkeyPatch, collector_seen: list[bool]) -> None:
    """Whether the collector was on when the tally read its rows (the real pass, observed)."""
    real = figures.tally_of_rows

    def observed(*args: object, **kwargs: object) -> object:
        collector_seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(figures, "tally_of_rows", observed)
    yield
    gc.enable()
