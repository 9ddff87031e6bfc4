"""`monitor stories` read as an operator reads it after real days (bench/replay_channels.py,
12-14 January): each story's items in the order they were placed, and a reason for every
story begun beside a story that scored above the plain threshold. Headlines go through the
real pipeline into a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

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


def _many_stories(db: Database, n: int, *, title: str = "Excarcelan a presos políticos en Tocorón") -> None:
    """`n` stories of two items each, written as rows (the listing reads rows; no matcher)."""
    from sqlalchemy import insert

    from storage.models import Story

    with db.session() as s:
        feed = Feed(name="elpitazo", url="https://elpitazo.example/feed", consecutive_failures=0)
        s.add(feed)
        s.flush()
        s.execute(insert(Story), [
            {"id": k, "title": f"{title} {k}", "topics": ["political_prisoners"], "urgency": "normal",
             "language": "es", "entities": [], "counts": [], "first_item_id": 2 * k, "created_at": NOW,
             "updated_at": NOW, "told_at": NOW} for k in range(1, n + 1)])
        s.execute(insert(Item), [
            {"id": 2 * k + j, "feed_id": feed.id, "guid": f"g{2 * k + j}", "url": f"https://elpitazo.example/{2 * k + j}",
             "title": f"{title} {k}", "summary": "", "language": "es", "published_at": NOW, "fetched_at": NOW,
             "content_hash": f"h{2 * k + j}", "classified_at": NOW, "story_id": k,
             "story_match": {"decision": "joined" if j else "new", "score": 0.5, "threshold": 0.4, "hours": 1.0}}
            for k in range(1, n + 1) for j in (0, 1)])


def test_a_years_stories_are_listed_a_page_at_a_time(
    db: Database, db_url: str, default_config: AppConfig, capsys: Any,
) -> None:
    """`monitor stories --since` a year back loaded every story and its items at once, in one IN
    list of every story's id (a year: 218,000 ids, 4.5 GB, nothing printed for minutes; past the
    65,535 parameters a PostgreSQL statement takes). Now no statement names more than a page of
    stories, and the table and the JSON are as before."""
    from sqlalchemy import event

    from monitor.cli import main

    n = 1_100  # over two pages of 500
    _many_stories(db, n)
    widest: list[int] = []

    def count(_conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        widest.append(len(parameters) if isinstance(parameters, (tuple, list, dict)) else 0)

    since = NOW - timedelta(days=1)
    with db.session() as s:
        table = render_stories(s, default_config, since=since)
        whole = json.dumps(stories_json(s, default_config, since=since), ensure_ascii=False, indent=1)
    event.listen(Engine, "before_cursor_execute", count)
    try:
        assert main(["stories", "--db", db_url, "--since", since.isoformat()]) == 0
        assert capsys.readouterr().out == table + "\n"
        assert main(["stories", "--db", db_url, "--since", since.isoformat(), "--format", "json"]) == 0
        shown = capsys.readouterr().out
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert shown == whole + "\n"
    assert len(json.loads(shown)["stories"]) == n and table.count("\nstory ") == n - 1
    assert 0 < max(widest) <= 500


def test_stories_json_of_no_story_is_the_empty_list(db: Database, db_url: str, capsys: Any) -> None:
    from monitor.cli import main

    assert main(["stories", "--db", db_url, "--since", "2026-01-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"since": "2026-01-01T00:00:00-04:00", "stories": []}


def test_hostile_stored_titles_are_shown_escaped_and_cut(db: Database, db_url: str, capsys: Any) -> None:
    """A title stored with an escape sequence (clear the screen, hide what follows), a direction
    override (U+202E: "txt.exe" reads "exe.txt", the rest of the line reversed) or 10,000
    characters was printed raw by `monitor stories`: the story's line whole, its escapes acting
    on the operator's terminal. Now escaped, as `monitor tally` shows a link, and the story's
    title cut at 200 characters like its items' at 100."""
    from monitor.cli import main

    hostile = "Liberan\x1b[2J\x1b[8m presos \u202etxt.exe políticos\nPOLÍTICA " + "largo " * 1_700
    _many_stories(db, 1, title=hostile)
    assert main(["stories", "--db", db_url, "--since", (NOW - timedelta(days=1)).isoformat()]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    assert "Liberan\\x1b[2J\\x1b[8m presos \\u202etxt.exe políticos POLÍTICA largo" in out
    assert max(len(line) for line in out.splitlines()) < 300
    # the answers of --near (and --merge, --split) quote stored titles too
    assert main(["stories", "--db", db_url, "--near", "1"]) == 0
    near = capsys.readouterr().out
    assert near.startswith("Story 1 «Liberan\\x1b[2J\\x1b[8m presos \\u202etxt.exe") and "\x1b" not in near
