"""The matcher's decision alone (`StoryIndex.decide`), this checkout against another, in one process.

    python bench/bench_decide.py --against /path/to/other/checkout [--rounds 3]

Two versions timed in turn on one machine drift apart by up to 30 % within minutes (a shared
host); timed in one process, alternating every 100 items, they see the same host. The other
checkout's alerts/stories/match.py and conflicts.py are loaded beside this one's (the rest,
features included, is this checkout's); each version gets its own index, built from the same
SQLite file of bench/bench_stories.py's synthetic stories (5,000 of the last day). The 2,000
new items' features are worked out once; before each batch of 100 the idf table and the norms
are cleared in both indexes, as the pipeline's index refreshes them (every 2 % of changes:
about every 100 items against 5,000 stories). Prints each version's CPU time, the ratio, and
how many decisions differ (their repr: story, score and every signal); it must be 0 for a
change that is meant to change speed only.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_stories  # noqa: E402

from alerts.stories import assign  # noqa: E402
from alerts.stories.features import features  # noqa: E402
from alerts.stories.match import StoryIndex  # noqa: E402
from monitor.heap import tune_collector  # noqa: E402
from storage.db import open_database  # noqa: E402

BATCH = 100


def _load_other(checkout: Path) -> ModuleType:
    """The other checkout's match.py, importing its own conflicts.py (both under other names)."""
    stories = checkout / "alerts" / "stories"
    modules: dict[str, ModuleType] = {}
    for name in ("conflicts", "match"):
        source = (stories / f"{name}.py").read_text(encoding="utf-8")
        source = source.replace("from alerts.stories.conflicts import", "from other_conflicts import")
        spec = importlib.util.spec_from_loader(f"other_{name}", loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"other_{name}"] = module
        exec(compile(source, str(stories / f"{name}.py"), "exec"), module.__dict__)  # noqa: S102
        modules[name] = module
    return modules["match"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", type=Path, required=True, help="another checkout of the project")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the 2,000 items")
    args = ap.parse_args(argv)
    other = _load_other(args.against)
    tune_collector()
    now, window = bench_stories.NOW, bench_stories.WINDOW
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        new = bench_stories.seeded(url)
        indexes: dict[str, StoryIndex] = {}
        for label, cls in (("this", StoryIndex), ("other", other.StoryIndex)):
            assign.StoryIndex = cls  # type: ignore[misc]  # story_index() builds the version's own index
            db = open_database(url)  # (an engine of its own: story_index() keeps one index per engine)
            with db.session() as s:
                indexes[label] = assign.story_index(s, window=window, now=now)
        assign.StoryIndex = StoryIndex  # type: ignore[misc]
    feats = [features(item_id=10**6 + k, title=title, lang="es", outlet="x", when=now, topics=topics,
                      entities=entities, counts=counts) for k, (title, topics, entities, counts) in enumerate(new)]
    spent = {"this": 0.0, "other": 0.0}
    differing = 0
    for r in range(args.rounds):
        for start in range(0, len(feats), BATCH):
            batch = feats[start:start + BATCH]
            order = ("this", "other") if (start // BATCH + r) % 2 else ("other", "this")
            decided: dict[str, list[object]] = {}
            for label in order:
                index = indexes[label]
                index._idf.clear()
                index._norms.clear()
                cpu = time.process_time()
                decided[label] = [index.decide(f, now=now, window=window) for f in batch]
                spent[label] += time.process_time() - cpu
            differing += sum(repr(a) != repr(b) for a, b in zip(decided["this"], decided["other"], strict=True))
    n = args.rounds * len(feats)
    print(f"- decide alone, {n:,} decisions each against {len(indexes['this'].stories):,} stories: this checkout "
          f"{spent['this']:.2f} s CPU, {args.against} {spent['other']:.2f} s "
          f"(this one {spent['other'] / spent['this']:.2f}× the other's rate); {differing} decisions differ")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
