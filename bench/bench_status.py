"""The operator's views at scale: `monitor status` (text) and the service's status page
(HTML) rendered from a database of N feeds, at 1,000 and 10,000 (docs/SCALE.md's size).

    python bench/bench_status.py [--sizes 1000,10000]

Both must stay near linear in the feeds: the page refreshes itself every minute in every
open tab, in the service's process. When each row looked its feed up in the config's list,
10,000 feeds took 4.2 s (status) and 5.6 s (page) on the build machine (2 cores), 97 and 57
times the 1,000-feed figures; with one dict, 0.33 s and 0.40 s (the rest of the growth is the
ORM loading 10,000 rows). Target: the page at 10,000 feeds under 1 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import load_config  # noqa: E402
from monitor.service import sync_config  # noqa: E402
from monitor.status import render_status  # noqa: E402
from monitor.status_page import render_status_page  # noqa: E402
from storage.db import open_database  # noqa: E402

PAGE_TARGET_S = 1.0


def timed(render: object, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        render()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def run_size(n: int, directory: Path) -> tuple[float, float]:
    feeds = "\n".join(
        f"  - {{name: feed-{i:05d}, url: 'http://127.0.0.1:9/{i}.xml', language: es}}" for i in range(n)
    )
    path = directory / f"feeds-{n}.yaml"
    path.write_text("rules: [venezuela-2026]\nfeeds:\n" + feeds + "\nchannels: [{name: presos, "
                    "chat_id: console, topics: [political_prisoners]}]\n", encoding="utf-8")
    config = load_config(path)
    db = open_database(f"sqlite:///{directory / f'm-{n}.db'}")
    try:
        sync_config(config, db)
        now = datetime.now(UTC)
        text = timed(lambda: render_status(db, config, now=now))
        page = timed(lambda: render_status_page(db, config, now=now))
    finally:
        db.dispose()
    return text, page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print("## Status at scale (`bench/bench_status.py`)\n")
    print("| feeds | `monitor status` s | status page s |")
    print("|---|---|---|")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-status-") as tmp:
        for n in sizes:
            results[n] = run_size(n, Path(tmp))
            print(f"| {n:,} | {results[n][0]:.3f} | {results[n][1]:.3f} |")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        print(f"\ngrowth from {small:,} to {large:,} feeds (x{large / small:.0f}): status "
              f"x{results[large][0] / results[small][0]:.1f}, page x{results[large][1] / results[small][1]:.1f}")
    largest = max(sizes)
    missed = results[largest][1] >= PAGE_TARGET_S and largest >= 10_000
    verdict = "MISSED" if missed else "met" if largest >= 10_000 else "not measured (no run of 10,000 feeds)"
    print(f"target: the page at 10,000 feeds under {PAGE_TARGET_S:.0f} s: {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
