"""Every classification of the bench's items written out, to prove a speed-only change changes none.

    python bench/classify_golden.py OUT.jsonl [--items 10000]
    cmp OUT_BEFORE.jsonl OUT_AFTER.jsonl          (must print nothing)

Classifies bench/bench_classify.py's synthetic items (its generator and seed) with the default
rules, with its 1,000 extra terms, with the learned model (when it loads), and its worst case
(every item Venezuelan) with the model, and writes one JSON line per item and classifier: the
`monitor classify --explain` line plus what decided each topic, the model's scores and the place.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import bench_classify  # noqa: E402

from core.rules import TopicRules  # noqa: E402
from monitor.match import build_classifier  # noqa: E402
from monitor.match.evaluate import load_rules  # noqa: E402
from monitor.match.learned import load_model  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--extra", type=int, default=1000)
    ap.add_argument("--config", default=str(ROOT / "feeds.yaml"))
    args = ap.parse_args(argv)

    topics, entities = load_rules(args.config)
    items = bench_classify.synthetic_items(args.items)
    more = dict(topics)
    more["extra_bench_topic"] = TopicRules(any=bench_classify.extra_terms(args.extra),
                                           context_required="never")
    runs = [("default", build_classifier(topics, entities), items),
            ("extra", build_classifier(more, entities), items)]
    model = load_model().model
    if model is not None:
        with_model = build_classifier(topics, entities, model=model)
        runs += [("model", with_model, items),
                 ("model-venezuelan", with_model, bench_classify.venezuelan_items(items))]
    with open(args.out, "w", encoding="utf-8") as out:
        for name, classifier, its in runs:
            for i, it in enumerate(its):
                c = classifier.classify(*it)
                line = c.to_json(f"{name}-{i}", rules=True)
                line.update(explain=c.explain, decided_by=c.decided_by, scores=c.scores, place=c.place)
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
