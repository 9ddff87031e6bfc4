"""`monitor tally`'s table dates figures by the day in `settings.timezone`, as the pinned
message does: on real days (bench/replay_channels.py, 12-14 January) Foro Penal's 56 stated at
21:30 in Caracas read "13/01/2026" pinned and "2026-01-14" in the table, where its 72 of the
next day also stood under 2026-01-14, two points of one history on one date. Headlines
(written for this test) go through the real pipeline into a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.tally.figures import load_tally
from core.config import AppConfig
from monitor.cli import main
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.models import Feed, Item

HEADLINES = [  # (UTC time, title): the first is 21:30 on the 13th in Caracas
    (datetime(2026, 1, 14, 1, 30, tzinfo=UTC), "Foro Penal confirma 56 presos políticos excarcelados"),
    (datetime(2026, 1, 14, 20, tzinfo=UTC), "Foro Penal eleva a 72 los presos políticos excarcelados"),
    (datetime(2026, 1, 13, 12, tzinfo=UTC), "CABELLO ELEVÓ A 100 LA CIFRA DE MUERTOS POR OPERATIVO MILITAR DE EE. UU."),
]


def test_the_table_dates_figures_by_the_configured_days_as_the_pin_does(
    db: Database, db_url: str, default_config: AppConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.session() as s:
        feed = Feed(name="elpitazo", url="https://elpitazo.example/feed", consecutive_failures=0)
        for n, (when, title) in enumerate(HEADLINES):
            s.add(Item(feed=feed, guid=str(n), url=f"https://elpitazo.example/{n}", title=title, summary="",
                       language="es", published_at=when, fetched_at=when + timedelta(minutes=5),
                       content_hash=f"h{n}"))
    Pipeline(default_config, db).process_pending(now=datetime(2026, 1, 15, tzinfo=UTC))
    with db.session() as s:
        tally = load_tally(s, default_config)
    assert [f.number for f in tally.timeline if f.topic == "political_prisoners"] == [56, 72]

    assert main(["tally", "--db", db_url]) == 0
    table = capsys.readouterr().out
    assert "current figures (dates in America/Caracas)" in table
    timeline = table[table.index("timeline"):].splitlines()[2:]
    assert [row.split()[0] for row in timeline if "Foro Penal" in row] == ["2026-01-13", "2026-01-14"]
    assert "released, verified by rights groups: 72 (Foro Penal, 2026-01-14)" in table
    assert "us_actions\n  no figure of those held or released (see below)" in table

