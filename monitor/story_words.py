"""The English words the story matcher knows are no names (alerts/stories/data/english_words.txt).

    python -m monitor.story_words [FILE.jsonl ...] --out FILE

A headline in Title Case ("Venezuela Releases Journalist Roland Carreño After 14 Months in
Prison") capitalizes every word, so its capitals do not tell names from words. A word an
English text writes in lower case in the middle of a sentence is a word, not a name: the
list is every such word of the English items (titles and summaries) of the labelled sets
in tests/data, the project's own data. `make train-stories` writes the shipped file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = "tests/data/labelled_*.jsonl"
# a lower-case word after a lower-case word, a digit or a clause's punctuation: not a sentence's first
_MID_SENTENCE = re.compile(r"(?<=[a-z0-9,;:] )([a-z][a-z'’-]*[a-z])\b")
HEADER = "# English words seen in lower case mid-sentence (monitor/story_words.py); one a line\n"


def lower_case_words(texts: Iterable[str]) -> set[str]:
    return {m.group(1) for text in texts for m in _MID_SENTENCE.finditer(text)}


def english_texts(paths: Iterable[Path]) -> Iterable[str]:
    """Titles and summaries of the items marked `"lang": "en"`."""
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("lang") == "en":
                yield from (str(item.get(k) or "") for k in ("title", "summary"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.story_words", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help=f"labelled JSONL files (default: {DEFAULT_SOURCES})")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    files = args.files or sorted(ROOT.glob(DEFAULT_SOURCES))
    missing = [str(f) for f in files if not f.is_file()]
    if not files or missing:
        print(f"error: no labelled file to read{': ' + ', '.join(missing) if missing else ''}", file=sys.stderr)
        return 2
    words = sorted(lower_case_words(english_texts(files)))
    args.out.write_text(HEADER + "".join(w + "\n" for w in words), encoding="utf-8")
    print(f"{len(words)} words from {len(files)} files -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
