"""`monitor train` and `monitor eval`: the learned relevance model, trained and measured.

train: labelled items from the real January headlines (../shared, when present), the
project's tuned synthetic sets (tests/data/labelled_*.jsonl but never labelled_blind*) and
operator feedback from the database (when --db or DATABASE_URL names one) → the model file.
eval: precision and recall per topic and counts F1 on labelled JSONL, one table per label
source ("real", "synthetic", "operator").
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.cli_common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    IsoDate,
    add_command,
    package_default,
)

if TYPE_CHECKING:
    from monitor.match.learned import RelevanceModel

# The matcher (its regexes, the rule pack) is imported by the commands that use it, not here:
# `monitor --help` builds this parser and starts in a fraction of the time (bench_cli_start.py).

log = logging.getLogger("monitor.train")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REAL = Path("../shared/real/headlines_es_2026-01.jsonl")
DEFAULT_SYNTHETIC = ROOT / "tests" / "data"
COUNTS_UNTIL = "2026-01-21"  # the counts model's time split (docs/MATCHING.md, counts)


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `train` and `eval` on the `monitor` command line."""
    p = add_command(
        sub, common, "train", cmd_train, "train the learned relevance model",
        "Train the per-topic relevance model from labelled items (the real "
        "January headlines when present, the tuned synthetic sets, operator feedback from "
        "--db/$DATABASE_URL) and write the model file. Needs the 'train' extra (scikit-learn).",
    )
    p.add_argument("--real", metavar="PATH",
                   help=f"real labelled headlines (default: {DEFAULT_REAL}, skipped when absent; "
                   "a PATH named here must exist)")
    p.add_argument("--no-real", action="store_true", help="leave the real headlines out")
    p.add_argument("--since", metavar="YYYY-MM-DD", action=IsoDate, help="only real items dated on or after")
    p.add_argument("--until", metavar="YYYY-MM-DD", action=IsoDate,
                   help="only real items dated on or before (time split)")
    p.add_argument("--synthetic", metavar="DIR", default=str(DEFAULT_SYNTHETIC),
                   help="folder of labelled_*.jsonl sets (labelled_blind* are never used)")
    p.add_argument("--no-synthetic", action="store_true", help="leave the synthetic sets out")
    p.add_argument("--data", metavar="PATH", action="append", default=[],
                   help="another labelled JSONL file (repeatable; its items' label_source, else 'extra')")
    p.add_argument("--out", metavar="PATH",
                   help="model file to write (default, in the project's checkout only: the "
                   "package's; an installed package needs --out, then MONITOR_MODEL)")
    p.add_argument("--precision", type=float, default=0.99,
                   help="each threshold: the lowest whose cross-validated precision (the model "
                   "alone, on items with Venezuelan context) reaches this (default 0.99)")
    p.add_argument("--keep", type=int, default=20000, help="n-grams kept in the file (default 20000)")
    p.add_argument("--c", type=float, default=4.0, help="inverse regularization (default 4)")
    p.add_argument("--counts-out", metavar="PATH", default=None,
                   help="counts model file to write (default: counts.json beside --out)")
    p.add_argument("--counts-until", metavar="YYYY-MM-DD", default=COUNTS_UNTIL, action=IsoDate,
                   help=f"real items for the counts model dated on or before (default {COUNTS_UNTIL}: "
                   "the later days measure it)")
    p.add_argument("--no-counts", action="store_true", help="do not train the counts model")

    p = add_command(
        sub, common, "eval", cmd_eval, "precision and recall on labelled JSONL files",
        "Classify labelled items (JSON lines with 'topics' and 'counts') and print "
        "precision, recall and F1 per topic and counts F1, one table per label source "
        "(an item's 'label_source', else 'real' for the January headlines, 'synthetic' for the "
        "project's sets; feedback from --db is 'operator').",
    )
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--since", metavar="YYYY-MM-DD", action=IsoDate, help="only items dated on or after")
    p.add_argument("--until", metavar="YYYY-MM-DD", action=IsoDate, help="only items dated on or before")
    p.add_argument("--skip-unsure", action="store_true", help="leave out items labelled unsure")
    p.add_argument("--no-model", action="store_true", help="rules alone")
    p.add_argument("--no-rules", action="store_true", help="the model alone (with the context condition)")
    p.add_argument("--model", metavar="PATH", help="model file (default: the package's)")
    p.add_argument("--no-watched", action="store_true",
                   help="without the shipped seed of watched people (monitor classify uses it)")
    p.add_argument("--feedback", action="store_true",
                   help="also evaluate operator feedback from --db/$DATABASE_URL")
    p.add_argument("--per-file", action="store_true", help="one table per file instead of per source")
    p.add_argument("--quiet", action="store_true", help="figures only, no misclassified ids")


# ---------------------------------------------------------------------------
# helpers


def _config_path(args: argparse.Namespace) -> Path:
    from core.config import config_path_from

    return Path(config_path_from(args.config))


