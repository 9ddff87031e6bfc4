"""The benchmark scripts as an operator runs them (`make bench`, `python bench/NAME.py`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A benchmark shaped like bench_status.py and bench_poll.py: its own options, read from argv.
FAKE = '''
import argparse


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10")
    args = parser.parse_args(argv)
    print(f"| feeds | {args.sizes} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''
# Two benchmarks: the first grows to 256 MB, the second says how big its process ever was.
BIG = '''
data = bytearray(256 * 1024 * 1024)
data[::4096] = b"x" * len(data[::4096])
print("| grown | 256 MB |")
'''
PEAK = '''
import resource
print(f"| peak | {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB |")
'''


def test_naming_a_benchmark_runs_it_with_its_own_defaults(tmp_path: Path) -> None:
    """`python bench/run_all.py bench_status` stopped with `unrecognized arguments:
    bench_status` (the benchmark read run_all's arguments as its own) and wrote no report."""
    shutil.copy(ROOT / "bench" / "run_all.py", tmp_path / "run_all.py")
    (tmp_path / "bench_fake.py").write_text(FAKE, encoding="utf-8")
    run = subprocess.run([sys.executable, str(tmp_path / "run_all.py"), "bench_fake"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    report = (tmp_path / "REPORT.md").read_text(encoding="utf-8")
    assert "## bench_fake" in report and "| feeds | 10 |" in report


def test_each_benchmark_runs_in_a_process_of_its_own(tmp_path: Path) -> None:
    """Run in run_all's process, a benchmark's peak memory held what the benchmarks before it had
    allocated, and its children took run_all's size with them (bench_hostile_memory read 2,144 MB
    for an ordinary poll after bench_hostile)."""
    shutil.copy(ROOT / "bench" / "run_all.py", tmp_path / "run_all.py")
    (tmp_path / "bench_big.py").write_text(BIG, encoding="utf-8")
    (tmp_path / "bench_peak.py").write_text(PEAK, encoding="utf-8")
    run = subprocess.run([sys.executable, str(tmp_path / "run_all.py"), "bench_big", "bench_peak"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    report = (tmp_path / "REPORT.md").read_text(encoding="utf-8")
    assert "| grown | 256 MB |" in report
    peak = int(report.split("| peak | ")[1].split(" MB")[0])
    assert peak < 128, report


def test_bench_scale_says_met_only_with_a_run_at_the_target_size() -> None:
    """`bench_scale.py --sizes 200` printed "targets at 10,000 feeds: ...: met"."""
    from bench.bench_scale import verdict

    small = {"feeds": 200, "rss_mb": 129.0, "done_p95": 0.01}
    assert verdict([small]) == "not measured (no run of 10,000 feeds or more)"
    assert verdict([small, {"feeds": 10_000, "rss_mb": 237.0, "done_p95": 0.01}]) == "met"
    assert verdict([small, {"feeds": 10_000, "rss_mb": 301.0, "done_p95": 0.01}]) == "MISSED"


def test_bench_status_says_met_only_with_a_run_at_the_target_size(capsys) -> None:
    """`bench_status.py --sizes 50` printed "target: the page at 10,000 feeds under 1 s: met"."""
    from bench.bench_status import main

    assert main(["--sizes", "50"]) == 0
    out = capsys.readouterr().out
    assert "| 50 |" in out
    assert out.rstrip().endswith("under 1 s: not measured (no run of 10,000 feeds)")


def test_year_db_writes_days_of_service_and_retention_prunes_the_unmatched(tmp_path: Path) -> None:
    """bench/year_db.py (the year-old database of docs/SCALE.md) on 3 small days: the matched items,
    their stories and sent alerts stay; the unmatched items of the days past retention go."""
    from datetime import UTC, datetime

    from bench.year_db import build

    months = build(tmp_path / "y.db", days=3, feeds=5, relevant=20, unmatched=60, retention=1,
                   start=datetime(2026, 1, 30, tzinfo=UTC))
    rows = months[-1]["rows"]
    assert [m["month"] for m in months] == ["2026-01", "2026-02"]
    assert rows["matches"] >= 60 and rows["stories"] > 0 and rows["alerts"] >= rows["stories"]
    assert rows["items"] < 60 + 3 * 20 + 5  # the unmatched of the first two days pruned (each feed's newest kept)


def test_year_measure_times_the_story_fixes_on_a_small_year(tmp_path: Path, capsys: Any) -> None:
    """bench/year_measure.py --fixes (docs/SCALE.md, "An operator's story fixes on a year") on
    35 small days: each fix is timed and rolled back, the database left as it was."""
    import sqlite3
    from datetime import UTC, datetime

    from bench.year_db import build
    from bench.year_measure import main as measure

    path = tmp_path / "y.db"
    build(path, days=35, feeds=5, relevant=40, unmatched=0, retention=90, start=datetime(2026, 1, 1, tzinfo=UTC))

    def rows() -> list[tuple[int, int]]:
        con = sqlite3.connect(path)
        try:
            return [con.execute(f"SELECT count(*), max(id) FROM {t}").fetchone() for t in ("stories", "feedback")]  # noqa: S608
        finally:
            con.close()

    before = rows()
    assert measure(["--db", str(path), "--fixes", "--only", "none", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for fix in ("--near, a story of three days before", "/merge alone, a story of 30 days before",
                "/merge STORY", "/split out of a story of about 200 items"):
        assert f"  - {fix}" in out, out
    assert rows() == before


def test_year_measure_times_commands_that_run(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """bench/year_measure.py --cli (docs/SCALE.md, "A year of service") timed `monitor stories
    --since 1d` in a fresh process: the command refuses `1d` (exit 2, an ISO date or time is
    needed), and the refusal was timed as the listing. Each command it times now exits 0."""
    import subprocess
    from datetime import UTC, datetime

    from bench.year_db import build
    from bench.year_measure import main as measure

    path = tmp_path / "y.db"
    build(path, days=3, feeds=3, relevant=10, unmatched=0, retention=90, start=datetime(2026, 1, 1, tzinfo=UTC))
    codes: list[tuple[list[str], int]] = []
    real_run = subprocess.run

    def run(cmd: list[str], **kwargs: Any) -> Any:  # the real process, its exit status kept
        kwargs["check"] = False
        done = real_run(cmd, **kwargs)
        codes.append((cmd, done.returncode))
        return done

    monkeypatch.setattr(subprocess, "run", run)
    assert measure(["--db", str(path), "--cli", "--only", "stories", "--repeats", "1"]) == 0
    assert "(process)" in capsys.readouterr().out
    assert codes and all(code == 0 for _, code in codes), codes


def test_soak_workdir_given_again_starts_without_the_previous_run(tmp_path: Path) -> None:
    """docs/SOAK.md's command names `--workdir /tmp/ds/soakrun`; run a second time it kept the
    first run's soak.db: the service took the new run's items (the same plan, the same seed) as
    stored already, alerted none, and after its 420 s drain the soak said `RESULT: FAIL: 10 alerts
    lost` (7 December 2026). The previous run's files are removed; anything else is kept."""
    from bench.soak import RUN_FILES, prepare_workdir

    workdir = tmp_path / "soakrun"
    assert prepare_workdir(workdir) == [] and workdir.is_dir()
    for name in RUN_FILES:
        (workdir / name).write_text("the previous run", encoding="utf-8")
    (workdir / "notes.txt").write_text("mine", encoding="utf-8")
    assert prepare_workdir(workdir) == list(RUN_FILES)
    assert [p.name for p in workdir.iterdir()] == ["notes.txt"]


def test_eval_feed_place_counts_what_a_feed_s_context_finds(tmp_path: Path) -> None:
    """One outlet whose items name Venezuela, then an arrest over a plot that names no country:
    found only with the feed's context."""
    import json

    rows = [{"id": f"h{i:02d}", "date": f"2026-01-{2 + i // 10:02d}", "outlet": "Diario", "lang": "es",
             "title": f"Alcaldía de Caracas inaugura la plaza número {i}", "topics": []} for i in range(20)]
    rows.append({"id": "h99", "date": "2026-01-09", "outlet": "Diario", "lang": "es",
                 "title": "Detienen a tres militares acusados de conspiración", "topics": ["political_prisoners"]})
    path = tmp_path / "headlines.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "eval_feed_place.py"), "--headlines", str(path),
                          "--list"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    rows_out = [line for line in run.stdout.splitlines() if "| political_prisoners |" in line and "2–21" in line]
    without, with_feed = rows_out
    assert "| without |" in without and without.split("|")[5].strip() == "0.000"  # recall
    assert "| with |" in with_feed and with_feed.split("|")[5].strip() == "1.000"
    assert "h99 | Diario" in run.stdout and "Diario" in run.stdout.split("feeds about Venezuela")[1]


def test_bench_stories_rounds_start_from_the_same_stories() -> None:
    """Each round of bench_stories runs on a copy of one seeded database with an index built
    afresh; the window it reports is the seeded one, read before the round's items made stories
    of their own (it read 6,453 of 5,000 once rounds built the index from the copy)."""
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_stories.py"),
                          "--stories", "300", "--items", "120", "--rounds", "2"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stdout + run.stderr  # 1: under the target, a figure
    out = run.stdout
    assert "stories in the window: 300 " in out, out
    assert "best of 2 rounds" in out and "; rounds " in out, out
    started = out.split("started a story")[0].rsplit("; ", 1)[1]
    assert started.endswith(" of 120 "), out


def test_classify_golden_writes_every_result_the_same_twice(tmp_path: Path) -> None:
    """bench/classify_golden.py: one line per item and classifier, the same in two runs (the
    proof that a speed-only change of the classifier changed no output, docs/SCALE.md)."""
    import json

    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for out in outs:
        subprocess.run([sys.executable, str(ROOT / "bench" / "classify_golden.py"), str(out), "--items", "10",
                        "--extra", "20"], check=True, cwd=ROOT)
    lines = outs[0].read_text(encoding="utf-8").splitlines()
    assert outs[0].read_bytes() == outs[1].read_bytes()
    rows = [json.loads(line) for line in lines]
    assert {r["id"].rsplit("-", 1)[0] for r in rows} >= {"default", "extra"}
    assert len(rows) in (20, 40)  # the model's two runs when it loads
    # the bench's first item is on topic: its counts and what decided it are written
    first = rows[0]
    assert first["id"] == "default-0" and first["topics"] and first["decided_by"] and first["counts"]


@pytest.mark.slow(seconds=52)  # started first (tests/conftest.py)
def test_months_memory_runs_the_service_over_simulated_days() -> None:
    """bench/months_memory.py (docs/SCALE.md, "Memory over months") on 2 small simulated days:
    items published (by the feed server in a child process, `--servers-apart`), polled, classified
    and sent to the emulator on the bench's clock, and the growth between its two snapshots
    reported with the containers it watches."""
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "months_memory.py"), "--days", "2",
                          "--snapshot-day", "1", "--feeds", "2", "--items", "36", "--top", "5", "--servers-apart"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    # the servers in a child process (their RSS apart), the memory outside the heap each day measured
    assert re.search(r"day 2: RSS \d+\.\d MB, \d+ threads, .*SQLite .*; the servers' process \d+\.\d MB", out), out
    assert "2 simulated days, 144 items," in out, out
    sent = int(out.split("2 simulated days, 144 items, ")[1].split(" messages sent")[0])
    assert sent > 0, out  # relevant items made alerts, delivered on the simulated clock
    assert "MB per simulated month" in out and "allocation sites that grew most (day 1 -> day 2)" in out, out
    assert "worker.sent_here: " in out, out  # the containers watched, those that changed
    day = next(line for line in out.splitlines() if line.startswith("day 2: ") and "CPU" in line)
    assert "poll " in day and "deliver " in day, day  # each day's time and where it went


def test_hostile_text_prints_the_worst_of_each_entry_point() -> None:
    """`bench/hostile_text.py` on small sizes: a row per entry point asked for, its target met."""
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "hostile_text.py"), "--only", "relative date,JSON Feed",
                          "--chars", "4000", "--feed-chars", "4000"], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [r.split(" | ")[0] for r in rows] == [
        "| relative date", "| JSON Feed: title", "| JSON Feed: date", "| JSON Feed: 100,000 entries (10.9 MB)"]
    assert all(r.endswith("| met |") for r in rows), run.stdout
    assert run.stdout.startswith("machine: ")
