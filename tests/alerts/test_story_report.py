"""`monitor stories` read as an operator reads it after real days (bench/replay_channels.py,
12-14 January): each story's items in the order they were placed, and a reason for every
story begun beside a story that scored above the plain threshold. Headlines go through the
real pipeline into a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.stories.report import render_stories, stories_json, why
from core.config import AppConfig
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.models import Feed, Item

NOW = datetime(2026, 1, 12, 12, tzinfo=UTC)
# stored in this order (one poll of two feeds), published the other way round: the second
# began the story, 3.9 h before the first joined it
HEADLINES = [
    ("la-verdad", NOW - timedelta(hours=1),
     "Deportan a 2 periodistas extranjeros tras 10 horas detenidos en la frontera colombo-venezolana"),
    ("noticiero", NOW - timedelta(hours=4.9),
     "SNTP REPORTÓ LIBERACIÓN Y DEPORTACIÓN DE DOS PERIODISTAS EXTRANJEROS EN LA FRONTERA"),
]


def test_a_storys_items_are_listed_in_the_order_they_were_placed(db: Database, default_config: AppConfig) -> None:
    """By id, the poll's first item came first with "score 0.496 ≥ 0.4 … 3.9 h after the story's
    last item", then the item that "started the story": the join read before its story began."""
    with db.session() as s:
        for n, (feed, when, title) in enumerate(HEADLINES):
            s.add(Item(feed=Feed(name=feed, url=f"https://{feed}.example/feed", consecutive_failures=0),
                       guid=str(n), url=f"https://{feed}.example/{n}", title=title, summary="", language="es",
                       published_at=when, fetched_at=NOW, content_hash=f"h{n}"))
    Pipeline(default_config, db).process_pending(now=NOW)
    with db.session() as s:
        [story] = stories_json(s, default_config, since=NOW - timedelta(days=1))["stories"]
        report = render_stories(s, default_config, since=NOW - timedelta(days=1))
    assert [it["title"] for it in story["items"]] == [HEADLINES[1][2], HEADLINES[0][2]]
    assert [it["signals"]["decision"] for it in story["items"]] == ["new", "joined"]
    lines = report.splitlines()
    assert " · 2 items · " in lines[0]
    assert " · 2026-01-12 08:00 -04 · " in lines[0]  # the alerts' clock, marked (it read "12:00", UTC unsaid)
    assert lines[3] == "      started the story: no recent story shares its words"
    assert lines[5].strip().startswith("score ") and lines[5].endswith("3.9 h after the story's last item")
    # the shared terms as the headlines spell them, not the matcher's stems ("fronter deport extranjer")
    terms = lines[5].split("; terms ")[1].split(";")[0].split()
    assert set(terms) == {"frontera", "deportan", "extranjeros", "periodistas"}


def test_a_story_begun_beside_a_higher_score_says_which_bar_it_missed() -> None:
    """Item 58 of the replay ("Lo que exigieron legisladores de Florida tras anuncio de liberación…")
    began a story beside story 20 at 0.544, no conflict: "nearest story 20 scored 0.544" with
    the threshold 0.40 read as a join refused for no reason."""
    explainer = {"decision": "new", "threshold": 0.4, "nearest": [{"story": 20, "score": 0.544}]}
    assert why(explainer) == (
        "started the story: nearest story 20 scored 0.544, under the 0.75 an explainer's headline "
        "(\"Lo que…\", \"Quién es…\") or a story begun by one needs")
    live = {"decision": "new", "threshold": 0.4, "nearest": [{"story": 3, "score": 0.42}]}
    assert why(live).endswith("scored 0.42, under the 0.45 a live headline (EN VIVO) needs or the 0.75 of an explainer")
    below = {"decision": "new", "threshold": 0.4, "nearest": [{"story": 3, "score": 0.31}]}
    assert why(below) == "started the story: nearest story 3 scored 0.31"
    wave = {"decision": "joined", "wave": "tally", "wave_items": 1, "hours": 0.5, "score": 1.0}
    assert why(wave).startswith("joined the release wave (tally; the story had 1 wave item);")


def test_a_long_title_is_cut_at_a_word_and_marked(db: Database, default_config: AppConfig) -> None:
    """Cut at 100 characters, it read "…desmantelarían oficinas pero no confirman liberaci", as if
    the outlet had written it so (item 94 of the replay)."""
    title = ("Reportan “movimientos inusuales” en El Helicoide: desmantelarían oficinas pero no "
             "confirman liberación de presos")
    with db.session() as s:
        s.add(Item(feed=Feed(name="versionfinal", url="https://vf.example/feed", consecutive_failures=0),
                   guid="94", url="https://vf.example/94", title=title, summary="", language="es",
                   published_at=NOW, fetched_at=NOW, content_hash="h94"))
    Pipeline(default_config, db).process_pending(now=NOW)
    with db.session() as s:
        report = render_stories(s, default_config, since=NOW - timedelta(days=1))
    [line] = [ln for ln in report.splitlines() if ln.startswith("  - item ")]
    assert line.endswith("desmantelarían oficinas pero no confirman…")
