"""One event told in Spanish and in English: how often the two tellings share a story.

    python bench/story_languages.py [GROUPS.json ...] [--dates-only] [--config feeds.yaml]

Replays each groups file (default: the cross-language probes of bench/data/stories/probes,
`*_xlang_*.json`, each with its `.headlines.jsonl`) through the story assigner, as `monitor
eval-stories` does, and counts pairs of headlines: of the pairs the readers put in one story,
how many the service put in one (pair recall), split by whether the two are in one language or
in two; and of the pairs the readers keep apart, how many the service joined (wrong-merge
pairs), split the same way. B-cubed figures of the same runs beside them. Needs no ../shared.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.config import load_config  # noqa: E402
from monitor.story_eval import LanguagePairs, evaluate, load_groups, load_headlines, pooled  # noqa: E402

PROBES = ROOT / "bench" / "data" / "stories" / "probes"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("groups", nargs="*", type=Path)
    ap.add_argument("--dates-only", action="store_true", help="every item of a day at midnight, as feeds of dates only")
    ap.add_argument("--config", default=str(ROOT / "feeds.yaml"))
    args = ap.parse_args(argv)
    files = args.groups or sorted(p for p in PROBES.glob("*_xlang_*.json") if not p.name.endswith(".known.json"))
    config = load_config(args.config)
    print("| groups | pairs in one story: one language | two languages | wrong-merge pairs: one language "
          "| two languages | B³ P / R |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for path in files:
        headlines = load_headlines(path.with_name(path.stem + ".headlines.jsonl"))
        results = evaluate(load_groups(path), headlines, config, dates_only=args.dates_only)
        pairs = LanguagePairs()
        for r in results:
            pairs.add(r.pred, r.gold, {i: str(headlines[i].get("lang") or "es") for i in r.gold})
        s = pooled((r.pred, r.gold) for r in results)
        print(f"| {path.stem} | {pairs.same_joined}/{pairs.same} | {pairs.cross_joined}/{pairs.cross} "
              f"| {pairs.wrong_same} | {pairs.wrong_cross} | {s.precision:.3f} / {s.recall:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
