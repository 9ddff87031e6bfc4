"""The learned attachment step: the shipped counts model (plain JSON, scored without
scikit-learn) drops what it judges wrong and marks confident what it trusts; `monitor train`
reproduces the file byte for byte."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from core.count import Count
from monitor.match.counts import extract_counts, read_counts
from monitor.match.counts.model import (
    COUNTS_MODEL_PATH,
    FORMAT,
    CountModel,
    count_model,
    load_count_model,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "feeds.yaml"


def test_the_shipped_model_loads_and_keeps_a_plain_count_confident():
    model, problem = load_count_model(COUNTS_MODEL_PATH)
    assert problem is None and model is not None
    assert 0.0 < model.veto < model.confident < 1.0
    assert model.meta["sources"]["real"]["until"] <= "2026-01-21"  # the time split
    assert not any(f.startswith("labelled_blind") for f in model.meta["sources"]["synthetic"]["files"])
    counts = extract_counts(["Excarcelan a 15 presos políticos del Rodeo I", ""])
    assert [(c.event, c.number, c.confident) for c in counts] == [("released", 15, True)]


def test_judge_drops_below_veto_and_shows_only_above_confident():
    model = CountModel(weights={"rule=a": 3.0, "rule=b": 0.0, "rule=c": -3.0}, intercept=0.0,
                       veto=0.2, confident=0.9)
    read = [(Count("released", 1, rule="a"), ["rule=a"]), (Count("held", 2, rule="b"), ["rule=b"]),
            (Count("dead", 3, rule="c"), ["rule=c"])]
    kept = model.judge(read)
    assert [(c.number, c.confident) for c in kept] == [(1, True), (2, False)]
    assert model.probability(["rule=a", "rule=a"]) == pytest.approx(1 / (1 + math.exp(-3.0)))
    assert model.probability(["unknown feature"]) == 0.5


def test_a_count_not_confident_by_its_rule_stays_not_confident():
    model = CountModel(weights={}, intercept=5.0, veto=0.5, confident=0.9)
    [count] = model.judge([(Count("held", 7, confident=False), [])])
    assert count.confident is False


def test_scores_match_scikit_learn(tmp_path: Path):
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from monitor.match.counts.model_training import CountParams, count_rows, train_counts
    from monitor.match.evaluate import load_items, load_rules

    rules = load_rules(CONFIG)
    rows = count_rows(load_items(ROOT / "tests" / "data" / "labelled_dev7.jsonl"), rules, "synthetic")
    rows += count_rows(load_items(ROOT / "tests" / "data" / "labelled_dev8.jsonl"), rules, "synthetic")
    params = CountParams(min_count=1, folds=3)
    data = train_counts(rows, params)
    model = CountModel.from_dict(json.loads(json.dumps(data)))
    vocab = sorted({f for r in rows for f in r.features})
    x = np.array([[1.0 if f in r.features else 0.0 for f in vocab] for r in rows])
    lr = LogisticRegression(C=params.c, solver="liblinear", random_state=20260101)
    lr.fit(x, [int(r.right) for r in rows])
    expected = lr.predict_proba(x)[:, 1]
    got = [model.probability(r.features) for r in rows]
    assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) < 1e-5


@pytest.mark.parametrize(
    ("text", "problem"),
    [("{not json", "is corrupt"), (json.dumps({"format": "other"}), "is corrupt"),
     (json.dumps({"format": FORMAT, "version": 1, "weights": {"a": "x"}, "intercept": 0,
                  "veto": 0.5, "confident": 0.9}), "weight 'a' is not a finite number")],
)
def test_a_bad_model_file_is_refused_and_never_raises(tmp_path: Path, text: str, problem: str):
    path = tmp_path / "counts.json"
    path.write_text(text, encoding="utf-8")
    model, why = load_count_model(path)
    assert model is None and problem in (why or "")
    assert load_count_model(tmp_path / "absent.json") == (None, f"{tmp_path / 'absent.json'} is missing")


def test_off_means_the_rules_alone(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MONITOR_COUNTS_MODEL", "off")
    assert count_model() is None
    text = ["Foro Penal verificó 61 excarcelaciones; el Gobierno habla de 400", ""]
    assert [(c.event, c.number) for c in extract_counts(text)] == [
        (c.event, c.number) for c in read_counts(text)]


# That `monitor train` reproduces the shipped counts model is checked with the relevance model, by
# one training run: tests/cli/test_train_eval.py::test_make_train_reproduces_the_shipped_models.


def _lowest_reaching(scores: list[float], right: list[bool], target: float, e: float) -> float:
    """The definition, written plainly: the lowest score t whose precision (re-weighted to the
    error rate e) of the counts scored >= t reaches the target."""
    n_right, n_wrong = sum(right), len(right) - sum(right)
    best = 1.0
    for t in sorted(set(scores)):
        kr = sum(ok for s, ok in zip(scores, right, strict=True) if s >= t) / n_right
        kw = sum(not ok for s, ok in zip(scores, right, strict=True) if s >= t) / n_wrong
        if (1 - e) * kr / ((1 - e) * kr + e * kw) >= target:
            best = min(best, t)
    return best


def test_the_calibration_takes_the_lowest_score_reaching_the_target_then_bounds_it():
    pytest.importorskip("numpy")
    import random

    from monitor.match.counts.model_training import _threshold

    rnd = random.Random(7)
    right = [rnd.random() > 0.03 for _ in range(600)]
    scores = [round(min(0.999, max(0.0, rnd.gauss(0.93 if ok else 0.75, 0.08))), 3) for ok in right]
    plain, _, share = _threshold(scores, right, 0.97, 0.07)
    assert plain == pytest.approx(_lowest_reaching(scores, right, 0.97, 0.07), abs=1e-6)
    bounded, precision, bounded_share = _threshold(scores, right, 0.97, 0.07, bound=0.8)
    assert bounded >= plain and bounded_share <= share and precision >= 0.97
    # with half the wrong counts, the bound is wider: it asks for a higher score
    few = [(s, ok) for k, (s, ok) in enumerate(zip(scores, right, strict=True)) if ok or k % 2]
    few_bounded, _, _ = _threshold([s for s, _ in few], [ok for _, ok in few], 0.97, 0.07, bound=0.8)
    few_plain, _, _ = _threshold([s for s, _ in few], [ok for _, ok in few], 0.97, 0.07)
    assert few_bounded - few_plain >= bounded - plain - 1e-9


def test_the_shipped_calibration_says_how_it_was_chosen():
    cal = json.loads(COUNTS_MODEL_PATH.read_text(encoding="utf-8"))["meta"]["calibration"]
    model = json.loads(COUNTS_MODEL_PATH.read_text(encoding="utf-8"))
    assert cal["wrong_share_bound"] == 0.8 and cal["threshold_unbounded"] <= model["confident"]
    low, high = cal["threshold_p10_p90"]
    assert 0.5 <= low <= high < 1.0


def test_a_set_labelled_on_titles_only_trains_on_its_title_counts():
    """A writer who labelled only the titles' figures says nothing of the summaries': those
    counts are left out of training instead of being taught as wrong."""
    from monitor.match.counts.model_training import count_rows, titles_only
    from monitor.match.evaluate import load_rules

    def item(k: int, summary_count: bool) -> dict:
        return {"id": f"t{k}", "lang": "es", "title": f"Excarcelan a {20 + k} presos políticos",
                "summary": "Entre ellos hay 3 militares.", "topics": ["political_prisoners"],
                "counts": [{"event": "released", "number": 20 + k, "source": None}]
                + ([{"event": "released", "number": 3, "source": None}] if summary_count else [])}

    by_title = [item(k, False) for k in range(25)]
    both = [item(k, True) for k in range(25)]
    assert titles_only(by_title) and not titles_only(both)
    assert not titles_only(by_title[:5])  # too few counts to tell
    assert titles_only([{"title": "Mil doscientos presos políticos fueron liberados",
                         "counts": [{"event": "released", "number": 1200}]}], least=1)
    rules = load_rules(CONFIG)
    assert {r.features for r in count_rows(by_title, rules, "synthetic")} <= {
        r.features for r in count_rows(both, rules, "synthetic") if "field=0" in r.features}
    assert any("field=0" not in r.features for r in count_rows(both, rules, "synthetic"))
    assert all("field=0" in r.features for r in count_rows(by_title, rules, "synthetic"))


def test_an_item_off_the_topics_teaches_the_counts_model_nothing():
    """The rules found the item relevant but its writer did not: its counts are the relevance
    step's error, not a wrong reading, and are left out of the counts model's rows."""
    from monitor.match.counts.model_training import count_rows
    from monitor.match.evaluate import load_rules

    title = "Excarcelan a 20 presos políticos en Venezuela"
    on = {"id": "on", "lang": "es", "title": title, "summary": "", "topics": ["political_prisoners"],
          "counts": [{"event": "released", "number": 20, "source": None}]}
    off = {**on, "id": "off", "topics": [], "counts": []}
    rules = load_rules(CONFIG)
    [row] = count_rows([on], rules, "synthetic")
    assert row.right
    assert count_rows([off], rules, "synthetic") == []
