"""The English probe: topics, urgency and counts of English headlines written by one helper.

    python bench/eval_english_probe.py [--probe bench/data/english/probe_2026.jsonl]
        [--config feeds.yaml] [--list]

The probe (bench/data/english/README.md) was written and labelled before its headlines were
run through the rules, and it is kept to see where English wording falls outside them; it is
not a tuned set, and the rules were changed after reading its misses, so its figures flatter
them. Topics as `monitor eval` scores them; urgency is scored on the items whose gold topics
the classifier found in full (as bench/eval_urgency.py scores only the relevant ones); counts
as (event, number) pairs. `--list` prints every disagreement.
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

PROBE = ROOT / "bench" / "data" / "english" / "probe_2026.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--probe", type=Path, default=PROBE)
    ap.add_argument("--config", type=Path, default=ROOT / "feeds.yaml")
    ap.add_argument("--list", action="store_true", help="print every disagreement")
    args = ap.parse_args(argv)
    config = load_config(args.config)
    classifier = build_classifier(config.topics, config.entities)
    topics = sorted(config.topics)
    tally = {t: [0, 0, 0] for t in [*topics, "urgency high", "counts"]}  # tp fp fn
    for item in load_items(args.probe):
        c = classifier.classify(title=item["title"], summary=item.get("summary") or "", lang="en")
        gold, got = set(item.get("topics") or []), set(c.topics)
        for t in topics:
            row = tally[t]
            row[0] += t in gold and t in got
            row[1] += t in got and t not in gold
            row[2] += t in gold and t not in got
            if args.list and (t in gold) != (t in got):
                print(f"  {'FP' if t in got else 'FN'} {t:19} {item['id']}: {item['title']!r}")
        if gold and gold <= got:
            want, said = item["urgency"] == "high", c.urgency == "high"
            row = tally["urgency high"]
            row[0] += want and said
            row[1] += said and not want
            row[2] += want and not said
            if args.list and want != said:
                print(f"  {'FP' if said else 'FN'} urgency high        {item['id']}: {item['title']!r}")
        gc = {(k["event"], int(k["number"])) for k in item.get("counts") or []}
        pc = {(k.event, k.number) for k in c.counts}
        row = tally["counts"]
        row[0] += len(gc & pc)
        row[1] += len(pc - gc)
        row[2] += len(gc - pc)
        if args.list and gc != pc:
            print(f"  CNT {item['id']}: gold {sorted(gc)} got {sorted(pc)} | {item['title']!r}")
    print("| what | precision | recall | tp | fp | fn |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, (tp, fp, fn) in tally.items():
        m = prf(tp, fp, fn)
        print(f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {tp} | {fp} | {fn} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
