"""A figure of a part of the prisoners ("entre ellos 180 militares", "45 adolescentes siguen
detenidos") is no total: the tally's "still held" stays the whole, the part is stored with its
group and an alert names it. Headlines (written for this test) go through the real pipeline
into a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from alerts.render import counts_line
from alerts.tally.figures import load_tally
from core.config import AppConfig
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.models import Count, Feed, Item

TOPIC = "political_prisoners"
# (day of January 2026, headline): the wholes fall from 687 to 684; the parts come after them
HEADLINES = [
    (25, "Foro Penal contabiliza 687 presos políticos en Venezuela"),
    (26, "Foro Penal: 180 militares siguen presos en Venezuela"),
    (26, "JEP: al menos 45 adolescentes siguen detenidos por razones políticas"),
    (27, "Foro Penal contabiliza 684 presos políticos, entre ellos 178 militares"),
    (28, "SNTP: seis periodistas siguen detenidos por razones políticas"),
    (28, "Foro Penal: 95 mujeres siguen presas por razones políticas"),
    # those whose whereabouts are unknown, counted by an NGO the headline does not name (a rights group)
    (28, "Una ONG venezolana denunció que se desconoce el paradero de al menos 200 presos políticos"),
]
NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)


def _store(db: Database, config: AppConfig) -> None:
    with db.session() as s:
        feed = Feed(name="el-pitazo", url="https://el-pitazo.example/feed", consecutive_failures=0)
        for n, (day, title) in enumerate(HEADLINES):
            when = datetime(2026, 1, day, 9, n, tzinfo=UTC)
            s.add(Item(feed=feed, guid=str(n), url=f"https://el-pitazo.example/{n}", title=title, summary="",
                       language="es", published_at=when, fetched_at=when + timedelta(minutes=5),
                       content_hash=f"h{n}"))
    assert Pipeline(config, db).process_pending(now=NOW).relevant == len(HEADLINES)


def test_still_held_is_the_whole_never_a_part(db: Database, default_config: AppConfig) -> None:
    _store(db, default_config)
    with db.session() as s:
        stored = {(c.number, c.part) for c in s.scalars(select(Count))}
        tally = load_tally(s, default_config)
    assert stored == {(687, None), (180, "military"), (45, "minors"), (684, None), (178, "military"),
                      (6, "journalists"), (95, "women"), (200, "disappeared")}
    state = tally.topics[TOPIC]
    assert state.still_held is not None and state.held_credible
    assert (state.still_held.number, state.still_held.source) == (684, "Foro Penal")
    assert [f.number for f in state.held["Foro Penal"]] == [687, 684]
    assert {f.number for f in tally.figures} == {684}  # the parts are in no history


def test_an_alert_names_the_group_a_part_counts() -> None:
    figures = [{"event": "held", "number": 684, "source": "Foro Penal"},
               {"event": "held", "number": 178, "source": "Foro Penal", "part": "military"}]
    assert counts_line(figures, "es") == "684 presos (según Foro Penal) · 178 militares presos (según Foro Penal)"
    missing = {"event": "held", "number": 200, "source": "an NGO", "part": "disappeared", "qualifier": "at least"}
    assert counts_line([missing], "es") == "al menos 200 presos desaparecidos (según una ONG)"
    assert counts_line([missing], "en") == "at least 200 missing detainees (according to an NGO)"
    assert counts_line(figures, "en") == (
        "684 held (according to Foro Penal) · 178 military held (according to Foro Penal)")
