"""Every labelled story window in one table, with the pools a tuning round is judged on.

    python bench/story_windows.py [--headlines PATH] [--shared-groups PATH] [--all-headlines] [--one-pass]
        [--dates-only]

Runs `monitor eval-stories` logic on the readers' groups (../shared/real/stories_2026-01.json,
two windows) and every file of bench/data/stories/, then pools them: the windows tuned on (their
misses may be read), the measure-only ones (summary rows only: never read their misses), the
measure-only windows of 22–31 January apart, the three windows tuned from the ninth round on (7,
11 and 19–21 January, measure only before) and the nine windows of the seventh round. With `--all-headlines` every headline of the windows' days is served and only
the labelled items the classifier finds relevant are scored (`monitor eval-stories
--all-headlines`, as an outside check does); with `--one-pass` every headline is polled and
classified at one moment after the window (`monitor eval-stories --one-pass`); with `--dates-only`
every item of a day at midnight, from one newest-first feed per outlet (`--dates-only`). Summary figures
only: no headline is printed.

`--intervals` adds the 95 % bootstrap interval of the tuned and measure pools' precision and recall
(the readers' stories drawn again: how far the figure would wander on other days like these).
`--save FILE` keeps this run's stories; a later run with `--against FILE` (same mode, changed
matcher) prints the pools' differences on the same draws, with how often the new run is ahead
and how often behind (the other draws tie: they hold none of the stories that changed): a gain
whose interval holds zero is one other days could take back. The saved run must score the same
items (the same mode), else one line says which window differs.
Needs ../shared/real.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Hashable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.config import load_config  # noqa: E402
from monitor.story_eval import (  # noqa: E402
    FEED_ORDERS,
    HEADER,
    FeedShape,
    Scores,
    Window,
    WindowResult,
    evaluate,
    load_groups,
    load_headlines,
    pooled,
)
from monitor.story_intervals import Interval, intervals, paired  # noqa: E402

# windows whose misses a round may read (14-16 L2 is the other labeller's reading of a tuned window);
# 7, 11 and 19-21 January were measure only until the ninth round (their first runs are recorded)
TUNED = ("2026-01-08", "jan-04-06_L1", "jan-14-16_L1", "jan-02-03_L3", "jan-17-18_L3",
         "jan-07_L4", "jan-11_L4", "jan-19-21_L2")
NEWLY_TUNED = ("jan-07_L4", "jan-11_L4", "jan-19-21_L2")
SECOND_READING = ("jan-14-16_L2",)
NINE_MEASURED = ("2026-01-12", "jan-07_L4", "jan-11_L4", "jan-19-21_L2")


def add_sources(parser: argparse.ArgumentParser) -> None:
    """The headlines, the readers' groups and the config every story bench reads."""
    parser.add_argument("--headlines", default=str(ROOT.parent / "shared/real/headlines_es_2026-01.jsonl"))
    parser.add_argument("--shared-groups", default=str(ROOT.parent / "shared/real/stories_2026-01.json"))
    parser.add_argument("--config", default=str(ROOT / "feeds.yaml"))


def add_feed_shape(parser: argparse.ArgumentParser) -> None:
    """How feeds of dates only list the headlines (monitor eval-stories has the same options)."""
    parser.add_argument("--feed-order", choices=FEED_ORDERS, default="newest-first",
                        help="with --dates-only: how each outlet's feed lists its headlines")
    parser.add_argument("--ids-without-numbers", action="store_true",
                        help="with --dates-only: the entries' ids carry no number")


def feed_shape(args: argparse.Namespace) -> FeedShape:
    return FeedShape(order=args.feed_order, numbered=not args.ids_without_numbers)


def sources_missing(args: argparse.Namespace) -> bool:
    """Say so and return True when ../shared/real is not there (the bench then skips)."""
    if Path(args.headlines).is_file() and Path(args.shared_groups).is_file():
        return False
    print(f"skipped: {args.headlines} or {args.shared_groups} is missing")
    return True


