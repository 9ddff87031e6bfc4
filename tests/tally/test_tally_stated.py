"""The tally quotes a figure as its source stated it: "al menos 711" is "at least 711" in the
table, the caption, the pinned message, the JSON and the CSV; the number alone still decides
which figure is the newest or the highest. Headlines (written for this test) go through the
real pipeline into a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from alerts.tally.figures import load_tally
from alerts.tally.pin import pin_text
from alerts.tally.render import caption, render_csv, render_json, render_table
from core.config import AppConfig
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.models import Feed, Item

TOPIC = "political_prisoners"
HEADLINES = [
    (20, "Foro Penal registra 777 presos políticos en Venezuela"),
    (21, "El gobierno dijo haber excarcelado a más de 400 presos políticos"),
    (29, "AL MENOS 711 PERSONAS SIGUEN DETENIDAS POR MOTIVOS POLÍTICOS, SEGÚN FORO PENAL"),
]


def test_the_tally_quotes_figures_as_stated(db: Database, default_config: AppConfig) -> None:
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://el-pitazo.example/feed", consecutive_failures=0)
        for n, (day, title) in enumerate(HEADLINES):
            when = datetime(2026, 1, day, 9, tzinfo=UTC)
            s.add(Item(feed=feed, guid=str(n), url=f"https://el-pitazo.example/{n}", title=title, summary="",
                       language="es", published_at=when, fetched_at=when + timedelta(minutes=5),
                       content_hash=f"h{n}"))
    Pipeline(default_config, db).process_pending(now=datetime(2026, 1, 30, tzinfo=UTC))
    with db.session() as s:
        tally = load_tally(s, default_config)
    state = tally.topics[TOPIC]
    assert state.still_held is not None and (state.still_held.number, state.still_held.qualifier) == (711, "at least")
    table = render_table(tally)
    assert "still held: at least 711 (Foro Penal, 2026-01-29)" in table
    assert "released, announced by the government: more than 400 (the government, 2026-01-21)" in table
    assert "still held: at least 711" in caption(tally)
    pinned = pin_text(tally, [TOPIC])
    assert pinned is not None and "Still held: <b>at least 711</b>" in pinned
    figures = {f["number"]: f["qualifier"] for f in json.loads(render_json(tally))["figures"]}
    assert figures == {711: "at least", 400: "more than"}  # 777 is older news of Foro Penal's
    rows = list(csv.DictReader(io.StringIO(render_csv(tally))))
    assert {(r["number"], r["qualifier"]) for r in rows if r["section"] == "timeline"} == {
        ("777", ""), ("400", "more than"), ("711", "at least")}
