"""`bench/story_readers.py`: readers scored against each other, and the service against each."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from story_helpers import VIGIL_DAY, VIGIL_DAY_GROUPS, write_story_files

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import story_readers  # noqa: E402

APART = {"labeller": "L9", "windows": [{"days": ["2026-03-02"], "stories": [
    {"story": "first night", "ids": ["v1"]}, {"story": "second night", "ids": ["v2"]}, {"story": "tally", "ids": ["f1"]}]}]}


def test_each_reading_is_scored_against_the_others_and_the_service_against_each(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    groups, heads = write_story_files(tmp_path, VIGIL_DAY_GROUPS, VIGIL_DAY)
    apart = tmp_path / "mar-02_L9.json"
    apart.write_text(json.dumps(APART))
    monkeypatch.setattr(story_readers, "reading_files", lambda: [apart])
    assert story_readers.main(["--headlines", str(heads), "--shared-groups", str(groups),
                               "--config", str(ROOT / "feeds.yaml")]) == 0
    out = capsys.readouterr().out
    # L9 keeps the vigil's two nights apart: right in all it joins, a third of the readers' pairs lost
    assert "| 03-02…03-02 | L9 | readers | 3 | 2 | 3 | 1.000 | 0.667 | 0.800 |" in out
    assert "| 03-02…03-02 | readers | L9 | 3 | 3 | 2 | 0.667 | 1.000 | 0.800 |" in out
    assert "| 03-02…03-02 | service | readers | 3 | 2 | 2 | 1.000 | 1.000 | 1.000 |" in out
    assert "| L9 | 1 | 0.667 [" in out


def test_every_reading_of_a_window_groups_the_same_headlines() -> None:
    """A reading that left out or added headlines would score the readers on different items."""
    shared = ROOT.parent / "shared/real/stories_2026-01.json"
    if not shared.is_file():
        pytest.skip("../shared/real is not here")
    found = story_readers.readings(str(shared))
    assert {days[0] for days in found} >= {"2026-01-08", "2026-01-12", "2026-01-14"}
    for by_reader in found.values():
        ids = [sorted(w.gold()) for w in by_reader.values()]
        assert all(x == ids[0] for x in ids)
        assert all(not w.duplicated() for w in by_reader.values())
