"""Why an item lands apart from its readers' story: the split items of the labelled windows, by cause.

    python bench/story_splits.py [--measure] [--show]

Every headline of each window's days is served as feeds of dates only (as
`bench/story_windows.py --all-headlines --dates-only`). An item is split when its readers' story
already has items placed before it, none of them in the service story it went to. Its cause is
read off the matcher's decision and scored pairs: the story it belongs to (where most of those
earlier items are) was scored under the floor (0.30) or not at all, scored under the threshold,
was ruled out by a conflict, or lost to a story scoring higher. For the first kind, how many
words the item shares with that story's closest item placed before it, besides names and the
beat's own words (the rule terms that made the window's items relevant, which the matcher
weighs at half their rarity: "EE. UU.", "presos políticos", "petróleo"), and how many besides
names only. The tuned windows by default; `--measure` gives the measure-only windows' counts
(their items are never shown); `--show` lists the tuned windows' far splits that share two or
more words besides names.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from story_windows import SECOND_READING, TUNED, add_sources, labelled_windows, sources_missing  # noqa: E402

from alerts.stories.features import ItemFeatures, features  # noqa: E402
from core.config import load_config  # noqa: E402
from monitor.match import Classifier, build_classifier  # noqa: E402
from monitor.story_eval import assign_window, load_headlines  # noqa: E402


def _features(row: dict[str, Any], classifier: Classifier | None = None) -> ItemFeatures:
    """The headline's features; with `classifier`, with its entities and the rule terms that made
    it relevant, as the pipeline gives them (the people it names, the beat's own words)."""
    when = datetime.fromisoformat(str(row["date"])[:10]).replace(tzinfo=UTC)
    c = classifier.classify(title=row["title"], summary="", text="", lang="es") if classifier else None
    return features(item_id=0, title=row["title"], lang="es", outlet="", when=when,
                    topics=list(row.get("topics") or ["political_prisoners"]),
                    entities=list(c.entities) if c else [], counts=[],
                    topic_words=[t for topic in c.topics for t in (c.matches or {}).get(topic, [])] if c else ())


def _plain_shared(a: ItemFeatures, b: ItemFeatures, beat: frozenset[str] = frozenset()) -> set[str]:
    return (set(a.tf) & set(b.tf)) - a.name_terms - b.name_terms - beat


def window_causes(rows: list[dict[str, Any]], gold: dict[str, Any], config: Any, headlines: dict[str, Any],
                  show: bool, classifier: Classifier) -> tuple[int, Counter[tuple[str, str]]]:
    """(items scored, split items counted by cause) of one window: a cause and, for the items
    scored under the floor, the words shared besides names alone (else "")."""
    decisions: dict[str, dict[str, Any]] = {}
    trace: list[dict[str, Any]] = []
    pred = assign_window(rows, config, all_headlines=True, dates_only=True, decisions=decisions, trace=trace)
    scored: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for pair in trace:
        scored[str(pair.get("item_guid"))][pair.get("story")] = pair
    causes: Counter[tuple[str, str]] = Counter()
    read = {g: _features(headlines[g], classifier) for g in decisions}
    beat = frozenset().union(*(f.generic for f in read.values()))  # the index's own set, at the window's end
    placed: dict[Any, list[int]] = defaultdict(list)  # readers' story -> service stories, in order
    n = 0
    order = list(decisions)  # in the order the service placed them
    for i, guid in enumerate(order):
        if guid not in gold or guid not in pred:
            continue
        n += 1
        before = placed[gold[guid]]
        if before and pred[guid] not in before:
            target = Counter(before).most_common(1)[0][0]
            earlier = {g: pred[g] for g in order[:i] if g in pred}
            causes[_cause(guid, target, decisions[guid], scored[guid], earlier, headlines, show, read, beat)] += 1
        before.append(pred[guid])
    return n, causes


def _cause(guid: str, target: int, decision: dict[str, Any], scored: dict[int, dict[str, Any]],
           earlier: dict[str, int], headlines: dict[str, Any], show: bool,
           read: dict[str, ItemFeatures], beat: frozenset[str]) -> tuple[str, str]:
    considered = [c for c in [*decision.get("nearest", []), *decision.get("rejected", [])] if c.get("story") == target]
    if considered:
        conflicts = considered[0].get("conflicts")
        return (f"conflict: {', '.join(sorted(conflicts))}" if conflicts else "scored under the threshold"), ""
    if decision.get("decision") == "joined" and target in scored:
        return "joined a story scoring higher", ""
    mine = read[guid]
    story = [g for g, s in earlier.items() if s == target]  # its items placed before this one
    shared_with = {g: _plain_shared(mine, read[g]) for g in story}
    closest = max(shared_with, key=lambda g: len(shared_with[g]), default=None)
    shared = shared_with[closest] if closest else set()
    rare = {t for t in shared if t not in beat}
    if show and len(shared) >= 2:
        print(f"- {guid} {headlines[guid]['title'][:90]!r}\n  {closest} {headlines[closest]['title'][:90]!r}\n"
              f"  shared: {sorted(shared)}; besides the beat's words: {sorted(rare)}")
    return f"under 0.30, sharing {_words(rare)} besides names and the beat's words", f"{_words(shared)} besides names"


def _words(shared: set[str]) -> str:
    return f"{min(len(shared), 3)}{'+' if len(shared) >= 3 else ''} word{'' if len(shared) == 1 else 's'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sources(parser)
    parser.add_argument("--measure", action="store_true", help="the measure-only windows (counts only)")
    parser.add_argument("--show", action="store_true", help="list the tuned windows' far splits sharing words")
    args = parser.parse_args(argv)
    if sources_missing(args):
        return 0
    headlines = load_headlines(args.headlines)
    config = load_config(args.config)
    classifier = build_classifier(config.topics, config.entities)
    total, causes = 0, Counter[tuple[str, str]]()
    for label, window in labelled_windows(args.shared_groups):
        measured = label not in TUNED and label not in SECOND_READING
        if label in SECOND_READING or measured != args.measure:
            continue
        gold = {i: g for i, g in window.gold().items() if i in headlines}
        rows = [h for h in headlines.values() if str(h.get("date", ""))[:10] in set(window.days)]
        n, found = window_causes(rows, gold, config, headlines, args.show and not args.measure, classifier)
        total += n
        causes.update(found)
    print(f"{'measure' if args.measure else 'tuned'} windows: {total} items, "
          f"{sum(causes.values())} placed apart from their readers' story's earlier items")
    for cause, n in Counter(cause for cause, _ in causes.elements()).most_common():
        print(f"- {n} {cause}")
        loose = sorted((words, k) for (c, words), k in causes.items() if c == cause and words)
        if loose:
            print(f"  ({', '.join(f'{k} sharing {words}' for words, k in loose)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