def _database_url(args: argparse.Namespace) -> str | None:
    """Only an explicit --db or $DATABASE_URL: training never reads a default database."""
    return args.db or os.environ.get("DATABASE_URL") or None


def feedback_items(url: str | None) -> tuple[list[dict], str | None]:
    """Operator feedback as labelled items, or ([], why not)."""
    if not url:
        return [], "no --db or DATABASE_URL"
    try:
        from storage import feedback as fb  # written by the feedback work; may be absent
    except ImportError:
        return [], "this version stores no operator feedback"
    from storage.db import open_database

    try:
        db = open_database(url)
    except Exception as exc:
        return [], f"database unavailable: {str(exc).splitlines()[0]}"
    try:
        with db.session() as session:
            items = fb.feedback_examples(session)
    except Exception as exc:  # table not there yet (older schema), unreachable server...
        return [], f"no feedback read: {str(exc).splitlines()[0][:200]}"
    finally:
        db.dispose()
    if not items:
        return [], "no /miss or /wrong report in the database"
    for it in items:
        it["topics"] = sorted(it.get("topics") or [])
        it.setdefault("label_source", "operator")
    return items, None


def synthetic_files(folder: str | Path) -> list[Path]:
    """The tuned sets: labelled_*.jsonl, never the blind measures (labelled_blind*)."""
    d = Path(folder)
    if not d.is_dir():
        return []
    return sorted(p for p in d.glob("labelled_*.jsonl") if not p.name.startswith("labelled_blind"))


# ---------------------------------------------------------------------------
# train


