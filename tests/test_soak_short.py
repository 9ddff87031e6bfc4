"""The short soak (bench/soak.py) inside `make test`: the real `monitor run` process, one kill -9
and restart, a Bot API outage, a config edit and failing feeds; nothing lost or doubled.

Latency is reported by the soak, not asserted here: this must hold on a loaded machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow(seconds=118)  # the seconds of the loaded run of 7 December (tests/conftest.py)
@pytest.mark.timeout(900)
def test_short_soak_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    cmd = [
        sys.executable, str(ROOT / "bench" / "soak.py"), "--minutes", "1.2", "--feeds", "30",
        "--kills", "1", "--outage", "15", "--edits", "1", "--stories-per-minute", "14",
        "--drain", "600", "--request-timeout", "10", "--workdir", str(tmp_path / "soak"), "--json", str(report_path),
    ]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=840)
    summary = run.stdout + run.stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))

    assert report["stories"] >= 5, summary
    assert report["alerts_expected"] > 0, summary
    assert report["lost"] == 0, summary
    assert report["duplicates_outside_crash"] == 0, summary
    assert all(n <= 1 for n in report["duplicates_by_crash"].values()), summary
    assert report["delivered_once"] + sum(report["duplicates_by_crash"].values()) >= (
        report["alerts_expected"]
    ), summary
    assert report["irrelevant_alerts"] == 0, summary
    assert report["kills"] == 1 and report["restarts"] == 1, summary
    assert report["config_reloads"] >= 1, summary
    assert report["outbox"].get("open", 0) == 0, summary
    assert report["memory_peak_mb"] < 300, summary
    assert report["stop_status"] == 0, summary  # the last SIGTERM stopped it cleanly, not a kill
