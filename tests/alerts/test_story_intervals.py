"""Bootstrap intervals of the B-cubed figures, and the paired comparison of two runs."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from story_helpers import VIGIL_DAY, VIGIL_DAY_GROUPS, write_story_files

from monitor.story_eval import bcubed, pooled
from monitor.story_intervals import intervals, item_bcubed, paired

ROOT = Path(__file__).resolve().parents[2]


def _window(stories: int, split_every: int, prefix: str = "") -> tuple[dict[str, int], dict[str, int]]:
    """Readers' stories of two items each; the service splits every `split_every`-th story
    (0: none) and is otherwise right."""
    pred: dict[str, int] = {}
    gold: dict[str, int] = {}
    for s in range(stories):
        a, b = f"{prefix}{s}a", f"{prefix}{s}b"
        gold[a] = gold[b] = s
        pred[a] = 2 * s
        pred[b] = 2 * s + 1 if split_every and s % split_every == 0 else 2 * s
    return pred, gold


def test_the_items_values_average_to_the_window_figures() -> None:
    rng = random.Random(7)
    gold = {f"i{n}": rng.randrange(12) for n in range(60)}
    pred = {i: rng.randrange(9) for i in gold}
    values = item_bcubed(pred, gold)
    p, r = bcubed(pred, gold)
    assert sum(v[0] for v in values.values()) / len(values) == pytest.approx(p)
    assert sum(v[1] for v in values.values()) / len(values) == pytest.approx(r)


def test_the_interval_holds_the_pooled_figure_and_narrows_with_more_stories() -> None:
    few = [_window(20, 4)]
    many = [_window(20, 4, prefix=f"w{n}-") for n in range(10)]
    small, large = intervals(few), intervals(many)
    expected = pooled(few)
    assert small.recall.value == pytest.approx(expected.recall)
    assert small.precision.value == pytest.approx(expected.precision)
    assert small.recall.low < small.recall.value < small.recall.high
    assert small.alerts.value == pytest.approx(expected.alerts_per_story)  # 25 stories for 20
    assert small.alerts.low < small.alerts.value < small.alerts.high
    assert large.recall.high - large.recall.low < (small.recall.high - small.recall.low) / 2


def test_a_service_that_is_always_right_has_no_spread() -> None:
    result = intervals([_window(15, 0)])
    assert (result.recall.low, result.recall.high) == (1.0, 1.0)
    assert (result.precision.low, result.precision.high) == (1.0, 1.0)
    assert (result.alerts.low, result.alerts.high) == (1.0, 1.0)


def test_the_same_draws_give_the_same_interval() -> None:
    windows = [_window(30, 3)]
    assert intervals(windows, seed=3) == intervals(windows, seed=3)


def test_a_run_joining_many_splits_is_ahead_on_every_draw() -> None:
    before = [_window(40, 2, prefix=f"w{n}-") for n in range(3)]
    after = [_window(40, 8, prefix=f"w{n}-") for n in range(3)]
    diff = paired(before, after)
    assert diff.recall.value == pytest.approx(pooled(after).recall - pooled(before).recall)
    assert diff.recall.low > 0
    assert diff.recall_ahead == 1.0
    assert diff.precision.value == 0.0


def test_a_run_moving_one_item_is_within_the_noise() -> None:
    before = [_window(60, 6)]
    pred, gold = _window(60, 6)
    pred = dict(pred)
    pred["0b"] = pred["0a"]  # one split story joined: one story of sixty
    diff = paired(before, [(pred, gold)])
    assert diff.recall.value > 0
    assert diff.recall.low == 0.0  # most draws do not hold that story at all
    assert diff.recall_ahead < 0.8


def test_two_runs_scoring_different_items_are_not_compared() -> None:
    pred, gold = _window(10, 2)
    fewer = {i: s for i, s in pred.items() if i != "3a"}
    with pytest.raises(ValueError, match="different items"):
        paired([(pred, gold)], [(fewer, gold)])


def test_the_window_bench_compares_a_run_with_a_saved_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`bench/story_windows.py --save` then `--against`: nothing changed gives zero on every draw;
    a saved run that had split the vigil shows this run ahead on recall only."""
    sys.path.insert(0, str(ROOT / "bench"))
    import story_windows  # noqa: PLC0415

    groups, heads = write_story_files(tmp_path, VIGIL_DAY_GROUPS, VIGIL_DAY)
    saved = tmp_path / "run.json"
    base = ["--headlines", str(heads), "--shared-groups", str(groups), "--config", str(ROOT / "feeds.yaml")]
    assert story_windows.main([*base, "--intervals", "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "| measure only | 3 | 1.000 [1.000, 1.000] | 1.000 [1.000, 1.000] | 1.000 [1.000, 1.000] |" in out
    assert "| measure only, political_prisoners | 3 | 1.000 [1.000, 1.000] |" in out
    assert "| measure only, us_actions | 0 |" in out
    assert story_windows.main([*base, "--against", str(saved)]) == 0
    same = "| measure only | +0.000 [+0.000, +0.000], 0% / 0% | +0.000 [+0.000, +0.000], 0% / 0% |"
    assert same in capsys.readouterr().out  # every draw ties
    run = json.loads(saved.read_text())
    run["2026-03-02"]["v2"] = "elsewhere"
    saved.write_text(json.dumps(run))
    assert story_windows.main([*base, "--against", str(saved)]) == 0
    tuned = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("| measure only |"))
    # the vigil's two items were apart: precision the same (each alone was right), recall a third higher
    # (ahead on the draws that hold the vigil, behind on none)
    assert tuned.startswith("| measure only | +0.000 [+0.000, +0.000], 0% / 0% | +0.333 [")
    assert tuned.endswith("% / 0% |") and not tuned.endswith(" 0% / 0% |")


def test_two_runs_scored_against_different_groups_are_not_compared() -> None:
    """The second run is scored on the first run's readers' stories: other groups would be
    ignored without a word."""
    pred, gold = _window(10, 2)
    regrouped = {**gold, "3b": 99}
    with pytest.raises(ValueError, match="different readers' stories"):
        paired([(pred, gold)], [(pred, regrouped)])


def test_a_run_that_only_gains_is_never_behind() -> None:
    """A draw without the changed story ties: `ahead` alone would read as a weak gain."""
    before = [_window(60, 6)]
    pred, gold = _window(60, 6)
    diff = paired(before, [({**pred, "0b": pred["0a"]}, gold)])
    assert 0.5 < diff.recall_ahead < 0.8  # the share of draws that hold story 0
    assert diff.recall_behind == 0.0
    assert diff.precision_ahead == diff.precision_behind == 0.0


def _bench_files(tmp_path: Path) -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    groups, heads = write_story_files(tmp_path, VIGIL_DAY_GROUPS, VIGIL_DAY)
    return ["--headlines", str(heads), "--shared-groups", str(groups), "--config", str(ROOT / "feeds.yaml")]


def _without(run: dict[str, dict[str, str]], item: str) -> dict[str, dict[str, str]]:
    return {**run, "2026-03-02": {i: s for i, s in run["2026-03-02"].items() if i != item}}


@pytest.mark.parametrize(("change", "reason"), [
    (lambda run: {k: v for k, v in run.items() if k != "2026-03-02"},
     "has no window 2026-03-02: compare runs of the same labelled windows"),
    (lambda run: _without(run, "f1"), "window 2026-03-02 scored 2 items there, 3 here"),
    (lambda run: {**run, "2026-03-02": {**run["2026-03-02"], "w9999": "7"}},
     "window 2026-03-02 scored 4 items there, 3 here"),
])
def test_the_window_bench_refuses_a_saved_run_of_other_items_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, reason: str) -> None:
    """A run saved in another mode (--all-headlines scores fewer items) or of other windows."""
    import story_windows  # noqa: PLC0415

    base = _bench_files(tmp_path)
    saved = tmp_path / "run.json"
    assert story_windows.main([*base, "--save", str(saved)]) == 0
    saved.write_text(json.dumps(change(json.loads(saved.read_text()))))
    capsys.readouterr()
    assert story_windows.main([*base, "--against", str(saved)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"error: {saved}: {reason} (save and compare runs of one mode)"
                                if "items" in reason else f"error: {saved}: {reason}"]


@pytest.mark.parametrize(("text", "reason"), [
    (None, "No such file or directory"),
    ("not json", "invalid JSON: Expecting value (line 1, column 1)"),
    ("[1, 2]", "not a run saved with --save"),
    ('{"2026-03-02": ["v1"]}', "not a run saved with --save"),
])
def test_the_window_bench_reads_the_saved_run_before_replaying(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        text: str | None, reason: str) -> None:
    import story_windows  # noqa: PLC0415

    base = _bench_files(tmp_path)
    saved = tmp_path / "run.json"
    if text is not None:
        saved.write_text(text)
    monkeypatch.setattr(story_windows, "evaluate", lambda *a, **k: pytest.fail("replayed before reading"))
    assert story_windows.main([*base, "--against", str(saved)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {saved}: ") and reason in err[0], err


def test_saving_over_the_run_compared_against_compares_with_the_earlier_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--against run.json --save run.json` (compare, then keep this run) reads it first."""
    import story_windows  # noqa: PLC0415

    base = _bench_files(tmp_path)
    saved = tmp_path / "run.json"
    assert story_windows.main([*base, "--save", str(saved)]) == 0
    run = json.loads(saved.read_text())
    run["2026-03-02"]["v2"] = "elsewhere"
    saved.write_text(json.dumps(run))
    capsys.readouterr()
    assert story_windows.main([*base, "--against", str(saved), "--save", str(saved)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("| measure only |"))
    assert "+0.333 [" in line
    assert json.loads(saved.read_text())["2026-03-02"]["v2"] != "elsewhere"
