"""Training the learned pair scorer of the story matcher (alerts/stories/pairs.py).

    python -m monitor.story_train GROUPS.json [GROUPS.json ...] --headlines H.jsonl --out FILE

Each window of the readers' groups files is replayed through the real assigner with
the rules alone (monitor/story_eval.py), and every (item, story) pair the matcher
scored without a conflict becomes an example: positive when the item and the story's
item it matched best are in one readers' story. A logistic regression
(scikit-learn) is fitted on them; its threshold is chosen by leave-one-window-out
predictions, on the pairs the rules left just under their threshold (the band the
model decides), as the lowest probability whose joins reach `--min-precision`.
The result is plain JSON; `make train-stories` writes the shipped file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from alerts.stories.match import THRESHOLD
from alerts.stories.pairs import FEATURES, PairModel, pair_vector
from core.config import ConfigError
from monitor.story_eval import StoryFileError, assign_window, load_groups, load_headlines


def window_pairs(
    groups: list[str], headlines: dict[str, dict[str, Any]], config: Any, skip: frozenset[str] = frozenset()
) -> list[list[dict[str, Any]]]:
    """Per labelled window (those with none of the `skip` days), its scored pairs without
    a conflict, each with a `label`."""
    out: list[list[dict[str, Any]]] = []
    for path in groups:
        for w in load_groups(path):
            if skip & set(w.days):
                continue
            gold = {i: g for i, g in w.gold().items() if i in headlines}
            trace: list[dict[str, Any]] = []
            assign_window([headlines[i] for i in gold], config, trace=trace, pairs=None)
            pairs = [
                {**p, "label": int(gold[p["item_guid"]] == gold[p["with_guid"]])}
                for p in trace if not p.get("conflicts") and p.get("item_guid") in gold and p.get("with_guid") in gold
            ]
            out.append(pairs)
    return out


def fit(pairs: list[dict[str, Any]], c: float) -> tuple[list[float], float]:
    from sklearn.linear_model import LogisticRegression

    x = [pair_vector(p) for p in pairs]
    y = [p["label"] for p in pairs]
    model = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    return [float(w) for w in model.coef_[0]], float(model.intercept_[0])


def calibrate(held: list[tuple[float, dict[str, Any]]], floor: float, min_precision: float) -> tuple[float, float, int]:
    """The lowest probability whose joins in the band [floor, THRESHOLD) keep precision
    ≥ `min_precision` (1.0, i.e. no join, when none does); its precision and joins."""
    band = sorted(((p, pair["label"]) for p, pair in held if floor <= pair["score"] < THRESHOLD), reverse=True)
    best = (1.0, 1.0, 0)
    good = 0
    for n, (p, label) in enumerate(band, start=1):
        good += label
        if n >= 3 and good / n >= min_precision and (n == len(band) or band[n][0] < p):
            best = (round(p, 4), good / n, n)
    return best


def train(windows: list[list[dict[str, Any]]], *, floor: float, min_precision: float, c: float) -> tuple[PairModel, dict[str, Any]]:
    held: list[tuple[float, dict[str, Any]]] = []
    for k in range(len(windows)):
        rest = [p for j, w in enumerate(windows) if j != k for p in w]
        if not rest or len({p["label"] for p in rest}) < 2:
            continue
        weights, intercept = fit(rest, c)
        probe = PairModel(FEATURES, tuple(weights), intercept, 1.0, floor)
        held += [(probe.probability(p), p) for p in windows[k]]
    threshold, precision, joins = calibrate(held, floor, min_precision)
    ranked = sorted(((p, pair["label"]) for p, pair in held if floor <= pair["score"] < THRESHOLD), reverse=True)
    ranking = {str(n): round(sum(label for _, label in ranked[:n]) / n, 3) for n in (5, 10, 20) if n <= len(ranked)}
    everything = [p for w in windows for p in w]
    weights, intercept = fit(everything, c)
    band = sum(1 for p in everything if floor <= p["score"] < THRESHOLD)
    about = {
        "pairs": len(everything), "positives": sum(p["label"] for p in everything), "band_pairs": band,
        "band_positives": sum(p["label"] for p in everything if floor <= p["score"] < THRESHOLD),
        "held_out_joins": joins, "held_out_precision": round(precision, 3),
        "held_out_band_precision_at": ranking, "min_precision": min_precision,
        "C": c,
    }
    return PairModel(FEATURES, tuple(weights), intercept, threshold, floor), about


def fold_models(
    windows: list[list[dict[str, Any]]], *, floor: float, min_precision: float, c: float
) -> list[tuple[PairModel, dict[str, Any]]]:
    """For each window, the model trained (and its threshold calibrated, by an inner
    leave-one-window-out) without it: what it would be on a day it never saw."""
    return [
        train([w for j, w in enumerate(windows) if j != k], floor=floor, min_precision=min_precision, c=c)
        for k in range(len(windows))
    ]


def band_joins(model: PairModel, pairs: list[dict[str, Any]]) -> tuple[int, int]:
    """The pairs of the band the model joins, and how many of them are one story."""
    joined = [p for p in pairs if model.floor <= p["score"] < THRESHOLD and model.probability(p) >= model.threshold]
    return len(joined), sum(p["label"] for p in joined)


def held_out_replays(
    groups: list[str], headlines: dict[str, dict[str, Any]], config: Any, skip: frozenset[str],
    *, floor: float, min_precision: float, c: float,
) -> str:
    """Each window replayed with the rules alone and with a model that never saw it:
    a training window with its fold's model, a skipped (held-out) window with the model
    trained on every training window. A markdown table, per window and pooled."""
    from monitor.story_eval import pooled, score

    replays: list[tuple[str, dict[str, int], bool]] = []
    for path in groups:
        for w in load_groups(path):
            gold = {i: g for i, g in w.gold().items() if i in headlines}
            replays.append((f"{Path(path).name} {w.days[0]}..{w.days[-1]}", gold, bool(skip & set(w.days))))
    pairs = window_pairs(groups, headlines, config, skip)
    folds = iter(zip(fold_models(pairs, floor=floor, min_precision=min_precision, c=c), pairs, strict=True))
    full, _ = train(pairs, floor=floor, min_precision=min_precision, c=c)
    lines = [
        "| window | model threshold | band joins (right) | rules P / R / alerts | + model P / R / alerts |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    before: list[tuple[dict[str, int], dict[str, int]]] = []
    after: list[tuple[dict[str, int], dict[str, int]]] = []
    for name, gold, skipped in replays:
        if skipped:
            model, joins = full, "held out"
        else:
            (model, _), own = next(folds)
            n, right = band_joins(model, own)
            joins = f"{n} ({right})"
        rows = [headlines[i] for i in gold]
        a, b = assign_window(rows, config, pairs=None), assign_window(rows, config, pairs=model)
        sa, sb = score(a, gold), score(b, gold)
        lines.append(
            f"| {name} | {model.threshold} | {joins} | "
            f"{sa.precision:.3f} / {sa.recall:.3f} / {sa.alerts_per_story:.2f} | "
            f"{sb.precision:.3f} / {sb.recall:.3f} / {sb.alerts_per_story:.2f} |"
        )
        before.append((a, gold))
        after.append((b, gold))
    pa, pb = pooled(before), pooled(after)
    lines.append(
        f"| pooled | | | {pa.precision:.3f} / {pa.recall:.3f} / {pa.alerts_per_story:.2f} | "
        f"{pb.precision:.3f} / {pb.recall:.3f} / {pb.alerts_per_story:.2f} |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from monitor.cli import load

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("groups", nargs="+", help="readers' groups files (ids only)")
    ap.add_argument("--headlines", required=True, help="headlines JSONL the ids refer to")
    ap.add_argument("--out", required=True, help="the model file to write (JSON)")
    ap.add_argument("--config", default=None)
    ap.add_argument("--floor", type=float, default=0.25, help="lowest rule score the model may lift")
    ap.add_argument("--min-precision", type=float, default=0.95)
    ap.add_argument("--C", type=float, default=1.0, dest="c")
    ap.add_argument("--skip", action="append", default=[], metavar="DAY",
                    help="leave out the windows holding this day (held-out windows); repeatable")
    ap.add_argument("--replay", action="store_true",
                    help="print each window replayed with a model that never saw it; write nothing")
    args = ap.parse_args(argv)
    try:  # a file missing or unreadable (../shared absent for make train-stories): one line, exit 2
        config, _ = load(argparse.Namespace(config=args.config, db=None, log_level="WARNING", log_format="text"))
        headlines = load_headlines(args.headlines)
        if args.replay:
            print(held_out_replays(args.groups, headlines, config, frozenset(args.skip), floor=args.floor,
                                   min_precision=args.min_precision, c=args.c))
            return 0
        windows = window_pairs(args.groups, headlines, config, frozenset(args.skip))
    except ConfigError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    except StoryFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    model, about = train(windows, floor=args.floor, min_precision=args.min_precision, c=args.c)
    about = {
        "about": "Learned pair scorer of the story matcher (alerts/stories/pairs.py); written by "
                 "`make train-stories` (monitor/story_train.py), do not edit by hand. Off (enabled: "
                 "false) when no threshold reached min_precision on the held-out windows.",
        "enabled": model.threshold < 1.0,
        "trained_on": [Path(g).name for g in args.groups], "skipped_days": sorted(args.skip),
        "windows": len(windows), **about,
    }
    Path(args.out).write_text(json.dumps(model.as_dict(**about), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(about, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
