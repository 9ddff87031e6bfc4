"""The tally of headlines served as real feeds: each outlet's RSS on 127.0.0.1 (devtools.feedserver),
one `monitor poll-once` over them into a real SQLite file (no bot token: the channels print),
then `monitor tally` and the pinned text read back. Headlines written for these tests in the
outlets' style."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from alerts.tally.chart import draw
from alerts.tally.figures import load_tally
from alerts.tally.pin import pin_text
from alerts.tally.render import caption
from core.config import load_config
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.cli import main
from storage.db import open_database
from tests.tally.polled import poll_once

PP = "political_prisoners"


def _poll(server: FeedServer, tmp: Path, outlets: dict[str, list[tuple[timedelta, str]]]) -> tuple[list[str], str]:
    """Serve each outlet's (age, headline) as RSS, run one `monitor poll-once` over them; the
    `monitor tally` arguments (config and database) of the result."""
    now = datetime.now(UTC)
    feeds = []
    for name, headlines in outlets.items():
        items = [SampleItem(title=title, link=f"https://{name}.example/{n}", guid=f"{name}-{n}", published=now - age)
                 for n, (age, title) in enumerate(sorted(headlines))]
        server.set_route(f"/{name}.xml", rss(items, title=name), content_type="application/rss+xml")
        feeds.append({"name": name, "url": server.url(f"/{name}.xml"), "language": "es", "fetch_article": "never"})
    return poll_once(tmp, feeds)



def _tally_of(args: list[str], db_url: str) -> tuple[Any, Any]:
    """The config the poll ran on and the tally its database holds."""
    config = load_config(args[2])
    db = open_database(db_url)
    try:
        with db.session() as s:
            return config, load_tally(s, config)
    finally:
        db.dispose()


def test_since_leaves_out_old_news_fetched_lately(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed added today brings the last weeks' headlines: `--since` keeps what was published
    since, not every item fetched since (before, it kept all of them)."""
    args, _ = _poll(server, tmp_path, {
        "la-verdad": [(timedelta(days=12), "Foro Penal registra 777 presos políticos en Venezuela tras excarcelaciones"),
                      (timedelta(days=11), "Delcy Rodríguez afirma que van 406 excarcelaciones: el proceso no ha terminado"),
                      (timedelta(hours=3), "Al menos 711 personas siguen detenidas por motivos políticos, según Foro Penal")],
    })
    since = datetime.now(UTC) - timedelta(days=3)
    assert main([*args, "--format", "json", "--since", since.date().isoformat()]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(f["event"], f["number"]) for f in data["figures"]] == [("held", 711)]
    assert min(e["date"] for e in data["timeline"]) >= (since - timedelta(days=1)).isoformat()
    assert main([*args, "--since", since.date().isoformat()]) == 0
    table = capsys.readouterr().out
    assert "still held: at least 711 (Foro Penal" in table and "announced" not in table


def test_a_small_first_figure_below_the_others_is_no_jump(server: FeedServer, tmp_path: Path) -> None:
    """Clippve's 22 releases at one prison, two young women freed, two dead in a boat strike:
    smaller than the figures of other sources before them, real, and neither raises a line
    nor stands for "still held". Before, each was flagged a 10x misreading in the pinned
    message. A new source's figure ten times its class's is still flagged."""
    args, db_url = _poll(server, tmp_path, {
        "diario-version-final": [
            (timedelta(days=4), "Foro Penal actualiza a 266 la cifra de presos políticos excarcelados"),
            (timedelta(days=3), "Clippve confirma 22 excarcelaciones de presos políticos en El Rodeo I"),
            (timedelta(days=2), "JEP contabiliza 290 excarcelaciones de presos políticos desde el 8 de enero"),
            (timedelta(days=1), "Provea verificó 3000 excarcelaciones de presos políticos"),  # 10x: misread
        ],
        "la-verdad": [
            (timedelta(days=5), "Delcy Rodríguez afirma que van 406 excarcelaciones: el proceso no ha terminado"),
            (timedelta(days=3), "Excarcelan a las 2 jóvenes presas por estampar franelas con la estatua caída de Chávez"),
        ],
        "caracol": [
            (timedelta(days=6), "Padrino López registra 47 funcionarios de la Fanb muertos en el ataque de EE. UU."),
            (timedelta(days=2), "Dos muertos tras nuevo ataque de EE. UU. a una lancha en el Caribe"),
        ],
    })
    config, tally = _tally_of(args, db_url)
    flagged = {(f.event, f.number, f.source) for f in tally.timeline if "jump" in f.flags}
    assert flagged == {("released", 3000, "Provea")}
    state = tally.topics[PP]
    assert [(n, f.source) for _, n, f in state.verified] == [(266, "Foro Penal"), (290, "JEP")]
    assert [(n, f.source) for _, n, f in state.announced] == [(406, "Delcy Rodríguez")]
    text = pin_text(tally, [PP, "us_actions"], config.settings.tz)
    assert text is not None
    assert "Released, verified by rights groups: <b>290</b> (JEP" in text
    assert "Flagged, not counted: 3,000 released (Provea" in text
    assert "22 released" not in text and "2 released" not in text and "2 dead" not in text


