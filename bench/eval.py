"""Evaluate the topic rules on labelled news items.

    python bench/eval.py FILE.jsonl [FILE2.jsonl ...] [--config feeds.yaml] [--quiet]

Each line: {"id", "lang", "title", "summary", "text"?, "topics": [...], "counts": [...]}
(the format of ../shared/samples/news_samples.jsonl). Prints precision, recall and F1
per topic, counts F1 (event+number), and the misclassified ids with what matched.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from monitor.match import Classifier, build_classifier  # noqa: E402
from monitor.match.rules import EntitySpec, TopicRules  # noqa: E402


def load_rules(path: str | Path) -> tuple[dict[str, TopicRules], list[EntitySpec]]:
    """The `topics:` and `entities:` sections of a config, validated (rest ignored)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8")) or {}
    topics = {name: TopicRules.model_validate(r) for name, r in (data.get("topics") or {}).items()}
    entities = [EntitySpec.model_validate(e) for e in data.get("entities") or []]
    return topics, entities


def load_items(path: str | Path) -> list[dict]:
    items = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    print(f"{path}: line {n}: {exc.msg}", file=sys.stderr)
    return items


def select(items: list[dict], since: str | None, until: str | None, skip_unsure: bool) -> list[dict]:
    """Items within [since, until] by their `date` (dateless items kept), unsure ones dropped."""
    out = []
    for item in items:
        day = str(item.get("date") or "")[:10]
        if day and ((since and day < since) or (until and day > until)):
            continue
        if skip_unsure and item.get("unsure"):
            continue
        out.append(item)
    return out


@dataclass
class Report:
    n: int = 0
    per_topic: dict[str, dict[str, float]] = field(default_factory=dict)
    counts: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def evaluate(items: list[dict], classifier: Classifier, topics: list[str]) -> Report:
    report = Report(n=len(items))
    stats = {t: [0, 0, 0] for t in topics}
    ctp = cfp = cfn = 0
    for item in items:
        res = classifier.classify(
            item.get("title") or "", item.get("summary") or "", item.get("text") or "", item.get("lang")
        )
        gold = set(item.get("topics") or [])
        pred = set(res.topics)
        for t in topics:
            if t in pred and t in gold:
                stats[t][0] += 1
            elif t in pred:
                stats[t][1] += 1
                report.errors.append(f"FP {t:20} {item['id']}: {item.get('title', '')[:90]}  <- {res.matches.get(t)}")
            elif t in gold:
                stats[t][2] += 1
                report.errors.append(f"FN {t:20} {item['id']}: {item.get('title', '')[:90]}")
        gc = {(c["event"], int(c["number"])) for c in item.get("counts") or []}
        pc = {(c["event"], int(c["number"])) for c in res.counts}
        ctp += len(gc & pc)
        cfp += len(pc - gc)
        cfn += len(gc - pc)
        if gc != pc:
            report.errors.append(
                f"CNT {item['id']}: gold {sorted(gc)} got {sorted(pc)}  | {item.get('title', '')[:70]}"
            )
    report.per_topic = {t: _prf(*s) for t, s in stats.items()}
    report.counts = _prf(ctp, cfp, cfn)
    return report


def render(report: Report, name: str) -> str:
    lines = [f"### {name} ({report.n} items)", "", "| topic | precision | recall | F1 | tp | fp | fn |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for t, m in report.per_topic.items():
        lines.append(
            f"| {t} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['tp']} | {m['fp']} | {m['fn']} |"
        )
    c = report.counts
    lines.append(
        f"| counts (event+number) | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['tp']} | {c['fp']} | {c['fn']} |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--config", default=str(ROOT / "feeds.yaml"))
    ap.add_argument("--quiet", action="store_true", help="figures only, no misclassified ids")
    ap.add_argument("--since", metavar="YYYY-MM-DD", help="only items whose `date` is on or after")
    ap.add_argument("--until", metavar="YYYY-MM-DD", help="only items whose `date` is on or before")
    ap.add_argument("--skip-unsure", action="store_true", help="leave out items labelled unsure")
    args = ap.parse_args(argv)
    topics, entities = load_rules(args.config)
    classifier = build_classifier(topics, entities)
    for path in args.files:
        items = select(load_items(path), args.since, args.until, args.skip_unsure)
        report = evaluate(items, classifier, list(topics))
        print(render(report, Path(path).name))
        if report.errors and not args.quiet:
            print("\nmisclassified:")
            print("\n".join(f"  {e}" for e in report.errors))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
