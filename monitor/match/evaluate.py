"""Precision and recall of the matcher on labelled news items (`monitor eval`, bench/eval.py).

Each line: {"id", "lang", "title", "summary", "text"?, "topics": [...], "counts": [...],
"date"?, "unsure"?, "label_source"?}. Figures per topic, counts F1 (event+number), and
the misclassified ids with what matched (or the model's score). Items may be grouped by
where their labels came from ("real", "synthetic", "operator").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from core.count import EVENTS, Count
from core.jsonlines import read_lines
from core.rules import EntitySpec, TopicRules
from monitor.match.counts.sources import canonical_source
from monitor.match.engine import Classifier
from monitor.match.jsonl import language


def load_rules(path: str | Path) -> tuple[dict[str, TopicRules], list[EntitySpec]]:
    """The effective topics and entities of a config: its rule packs merged with its own
    changes (a ConfigError names file and line); the rest of the file is not read."""
    from core.config import load_rules as load_config_rules

    rules = load_config_rules(path)
    return rules.topics, rules.entities


def without_signals(topics: dict[str, TopicRules]) -> dict[str, TopicRules]:
    """The topics with their signals and exclusions removed, context kept: with a model,
    a classifier built on them decides by the model alone (and context)."""
    return {name: r.model_copy(update={"any": [], "all": [], "near": [], "none": []})
            for name, r in topics.items()}


UNKNOWN_TOPIC_LINES = 10  # lines with an unknown topic named one by one; the rest are counted


def load_items(
    path: str | Path, topics: Iterable[str] | None = None, *, errfile: IO[str] | None = None,
) -> list[dict]:
    """The labelled items of a JSONL file.

    A line that cannot be scored (not UTF-8, not JSON, not an object, a field of the wrong
    type, a count without a known event or an integer number, a date that is not ISO) is
    reported on `errfile` (default stderr) as `FILE: line N: reason` and skipped. `lang` is
    read as `classify` reads it ('EN', 'es-VE'; another language as none, reported). With
    `topics` (the config's), a label naming another topic is reported by line; the item is
    kept, and that label counts for no topic. A UTF-8 byte order mark is ignored. OSError
    (no such file, not readable) is the caller's to report."""
    err = errfile or sys.stderr
    known = set(topics) if topics is not None else None
    items: list[dict] = []
    unknown_lines = 0
    with open(path, "rb") as fh:
        for line in read_lines(fh):
            n, item = line.number, line.value
            if line.problem:
                print(f"{path}: line {n}: {line.problem}", file=err)
                continue
            problem = item_problem(item)
            if problem:
                print(f"{path}: line {n}: {problem}", file=err)
                continue
            lang, understood = language(item.get("lang"))
            if not understood:  # scored as an item without a lang, as `classify` reads it
                print(f"{path}: line {n}: lang {item['lang']!r} not supported: read as unknown", file=err)
            item["lang"] = lang
            strange = sorted(set(item.get("topics") or []) - known) if known is not None else []
            if strange:
                unknown_lines += 1
                if unknown_lines <= UNKNOWN_TOPIC_LINES:
                    names = ", ".join(repr(t) for t in strange)
                    print(f"{path}: line {n}: unknown topic {names} (the config's: "
                          f"{', '.join(sorted(known or ())) or 'none'}); scored as no topic", file=err)
            items.append(item)
    if unknown_lines > UNKNOWN_TOPIC_LINES:
        print(f"{path}: {unknown_lines - UNKNOWN_TOPIC_LINES} more lines name unknown topics", file=err)
    return items


def item_problem(item: object) -> str | None:
    """Why a labelled item cannot be scored, or None."""
    if not isinstance(item, dict):
        return f"expected a JSON object, got {type(item).__name__}"
    for key in ("title", "summary", "text", "lang"):
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            return f"field {key!r} must be a string, got {type(value).__name__}"
    topics = item.get("topics")
    if topics is not None and not (isinstance(topics, list) and all(isinstance(t, str) for t in topics)):
        return f"field 'topics' must be a list of topic ids, got {json.dumps(topics, ensure_ascii=False)[:60]}"
    counts = item.get("counts")
    if counts is not None and not isinstance(counts, list):
        return f"field 'counts' must be a list, got {type(counts).__name__}"
    for k, c in enumerate(counts or []):
        if not isinstance(c, dict):
            return f"counts[{k}] must be an object, got {type(c).__name__}"
        if "event" not in c or "number" not in c:
            return f"counts[{k}] has no {'event' if 'event' not in c else 'number'}"
        if c.get("event") not in EVENTS:
            return f"counts[{k}]: event {c.get('event')!r} is not one of {', '.join(EVENTS)}"
        if not _integer(c.get("number")):
            return f"counts[{k}]: number {c.get('number')!r} is not a whole number"
    day = item.get("date")
    if day is not None and not _iso_day(day):
        return f"date {day!r} is not an ISO date (YYYY-MM-DD)"
    return None


def _integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()


def _iso_day(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


def select(items: list[dict], since: str | None, until: str | None, skip_unsure: bool) -> list[dict]:
    """Items within [since, until] by their `date` (dateless items kept), unsure ones dropped.

    Days are compared as dates, not as strings; `since` and `until` must be ISO dates
    (ValueError otherwise), as the command line's --since/--until are (`cli_common.IsoDate`)."""
    first = date.fromisoformat(since) if since else None
    last = date.fromisoformat(until) if until else None
    out = []
    for item in items:
        day = _item_day(item)
        if day and ((first and day < first) or (last and day > last)):
            continue
        if skip_unsure and item.get("unsure"):
            continue
        out.append(item)
    return out


def _item_day(item: dict) -> date | None:
    """The day of an item's `date` (a day or a time), None when it has none; load_items
    refuses a date that is not ISO."""
    text = str(item.get("date") or "")[:10]
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def source_of(item: dict, default: str) -> str:
    return str(item.get("label_source") or default)


def default_source(path: str | Path) -> str:
    """'real' for the shared January headlines, else 'synthetic' (the project's own sets)."""
    return "real" if Path(path).name.startswith("headlines_") else "synthetic"


@dataclass
class Report:
    n: int = 0
    per_topic: dict[str, dict[str, float]] = field(default_factory=dict)
    counts: dict[str, float] = field(default_factory=dict)
    confident: dict[str, float] = field(default_factory=dict)  # counts shown in alerts only
    # who states the counts found right (event+number): a source named and right is a tp, a
    # source named where the label has none or another is a fp, a label's source missed a fn
    sources: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    by_model: dict[str, list[int]] = field(default_factory=dict)  # topic -> [tp, fp] the model decided


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def evaluate(items: list[dict], classifier: Classifier, topics: list[str]) -> Report:
    report = Report(n=len(items))
    stats = {t: [0, 0, 0] for t in topics}
    model_stats = {t: [0, 0] for t in topics}
    ctp = cfp = cfn = 0
    conf = [0, 0, 0]  # tp, fp, fn of the confident counts
    said = [0, 0, 0]  # tp, fp, fn of the sources of the counts found
    for item in items:
        res = classifier.classify(
            item.get("title") or "", item.get("summary") or "", item.get("text") or "", item.get("lang")
        )
        gold = set(item.get("topics") or [])
        title = str(item.get("title") or "")
        pred = set(res.topics)
        for t in topics:
            why = (f"model {res.scores.get(t, 0.0):.2f}" if res.decided_by.get(t) == "model"
                   else res.matches.get(t))
            if t in pred and res.decided_by.get(t) == "model":
                model_stats[t][0 if t in gold else 1] += 1
            if t in pred and t in gold:
                stats[t][0] += 1
            elif t in pred:
                stats[t][1] += 1
                report.errors.append(f"FP {t:20} {item.get('id')}: {title[:90]}  <- {why}")
            elif t in gold:
                stats[t][2] += 1
                score = f"  (model {res.scores[t]:.2f})" if t in res.scores else ""
                report.errors.append(f"FN {t:20} {item.get('id')}: {title[:90]}{score}")
        gc = {(c["event"], int(c["number"])) for c in item.get("counts") or []}
        pc = {(c.event, c.number) for c in res.counts}
        shown = {(c.event, c.number) for c in res.counts if c.confident}
        conf[0] += len(gc & shown)
        conf[1] += len(shown - gc)
        conf[2] += len(gc - shown)
        _score_sources(item.get("counts") or [], res.counts, said)
        ctp += len(gc & pc)
        cfp += len(pc - gc)
        cfn += len(gc - pc)
        if gc != pc:
            report.errors.append(
                f"CNT {item.get('id')}: gold {sorted(gc)} got {sorted(pc)}  | {title[:70]}"
            )
    report.per_topic = {t: prf(*s) for t, s in stats.items()}
    report.counts = prf(ctp, cfp, cfn)
    report.confident = prf(*conf)
    report.sources = prf(*said)
    report.by_model = model_stats
    return report


def _score_sources(gold: list[dict], found: Iterable[Count], said: list[int]) -> None:
    stated = {(c.event, c.number): canonical_source(c.source) for c in found}
    for g in gold:
        key = (g["event"], int(g["number"]))
        if key not in stated:
            continue  # a count missed is scored above, not its source
        want, got = canonical_source(g.get("source")), stated[key]
        if got is not None and got == want:
            said[0] += 1
            continue
        said[1] += got is not None
        said[2] += want is not None


def evaluate_by_source(
    items: Iterable[tuple[str, dict]], classifier: Classifier, topics: list[str]
) -> dict[str, Report]:
    """One report per label source, plus "all" when there is more than one source."""
    groups: dict[str, list[dict]] = {}
    for source, item in items:
        groups.setdefault(source, []).append(item)
    reports = {s: evaluate(its, classifier, topics) for s, its in sorted(groups.items())}
    if len(groups) > 1:
        reports["all"] = evaluate([i for its in groups.values() for i in its], classifier, topics)
    return reports


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
    c = report.confident
    if c:
        lines.append(
            f"| counts, confident only | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['tp']} | {c['fp']} | {c['fn']} |"
        )
    c = report.sources
    if c:
        lines.append(
            f"| sources of the counts found | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['tp']} | {c['fp']} | {c['fn']} |"
        )
    decided = {t: v for t, v in report.by_model.items() if any(v)}
    if decided:
        lines.append("")
        lines.append("decided by the model: " + "; ".join(
            f"{t} {tp} right, {fp} wrong" for t, (tp, fp) in decided.items()))
    return "\n".join(lines)
