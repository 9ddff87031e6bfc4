"""`make bench`: run every benchmark under bench/ and write bench/REPORT.md.

Each benchmark module exposes `main()` and prints markdown-friendly lines with
its figures beside a baseline measured in the same run; this script adds the
machine they ran on, so the report can be compared across machines.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import platform
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_classify", "bench_poll", "bench_e2e", "bench_stories", "bench_hostile",
              "bench_hostile_memory", "bench_scale", "bench_tally", "bench_cli_start", "bench_status",
              "bench_counts_runon"]


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


@contextlib.contextmanager
def argv(args: list[str]) -> Iterator[None]:
    saved = sys.argv
    sys.argv = args
    try:
        yield
    finally:
        sys.argv = saved


def main() -> int:
    sys.path.insert(0, str(HERE))
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
        start = time.perf_counter()
        try:
            # Each benchmark runs with its own defaults: some read sys.argv, which holds the
            # names given to this script.
            with contextlib.redirect_stdout(out), argv([str(HERE / f"{name}.py")]):  # type: ignore[type-var]
                code = importlib.import_module(name).main()
        except Exception as exc:  # a broken benchmark must not hide the others
            print(f"FAILED: {type(exc).__name__}: {exc}", file=out)
            code = 1
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
