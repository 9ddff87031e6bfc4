"""Two checkouts' classifiers timed in turn, by CPU time, to compare a speed-only change.

    git worktree add /tmp/old main        (or: git archive main | tar -x -C /tmp/old)
    python bench/classify_ab.py /tmp/old . [--rounds 8] [--modes default,model]

Each checkout runs in a process of its own (both are the `monitor` package), on
bench/bench_classify.py's 10,000 synthetic items; the two take a round each in turn, the
first alternating, so that a shared host's drift (up to 45 % within minutes on the 2-core VM)
hits both alike. Modes: `default` (default rules, counts on), `model` (the learned model
asked), `worst` (every item Venezuelan and the model asked on each, 2,000 items). Prints
each checkout's range, the ratio of the bests and of each round to the one beside it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def worker(root: str) -> None:
    """Answer one line per mode read on stdin with the items/s of one round (CPU time)."""
    sys.path[:0] = [root, str(Path(root) / "bench")]
    import bench_classify

    from monitor.match import build_classifier
    from monitor.match.evaluate import load_rules
    from monitor.match.learned import load_model

    topics, entities = load_rules(str(Path(root) / "feeds.yaml"))
    items = bench_classify.synthetic_items(10_000)
    asked = bench_classify.venezuelan_items(items[1::5] + items[2::5] + items[3::5] + items[4::5])[:2000]
    rules = build_classifier(topics, entities)
    model = build_classifier(topics, entities, model=load_model().model)
    runs = {"default": (rules, items), "model": (model, items), "worst": (model, asked)}
    for classifier, its in runs.values():
        classifier.classify(*its[0])  # warm-up
    print("ready", flush=True)
    for line in sys.stdin:
        classifier, its = runs[line.strip()]
        start = time.process_time()
        for it in its:
            classifier.classify(*it)
        print(len(its) / (time.process_time() - start), flush=True)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--modes", default="default,model")
    args = ap.parse_args(argv)
    procs = {
        name: subprocess.Popen([sys.executable, __file__, "--worker", str(Path(root).resolve())],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/")
        for name, root in (("old", args.old), ("new", args.new))
    }
    for proc in procs.values():
        assert proc.stdin is not None and proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("a worker failed to start")

    def one_round(name: str, mode: str) -> float:
        proc = procs[name]
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(mode + "\n")
        proc.stdin.flush()
        return float(proc.stdout.readline())

    for mode in args.modes.split(","):
        rates: dict[str, list[float]] = {"old": [], "new": []}
        ratios = []
        for i in range(args.rounds):
            order = ("old", "new") if i % 2 == 0 else ("new", "old")
            got = {name: one_round(name, mode) for name in order}
            for name, rate in got.items():
                rates[name].append(rate)
            ratios.append(got["new"] / got["old"])
        old, new = rates["old"], rates["new"]
        print(f"- {mode}: old {min(old):,.0f}–{max(old):,.0f}, new {min(new):,.0f}–{max(new):,.0f} items/s "
              f"(CPU time); best {max(new) / max(old):.2f}x; rounds side by side "
              f"{min(ratios):.2f}–{max(ratios):.2f}x, median {statistics.median(ratios):.2f}x")
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2])
    else:
        raise SystemExit(main(sys.argv[1:]))