def cmd_train(args: argparse.Namespace) -> int:
    from monitor.match.evaluate import load_rules
    from monitor.match.learned import MODEL_PATH

    if args.out is None:
        args.out = package_default(MODEL_PATH, "--out", "write the model elsewhere and set "
                                   "MONITOR_MODEL (and MONITOR_COUNTS_MODEL) to it")
        if args.out is None:
            return EXIT_USAGE
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("error: training needs scikit-learn: pip install 'venezuela-monitor[train]'",
              file=sys.stderr)
        return EXIT_FAILURE
    config = _config_path(args)
    topics, entities = load_rules(config)
    named = args.data if args.no_real or not args.real else [args.real, *args.data]
    for path in named:  # a file named on the command line must be there (make train names --real)
        if not Path(path).is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return EXIT_USAGE
    try:
        return _train(args, topics, entities)
    except OSError as exc:  # a labelled file that cannot be read
        print(f"error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


def _train(args: argparse.Namespace, topics: dict, entities: list) -> int:
    from monitor.match.engine import rules_digest
    from monitor.match.evaluate import load_items, select
    from monitor.match.training import Params, examples_from_items, sha256_file, train, write

    examples = []
    sources: dict[str, Any] = {}
    real = Path(args.real or DEFAULT_REAL)
    if args.no_real:
        print("real headlines: left out (--no-real)")
    elif real.is_file():
        items = select(load_items(real, topics), args.since, args.until, skip_unsure=True)
        ex = examples_from_items(items, "real")
        examples += ex
        sources["real"] = {"file": real.name, "since": args.since, "until": args.until, "items": len(ex)}
        print(f"real headlines: {len(ex)} items from {real} "
              f"({args.since or 'start'} .. {args.until or 'end'}, unsure left out)")
    else:
        print(f"real headlines: {real} not found, skipped")
    if not args.no_synthetic:
        files = synthetic_files(args.synthetic)
        n = 0
        for f in files:
            ex = examples_from_items(load_items(f, topics), "synthetic")
            examples += ex
            n += len(ex)
        sources["synthetic"] = {"files": [f.name for f in files], "items": n}
        print(f"synthetic sets: {n} items from {len(files)} files in {args.synthetic}")
    for extra in args.data:
        ex = examples_from_items(load_items(extra, topics), "extra")
        examples += ex
        sources.setdefault("extra", {"files": [], "items": 0})
        sources["extra"]["files"].append(Path(extra).name)
        sources["extra"]["items"] += len(ex)
    fb, why = feedback_items(_database_url(args))
    if fb:
        ex = examples_from_items(fb, "operator")
        examples += ex
        sources["operator"] = {"items": len(ex)}
        print(f"operator feedback: {len(ex)} items")
    else:
        print(f"operator feedback: none ({why})")
    if not examples:
        print("error: no labelled items to train on", file=sys.stderr)
        return EXIT_USAGE
    params = Params(keep=args.keep, c=args.c, precision=args.precision)
    try:
        result = train(examples, list(topics), (topics, entities), params=params,
                       meta={"sources": sources, "rules": rules_digest(topics, entities)})
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    size = write(result.model, args.out)
    print(f"\nmodel: {args.out} ({size / 1e6:.2f} MB, {len(result.model['vocabulary'])} n-grams, "
          f"sha256 {sha256_file(args.out)[:16]})")
    print("| topic | positives | negatives | threshold | CV precision | CV recall |")
    print("| --- | --- | --- | --- | --- | --- |")
    for t, r in result.topics.items():
        print(f"| {t} | {r.positives} | {r.negatives} | {r.threshold:.3f} | "
              f"{r.cv_precision:.3f} | {r.cv_recall:.3f} |")
    if not args.no_counts:
        return _train_counts(args, (topics, entities), real)
    return EXIT_OK


def _train_counts(args: argparse.Namespace, rules: Any, real: Path) -> int:
    """The counts model (monitor/match/counts/model_training.py): the tuned synthetic sets and
    the real headlines up to --counts-until; too few counts to learn from is a note, not a failure."""
    from monitor.match.counts.model_training import count_rows, train_counts
    from monitor.match.engine import rules_digest
    from monitor.match.evaluate import load_items, select
    from monitor.match.training import sha256_file, write

    rows, sources = [], {}
    if not args.no_real and real.is_file():
        until = min(filter(None, (args.until, args.counts_until)))
        items = select(load_items(real), args.since, until, skip_unsure=True)
        rows += count_rows(items, rules, "real")
        sources["real"] = {"file": real.name, "since": args.since, "until": until}
    if not args.no_synthetic:
        files = synthetic_files(args.synthetic)
        for f in files:
            rows += count_rows(load_items(f), rules, "synthetic", group=f.stem)
        sources["synthetic"] = {"files": [f.name for f in files]}
    try:
        model = train_counts(rows, meta={"sources": sources, "rules": rules_digest(*rules)})
    except ValueError as exc:
        print(f"\ncounts model: not trained ({exc})")
        return EXIT_OK
    out = args.counts_out or str(Path(args.out).parent / "counts.json")
    write(model, out)
    cal = model["meta"]["calibration"]
    print(f"\ncounts model: {out} ({len(rows)} counts, {model['meta']['counts']['wrong']} wrong; "
          f"confident from p >= {model['confident']}: CV precision {cal['cv_precision']:.3f}, "
          f"share {cal['cv_share_confident']:.3f}; sha256 {sha256_file(out)[:16]})")
    return EXIT_OK


# ---------------------------------------------------------------------------
# eval


def _eval_model(args: argparse.Namespace) -> tuple[RelevanceModel | None, str]:
    from monitor.match.learned import load_model

    if args.no_model:
        return None, "off (--no-model)"
    loaded = load_model(args.model)
    if loaded.model is None:
        return None, f"off ({loaded.problem})"
    return loaded.model, f"on ({loaded.path})"


def cmd_eval(args: argparse.Namespace) -> int:
    if not args.files and not args.feedback:
        print("error: name at least one labelled file (or --feedback)", file=sys.stderr)
        return EXIT_USAGE
    from monitor.match import build_classifier
    from monitor.match.evaluate import (
        default_source,
        evaluate_by_source,
        load_items,
        load_rules,
        render,
        select,
        source_of,
        without_signals,
    )
    from monitor.match.people import WatchedPeople, load_seed

    topics, entities = load_rules(_config_path(args))
    model, state = _eval_model(args)
    watched = None if args.no_watched or args.no_rules else WatchedPeople(load_seed())
    if args.no_rules:
        if model is None:
            print(f"error: --no-rules needs a model; model {state}", file=sys.stderr)
            return EXIT_USAGE
        clf = build_classifier(without_signals(topics), entities, model=model)
        mode = "model alone"
    else:
        clf = build_classifier(topics, entities, model=model, watched=watched)
        mode = "rules + model" if model else "rules alone"
    people = f"{len(watched)} watched people" if watched is not None else "no watched people"
    print(f"mode: {mode}; model {state}; {people}\n")
    tagged: list[tuple[str, str, dict]] = []  # (file, source, item)
    unreadable: list[str] = []
    for path in args.files:
        if not Path(path).is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return EXIT_USAGE
        try:  # a bad line is reported as FILE: line N: reason and skipped
            loaded = load_items(path, topics)
        except OSError as exc:
            print(f"error: {path}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        if not loaded:  # every line skipped (reported above), or none at all
            print(f"error: {path}: no labelled item could be read", file=sys.stderr)
            unreadable.append(path)
        items = select(loaded, args.since, args.until, args.skip_unsure)
        tagged += [(Path(path).name, source_of(it, default_source(path)), it) for it in items]
    if args.feedback:
        fb, why = feedback_items(_database_url(args))
        if why:
            print(f"operator feedback: none ({why})\n")
        tagged += [("feedback", "operator", it) for it in fb]
    names = list(topics)
    if args.per_file:
        groups: dict[str, list[tuple[str, dict]]] = {}
        for name, _source, it in tagged:
            groups.setdefault(name, []).append((name, it))
        reports = {name: evaluate_by_source(rows, clf, names)[name] for name, rows in groups.items()}
    else:
        reports = evaluate_by_source([(s, it) for _, s, it in tagged], clf, names)
    for name, report in reports.items():
        print(render(report, name))
        if report.errors and not args.quiet:
            print("\nmisclassified:")
            print("\n".join(f"  {e}" for e in report.errors))
        print()
    return EXIT_FAILURE if unreadable else EXIT_OK