def test_the_us_topic_is_titled_as_the_alerts_title_it(server: FeedServer, tmp_path: Path) -> None:
    """The pinned message and the chart's caption of a US channel were titled "Us actions" (the
    topic's key capitalized), read as the pronoun on a phone; they now say "US and Venezuela", as
    the alerts do."""
    args, db_url = _poll(server, tmp_path, {
        "noticiero-digital": [(timedelta(days=2), "EE.UU. pide la liberación de los 1.000 presos políticos que hay en Venezuela")],
    })
    config, tally = _tally_of(args, db_url)
    text = pin_text(tally, ["us_actions"], config.settings.tz)
    assert text is not None and text.startswith("📌 <b>US and Venezuela: the figures now</b>")
    assert caption(tally, topics=["us_actions"]).startswith("US and Venezuela\n")
    assert draw(tally, "us_actions").get_suptitle() == "US and Venezuela"


def test_the_charts_legend_quotes_a_figure_as_stated(server: FeedServer, tmp_path: Path) -> None:
    """"Más de 800" is "more than 800" in the caption and the pinned message; the chart's legend
    beside them said "(800)"."""
    args, db_url = _poll(server, tmp_path, {
        "caraota-digital": [
            (timedelta(days=3), "Más de 800 presos políticos fueron excarcelados desde «antes de diciembre», dice Diosdado Cabello"),
            (timedelta(days=2), "El Foro Penal reportó la excarcelación de al menos 104 presos políticos en Venezuela"),
        ],
    })
    config, tally = _tally_of(args, db_url)
    legend = [t.get_text() for t in draw(tally, PP).axes[1].get_legend().get_texts()]
    assert legend == ["announced by the government (more than 800)", "verified by rights groups (at least 104)"]
    assert "more than 800 (the government" in caption(tally, topics=[PP])


def test_a_release_histories_timeline_point_is_the_days_highest_as_its_current_figure(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's Foro Penal 61 (devtools/demo/content.py), then two outlets still quoting its
    earlier 20 the same day: `monitor tally` showed 61 as the current figure with the 20 flagged
    `conflict`, and a timeline of the 20 alone (the most outlets' number of the day). A release
    figure is a running total, so the day's point is its highest, as the current figure is."""
    local = datetime.now(ZoneInfo("America/Caracas"))  # the shipped settings.timezone: one day for all three
    into_day = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    base = timedelta(0) if into_day > timedelta(hours=1) else into_day + timedelta(minutes=30)
    later = "Foro Penal verificó 20 excarcelaciones de presos políticos en Tocorón"
    args, _ = _poll(server, tmp_path, {
        "radio-demo": [(base + timedelta(minutes=40), "Foro Penal verificó 61 de las 87 excarcelaciones anunciadas en Tocorón")],
        "diario-demo": [(base + timedelta(minutes=10), later)],
        "world-demo": [(base + timedelta(minutes=10), later)],
    })
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    foro = [(f["number"], f["flags"]) for f in data["figures"] if f["source"] == "Foro Penal"]
    assert foro == [(61, []), (20, ["conflict"])]
    assert [e["number"] for e in data["timeline"] if e["source"] == "Foro Penal"] == [61]
