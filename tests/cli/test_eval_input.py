"""`monitor eval` and `monitor train` on labelled files an operator got wrong: real
processes, one line per problem, never a traceback or wrong figures without a word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import monitor

CONFIG = str(Path(__file__).resolve().parents[2] / "feeds.yaml")


def test_eval_reports_bad_lines_and_scores_the_others(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    rows = [
        {"id": "1", "title": "EEUU sanciona a Venezuela", "lang": "es", "topics": ["us_actions"]},
        {"id": "2", "title": "EEUU sanciona a Venezuela", "lang": "es", "topics": "us_actions"},
        {"id": "3", "title": "Una noticia de deportes", "topics": ["politcal_prisoners"]},
        {"id": "4", "title": None, "summary": "Foro Penal: 87 presos políticos excarcelados",
         "topics": []},
        {"id": "5", "title": "x", "counts": [{"event": "released", "number": "ochenta"}]},
    ]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_bytes(text.encode() + b"[1]\n" + b'{"id": "7", "title": "caf\xe9"}\n')
    result = monitor("eval", "--config", CONFIG, "--no-model", str(path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    err = result.stderr.splitlines()
    assert f"{path}: line 2: field 'topics' must be a list of topic ids, got \"us_actions\"" in err
    assert (f"{path}: line 3: unknown topic 'politcal_prisoners' (the config's: political_prisoners, "
            "us_actions); scored as no topic") in err
    assert f"{path}: line 5: counts[0]: number 'ochenta' is not a whole number" in err
    assert f"{path}: line 6: expected a JSON object, got list" in err
    assert f"{path}: line 7: not UTF-8 (byte 0xe9 at column 26)" in err
    assert "(3 items)" in result.stdout
    [us] = [row for row in result.stdout.splitlines() if row.startswith("| us_actions |")]
    assert us.split("|")[5:8] == [" 1 ", " 0 ", " 0 "]  # tp, fp, fn: the string label was not scored
    assert "FP political_prisoners  4: " in result.stdout


def test_train_on_a_missing_data_file_is_a_usage_error(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    result = monitor("train", "--config", CONFIG, "--no-real", "--no-synthetic",
                     "--data", "missing.jsonl", "--out", str(tmp_path / "m.json"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: missing.jsonl: no such file"
    assert not (tmp_path / "m.json").exists()
