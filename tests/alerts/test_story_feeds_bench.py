"""`bench/story_feeds.py`: a window's headlines served as feeds on 127.0.0.1 to `monitor poll-once`,
the service's stories scored against the readers', with the pools' intervals."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from story_helpers import VIGIL_DAY, VIGIL_DAY_GROUPS, write_story_files

from monitor.story_eval import load_groups

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import story_feeds  # noqa: E402


def test_one_window_polled_over_http_is_scored_with_its_intervals(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    groups, heads = write_story_files(tmp_path, VIGIL_DAY_GROUPS, VIGIL_DAY)
    # the readers' window alone (not the January files of bench/data/stories/)
    monkeypatch.setattr(story_feeds, "labelled_windows", lambda path: [("2026-03-02", w) for w in load_groups(path)])
    assert story_feeds.main(["--headlines", str(heads), "--shared-groups", str(groups),
                             "--config", str(ROOT / "feeds.yaml"), "--intervals"]) == 0
    out = capsys.readouterr().out
    # the vigil's two tellings joined, the tally apart: every pair right
    assert "| 2026-03-02 (measure only) | 3 | 2 | 2 | 1.000 | 1.000 |" in out
    assert "| measure only | 3 | 1.000 [1.000, 1.000] | 1.000 [1.000, 1.000] | 1.000 [1.000, 1.000] |" in out
