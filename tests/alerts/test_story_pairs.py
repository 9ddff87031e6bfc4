"""The learned pair scorer: its JSON model, how the matcher uses it (only in the band under
the threshold, never against a conflict), and its training and calibration."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from story_helpers import NOW, PP, index_with
from story_helpers import feats as _feats

from alerts.stories.match import THRESHOLD
from alerts.stories.pairs import FEATURES, MODEL_FILE, PairModel, load_model, pair_vector


def _model(weight: float, threshold: float = 0.5) -> PairModel:
    # joins on text alone: p = sigmoid(weight · text - weight · 0.25)
    weights = tuple(weight if f == "text" else 0.0 for f in FEATURES)
    return PairModel(FEATURES, weights, -weight * 0.25, threshold, 0.25)


def test_the_shipped_model_file_is_valid_json_of_the_features() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and len(data["weights"]) == len(FEATURES)
    assert load_model() is None or data["enabled"]  # off unless it reached its precision


def test_a_model_marked_off_is_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps(_model(5.0).as_dict(enabled=False)), encoding="utf-8")
    assert load_model(path) is None
    path.write_text(json.dumps(_model(5.0).as_dict(enabled=True)), encoding="utf-8")
    model = load_model(path)
    assert model is not None and model.probability({"text": 0.9}) > 0.9 > model.probability({"text": 0.0})


def test_pair_vector_reads_the_signals_the_matcher_stores() -> None:
    signals = {"text": 0.5, "best_item": 0.6, "centroid": 0.3, "entities": ["a", "b", "c"], "tally": ["released 9"],
               "frame": {"classes": ["llega", "diplomat"]}, "evidence": 7, "events": ["llega"], "hours": 12.0,
               "topics": PP}
    v = dict(zip(FEATURES, pair_vector(signals), strict=True))
    assert v["entities"] == 2 and v["figure"] == 1 and v["frame_classes"] == 1 and v["frame_person"] == 0
    assert v["evidence"] == 4 and v["days"] == 0.5 and v["both_topics"] == 0


def test_the_model_decides_only_the_band_under_the_threshold() -> None:
    story = "Familiares de presos políticos protestan frente a la sede de la fiscalía en Caracas"
    later = NOW + timedelta(hours=14)  # past EVENT_HOURS: the shared kind of event adds nothing
    item = _feats(2, "Familias exigen en la fiscalía la libertad de los presos", later, outlet="feed:2")
    index = index_with(story)
    alone = index.decide(item, now=later, window=timedelta(hours=48))
    near = [r for r in alone.signals.get("nearest", []) if r["story"] == 1]
    assert alone.story_id is None and near and not near[0].get("conflicts")
    assert THRESHOLD - 0.1 <= near[0]["score"] < THRESHOLD  # in the band: the rules alone split it
    index.pairs = _model(40.0)
    learned = index.decide(item, now=later, window=timedelta(hours=48))
    assert learned.story_id == 1 and learned.signals["learned"] >= 0.5
    index.pairs = _model(40.0, threshold=0.999999)
    assert index.decide(item, now=later, window=timedelta(hours=48)).story_id is None


def test_the_model_never_overrides_a_conflict() -> None:
    index = index_with("Excarcelan al activista Anselmo Quintero Bravo tras dos años en El Helicoide")
    index.pairs = _model(40.0, threshold=0.01)
    other = _feats(2, "Excarcelan a la periodista Maribel Ochoa Rangel tras dos años en El Helicoide",
                   NOW + timedelta(hours=1), outlet="feed:2")
    decision = index.decide(other, now=NOW + timedelta(hours=1), window=timedelta(hours=48))
    assert decision.story_id is None and "people" in decision.signals["nearest"][0]["conflicts"]


def test_calibration_takes_the_lowest_probability_that_keeps_precision() -> None:
    from monitor.story_train import calibrate

    band = [(0.9, {"score": 0.35, "label": 1}), (0.8, {"score": 0.36, "label": 1}), (0.7, {"score": 0.33, "label": 1}),
            (0.6, {"score": 0.31, "label": 0}), (0.5, {"score": 0.32, "label": 0}),
            (0.95, {"score": 0.55, "label": 0})]  # above the threshold: not the model's band
    assert calibrate(band, 0.25, 0.9)[:2] == (0.7, 1.0)
    assert calibrate(band, 0.25, 0.99)[0] == 0.7
    assert calibrate([(0.9, {"score": 0.35, "label": 0})] * 4, 0.25, 0.9)[0] == 1.0  # none: off


def test_training_fits_a_logistic_regression_and_holds_windows_out() -> None:
    pytest.importorskip("sklearn")
    from monitor.story_train import train

    def pair(text: float, label: int, score: float) -> dict[str, object]:
        return {"text": text, "best_item": text, "centroid": text, "hours": 1.0, "score": score, "label": label}

    windows = [[pair(0.1 * k, int(k >= 5), 0.3 + 0.01 * k) for k in range(10)] for _ in range(3)]
    model, about = train(windows, floor=0.25, min_precision=0.9, c=1.0)
    assert model.weights[FEATURES.index("text")] > 0 and about["pairs"] == 30 and about["positives"] == 15
    assert model.threshold < 1.0 and about["held_out_precision"] >= 0.9


TRAINING_FILES = ("real/stories_2026-01.json",)
BENCH_FILES = ("jan-04-06_L1.json", "jan-14-16_L1.json", "jan-02-03_L3.json", "jan-17-18_L3.json",
               "jan-07_L4.json", "jan-11_L4.json", "jan-19-21_L2.json")


def test_the_shipped_model_is_retrained_byte_for_byte(shared_dir: Path, tmp_path: Path) -> None:
    """`make train-stories` on the training windows (12–13 January held out; the windows from
    22 January are never trained on) writes exactly the shipped file: the model is
    reproducible, and retrained whenever the matcher changes."""
    pytest.importorskip("sklearn")
    from monitor.story_train import main

    heads = shared_dir / "real" / "headlines_es_2026-01.jsonl"
    if not heads.is_file() or not (shared_dir / TRAINING_FILES[0]).is_file():
        pytest.skip("the shared January headlines and groups are not present")
    bench = Path(__file__).resolve().parents[2] / "bench" / "data" / "stories"
    groups = [str(shared_dir / f) for f in TRAINING_FILES] + [str(bench / f) for f in BENCH_FILES]
    out = tmp_path / "story_pairs.json"
    assert main([*groups, "--skip", "2026-01-12", "--headlines", str(heads),
                 "--out", str(out)]) == 0
    assert out.read_bytes() == MODEL_FILE.read_bytes()


def test_training_without_its_files_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`make train-stories` in a checkout without ../shared stopped with a traceback."""
    from monitor.story_train import main

    config = str(Path(__file__).resolve().parents[2] / "feeds.yaml")
    groups = tmp_path / "groups.json"
    groups.write_text('{"windows": []}', encoding="utf-8")
    heads = tmp_path / "shared" / "headlines.jsonl"
    out = tmp_path / "pairs.json"
    assert main([str(groups), "--headlines", str(heads), "--out", str(out), "--config", config]) == 2
    assert capsys.readouterr().err == f"error: {heads}: No such file or directory\n"
    heads.parent.mkdir()
    heads.write_text('{"id": "1", "date": "2026-01-02", "title": "x"}\n', encoding="utf-8")
    assert main([str(tmp_path / "absent.json"), "--headlines", str(heads), "--out", str(out),
                 "--config", config]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'absent.json'}: No such file or directory\n"
    assert main([str(groups), "--headlines", str(heads), "--out", str(out),
                 "--config", str(tmp_path / "feeds.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert not out.exists()
