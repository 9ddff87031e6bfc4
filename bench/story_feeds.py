"""The labelled story windows served as an outside check serves them, scored on the stories made.

    python bench/story_feeds.py [--headlines PATH] [--shared-groups PATH] [--config PATH] [--repeat N]

For each window of the readers' groups (../shared/real/stories_2026-01.json and
bench/data/stories/), every headline of its days, relevant or not, is served on 127.0.0.1 as
one RSS feed per outlet (dates only, newest first; `--feed-order` and `--ids-without-numbers`
as in bench/story_windows.py); the default config, with only its feeds
replaced, is run through `monitor poll-once --dry-run` in a subprocess on a fresh SQLite file;
then each labelled item's `story_id` is compared with the readers' groups (B-cubed, alerts per
true story), pooled over the windows tuned on and the measure-only ones as in
bench/story_windows.py. The days are months old, so with the default `backfill_window` every
item is backfill: what is scored is the stories the service made, not its alerts.
`--repeat N` runs each window N times and says whether the stories were the same each time
(feeds are polled concurrently, so their answers race). `--together` serves every day of every
window in one run, as a service that has run all month sees them: a day's items may then join
the stories of the days before it (a join across windows, which window-by-window runs cannot
make), and each window is scored on that one run. Summary figures only. Needs ../shared/real.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from story_windows import (  # noqa: E402
    SECOND_READING,
    TUNED,
    add_feed_shape,
    add_sources,
    feed_shape,
    labelled_windows,
    print_intervals,
    sources_missing,
)

from devtools.feedserver import FeedServer  # noqa: E402
from devtools.samples import SampleItem  # noqa: E402
from devtools.samples import rss as samples_rss  # noqa: E402
from monitor.story_eval import (  # noqa: E402
    HEADER,
    FeedShape,
    WindowResult,
    feed_listing,
    load_headlines,
    pooled,
    score,
)


def rss(rows: list[dict[str, Any]], shape: FeedShape) -> bytes:
    """One outlet's headlines as RSS 2.0 with dates only (midnight UTC), listed as `shape` says."""
    items = []
    for r in feed_listing(rows, shape.order):
        guid = shape.entry_id(str(r["id"]))
        items.append(SampleItem(title=str(r["title"]), link=f"https://news.example/{guid}", guid=guid,
                                published=datetime.fromisoformat(str(r["date"])[:10]).replace(tzinfo=UTC)))
    return samples_rss(items, title="outlet")


def poll_window(server: FeedServer, label: str, rows: list[dict[str, Any]], config: Path,
                shape: FeedShape) -> dict[str, int]:
    """Serve the window's headlines, run `monitor poll-once` once over them; guid → story id."""
    yaml = YAML(typ="safe")
    cfg = yaml.load(config.read_text(encoding="utf-8"))
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_outlet[str(r.get("outlet") or "unknown")].append(r)
    cfg["feeds"] = []
    for k, (_, mine) in enumerate(sorted(by_outlet.items())):
        route = f"/{label}/{k}.xml"
        server.set_route(route, body=rss(mine, shape), content_type="application/rss+xml")
        cfg["feeds"].append({"name": f"outlet-{k}", "url": server.url(route), "type": "rss",
                             "language": "es", "interval": "10m"})
    with tempfile.TemporaryDirectory() as tmp:
        path, db = Path(tmp) / "feeds.yaml", Path(tmp) / "monitor.db"
        with path.open("w", encoding="utf-8") as fh:
            yaml.dump(cfg, fh)
        env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
        env["PYTHONPATH"] = str(ROOT)
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "poll-once", "--dry-run", "--config", str(path),
             "--db", f"sqlite:///{db}", "--log-level", "ERROR"],
            capture_output=True, text=True, env=env, cwd=tmp, check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"poll-once failed on {label}: {done.stderr[-1000:]}")
        with sqlite3.connect(db) as con:
            stories = dict(con.execute("SELECT guid, story_id FROM items WHERE story_id IS NOT NULL").fetchall())
    ids = {shape.entry_id(str(r["id"])): str(r["id"]) for r in rows}
    return {ids[guid]: story for guid, story in stories.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sources(parser)
    parser.add_argument("--repeat", type=int, default=1, help="runs per window (are the stories the same?)")
    parser.add_argument("--together", action="store_true",
                        help="serve the days of all the windows in one run, then score each window on it")
    parser.add_argument("--intervals", action="store_true",
                        help="the tuned and measure pools' 95%% bootstrap intervals (as bench/story_windows.py)")
    add_feed_shape(parser)
    args = parser.parse_args(argv)
    shape = feed_shape(args)
    if sources_missing(args):
        return 0
    headlines = load_headlines(args.headlines)
    results: list[tuple[str, WindowResult]] = []
    unstable = 0
    windows = labelled_windows(args.shared_groups)
    with FeedServer() as server:
        together: list[dict[str, int]] = []
        if args.together:
            days = {d for _, w in windows for d in w.days}
            served = [h for h in headlines.values() if str(h.get("date", ""))[:10] in days]
            together = [poll_window(server, f"all-{n}", served, Path(args.config), shape) for n in range(args.repeat)]
        for label, w in windows:
            gold = {i: g for i, g in w.gold().items() if i in headlines}
            if together:
                runs = together
            else:
                served = [h for h in headlines.values() if str(h.get("date", ""))[:10] in set(w.days)]
                runs = [poll_window(server, f"{label}-{n}", served, Path(args.config), shape) for n in range(args.repeat)]
            partitions = {frozenset(frozenset(i for i in gold if run.get(i) == s) for s in set(run.values()))
                          for run in runs}
            unstable += len(partitions) > 1
            pred = {i: s for i, s in runs[0].items() if i in gold}
            scored = {i: g for i, g in gold.items() if i in pred}
            results.append((label, WindowResult(w.days, score(pred, scored), pred, scored, labelled=len(gold))))
    print(HEADER)
    for label, r in results:
        kind = "tuned" if label in TUNED else "second reading" if label in SECOND_READING else "measure only"
        print(r.scores.row(f"{label} ({kind})"))
    every = [label for label, _ in results]
    measure = [x for x in every if x not in TUNED and x not in SECOND_READING]
    for name, labels in (("pooled, tuned", TUNED), ("pooled, measure only", measure)):
        print(pooled((r.pred, r.gold) for label, r in results if label in labels).row(f"**{name}**"))
    if args.intervals:
        print_intervals(results, {"tuned": list(TUNED), "measure only": measure}, headlines)
    if args.repeat > 1:
        print(f"\n{len(results) - unstable} of {len(results)} windows made the same stories in {args.repeat} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
