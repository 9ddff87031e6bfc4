"""The tally tells the story of January 2026: the government announces releases in waves,
Foro Penal verifies them days later, "more than 800 still held" falls over the weeks, one
outlet misquotes a figure, another prints an absurd one. Headlines (written for this test)
go through the real pipeline into a real SQLite file; the tally, its JSON, CSV and chart
are read back."""

from __future__ import annotations

import csv
import io
import json
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.tally.chart import DPI, MIN_LABEL_PX, draw
from alerts.tally.figures import OTHER, Sources, build_tally, load_tally, source_key
from alerts.tally.render import caption, render_table
from core.config import AppConfig
from monitor.cli import main
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.models import Count, Feed, Item, Match
from storage.tally import StoredFigure
from tests.tally.stored import add_headline

ROOT = Path(__file__).resolve().parents[2]
TOPIC = "political_prisoners"

# (day of January 2026, outlet, headline)
JANUARY = [
    (8, "el-pitazo", "El gobierno anunció la excarcelación de 116 presos políticos"),
    (9, "efecto-cocuyo", "Foro Penal: más de 800 presos políticos siguen detenidos en Venezuela"),
    (10, "el-pitazo", "Foro Penal verificó 18 excarcelaciones de presos políticos"),
    (12, "efecto-cocuyo", "Foro Penal confirmó 41 excarcelaciones de presos políticos"),
    (13, "el-pitazo", "Jorge Rodríguez anunció 400 excarcelaciones de presos políticos"),
    (14, "tal-cual", "La ONG Foro Penal contabiliza 777 presos políticos en Venezuela"),
    (16, "efecto-cocuyo", "Foro Penal verificó 61 excarcelaciones de presos políticos"),
    (19, "tal-cual", "Foro Penal: 711 presos políticos permanecen detenidos en Venezuela"),
    (20, "diario-x", "Hay 8000 presos políticos en Venezuela"),  # an absurd figure, no source
    (21, "el-pitazo", "El gobierno eleva a 626 los presos políticos excarcelados"),
    (23, "tal-cual", "Amnistía Internacional contabiliza 690 presos políticos en Venezuela"),
    (25, "el-pitazo", "Foro Penal contabiliza 687 presos políticos en Venezuela"),
    (26, "el-pitazo", "Foro Penal verificó 143 excarcelaciones de presos políticos"),
    (26, "efecto-cocuyo", "Foro Penal verificó las 143 excarcelaciones de presos políticos"),
    (26, "diario-x", "Foro Penal verificó 134 excarcelaciones de presos políticos"),  # misquote
]
NOW = datetime(2026, 1, 27, 12, 0, tzinfo=UTC)
# Figures whose reading is the matcher's to judge (an unsourced, absurd 8,000; a figure of a
# group the tally does not know): stored as trusted counts, as the matcher may read them, so
# that the test is about what the tally does with them. By index in JANUARY.
STATED = {8: ("held", 8000, None), 10: ("held", 690, "Amnistía Internacional")}
# A count the matcher did not trust: stored, never in the tally (day, outlet, event, number, source)
UNTRUSTED = (17, "el-pitazo", "held", 95, "Foro Penal")


def _store_january(db: Database, config: AppConfig, days: range = range(1, 32)) -> None:
    """The January items of `days` through the real pipeline (STATED ones stored as read)."""
    with db.session() as s:
        feeds = {f.name: f for f in s.scalars(select(Feed))}
        for name in {outlet for _, outlet, _ in JANUARY} - set(feeds):
            feeds[name] = Feed(name=name, url=f"https://{name}.example/feed", consecutive_failures=0)
        for n, (day, outlet, title) in enumerate(JANUARY):
            if day not in days:
                continue
            add_headline(s, feeds[outlet], n, datetime(2026, 1, day, 9, n, tzinfo=UTC), title, now=NOW,
                         stated=STATED.get(n), canonical=True)
        day, outlet, event, number, source = UNTRUSTED
        if day in days:
            when = datetime(2026, 1, day, 9, 0, tzinfo=UTC)
            item = Item(feed=feeds[outlet], guid="untrusted", url=f"https://{outlet}.example/u",
                        title=f"{number} {event}", summary="", language="es", published_at=when,
                        fetched_at=when, content_hash="untrusted", classified_at=NOW)
            s.add(item)
            s.flush()
            s.add(Count(item_id=item.id, event=event, number=number, source=source, confident=False))
            s.add(Match(item_id=item.id, topic=TOPIC, urgency="normal", terms=[], explain=[]))
    result = Pipeline(config, db).process_pending(now=NOW)
    assert result.relevant == sum(1 for n, (d, _, _) in enumerate(JANUARY) if d in days and n not in STATED)


