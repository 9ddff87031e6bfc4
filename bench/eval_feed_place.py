"""Relevance on real headlines with and without the context of a feed about Venezuela.

    python bench/eval_feed_place.py [--headlines ../shared/real/headlines_es_2026-01.jsonl]
        [--config feeds.yaml] [--model FILE] [--list]

Each outlet of the real January file is one feed, read in publication order by a fresh
service: the feed's share of items naming Venezuela is counted as its items come
(`monitor.match.feed_place.FeedPlaces`, seeded, as the pipeline is, from the feed's earlier items
the first time it is asked about), and an item with no topic that names no
country is read again with the feed's context once the feed is about Venezuela (as
`classify_in_feed` does in the pipeline). Unsure labels are left out. Prints precision and
recall per topic without and with the feed's context (`read_in_feed`, as the pipeline reads), for 2–21 January and 22–31 January,
and which outlets ended about Venezuela; `--list` prints the items whose topics changed.
Needs ../shared/real.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from monitor.match import build_classifier  # noqa: E402
from monitor.match.engine import Classification  # noqa: E402
from monitor.match.evaluate import load_rules  # noqa: E402
from monitor.match.feed_place import FeedPlaces, read_in_feed  # noqa: E402
from monitor.match.learned import load_model  # noqa: E402
from monitor.match.people import WatchedPeople, load_seed  # noqa: E402

TOPICS = ("political_prisoners", "us_actions")
SPLIT = "2026-01-21"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--headlines", type=Path, default=ROOT.parent / "shared/real/headlines_es_2026-01.jsonl")
    ap.add_argument("--config", type=Path, default=ROOT / "feeds.yaml")
    ap.add_argument("--model", type=Path, default=None,
                    help="a relevance model file (default: the shipped one, trained on all of January; "
                         "`monitor train --until 2026-01-21 --out FILE` gives one that never saw 22-31)")
    ap.add_argument("--list", action="store_true", help="print the items whose topics changed")
    args = ap.parse_args(argv)
    if not args.headlines.exists():
        print(f"skipped: {args.headlines} is absent", file=sys.stderr)
        return 0
    topics, entities = load_rules(args.config)
    clf = build_classifier(topics, entities, model=load_model(args.model).model, watched=WatchedPeople(load_seed()))
    rows = [json.loads(line) for line in args.headlines.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows.sort(key=lambda r: (str(r["date"]), str(r["id"])))
    places = FeedPlaces()
    seen: dict[int, list[str]] = {}
    feeds = {outlet: i for i, outlet in enumerate(sorted({r["outlet"] for r in rows}))}
    tally: Counter[tuple[str, str, str, bool, bool]] = Counter()
    changed = []
    for r in rows:
        feed = feeds[r["outlet"]]
        def classify(feed_context: bool, r: dict = r) -> Classification:
            return clf.classify(title=r["title"], lang=r.get("lang") or "es", feed_venezuelan=feed_context)

        plain = classify(False)
        earlier = seen.setdefault(feed, [])
        read = read_in_feed(classify, places, feed, lambda e=earlier: e[::-1])
        places.record(feed, plain.place)
        earlier.append(plain.place)  # what the pipeline's seed reads from the stored items
        if r.get("unsure"):
            continue
        part = "2–21 Jan" if str(r["date"])[:10] <= SPLIT else "22–31 Jan"
        for mode, got in (("without", plain), ("with", read)):
            for t in TOPICS:
                tally[(part, mode, t, t in r["topics"], t in got.topics)] += 1
        if read.topics != plain.topics:
            changed.append((r["id"], r["outlet"], r["topics"], read.topics, r["title"].replace("\n", " ")[:100]))
    print("| days | feed's context | topic | precision | recall | tp | fp | fn |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for part in ("2–21 Jan", "22–31 Jan"):
        for mode in ("without", "with"):
            for t in TOPICS:
                tp, fp, fn = (tally[(part, mode, t, True, True)], tally[(part, mode, t, False, True)],
                              tally[(part, mode, t, True, False)])
                print(f"| {part} | {mode} | {t} | {tp / max(tp + fp, 1):.3f} | {tp / max(tp + fn, 1):.3f} "
                      f"| {tp} | {fp} | {fn} |")
    about = [o for o, f in feeds.items() if places.about_venezuela(f, lambda f=f: seen.get(f, [])[::-1])]
    print(f"\nfeeds about Venezuela at the end: {', '.join(about)}")
    for o, f in feeds.items():
        n_share = places.share(f)
        if n_share:
            print(f"  {o}: {n_share[0]} items, share naming Venezuela {n_share[1]:.2f}")
    if args.list:
        print()
        for c in changed:
            print(*c, sep=" | ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
