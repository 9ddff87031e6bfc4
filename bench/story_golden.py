"""Every story decision written out, to prove a speed-only change changes none.

    PYTHONHASHSEED=0 python bench/story_golden.py OUT_DIR
    diff -r OUT_DIR_BEFORE OUT_DIR_AFTER          (must print nothing)

Writes, for the bench's synthetic sequence (bench/bench_stories.py: 2,000 items against 5,000
stories, through `assign_story`) and for every labelled January window served whole, dates only
(bench/story_windows.py --all-headlines --dates-only; skipped without ../shared/real): each
decision with its item's features and every signal, each assignment with the story row it left,
and the windows' table; each window's stories' nearest stories (`/merge` alone, `--near`) from
the index the window left and from a fresh one. Sets are written sorted; PYTHONHASHSEED=0 keeps the order in which a set
is walked, which a tie between two stories may depend on, the same in both runs.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import bench_stories  # noqa: E402
import story_windows  # noqa: E402

from alerts.stories import assign  # noqa: E402
from alerts.stories.match import Decision, StoryIndex  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import Feed, Item  # noqa: E402


def canon(x: Any) -> Any:
    """`x` as JSON with a fixed order: sets sorted, dataclasses as dicts, times as ISO text."""
    if isinstance(x, set | frozenset):
        return sorted((canon(v) for v in x), key=repr)
    if isinstance(x, list | tuple):
        return [canon(v) for v in x]
    if isinstance(x, dict):
        return {str(k): canon(v) for k, v in sorted(x.items(), key=lambda kv: repr(kv[0]))}
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: canon(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, datetime):
        return x.isoformat()
    return x


def line(x: Any) -> str:
    return json.dumps(canon(x), ensure_ascii=False, sort_keys=True)


def recording(log: list[str]) -> Any:
    """StoryIndex.decide, writing each decision and the features it was made on to `log`."""
    decide = StoryIndex.decide

    def recorded(self: StoryIndex, item: Any, *, now: datetime, window: timedelta) -> Decision:
        d = decide(self, item, now=now, window=window)
        log.append(line({"features": item, "story": d.story_id, "score": d.score, "signals": d.signals}))
        return d

    return recorded


def synthetic(out: Path, log: list[str]) -> None:
    now, window = bench_stories.NOW, bench_stories.WINDOW
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/golden.db"
        new = bench_stories.seeded(url)
        db = open_database(url)
        with db.session() as s:
            assign.story_index(s, window=window, now=now)
            feed_id = s.query(Feed.id).scalar()
        rows = []
        for chunk in range(0, len(new), 50):
            with db.session() as s:
                for k, (title, topics, entities, counts) in enumerate(new[chunk:chunk + 50], start=chunk):
                    item = Item(feed_id=feed_id, guid=f"new-{k}", title=title, language="es",
                                published_at=now, content_hash=f"n{k}", entities=entities)
                    s.add(item)
                    s.flush()
                    a = assign.assign_story(s, item, bench_stories.Cls(topics, entities, counts),
                                            window=window, now=now)
                    story = {c: getattr(a.story, c) for c in ("title", "topics", "urgency", "entities", "counts")}
                    rows.append(line({"story": a.story.id, "created": a.created,
                                      "new_counts": [c.as_dict() for c in a.new_counts], "story_row": story}))
        db.dispose()
    (out / "bench_decisions.jsonl").write_text("\n".join(log) + "\n", encoding="utf-8")
    (out / "bench_assignments.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")


def windows(out: Path, log: list[str]) -> None:
    table = io.StringIO()
    with contextlib.redirect_stdout(table):
        story_windows.main(["--all-headlines", "--dates-only"])
    (out / "windows_table.md").write_text(table.getvalue(), encoding="utf-8")
    (out / "windows_decisions.jsonl").write_text("\n".join(log) + "\n", encoding="utf-8")


def nearest(out: Path) -> int:
    """Each labelled window's stories' nearest stories (`/merge` alone, `--near`): through the
    index the window's items left (with the features built beforehand, as the admin chat builds
    them), then through a fresh index each; written to windows_nearest.jsonl. How many."""
    from datetime import UTC

    from sqlalchemy import select

    from core.config import load_config
    from monitor.story_eval import assign_window, load_headlines
    from storage.models import Story

    args = argparse.Namespace(
        headlines=str(ROOT.parent / "shared/real/headlines_es_2026-01.jsonl"),
        shared_groups=str(ROOT.parent / "shared/real/stories_2026-01.json"))
    if story_windows.sources_missing(args):
        return 0
    headlines, config = load_headlines(args.headlines), load_config(ROOT / "feeds.yaml")
    window, rows = config.settings.story_window, []
    for label, labelled in story_windows.labelled_windows(args.shared_groups):
        days = set(labelled.days)

        def ask(session: Any, label: str = label) -> None:
            now = datetime.now(UTC)
            ids = list(session.scalars(select(Story.id).order_by(Story.id)))
            for mode in ("the window's index", "a fresh index"):
                for sid in ids:
                    built = None
                    if mode == "a fresh index":
                        assign._INDEXES.clear()
                    else:
                        built = assign.nearest_features(session, sid, window=window, now=now)
                    near = assign.nearest_stories(session, sid, window=window, now=now, n=10, built=built)
                    rows.append(line({"window": label, "index": mode, "story": sid,
                                      "near": [(other.id, n.score, n.signals) for other, n in near]}))

        assign_window([h for h in headlines.values() if str(h.get("date", ""))[:10] in days], config,
                      all_headlines=True, dates_only=True, inspect=ask)
    (out / "windows_nearest.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    if os.environ.get("PYTHONHASHSEED") != "0":
        print("error: run with PYTHONHASHSEED=0 (the order sets are walked in must be the same in both runs)",
              file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    log: list[str] = []
    StoryIndex.decide = recording(log)  # type: ignore[method-assign]
    synthetic(out, log)
    log.clear()
    windows(out, log)
    decisions = len(log)
    listed = nearest(out)
    print(f"{out}: the synthetic sequence, {decisions:,} decisions of the labelled windows and {listed:,} "
          "lists of a story's nearest stories (`/merge` alone, `--near`) written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