@pytest.fixture
def january(db: Database, default_config: AppConfig) -> Database:
    _store_january(db, default_config)
    return db


def test_the_tally_tells_januarys_story(january: Database, default_config: AppConfig) -> None:
    with january.session() as s:
        tally = load_tally(s, default_config)
    state = tally.topics[TOPIC]
    # still held: the newest figure of a rights group, falling over the weeks
    assert state.still_held is not None and state.held_credible
    assert (state.still_held.number, state.still_held.source) == (687, "Foro Penal")
    assert [f.number for f in state.held["Foro Penal"]] == [800, 777, 711, 687]
    with january.session() as s:  # the count the matcher did not trust: stored, not in the tally
        assert s.scalar(select(Count.confident).where(Count.number == 95)) is False
    # announced and verified releases: two separate cumulative lines
    assert [n for _, n, _ in state.announced] == [116, 400, 626]
    assert {f.source for _, _, f in state.announced} == {"the government", "Jorge Rodríguez"}
    assert [n for _, n, _ in state.verified] == [18, 41, 61, 143]
    # the misquote stands beside the figure two outlets stated, never averaged
    verified_now = [f for f in tally.figures if (f.event, f.source) == ("released", "Foro Penal")]
    assert [(f.number, f.flags) for f in verified_now] == [(143, []), (134, ["conflict"])]
    assert verified_now[1].outlet == "diario-x"
    # unknown sources go under "other" with their outlet; the absurd figure is flagged, not dropped
    others = {(f.number, f.outlet): f.flags for f in tally.timeline if f.source == OTHER}
    assert others == {(8000, "diario-x"): ["jump"], (690, "Tal Cual"): []}
    assert 8000 not in [f.number for fs in state.held.values() for f in fs if "jump" not in f.flags]

    table = render_table(tally)
    assert "still held: 687 (Foro Penal, 2026-01-25)" in table
    assert "released, announced by the government: 626 (the government, 2026-01-21)" in table
    assert "released, verified by rights groups: 143 (Foro Penal, 2026-01-26)" in table
    text = caption(tally)
    assert len(text) <= 1024 and "687" in text and "Foro Penal" in text and "626" in text


