"""`make bench`: run every benchmark under bench/ and write bench/REPORT.md.

Each benchmark module runs as a script and prints markdown-friendly lines with
its figures beside a baseline measured in the same run; this script adds the
machine they ran on, so the report can be compared across machines.

Each runs in a process of its own: run in this one, a benchmark's memory figures held
what the benchmarks before it had allocated (RUSAGE_SELF's high-water mark), and a child it
forked took this process's size with it (Linux counts the parent's pages a child held before
exec in the child's ru_maxrss): `bench_hostile_memory` read 2,144 MB for an ordinary poll
after `bench_hostile`, and its +100 MB target passed on two equal, meaningless figures.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_classify", "bench_poll", "bench_e2e", "bench_stories", "bench_hostile",
              "bench_hostile_memory", "bench_scale", "bench_tally", "bench_cli_start", "bench_status",
              "bench_counts_runon", "bench_metrics", "hostile_text"]


class Tee(io.TextIOBase):
    def __init__(self, *streams: io.TextIOBase) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for s in self.streams:
            s.write(text)
        return len(text)

    def flush(self) -> None:
        for s in self.streams:
            s.flush()


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def run(name: str, out: io.TextIOBase) -> int:
    """One benchmark as a script in a fresh process, its output copied line by line."""
    proc = subprocess.Popen([sys.executable, str(HERE / f"{name}.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")
    assert proc.stdout is not None
    for line in proc.stdout:
        out.write(line)
    return proc.wait()


def main() -> int:
    only = sys.argv[1:] or BENCHMARKS
    report = io.StringIO()
    out = Tee(sys.stdout, report)  # type: ignore[arg-type]
    print("# Benchmark report\n", file=out)
    print(f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", file=out)
    print(f"- machine: {machine()}\n", file=out)
    failed = []
    for name in only:
        if not (HERE / f"{name}.py").exists():
            print(f"## {name}\n\n(not present)\n", file=out)
            continue
        print(f"## {name}\n", file=out)
        out.flush()
        start = time.perf_counter()
        code = run(name, out)  # type: ignore[arg-type]
        if code < 0:
            print(f"FAILED: killed by signal {-code}", file=out)
        print(f"\n({time.perf_counter() - start:.1f} s)\n", file=out)
        if code:
            failed.append(name)
    (HERE / "REPORT.md").write_text(report.getvalue(), encoding="utf-8")
    print(f"written {HERE / 'REPORT.md'}")
    if failed:
        print(f"benchmarks that missed a target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
