"""Evaluate the matcher on labelled news items (a wrapper of `monitor eval`).

    python bench/eval.py FILE.jsonl [FILE2.jsonl ...] [--config feeds.yaml] [--quiet]
        [--since DATE] [--until DATE] [--skip-unsure] [--no-model] [--no-rules] [--model PATH]

Each file is reported on its own (as before); the logic is monitor/match/evaluate.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    from monitor.cli import main as monitor_main

    args = list(sys.argv[1:] if argv is None else argv)
    if not any(a == "--config" or a.startswith("--config=") for a in args):
        args += ["--config", str(ROOT / "feeds.yaml")]
    return monitor_main(["eval", "--per-file", "--log-level", "WARNING", *args])


if __name__ == "__main__":
    raise SystemExit(main())
