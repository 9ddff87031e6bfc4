"""CLI start-up: wall time of `monitor --help` and of `monitor classify` on one item, as
fresh processes (median of N), and proof that neither imports SQLAlchemy or Alembic.

Target (issue 16): under 0.5 s each. Baseline in the same run: `python -c pass`, the
interpreter alone, and `monitor status` on an empty SQLite file (needs the database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ITEM = b'{"id": "1", "title": "Foro Penal verifico 61 excarcelaciones en Tocoron"}\n'
TARGET = 0.5


def timed(argv: list[str], stdin: bytes = b"", env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=ROOT, env=env, check=False)
    return time.perf_counter() - start


def heavy_imports(args: list[str], stdin: bytes = b"") -> list[str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "monitor", *args], input=stdin,
                          capture_output=True, cwd=ROOT, check=False)
    names = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.decode().splitlines()}
    return sorted(n for n in names if n in ("sqlalchemy", "alembic"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args([] if argv is None else argv)
    py = sys.executable
    config = str(ROOT / "feeds.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.db")
        cases = {
            "python -c pass (baseline)": ([py, "-c", "pass"], b""),
            "monitor --help": ([py, "-m", "monitor", "--help"], b""),
            "monitor classify (1 item)": ([py, "-m", "monitor", "classify", "--config", config], ITEM),
            "monitor status (opens the database; baseline)": ([py, "-m", "monitor", "status", "--config", config], b""),
        }
        timed(cases["monitor --help"][0])  # warm the file cache and the bytecode
        print(f"## CLI start-up (median of {args.runs} fresh processes; target < {TARGET} s)\n")
        print("| command | median s | min s | SQLAlchemy/Alembic imported |")
        print("| --- | --- | --- | --- |")
        ok = True
        for label, (cmd, stdin) in cases.items():
            runs = [timed(cmd, stdin, env) for _ in range(args.runs)]
            heavy = "-"
            if label.startswith("monitor --help"):
                heavy = ", ".join(heavy_imports(["--help"])) or "no"
            elif label.startswith("monitor classify"):
                heavy = ", ".join(heavy_imports(["classify", "--config", config], ITEM)) or "no"
            med = statistics.median(runs)
            if "baseline" not in label and (med >= TARGET or heavy not in ("no", "-")):
                ok = False
            print(f"| {label} | {med:.3f} | {min(runs):.3f} | {heavy} |")
        print(f"\n{'PASS' if ok else 'FAIL'}: --help and classify under {TARGET} s without the database libraries")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
