"""How far readers agree with each other, and the service with each of them, on the days read twice or more.

    python bench/story_readers.py [--headlines PATH] [--shared-groups PATH] [--config PATH]

The yardstick's own latitude. Some days were grouped into stories by more than one reader,
each without seeing the others' groups: 8–10 and 12–13 January by the readers of
../shared/real/stories_2026-01.json and, blind, by two labellers (bench/data/stories/readings/,
L7 and L8); 14–16 January by two labellers (bench/data/stories/, L1 and L2); the measure
windows of 22–31 January by their labellers (L5, L6) and again, blind, by two more
(readings/, L9 and L10). For each such
window, every reading is scored against every other as the truth (B-cubed precision, recall and
F, item-weighted over the items both grouped), then the service (every headline of the days
served as feeds of dates only, as an outside check serves them) against each reading. A pooled
row per reading gives the service's recall with its 95 % bootstrap interval
(`monitor/story_intervals.py`).

What it tells: whether a labeller's groups are a fair stand-in for the readers' (the measure
windows of 22–31 January were grouped by labellers alone), and whether the service's splits are
within the latitude readers allow each other or beyond it. Summary figures only.
Needs ../shared/real.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Hashable, Mapping
from itertools import permutations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from story_windows import add_sources, sources_missing  # noqa: E402

from core.config import load_config  # noqa: E402
from monitor.story_eval import Window, evaluate, load_groups, load_headlines, score  # noqa: E402
from monitor.story_intervals import intervals  # noqa: E402

READINGS = ROOT / "bench/data/stories/readings"
Gold = Mapping[str, Hashable]


def reading_files() -> list[Path]:
    """Every labeller's reading, named DAYS_READER.json: the windows of bench/data/stories/ and
    the second readings of bench/data/stories/readings/ (only days read twice or more are kept)."""
    return [*sorted((ROOT / "bench/data/stories").glob("*.json")), *sorted(READINGS.glob("*.json"))]


def readings(shared_groups: str) -> dict[tuple[str, ...], dict[str, Window]]:
    """Days read more than once -> {reader: that reading's window}."""
    found: dict[tuple[str, ...], dict[str, Window]] = {}
    sources = [("readers", Path(shared_groups)), *((p.stem.rsplit("_", 1)[-1], p) for p in reading_files())]
    for reader, path in sources:
        for window in load_groups(path):
            found.setdefault(tuple(window.days), {})[reader] = window
    return {days: by_reader for days, by_reader in found.items() if len(by_reader) > 1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sources(parser)
    args = parser.parse_args(argv)
    if sources_missing(args):
        return 0
    headlines = load_headlines(args.headlines)
    config = load_config(args.config)
    pooled_by_reader: dict[str, list[tuple[Gold, Gold]]] = {}
    print("| days | prediction | truth | items | true stories | predicted stories | B³ precision | B³ recall "
          "| B³ F |\n| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for days, by_reader in readings(args.shared_groups).items():
        span = f"{days[0][5:]}…{days[-1][5:]}"
        golds = {reader: window.gold() for reader, window in by_reader.items()}
        for a, b in permutations(golds, 2):
            print(_row(span, a, b, golds[a], golds[b]))
        first = next(iter(by_reader.values()))  # every reading groups the same headlines
        result = evaluate([first], headlines, config, all_headlines=True, dates_only=True)[0]
        for reader, gold in golds.items():
            print(_row(span, "service", reader, result.pred, gold))
            pooled_by_reader.setdefault(reader, []).append((result.pred, gold))
    print("\n| truth | windows | service's B³ precision [95 % interval] | B³ recall [95 % interval] |\n"
          "| --- | ---: | --- | --- |")
    for reader, parts in pooled_by_reader.items():
        found = intervals(parts)
        print(f"| {reader} | {len(parts)} | {found.precision} | {found.recall} |")
    return 0


def _row(span: str, predicted: str, truth: str, pred: Gold, gold: Gold) -> str:
    s = score(pred, gold)
    return (f"| {span} | {predicted} | {truth} | {s.items} | {s.true_stories} | {s.service_stories} | "
            f"{s.precision:.3f} | {s.recall:.3f} | {s.f:.3f} |")


if __name__ == "__main__":
    raise SystemExit(main())
