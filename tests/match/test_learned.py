"""The learned second opinion: training, the file, exact scoring without sklearn, the decision."""

from __future__ import annotations

import json
import logging
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.rules import TopicRules
from monitor.match import build_classifier
from monitor.match.learned import (
    MODEL_PATH,
    RelevanceModel,
    default_model,
    features,
    load_model,
    model_text,
)
from monitor.match.training import (
    Params,
    calibrate,
    dumps,
    examples_from_items,
    export,
    fit_estimators,
    train,
    write,
)
from tests.match.labelled_small import items as small_items


@pytest.fixture(autouse=True, scope="module")
def sklearn() -> Any:
    """Every test here needs scikit-learn (skipped without it); imported by the worker that
    runs them, not at collection by every pytest-xdist worker (scikit-learn and SciPy: a
    second of CPU each)."""
    return pytest.importorskip("sklearn")

TOPICS = ["political_prisoners", "us_actions"]
SMALL = Params(keep=3000, min_df=1, folds=3, min_positives=5, precision=0.9)
RULES = (  # deliberately narrow rules, so the model has something to add
    {"political_prisoners": TopicRules(any=["presos politicos"], context=["venezuela", "caracas"]),
     "us_actions": TopicRules(any=["ofac"], context=["venezuela"])},
    [],
)
BAD_INPUT = [
    "EXCARCELAN A PRESOS POLÍTICOS DE EL HELICOIDE",
    "Excarcelan a presos políticos de «El Helicoide» 🙏\nPOLÍTICA",
    "“Liberan a detenidos políticos en Yare”   VENEZUELA",
    "El Pentágono despliega buques frente a Venezuela",
    "Suben los precios de la harina en Caracas",
    "",
    "🙂🙂🙂",
]


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = train(examples_from_items(small_items(), "synthetic"), TOPICS, RULES, params=SMALL)
    path = tmp_path_factory.mktemp("model") / "relevance.json"
    write(result.model, path)
    return path


def test_trained_file_loads_and_separates_its_classes(small_model: Path, sklearn: Any) -> None:
    loaded = load_model(small_model)
    assert loaded.problem is None and loaded.model is not None
    model = loaded.model
    # new fillings of the templates, never seen in training
    pp = model.score(model_text("Excarcelan a presos políticos de La Pica"))
    us = model.score(model_text("El Comando Sur renueva la licencia petrolera de Venezuela"))
    other = model.score(model_text("Lluvias dejan calles anegadas en Puerto Ordaz"))
    assert pp["political_prisoners"] > 0.5 > pp["us_actions"]
    assert us["us_actions"] > 0.5 > us["political_prisoners"]
    assert max(other.values()) < 0.5
    for name in TOPICS:
        assert 0.0 < model.threshold(name) <= 1.0
    meta = model.meta
    assert meta["sklearn"] == sklearn.__version__
    assert meta["trained_on"]["synthetic"]["items"] == len(small_items())
    assert meta["features"]["analyzer"].startswith("words1-2+charwb3-5")


def test_scorer_equals_sklearn_predict_proba() -> None:
    examples = examples_from_items(small_items(), "synthetic")
    texts = [e.text for e in examples]
    y = {t: [int(t in e.topics) for e in examples] for t in TOPICS}
    vec, lrs = fit_estimators(texts, y, None, SMALL)
    model = RelevanceModel.from_dict(json.loads(dumps(export(vec, lrs, dict.fromkeys(TOPICS, 0.5), {}))))
    probe = [model_text(t) for t in BAD_INPUT] + texts[::7] + [
        model_text("Detienen al periodista Luis Pérez", "Foro Penal denunció la detención en Caracas.")
    ]
    x = vec.transform(probe)
    for topic, lr in lrs.items():
        expected = lr.predict_proba(x)[:, 1]
        for text, want in zip(probe, expected, strict=True):
            assert abs(model.score(text)[topic] - want) < 1e-6, (topic, text)


def test_bad_input_changes_no_feature() -> None:
    plain = features("Excarcelan a presos políticos de El Helicoide")
    assert features("EXCARCELAN A «PRESOS» POLÍTICOS DE “EL HELICOIDE” 🙏") == plain
    assert features("Excarcelan a presos politicos de El Helicoide") == plain
    assert set(features("Excarcelan a presos políticos de El Helicoide\nPOLÍTICA")) >= set(plain)
    assert features("") == [] and features("🙂") == []
    assert "#<00" in features("Excarcelan a 87 presos") and "87" not in features("Excarcelan a 87 presos")


def test_calibration_takes_the_lowest_threshold_that_keeps_precision() -> None:
    scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    gold = [1, 1, 1, 1, 0, 1, 0]
    assert calibrate(scores, gold, 0.8)[0] == 0.5  # 5 of 6 right at 0.5
    assert calibrate(scores, gold, 0.9)[0] == 0.7
    assert calibrate(scores, gold, 1.0)[0] == 0.7
    assert calibrate([0.9, 0.8], [0, 0], 0.9)[0] == 1.0  # never reached: the model never decides


