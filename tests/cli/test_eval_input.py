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


@pytest.mark.parametrize("command", ["eval", "train"])
@pytest.mark.parametrize(("option", "value"), [("--until", "2026-1-21"), ("--since", "yesterday")])
def test_a_date_that_is_not_iso_is_a_usage_error(tmp_path: Path, command: str, option: str, value: str) -> None:
    # train writes nothing of the package's even if the date were taken: its own --out, no data
    args = ["x.jsonl"] if command == "eval" else ["--no-real", "--no-synthetic", "--no-counts",
                                                  "--out", str(tmp_path / "m.json")]
    result = monitor(command, *args, "--config", CONFIG, option, value, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {option} {value!r} is not an ISO date (YYYY-MM-DD)"


def test_eval_compares_days_as_dates(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    rows = [{"id": str(day), "date": f"2026-01-{day:02d}", "title": "EEUU sanciona a Venezuela",
             "topics": ["us_actions"]} for day in (3, 21, 25)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = monitor("eval", "--config", CONFIG, "--no-model", "--quiet", "--until", "20260121", str(path))
    assert result.returncode == 0, result.stderr
    assert "(2 items)" in result.stdout  # the 25th is after the 21st, whatever the spelling


def test_eval_exits_1_when_a_file_has_no_item_it_can_score(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.jsonl", tmp_path / "good.jsonl"
    bad.write_bytes(b"not json\n" + b'{"title": 3}\n')
    good.write_text(json.dumps({"id": "1", "title": "EEUU sanciona a Venezuela", "lang": "es",
                                "topics": ["us_actions"]}) + "\n", encoding="utf-8")
    result = monitor("eval", "--config", CONFIG, "--no-model", str(bad), str(good))
    assert result.returncode == 1, result.stderr
    assert f"error: {bad}: no labelled item could be read" in result.stderr.splitlines()
    assert "(1 items)" in result.stdout  # the good file is still scored
    assert monitor("eval", "--config", CONFIG, "--no-model", str(good)).returncode == 0


def test_eval_reads_lang_as_classify_does(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    langs = ("en", "EN", " En ", "en-US", "en_GB", "pt")
    path.write_text("".join(json.dumps({"id": lang, "title": "Maduro says he will talk", "lang": lang,
                                        "topics": ["us_actions"]}) + "\n" for lang in langs),
                    encoding="utf-8")
    result = monitor("eval", "--config", CONFIG, str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"{path}: line 6: lang 'pt' not supported: read as unknown"]
    [us] = [row for row in result.stdout.splitlines() if row.startswith("| us_actions |")]
    assert us.split("|")[5:8] == [" 5 ", " 0 ", " 1 "]  # every English spelling found, as "en" is
