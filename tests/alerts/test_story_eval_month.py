"""`bench/story_windows.py --month` and `--restarts`: every window's days in one replay, as a
service that has run all along sees them, and the matcher's index dropped before each new day,
as a service restarted daily rebuilds it from the database. A restart must change no story."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from story_helpers import write_story_files

import monitor.story_eval as story_eval
from core.config import load_config
from monitor.story_eval import evaluate, load_groups, load_headlines

ROOT = Path(__file__).resolve().parents[2]
PP, US = ["political_prisoners"], ["us_actions"]
HEADLINES = [  # id, date, outlet, title, labelled topics
    ("v1", "2026-03-02", "Diario 0", "Familiares de presos políticos mantienen vigilia frente a El Helicoide", PP),
    ("v2", "2026-03-02", "Diario 1", "Familiares de presos políticos cumplen vigilia frente a El Helicoide", PP),
    ("t1", "2026-03-02", "Diario 2", "EE. UU. incauta el petrolero «Aurora Bay» en el mar Caribe", US),
    ("v3", "2026-03-03", "Diario 2", "Familiares de presos políticos siguen en vigilia frente a El Helicoide", PP),
    ("t2", "2026-03-03", "Diario 0", "Estados Unidos confirma la incautación del petrolero «Aurora Bay»", US),
    ("f1", "2026-03-05", "Diario 1", "Foro Penal contabiliza 21 presos políticos excarcelados en Tocorón", PP),
    ("f2", "2026-03-05", "Diario 2", "Foro Penal suma 23 presos políticos excarcelados en Tocorón", PP),
    ("x1", "2026-03-05", "Diario 0", "Precio del dólar oficial sube en Venezuela", []),
]
GROUPS = {"windows": [
    {"days": ["2026-03-02", "2026-03-03"], "stories": [{"story": "vigil", "ids": ["v1", "v2", "v3"]},
                                                       {"story": "tanker", "ids": ["t1", "t2"]}]},
    {"days": ["2026-03-05"], "stories": [{"story": "tally", "ids": ["f1", "f2"]}]},
]}


@pytest.fixture
def windows_and_rows(tmp_path: Path) -> tuple[Any, Any]:
    groups, heads = write_story_files(tmp_path, GROUPS, HEADLINES)
    return load_groups(groups), load_headlines(heads)


@pytest.mark.parametrize("dates_only", [False, True])
def test_a_restart_each_day_changes_no_story(windows_and_rows: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch,
                                             dates_only: bool) -> None:
    windows, rows = windows_and_rows
    config = load_config(ROOT / "feeds.yaml")
    dropped: list[object] = []
    forget = story_eval.forget_index
    monkeypatch.setattr(story_eval, "forget_index", lambda session: (dropped.append(session), forget(session)))
    for month in (False, True):
        dropped.clear()
        running = evaluate(windows, rows, config, all_headlines=True, dates_only=dates_only, month=month)
        assert not dropped
        restarted = evaluate(windows, rows, config, all_headlines=True, dates_only=dates_only, month=month,
                             restarts=True)
        assert len(dropped) == (2 if month else 1)  # before each new day of a replay
        assert [r.pred for r in restarted] == [r.pred for r in running]


def test_the_month_scores_each_window_on_one_replay(windows_and_rows: tuple[Any, Any]) -> None:
    windows, rows = windows_and_rows
    config = load_config(ROOT / "feeds.yaml")
    month = evaluate(windows, rows, config, month=True)
    apart = evaluate(windows, rows, config, all_headlines=True)
    assert [set(r.pred) for r in month] == [set(r.pred) for r in apart] == [{"v1", "v2", "v3", "t1", "t2"}, {"f1", "f2"}]
    # one replay: story ids are the month's, so no two windows share one
    assert not set(month[0].pred.values()) & set(month[1].pred.values())
    assert len(set(month[0].pred.values())) >= 2  # the vigil and the tanker are apart
