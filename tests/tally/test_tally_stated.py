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


def test_the_caption_fits_telegram_in_utf16_units_with_emoji_in_outlets() -> None:
    """Telegram counts a caption's 1,024 in UTF-16 code units: an outlet named with emoji (a
    flag is two units a letter) made a caption of 1,024 characters 1,300 units, and sendPhoto
    refused it ("message caption is too long"): the chart was never posted."""
    from alerts.render import tg_len
    from alerts.tally.figures import OTHER, Figure, Tally, TopicState

    def figure(event: str, n: int) -> Figure:
        return Figure(topic=TOPIC, event=event, number=n, source=OTHER, kind="other",
                      date=datetime(2026, 1, 20, tzinfo=UTC), url=None, outlet="🇻🇪" * 100)

    held, announced, verified = figure("held", 800), figure("released", 400), figure("released", 61)
    state = TopicState(topic=TOPIC, still_held=held, announced=[(announced.date, 400, announced)],
                       verified=[(verified.date, 61, verified)])
    text = caption(Tally(figures=[held, announced, verified], timeline=[], topics={TOPIC: state}))
    assert 0 < tg_len(text) <= 1024 and text.startswith("Political prisoners\n• still held: 800")


def test_the_pinned_figures_fit_telegram_in_utf16_units_with_emoji_in_outlets() -> None:
    """The pinned message was kept under 4,000 characters, not UTF-16 units: figures of unknown
    sources quoted by outlets named with emoji (a flag is two units a letter) made it 7,000
    units, over Telegram's 4,096, and the pin was refused."""
    from alerts.render import tg_len
    from alerts.tally.figures import OTHER, Figure, Tally, TopicState
    from devtools.tghtml import parse_html

    def figure(topic: str, n: int, flags: list[str]) -> Figure:
        return Figure(topic=topic, event="held", number=n, source=OTHER, kind="other",
                      date=datetime(2026, 1, 20, tzinfo=UTC), url=None, outlet="🇻🇪" * 100, flags=flags)

    figures: list[Figure] = []
    topics: dict[str, TopicState] = {}
    for topic in (TOPIC, "us_actions"):
        held, released = figure(topic, 800, []), figure(topic, 400, [])
        figures += [held, released, *(figure(topic, 700 + k, ["conflict"]) for k in range(3)),
                    *(figure(topic, 8000 + k, ["jump"]) for k in range(2))]
        topics[topic] = TopicState(topic=topic, still_held=held, announced=[(released.date, 400, released)],
                                   verified=[(released.date, 400, released)])
    text = pin_text(Tally(figures=figures, timeline=[], topics=topics), list(topics))
    assert text is not None and 0 < tg_len(parse_html(text)) <= 4096
