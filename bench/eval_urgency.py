"""Urgency on real headlines: precision and recall of "high" against readers' labels.

    python bench/eval_urgency.py [--labels bench/data/urgency/urgency_2026-01.jsonl]
        [--headlines ../shared/real/headlines_es_2026-01.jsonl] [--split 2026-01-16]
        [--config feeds.yaml] [--list]

The labels (ids and urgency only, written by a reader from the titles, docs/MATCHING.md
"Urgency") cover the relevant headlines of January with an even id (read when tuning); those
of the odd ids (`urgency_2026-01_odd.jsonl`, another reader) are held out. Each headline is
classified from its title with the shipped rules; only those the rules find relevant are
scored (relevance is measured apart), labels marked unsure are left out. Two rows: the days up
to `--split` (read when the rules were tuned) and the days after it (summary only; `--list`
prints the disagreements of the first part, never of the second).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.config import load_config  # noqa: E402
from monitor.match import build_classifier  # noqa: E402
from monitor.match.evaluate import load_items, prf  # noqa: E402

LABELS = ROOT / "bench" / "data" / "urgency" / "urgency_2026-01.jsonl"
HEADLINES = ROOT.parent / "shared" / "real" / "headlines_es_2026-01.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--headlines", type=Path, default=HEADLINES)
    ap.add_argument("--split", default="2026-01-16", help="last day of the part read when tuning")
    ap.add_argument("--config", type=Path, default=ROOT / "feeds.yaml")
    ap.add_argument("--list", action="store_true", help="print the first part's disagreements")
    args = ap.parse_args(argv)
    if not args.headlines.exists():
        print(f"{args.headlines} not found: the real headlines live in ../shared/real/", file=sys.stderr)
        return 2
    config = load_config(args.config)
    classifier = build_classifier(config.topics, config.entities)
    headlines = {h["id"]: h for h in load_items(args.headlines)}
    parts: dict[str, list[int]] = {"tuned": [0, 0, 0, 0], "measure": [0, 0, 0, 0]}  # tp fp fn n
    for label in load_items(args.labels):
        h = headlines.get(label["id"])
        if h is None or label.get("unsure"):
            continue
        c = classifier.classify(title=h["title"], summary="", lang=h.get("lang"))
        if not c.topics:
            continue
        part = "tuned" if str(h["date"])[:10] <= args.split else "measure"
        want, got = label["urgency"] == "high", c.urgency == "high"
        row = parts[part]
        row[3] += 1
        row[0] += want and got
        row[1] += got and not want
        row[2] += want and not got
        if args.list and part == "tuned" and want != got:
            print(f"  {'FP' if got else 'FN'} {h['id']}: {h['title'][:110]!r}")
    print("| days | headlines | high: precision | recall | tp | fp | fn |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for part, (tp, fp, fn, n) in parts.items():
        m = prf(tp, fp, fn)
        days = f"up to {args.split}" if part == "tuned" else f"after {args.split} (summary only)"
        print(f"| {days} | {n} | {m['precision']:.3f} | {m['recall']:.3f} | {tp} | {fp} | {fn} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
