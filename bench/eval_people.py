"""Watched people on and off: political_prisoners precision and recall on a labelled file.

    python bench/eval_people.py FILE.jsonl [--since DATE] [--until DATE] [--skip-unsure]
        [--config feeds.yaml] [--seed PATH] [--model]

Three runs, summary figures only (never the items): the rules alone; the rules with the
seed list watched; the rules with the seed watched and names learned as the service
learns them, items taken in date order (every item of the file, in or out of the
window, may teach a name to the items after it, as the news would).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.config import load_config  # noqa: E402
from monitor.match import build_classifier  # noqa: E402
from monitor.match.people import NameLearner, WatchedPeople, _data_lines  # noqa: E402

TOPIC = "political_prisoners"


def _in_window(item: dict, since: str | None, until: str | None, skip_unsure: bool) -> bool:
    day = str(item.get("date") or "")[:10]
    if day and ((since and day < since) or (until and day > until)):
        return False
    return not (skip_unsure and item.get("unsure"))


def run(items: list[dict], config, seed: list[str] | None, learn: bool, window, model=None) -> dict[str, float]:
    watched = WatchedPeople(seed or []) if seed is not None else None
    classifier = build_classifier(config.topics, config.entities, watched=watched, model=model)
    learner = NameLearner(config.entities)
    tp = fp = fn = 0
    for item in sorted(items, key=lambda i: (str(i.get("date") or ""), str(i.get("id")))):
        title, summary = item.get("title") or "", item.get("summary") or ""
        res = classifier.classify(title, summary, item.get("text") or "", item.get("lang"))
        if learn and watched is not None:
            watched.add(learner.learn(title, summary, res))
        if not window(item):
            continue
        gold, pred = TOPIC in (item.get("topics") or []), TOPIC in res.topics
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp, "fp": fp, "fn": fn, "watched": len(watched) if watched is not None else 0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--config", default=str(ROOT / "feeds.yaml"))
    ap.add_argument("--seed", help="seed list (default: the package's people_seed.txt)")
    ap.add_argument("--since")
    ap.add_argument("--until")
    ap.add_argument("--skip-unsure", action="store_true")
    ap.add_argument("--model", action="store_true", help="with the shipped learned model too")
    args = ap.parse_args(argv)
    config = load_config(args.config)
    model = None
    if args.model:
        from monitor.match.learned import default_model

        model = default_model().model
    items = [json.loads(ln) for ln in Path(args.file).read_text(encoding="utf-8").splitlines() if ln.strip()]
    if args.seed:
        seed = [ln.strip() for ln in Path(args.seed).read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.startswith("#")]
    else:
        seed = _data_lines("people_seed.txt")

    def window(item: dict) -> bool:
        return _in_window(item, args.since, args.until, args.skip_unsure)

    print(f"### {Path(args.file).name} {args.since or ''}..{args.until or ''} ({TOPIC}"
          f"{', rules + model' if model else ', rules'})\n")
    print("| watched people | precision | recall | tp | fp | fn | names at the end |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, s, learn in (("off", None, False), (f"seed ({len(seed)})", seed, False),
                            ("seed + learned in date order", seed, True)):
        m = run(items, config, s, learn, window, model)
        print(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['tp']} | {m['fp']} | "
              f"{m['fn']} | {m['watched']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
