"""Counts in a run-on text: the classifier's time on an item whose text is one "sentence" of
thousands of figures (no full stop: a page's text, a list, a hostile feed), against the same
figures told in sentences of their own, at the text field's cap (200,000 characters).

    python bench/bench_counts_runon.py [--chars 196000]

Each figure of a sentence is weighed against the others of its sentence (the square of their
number); a sentence is read in pieces of at most `MAX_SENTENCE_CHARS` (monitor/match/counts/
extract.py). Prints the machine, both CPU times and their ratio.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from monitor.match import build_classifier  # noqa: E402
from monitor.match.evaluate import load_rules  # noqa: E402


def cpu(clf, text: str) -> float:
    start = time.process_time()
    clf.classify(title="Excarcelan a presos políticos", text=text, lang="es")
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chars", type=int, default=196_000)
    args = ap.parse_args(argv)
    topics, entities = load_rules(ROOT / "feeds.yaml")
    clf = build_classifier(topics, entities)
    clause = "Excarcelan a 20 presos políticos y 30 detenidos"
    n = max(1, args.chars // (len(clause) + 2))
    runon = ", ".join([clause] * n)
    sentences = ". ".join([clause] * n)
    print(f"machine: {platform.machine()}, {platform.processor() or platform.system()}, Python {platform.python_version()}")
    a, b = cpu(clf, runon), cpu(clf, sentences)
    print("| text | characters | CPU s |")
    print("| --- | ---: | ---: |")
    print(f"| one run-on sentence | {len(runon):,} | {a:.2f} |")
    print(f"| the same figures in sentences (baseline) | {len(sentences):,} | {b:.2f} |")
    print(f"\nrun-on / sentences: {a / max(b, 1e-9):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