def test_shipped_file_is_json_only_small_and_loads() -> None:
    raw = MODEL_PATH.read_bytes()
    assert len(raw) < 3_000_000
    assert raw[:1] == b"{" and not raw.startswith(b"\x80")  # JSON, not a pickle stream

    def plain(value: object) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, str | int | float | bool)

    assert plain(json.loads(raw.decode("utf-8")))
    loaded = load_model(MODEL_PATH)
    assert loaded.model is not None, loaded.problem
    assert set(loaded.model.topics) == set(TOPICS)
    assert loaded.status["loaded"] is True


@pytest.mark.parametrize("content", [
    None,  # missing
    b"",
    b"{not json",
    b'{"format": "something else"}',
    pickle.dumps({"format": "venezuela-monitor/relevance", "version": 1}),
    b'{"format":"venezuela-monitor/relevance","version":1,"analyzer":"words1-2+charwb3-5/v1",'
    b'"vocabulary":["a","b"],"idf":[1.0],"topics":{}}',
    b'{"format":"venezuela-monitor/relevance","version":1,"analyzer":"words1-2+charwb3-5/v1",'
    b'"vocabulary":["a"],"idf":[NaN],"topics":{"us_actions":{"intercept":0,"threshold":0.5,"coef":[1]}}}',
    b"\xff\xfe\x00garbage",
])
def test_missing_or_corrupt_file_means_rules_alone(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "relevance.json"
    if content is not None:
        path.write_bytes(content)
    loaded = load_model(path)
    assert loaded.model is None and str(path) in (loaded.problem or "")
    assert loaded.status == {"loaded": False, "path": str(path), "problem": loaded.problem,
                             "mode": "rules only"}
    clf = build_classifier(*RULES, model=loaded.model)
    assert clf.classify("Excarcelan a 15 presos políticos en Venezuela").topics == ["political_prisoners"]


def test_default_model_warns_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("MONITOR_MODEL", str(tmp_path / "gone.json"))
    with caplog.at_level(logging.WARNING, logger="monitor.match.learned"):
        first = default_model()
        second = default_model()
    assert first is second and first.model is None
    warnings = [r for r in caplog.records if "rules alone" in r.getMessage()]
    assert len(warnings) == 1 and "gone.json" in warnings[0].getMessage()


def test_decision_explain_and_context(small_model: Path) -> None:
    model = load_model(small_model).model
    assert model is not None
    clf = build_classifier(*RULES, model=model)

    by_rules = clf.classify("Excarcelan a 15 presos políticos en Venezuela")
    assert by_rules.decided_by == {"political_prisoners": "rules"}
    assert by_rules.explain["political_prisoners"][0]["role"] == "any"

    # the rules are silent (no "presos políticos"), Venezuelan context is there: the model decides
    res = clf.classify("Detienen a la periodista Carla Ruiz en Caracas, denuncia Foro Penal")
    assert res.topics == ["political_prisoners"]
    assert res.decided_by == {"political_prisoners": "model"}
    first, *rest = res.explain["political_prisoners"]
    assert first["role"] == "model" and first["score"] >= first["threshold"]
    assert first["threshold"] == model.threshold("political_prisoners")
    assert {"term": "caracas", "field": "title", "role": "context"} in rest
    assert res.matches["political_prisoners"] == ["caracas"]
    assert res.urgency in {"normal", "high"}

    # the same wording without Venezuelan context: the model is not asked
    no_ctx = clf.classify("Detienen a la periodista Carla Ruiz en Lima, denuncia Foro Penal")
    assert no_ctx.topics == [] and no_ctx.scores == {}

    # a low score with context: asked, recorded, not matched
    low = clf.classify("Suben los precios de la harina en Caracas")
    assert low.topics == [] and low.scores["political_prisoners"] < model.threshold("political_prisoners")


def test_counts_apply_to_model_matches(small_model: Path) -> None:
    clf = build_classifier(*RULES, model=load_model(small_model).model)
    res = clf.classify("Excarcelan a 12 detenidos políticos de Tocorón en Caracas")
    assert res.decided_by.get("political_prisoners") == "model"
    assert {"event": "released", "number": 12} in [
        {"event": c.event, "number": c.number} for c in res.counts
    ]
    assert res.urgency == "high"


def test_scoring_needs_neither_sklearn_nor_numpy() -> None:
    code = (
        "import sys; from monitor.match.learned import load_model, model_text\n"
        "m = load_model().model\n"
        "print(round(m.score(model_text('Excarcelan a presos políticos en Caracas'))['political_prisoners'], 3))\n"
        "assert 'sklearn' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 0.5


def test_pipeline_loads_once_and_keeps_the_model_across_reloads(any_db, default_config) -> None:
    from monitor.pipeline import Pipeline

    loaded = load_model(MODEL_PATH)
    pipeline = Pipeline(default_config, any_db, model=loaded)
    assert pipeline.classifier.model is loaded.model
    pipeline.update_config(default_config)
    assert pipeline.model_load is loaded and pipeline.classifier.model is loaded.model

    broken = load_model(MODEL_PATH.with_name("absent.json"))
    rules_only = Pipeline(default_config, any_db, model=broken)
    assert rules_only.classifier.model is None
    res = rules_only.classifier.classify("Excarcelan a 15 presos políticos del Rodeo I")
    assert res.topics == ["political_prisoners"] and res.decided_by == {"political_prisoners": "rules"}
