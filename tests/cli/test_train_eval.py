"""`monitor train` and `monitor eval` through the command line, on real files and a real
SQLite database (operator feedback)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.match.learned import MODEL_PATH, load_model
from storage.db import open_database
from tests.match.labelled_small import items as small_items
from tests.match.model_files import assert_reproduced

ROOT = Path(__file__).resolve().parents[2]

REAL = ROOT.parent / "shared" / "real" / "headlines_es_2026-01.jsonl"
CONFIG = str(ROOT / "feeds.yaml")


@pytest.fixture(autouse=True, scope="module")
def _sklearn() -> None:
    """Every test here trains (skipped without scikit-learn); imported by the worker that runs
    them, not at collection by every pytest-xdist worker (a second of CPU each)."""
    pytest.importorskip("sklearn")


@pytest.fixture
def labelled_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder shaped like tests/data: one tuned set and one blind set (never trained on); the
    working directory one where the default ../shared/real is absent."""
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "data"
    d.mkdir()
    with (d / "labelled_small.jsonl").open("w", encoding="utf-8") as fh:
        for item in small_items():
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    # a blind set that, if it were read, would poison training: every label flipped
    with (d / "labelled_blind_poison.jsonl").open("w", encoding="utf-8") as fh:
        for item in small_items():
            flipped = [] if item["topics"] else ["political_prisoners", "us_actions"]
            fh.write(json.dumps({**item, "topics": flipped}, ensure_ascii=False) + "\n")
    return d


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def train_args(data: Path, out: Path, *extra: str) -> list[str]:
    return ["train", "--config", CONFIG, "--synthetic", str(data),
            "--out", str(out), "--keep", "2000", "--precision", "0.9", *extra]