def labelled_windows(shared_groups: str) -> list[tuple[str, Window]]:
    """Every labelled window with its label: the readers' windows by their first day, the
    others by their file's name (bench/data/stories/)."""
    return [
        (w.days[0] if path == Path(shared_groups) else path.stem, w)
        for path in [Path(shared_groups), *sorted((ROOT / "bench/data/stories").glob("*.json"))]
        for w in load_groups(path)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sources(parser)
    parser.add_argument("--all-headlines", action="store_true", help="serve every headline of the days")
    parser.add_argument("--one-pass", action="store_true", help="classify every headline at one moment")
    parser.add_argument("--dates-only", action="store_true",
                        help="feeds of dates only: every item of a day at midnight, newest first (implies --one-pass)")
    parser.add_argument("--month", action="store_true",
                        help="every headline of all the windows' days in one replay, as a service that has "
                             "run all month sees them (implies --all-headlines); each window scored on it")
    parser.add_argument("--restarts", action="store_true",
                        help="drop the matcher's index before each new day, as a service restarted daily "
                             "rebuilds it from the database (the stories should not change)")
    parser.add_argument("--intervals", action="store_true",
                        help="the tuned and measure pools' 95%% bootstrap intervals")
    parser.add_argument("--save", metavar="FILE", help="keep this run's stories in FILE (for --against)")
    parser.add_argument("--against", metavar="FILE",
                        help="the pools' differences from a run saved with --save, on the same draws")
    add_feed_shape(parser)
    args = parser.parse_args(argv)
    if sources_missing(args):
        return 0
    try:  # read before the replay (minutes) and before --save may write over it
        saved = read_saved(args.against) if args.against else None
    except SavedRunError as e:
        print(f"error: {args.against}: {e}", file=sys.stderr)
        return 2
    headlines = load_headlines(args.headlines)
    config = load_config(args.config)
    windows = labelled_windows(args.shared_groups)
    scored = evaluate([w for _, w in windows], headlines, config, all_headlines=args.all_headlines or args.month,
                      one_pass=args.one_pass, dates_only=args.dates_only, shape=feed_shape(args),
                      month=args.month, restarts=args.restarts)
    results: list[tuple[str, WindowResult]] = [(label, r) for (label, _), r in zip(windows, scored, strict=True)]

    def pool(labels: list[str]) -> Scores:
        return pooled((r.pred, r.gold) for label, r in results if label in labels)

    every = [label for label, _ in results]
    measure = [x for x in every if x not in TUNED and x not in SECOND_READING]
    late = [x for x in measure if x.startswith("jan-2")]
    print(HEADER)
    for label, r in results:
        kind = "tuned" if label in TUNED else "second reading" if label in SECOND_READING else "measure only"
        print(r.scores.row(f"{label} ({kind})"))
    print(pool(list(TUNED)).row("**pooled, tuned**"))
    print(pool(measure).row("**pooled, measure only**"))
    print(pool(list(NEWLY_TUNED)).row("pooled, tuned in the ninth round (7, 11, 19–21 Jan)"))
    print(pool(late).row("pooled, measure only, 22–31 Jan"))
    print(pool([*TUNED, *NINE_MEASURED]).row("pooled, the seventh round's nine"))
    print(pool([x for x in every if x not in SECOND_READING]).row("pooled, all"))
    pools = {"tuned": list(TUNED), "measure only": measure}
    if args.intervals:
        print_intervals(results, pools, headlines)
    if args.save:
        Path(args.save).write_text(json.dumps({label: {i: str(s) for i, s in r.pred.items()} for label, r in results}))
    if saved is not None:
        try:
            print_differences(results, pools, saved)
        except SavedRunError as e:
            print(f"error: {args.against}: {e}", file=sys.stderr)
            return 2
    return 0


class SavedRunError(ValueError):
    """A --against file that is not this run's kind: said in one line."""


def read_saved(path: str) -> dict[str, dict[str, str]]:
    """A run saved with --save: window label -> item id -> service story."""
    try:
        run = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise SavedRunError(e.strerror or str(e)) from None
    except json.JSONDecodeError as e:
        raise SavedRunError(f"invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    if not isinstance(run, dict) or not all(isinstance(w, dict) for w in run.values()):
        raise SavedRunError("not a run saved with --save (window label -> item id -> story)")
    return run


def _saved_window(saved: Mapping[str, Mapping[str, Hashable]], label: str, scored: Mapping[str, Hashable]
                  ) -> Mapping[str, Hashable]:
    """The saved run's stories of one window, which must score the items this run scores: a run
    of another mode (--all-headlines scores only what the classifier finds relevant) would be
    compared on other items."""
    if label not in saved:
        raise SavedRunError(f"has no window {label}: compare runs of the same labelled windows")
    if set(saved[label]) != set(scored):
        raise SavedRunError(f"window {label} scored {len(saved[label])} items there, {len(scored)} here "
                            "(save and compare runs of one mode)")
    return saved[label]


def print_intervals(results: list[tuple[str, WindowResult]], pools: dict[str, list[str]],
                    headlines: Mapping[str, Mapping[str, object]]) -> None:
    """Each pool's intervals, then each pool's items of one labelled topic alone (an item of
    both topics in both; its story's other items of the topic only)."""
    print("\n| pool | items | B³ precision [95 % interval] | B³ recall [95 % interval] | alerts per true story "
          "[95 % interval] |\n| --- | ---: | --- | --- | --- |")
    for name, labels in pools.items():
        for topic in (None, "political_prisoners", "us_actions"):
            parts = [_of_topic(r.pred, r.gold, headlines, topic) for label, r in results if label in labels]
            found = intervals(parts)
            items = sum(len(gold) for _, gold in parts)
            print(f"| {name}{f', {topic}' if topic else ''} | {items} | {found.precision} | {found.recall} | "
                  f"{found.alerts} |")


def _of_topic(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable], headlines: Mapping[str, Mapping[str, object]],
              topic: str | None) -> tuple[dict[str, Hashable], dict[str, Hashable]]:
    keep = [i for i in gold if i in pred and (topic is None or topic in (headlines[i].get("topics") or ()))]
    return {i: pred[i] for i in keep}, {i: gold[i] for i in keep}


def print_differences(results: list[tuple[str, WindowResult]], pools: dict[str, list[str]],
                      saved: Mapping[str, Mapping[str, Hashable]]) -> None:
    """This run minus the saved one, pool by pool, on the same draws of the readers' stories."""
    before = {label: _saved_window(saved, label, r.pred) for label, r in results
              if any(label in labels for labels in pools.values())}
    print("\n| pool | precision: this − saved [95 % interval], draws ahead / behind | recall: this − saved "
          "[95 % interval], draws ahead / behind |\n| --- | --- | --- |")
    for name, labels in pools.items():
        now = [(r.pred, r.gold) for label, r in results if label in labels]
        d = paired([(before[label], r.gold) for label, r in results if label in labels], now)
        print(f"| {name} | {_signed(d.precision)}, {d.precision_ahead:.0%} / {d.precision_behind:.0%} | "
              f"{_signed(d.recall)}, {d.recall_ahead:.0%} / {d.recall_behind:.0%} |")


def _signed(x: Interval) -> str:
    return f"{x.value:+.3f} [{x.low:+.3f}, {x.high:+.3f}]"


if __name__ == "__main__":
    raise SystemExit(main())
