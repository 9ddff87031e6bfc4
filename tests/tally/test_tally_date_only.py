"""A figure its outlet dated without a time of day ("14 de enero de 2026" on a page, RSS
"Wed, 14 Jan 2026") is the tally's on that date in `settings.timezone`: stored at 00:00 UTC of
the date (items.date_only), it was 20:00 of the day before in Caracas, so the table, the
timeline, the pinned figures and the chart dated it a day early, and `monitor tally --since`
that date left it out. A page of dates alone served on 127.0.0.1, one `monitor poll-once`
into a real SQLite file, then `monitor tally` and the pinned text read back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from alerts.tally.figures import build_tally, load_tally
from alerts.tally.pin import pin_text
from core.config import load_config
from devtools.feedserver import FeedServer
from monitor.cli import main
from storage.db import open_database
from storage.tally import StoredFigure, date_start
from tests.tally.polled import poll_once

PP = "political_prisoners"
HEADLINES = [  # (the date the page writes, headline): held figures of one source on two days
    ("13 de enero de 2026", "Foro Penal registra 804 presos políticos en Venezuela"),
    ("14 de enero de 2026", "Foro Penal registra 777 presos políticos en Venezuela tras excarcelaciones"),
]


def _page() -> bytes:
    rows = "".join(f'<li class="n"><a href="/nota/{n}">{title}</a><span class="d">{day}</span></li>'
                   for n, (day, title) in reversed(list(enumerate(HEADLINES))))
    return f'<html><head><meta charset="utf-8"></head><body><ul>{rows}</ul></body></html>'.encode()


def _poll(server: FeedServer, tmp: Path, zone: str) -> list[str]:
    """The page served and polled once (settings.timezone `zone`); `monitor tally`'s arguments."""
    server.set_route("/notas", _page(), content_type="text/html; charset=utf-8")
    feed = {"name": "elpitazo", "url": server.url("/notas"), "type": "page", "language": "es",
            "fetch_article": "never", "timezone": "America/Caracas",
            "selectors": {"item": "li.n", "title": "a", "link": "a@href", "date": "span.d"}}
    return poll_once(tmp, [feed], timezone=zone)[0]


@pytest.mark.parametrize("zone", ["America/Caracas", "America/New_York", "Europe/Madrid"])
def test_a_figure_dated_without_a_time_is_on_its_date(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], zone: str
) -> None:
    args = _poll(server, tmp_path, zone)
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "still held: 777 (Foro Penal, 2026-01-14)" in table, table
    timeline = table[table.index("timeline"):].splitlines()[2:]
    assert [(row.split()[0], row.split()[5]) for row in timeline] == [("2026-01-13", "804"), ("2026-01-14", "777")]

    assert main([*args, "--format", "json", "--since", "2026-01-14"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(f["event"], f["number"]) for f in data["figures"]] == [("held", 777)]
    assert main([*args, "--format", "json", "--since", "2026-01-15"]) == 0
    assert json.loads(capsys.readouterr().out) == {"figures": [], "timeline": []}

    assert "Still held: <b>777</b> (Foro Penal, 2026-01-14)" in _pinned(args)


def _pinned(args: list[str]) -> str:
    """The pinned message of the tally `monitor tally` `args` read."""
    config = load_config(args[2])
    db = open_database(args[-1])
    try:
        with db.session() as s:
            tally = load_tally(s, config)
    finally:
        db.dispose()
    return pin_text(tally, [PP], config.settings.tz) or ""


@pytest.mark.parametrize("zone", ["America/Caracas", "America/New_York", "Europe/Madrid", "Pacific/Kiritimati",
                                  "Pacific/Pago_Pago", "Asia/Kolkata", "Australia/Lord_Howe", "Africa/Casablanca",
                                  "UTC"])
def test_a_date_begins_on_that_date_in_the_zone_all_year(zone: str) -> None:
    """The start a date alone is placed at is on that date in the zone on every day of the
    year, DST or not (a zone 14 h east of UTC, 11 h west, 30 minutes off the hour; Casablanca's
    hour back for Ramadan, in February and March)."""
    tz = ZoneInfo(zone)
    start = date_start(tz)
    for day in range(366):
        midnight = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day)
        assert (midnight + start).astimezone(tz).date() == midnight.date(), (zone, midnight)


def test_typed_figures_place_a_date_alone_as_the_sql_does() -> None:
    """`build_tally` over typed rows (stored_figures) dates a date alone as `load_tally` does."""
    caracas = ZoneInfo("America/Caracas")
    jan14 = datetime(2026, 1, 14, tzinfo=UTC)
    row = StoredFigure(1, PP, "held", 777, "Foro Penal", jan14, jan14 + timedelta(hours=15), None, "elpitazo",
                       date_only=True)
    tally = build_tally([row], tz=caracas)
    assert [f.date.astimezone(caracas).date().isoformat() for f in tally.timeline] == ["2026-01-14"]


def test_the_figure_of_the_day_before_a_date_alone_is_no_dispute(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two dates alone of one source are exactly a day apart: the 804 of the 13th is its
    earlier figure, not a figure disputing the 777 of the 14th within the day before it (it was
    pinned "Disputed: 804 held (Foro Penal as quoted by elpitazo, 2026-01-13)")."""
    args = _poll(server, tmp_path, "America/Caracas")
    pinned = _pinned(args)
    assert "Still held: <b>777</b>" in pinned and "804" not in pinned, pinned
    assert main([*args, "--format", "json"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    assert [(f["number"], f["flags"]) for f in figures] == [(777, [])]