def test_train_without_shared_writes_a_model_that_loads(
    capsys: pytest.CaptureFixture[str], labelled_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    out = tmp_path / "model.json"
    code, text = run(capsys, *train_args(labelled_dir, out))
    assert code == 0, text
    assert "real headlines: ../shared/real/headlines_es_2026-01.jsonl not found, skipped" in text
    assert f"synthetic sets: {len(small_items())} items from 1 files" in text  # the blind set left out
    assert "operator feedback: none (no --db or DATABASE_URL)" in text
    assert "| political_prisoners |" in text and "| us_actions |" in text
    model = load_model(out).model
    assert model is not None
    assert model.meta["sources"]["synthetic"]["files"] == ["labelled_small.jsonl"]
    assert "real" not in model.meta["sources"]
    pp = model.score("Excarcelan a presos políticos de La Pica")["political_prisoners"]
    assert pp > model.score("Lluvias dejan calles anegadas en Puerto Ordaz")["political_prisoners"]

    # reproducible: the same data and rules give the same bytes
    again = tmp_path / "again.json"
    assert run(capsys, *train_args(labelled_dir, again))[0] == 0
    assert again.read_bytes() == out.read_bytes()


def test_a_real_file_named_but_absent_stops_training(
    capsys: pytest.CaptureFixture[str], labelled_dir: Path, tmp_path: Path,
) -> None:
    """`make train` names ../shared's file: without it, nothing is trained or written (the
    shipped models were replaced by models trained without the real headlines, exit 0)."""
    out = tmp_path / "model.json"
    absent = str(tmp_path / "shared" / "headlines.jsonl")
    code, text = run(capsys, *train_args(labelled_dir, out), "--real", absent)
    assert code == 2
    assert text == f"error: {absent}: no such file\n"
    assert not out.exists()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "monitor train --real ../shared/real/headlines_es_2026-01.jsonl --until" in makefile


def test_train_reads_operator_feedback_from_the_database(
    capsys: pytest.CaptureFixture[str], labelled_dir: Path, tmp_path: Path,
) -> None:
    from storage.feedback import add_feedback

    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    db = open_database(url)
    with db.session() as session:
        add_feedback(session, kind="miss", item_id=None, url="https://example.org/a", operator="ana",
                     title="Trasladan a dirigente sindical a Rodeo I sin aviso a su familia",
                     summary="", topic="political_prisoners")
        add_feedback(session, kind="miss", item_id=None, url="https://example.org/b", operator="ana",
                     title="Washington evalúa un nuevo paquete de medidas contra Caracas",
                     summary="", topic="us_actions")
    db.dispose()
    out = tmp_path / "model.json"
    code, text = run(capsys, *train_args(labelled_dir, out), "--db", url)
    assert code == 0, text
    assert "operator feedback: 2 items" in text
    model = load_model(out).model
    assert model is not None and model.meta["sources"]["operator"] == {"items": 2}
    assert model.meta["trained_on"]["operator"] == {"items": 2, "political_prisoners": 1, "us_actions": 1}

    # eval: the feedback is its own source
    code, text = run(capsys, "eval", "--config", CONFIG, "--db", url, "--feedback", "--quiet",
                     "--model", str(out), str(labelled_dir / "labelled_small.jsonl"))
    assert code == 0, text
    assert "### operator (2 items)" in text and "### synthetic" in text and "### all" in text


def test_train_on_a_database_without_feedback_table_is_skipped_cleanly(
    capsys: pytest.CaptureFixture[str], labelled_dir: Path, tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x' / 'monitor.db'}"  # cannot be opened
    code, text = run(capsys, *train_args(labelled_dir, tmp_path / "m.json"), "--db", url)
    assert code == 0, text
    assert "operator feedback: none (" in text


def test_train_on_a_database_with_no_feedback_says_so(
    capsys: pytest.CaptureFixture[str], labelled_dir: Path, tmp_path: Path,
) -> None:
    """A database with no /miss or /wrong report yet: it said `operator feedback: none (None)`."""
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    open_database(url).dispose()
    code, text = run(capsys, *train_args(labelled_dir, tmp_path / "m.json"), "--db", url)
    assert code == 0, text
    assert "operator feedback: none (no /miss or /wrong report in the database)" in text


def test_eval_prints_one_table_per_label_source(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    path = tmp_path / "mixed.jsonl"
    rows = [
        {"id": "a", "title": "Excarcelan a 15 presos políticos del Rodeo I", "topics": ["political_prisoners"],
         "counts": [{"event": "released", "number": 15, "source": None}]},
        {"id": "b", "title": "Suben los precios de la harina en Caracas", "topics": []},
        {"id": "c", "title": "OFAC sanciona a funcionarios venezolanos", "topics": ["us_actions"],
         "label_source": "operator"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    code, text = run(capsys, "eval", "--config", CONFIG, "--no-model", str(path))
    assert code == 0, text
    assert text.startswith("mode: rules alone")
    assert "### synthetic (2 items)" in text and "### operator (1 items)" in text
    assert "### all (3 items)" in text
    assert "| political_prisoners | 1.000 | 1.000 |" in text

    code, text = run(capsys, "eval", "--config", CONFIG, "--no-rules", str(path))
    assert code == 0 and text.startswith(f"mode: model alone; model on ({MODEL_PATH})"), text

    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    code, text = run(capsys, "eval", "--config", CONFIG, "--model", str(bad), "--quiet", str(path))
    assert code == 0 and text.startswith("mode: rules alone; model off (model file"), text
    assert "is corrupt" in text
    code, text = run(capsys, "eval", "--config", CONFIG, "--model", str(bad), "--no-rules", str(path))
    assert code == 2


def test_eval_time_window_and_unsure(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "headlines_test.jsonl"  # named like the real file: source "real"
    rows = [
        {"id": "1", "date": "2026-01-03", "title": "Excarcelan a 15 presos políticos del Rodeo I",
         "topics": ["political_prisoners"]},
        {"id": "2", "date": "2026-01-25", "title": "Excarcelan a 20 presos políticos de Yare",
         "topics": ["political_prisoners"]},
        {"id": "3", "date": "2026-01-26", "title": "Algo dudoso", "topics": [], "unsure": True},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    code, text = run(capsys, "eval", "--config", CONFIG, "--since", "2026-01-22", "--skip-unsure",
                     "--quiet", str(path))
    assert code == 0 and "### real (1 items)" in text, text


@pytest.mark.slow(seconds=77)
@pytest.mark.timeout(600)  # a whole training run: 66 s on an idle 2-core host, past 120 s on a busy one
def test_make_train_reproduces_the_shipped_models(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`make train` (one `monitor train` run) writes both shipped models: the relevance model and,
    beside it, the counts model. One run checks both (two runs of the same training took 50 s
    each of the suite). Needs ../shared (the real headlines), the same scikit-learn and the rules
    they were trained on."""
    import sklearn

    from monitor.match.counts.model import COUNTS_MODEL_PATH
    from monitor.match.engine import rules_digest
    from monitor.match.evaluate import load_rules

    if not REAL.is_file():
        pytest.skip("../shared/real is absent")
    meta = load_model(MODEL_PATH).model.meta  # type: ignore[union-attr]
    counts_meta = json.loads(COUNTS_MODEL_PATH.read_text(encoding="utf-8"))["meta"]
    for m in (meta, counts_meta):
        if m["sklearn"] != sklearn.__version__:
            pytest.skip(f"model trained with scikit-learn {m['sklearn']}, here {sklearn.__version__}")
        if m["rules"] != rules_digest(*load_rules(CONFIG)):
            pytest.fail("feeds.yaml's rules changed since the models were trained: run `make train`")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "relevance.json"
    code, text = run(capsys, "train", "--config", CONFIG, "--until", meta["sources"]["real"]["until"],
                     "--out", str(out))
    assert code == 0, text
    assert_reproduced(out, MODEL_PATH)
    assert os.path.getsize(out) < 3_000_000
    assert_reproduced(tmp_path / "counts.json", COUNTS_MODEL_PATH)