def test_json_csv_and_chart_from_the_command_line(
    january: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "tally.png"
    args = ["tally", "--config", str(ROOT / "feeds.yaml"), "--db", db_url]
    assert main([*args, "--format", "json", "--chart", str(png)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"figures", "timeline"}
    for figure in data["figures"]:
        assert {"topic", "event", "number", "source", "date", "url", "outlet"} <= set(figure)
    held = [f for f in data["figures"] if f["event"] == "held" and f["source"] == "Foro Penal"]
    assert [(f["number"], f["date"][:10], f["outlet"]) for f in held] == [(687, "2026-01-25", "El Pitazo")]
    assert held[0]["url"] == "https://el-pitazo.example/11"
    fp_held = [e["number"] for e in data["timeline"] if (e["event"], e["source"]) == ("held", "Foro Penal")]
    assert fp_held == [800, 777, 711, 687]
    assert {"date", "event", "source", "number"} <= set(data["timeline"][0])

    width, height = struct.unpack(">II", png.read_bytes()[16:24])  # the PNG's IHDR
    assert width >= 1080 and height >= 1080

    assert main([*args, "--format", "csv", "--since", "2026-01-20", "--topic", TOPIC]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["section"] for r in rows} == {"figure", "timeline"}
    assert min(r["date"] for r in rows) >= "2026-01-20"

    assert main([*args, "--since", "not a date"]) == 2

    # a time without an offset is the operator's, in settings.timezone (Caracas): 07:00 there is
    # 11:00 UTC, after the items of the 26th (09:00 UTC); read as UTC it was before them
    assert main([*args, "--format", "json", "--since", "2026-01-26T07:00"]) == 0
    assert json.loads(capsys.readouterr().out)["timeline"] == []
    assert main([*args, "--format", "json", "--since", "2026-01-26T07:00Z"]) == 0
    assert {e["date"][:10] for e in json.loads(capsys.readouterr().out)["timeline"]} == {"2026-01-26"}


def test_the_chart_draws_the_story_with_labels_readable_on_a_phone(
    january: Database, default_config: AppConfig
) -> None:
    with january.session() as s:
        tally = load_tally(s, default_config)
    fig = draw(tally)
    held_ax, released_ax = fig.axes
    lines = {line.get_label(): list(line.get_ydata()) for line in held_ax.get_lines()}
    assert lines["Foro Penal"] == [800, 777, 711, 687]
    flagged = [c for c in held_ax.collections if c.get_label().startswith("flagged")]
    assert flagged and list(flagged[0].get_offsets()[:, 1]) == [8000]
    steps = {line.get_label(): list(line.get_ydata()) for line in released_ax.get_lines()}
    assert steps["announced by the government (626)"] == [116, 400, 626]
    assert steps["verified by rights groups (143)"] == [18, 41, 61, 143]
    fig.canvas.draw()
    texts = [t for t in fig.findobj(lambda o: hasattr(o, "get_fontsize") and hasattr(o, "get_text"))
             if t.get_text()]
    assert texts
    assert min(t.get_fontsize() * DPI / 72 for t in texts) >= MIN_LABEL_PX


def test_source_names_are_normalized_and_operators_add_aliases(
    db: Database, default_config: AppConfig
) -> None:
    assert {source_key(n) for n in ("Foro Penal", "foropenal", "la ONG Foro Penal", "@ForoPenal")} == {
        "foropenal"}
    with db.session() as s:
        feed = Feed(name="radio-fe", url="https://radio-fe.example/feed", consecutive_failures=0)
        for n, raw in enumerate(["Foro Penal", "foropenal", "la ONG Foro Penal", "FP Venezuela", None]):
            when = datetime(2026, 1, 10 + n, tzinfo=UTC)
            item = Item(feed=feed, guid=str(n), url=f"https://radio-fe.example/{n}", title=str(raw),
                        summary="", language="es", published_at=when, fetched_at=when, content_hash=str(n))
            s.add(item)
            s.flush()
            s.add(Count(item_id=item.id, event="held", number=800 - n, source=raw))
            s.add(Match(item_id=item.id, topic=TOPIC, urgency="normal", terms=[], explain=[]))
    config = default_config.model_copy(deep=True)
    with db.session() as s:
        plain = load_tally(s, config)
    assert [f.source for f in plain.timeline] == ["Foro Penal"] * 3 + [OTHER, OTHER]
    config.settings.tally.sources = {"Foro Penal": ["FP Venezuela"]}
    with db.session() as s:
        aliased = load_tally(s, config)
    assert [f.source for f in aliased.timeline] == ["Foro Penal"] * 4 + [OTHER]
    assert aliased.topics[TOPIC].still_held.number == 797  # type: ignore[union-attr]
    with db.session() as s:
        assert len(list(s.scalars(select(Count)))) == 5


def test_a_source_keeps_its_class_however_the_operator_spells_it(
    db: Database, default_config: AppConfig
) -> None:
    """An alias entry spelled "foro penal" keeps Foro Penal a rights group (its releases are
    verified), and a name listed in rights_groups only (no alias entry) is that rights group."""
    now = datetime(2026, 1, 31, tzinfo=UTC)
    with db.session() as s:
        feed = Feed(name="radio-fe", url="https://radio-fe.example/feed", consecutive_failures=0)
        add_headline(s, feed, 1, datetime(2026, 1, 22, 9, tzinfo=UTC),
                     "Foro Penal verificó 143 excarcelaciones de presos políticos", now=now)
        add_headline(s, feed, 2, datetime(2026, 1, 23, 9, tzinfo=UTC),
                     "Laboratorio de Paz denunció que 300 presos políticos siguen detenidos", now=now)
    assert Pipeline(default_config, db).process_pending(now=now).relevant == 2
    config = default_config.model_copy(deep=True)
    config.settings.tally.sources = {"foro penal": ["FP Venezuela"]}
    config.settings.tally.rights_groups = ["Laboratorio de Paz"]
    with db.session() as s:
        state = load_tally(s, config).topics[TOPIC]
    assert [n for _, n, _ in state.verified] == [143]
    assert state.still_held is not None and state.still_held.source == "Laboratorio de Paz"
    assert state.held_credible


def test_bad_input_never_breaks_the_tally() -> None:
    base = datetime(2026, 1, 10, tzinfo=UTC)

    def row(n: int, number: int, source: str | None, published: datetime | None) -> StoredFigure:
        return StoredFigure(n, TOPIC, "held", number, source, published, base + timedelta(days=n),
                            None, "feed")

    rows = [
        row(0, 800, "Foro Penal", base),
        row(1, 790, "Foro Penal", None),  # no date: its fetch time, flagged
        row(2, 7900, "Foro Penal", base + timedelta(days=2)),  # 10x: flagged, kept
        row(3, 780, "Foro Penal", base + timedelta(days=400)),  # a date in the future
        row(4, 5, "Unknown Committee", base + timedelta(days=4)),  # unknown source; a tenth
        row(5, 0, "", base + timedelta(days=5)),
    ]
    tally = build_tally(rows, sources=Sources.build())
    flags = {f.number: f.flags for f in tally.timeline}
    assert flags == {800: [], 790: ["undated"], 7900: ["jump"], 780: ["undated"], 5: ["jump"], 0: []}
    assert tally.topics[TOPIC].still_held.number == 780  # type: ignore[union-attr]
    assert build_tally([]).figures == [] and caption(build_tally([])) == "No figures stated yet."
    fig = draw(build_tally(rows))
    assert len(fig.axes) == 2


def test_the_chart_dates_one_figure_or_a_year_of_them_readably() -> None:
    """One figure alone made matplotlib span four years: five ticks all "01 Jan", the figure's
    day nowhere. A few days at least are shown, both panels on one time axis; past 300 days
    a tick names its year."""
    day = datetime(2026, 1, 10, 12, tzinfo=UTC)

    def labels(rows: list[StoredFigure]) -> list[list[str]]:
        fig = draw(build_tally(rows))
        fig.canvas.draw()
        return [[t.get_text() for t in ax.get_xticklabels()] for ax in fig.axes]

    one = StoredFigure(1, TOPIC, "held", 800, "Foro Penal", day, day, None, "feed")
    held, released = labels([one])
    assert "10 Jan" in held and len(set(held)) == len(held) >= 3
    assert released == held  # the panel with no figure has the same dates, not 1970's
    year = [StoredFigure(n, TOPIC, "held", 800 - n, "Foro Penal", day + timedelta(days=30 * n),
                         day + timedelta(days=30 * n), None, "feed") for n in range(14)]
    held, _ = labels(year)
    assert len(set(held)) == len(held) and all(label[-4:] in ("2026", "2027") for label in held)


def test_the_chart_in_the_chats_dates_a_figure_by_its_day_in_the_settings_zone() -> None:
    """Foro Penal's figure of 21:30 on New Year's Eve in Caracas (01:30 UTC on 1 January) is
    dated 2026-12-31 in the caption beside the chart; the chart's days were UTC's, and drew
    it in 1 January's column, past the "01 Jan" tick."""
    from zoneinfo import ZoneInfo

    import matplotlib.dates as mdates

    caracas = ZoneInfo("America/Caracas")
    eve = datetime(2027, 1, 1, 1, 30, tzinfo=UTC)
    rows = [StoredFigure(1, TOPIC, "held", 800, "Foro Penal", eve - timedelta(days=2), eve, None, "feed"),
            StoredFigure(2, TOPIC, "held", 780, "Foro Penal", eve, eve, None, "feed")]
    tally = build_tally(rows)
    assert "2026-12-31" in caption(tally, tz=caracas)
    fig = draw(tally, tz=caracas)
    fig.canvas.draw()
    held = fig.axes[0]
    ticks = {t.get_text(): t.get_position()[0] for t in held.get_xticklabels()}
    point = mdates.date2num(eve)
    assert ticks["31 Dec"] <= point < ticks["01 Jan"], ticks


def test_the_chart_counts_whole_people_in_full() -> None:
    """Foro Penal's 18,000 detentions since 2014, then 18,003: matplotlib wrote the count axis
    "0.0, 0.5 … 3.0" under a small "+1.8e4" (a reader saw 3 held), and the government's 116,
    then 117 released as "116.2, 116.4…" people. Whole numbers now, in full, never off the
    axis; one figure alone has whole numbers around it."""
    day = datetime(2026, 1, 10, 12, tzinfo=UTC)

    def axis(*figures: tuple[str, str, int]) -> list[list[str]]:
        rows = [StoredFigure(n, TOPIC, event, number, source, day + timedelta(days=n), day + timedelta(days=n),
                             None, "feed") for n, (event, source, number) in enumerate(figures)]
        fig = draw(build_tally(rows))
        fig.canvas.draw()
        return [[t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes]

    held, _ = axis(("held", "Foro Penal", 18_000), ("held", "Foro Penal", 18_003))
    assert {"18,000", "18,003"} <= set(held) and all(label.replace(",", "").isdigit() for label in held)
    _, released = axis(("released", "the government", 116), ("released", "the government", 117))
    assert {"116", "117"} <= set(released) and all(label.isdigit() for label in released)
    held, _ = axis(("held", "Foro Penal", 5))
    assert "5" in held and len(set(held)) == len(held) >= 3 and all(label.isdigit() for label in held)
