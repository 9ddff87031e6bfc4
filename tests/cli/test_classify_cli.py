"""`monitor classify` on input an operator's pipeline really sends: bytes that are not
UTF-8, escapes of lone surrogates, a byte order mark, a closed stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SANCTION = {"title": "EEUU sanciona a Venezuela", "lang": "es"}


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MONITOR_CONFIG")}
    return {**env, **extra}


def classify(stdin: bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "monitor", "classify"], cwd=ROOT,
                          env=environment(**(env or {})), input=stdin, capture_output=True, timeout=60)


def line(item_id: str, **fields: str) -> bytes:
    return json.dumps({"id": item_id, **SANCTION, **fields}).encode() + b"\n"


def ids(result: subprocess.CompletedProcess[bytes]) -> list[str]:
    text = result.stdout.decode("utf-8")  # strict: the output is always valid UTF-8
    return [json.loads(row)["id"] for row in text.splitlines()]


def test_a_lone_surrogate_is_reported_and_the_stream_goes_on() -> None:
    result = classify(line("1") + b'{"id": "\\ud800", "title": "EEUU sanciona Venezuela"}\n' + line("3")
                      + b'{"id": "4", "title": "EEUU sanciona a \\udcff Venezuela"}\n' + line("5"))
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert ids(result) == ["1", "3", "5"]
    assert "line 2: field 'id' cannot be written as UTF-8" in err
    assert "line 4: field 'title' cannot be written as UTF-8" in err
    assert "Traceback" not in err


def test_a_line_that_is_not_utf8_is_reported_whatever_the_io_encoding() -> None:
    stdin = line("1") + b'{"id": "2", "title": "sanciones \xff a Venezuela"}\n' + line("3")
    for env in ({}, {"PYTHONIOENCODING": "utf-8"}, {"PYTHONIOENCODING": "latin-1"}, {"LC_ALL": "C"}):
        result = classify(stdin, env)
        err = result.stderr.decode()
        assert result.returncode == 0, (env, err)
        assert ids(result) == ["1", "3"], env
        assert b"\xff" not in result.stdout
        assert "line 2: not UTF-8 (byte 0xff at column 33)" in err, (env, err)
        assert "Traceback" not in err


def test_a_byte_order_mark_at_the_start_is_ignored() -> None:
    result = classify(b"\xef\xbb\xbf" + line("1") + line("2"))
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    assert ids(result) == ["1", "2"]
    assert json.loads(result.stdout.splitlines()[0])["topics"] == ["us_actions"]


def test_a_closed_stdout_is_one_line_and_exit_1() -> None:
    result = subprocess.run(["sh", "-c", f"exec '{sys.executable}' -m monitor classify >&-"], cwd=ROOT,
                            env=environment(), input=line("1"), capture_output=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.decode().strip() == (
        "error: stdout is closed: classify reads JSON lines on stdin and writes them on stdout")


def test_lang_is_read_without_case_or_region_and_another_language_is_reported() -> None:
    stdin = b"".join(json.dumps({"id": lang, "title": "Maduro says he will talk", "lang": lang}).encode()
                     + b"\n" for lang in ("en", "EN", " En ", "en-US", "en_GB", "pt", "ES"))
    result = classify(stdin)
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in map(json.loads, result.stdout.decode().splitlines())}
    assert len(rows) == 7  # every line classified, the Portuguese one too
    english = rows["en"]
    assert english["topics"] and english["entities"], english
    for lang in ("EN", " En ", "en-US", "en_GB"):
        assert {k: v for k, v in rows[lang].items() if k != "id"} == \
            {k: v for k, v in english.items() if k != "id"}, lang
    assert rows["pt"]["entities"] == rows["ES"]["entities"] == []
    assert result.stderr.decode().splitlines() == ["line 6: lang 'pt' not supported: read as unknown"]


def test_an_id_that_is_not_a_string_comes_back_as_its_json_text() -> None:
    """The output's id is a string (DESIGN.md); one sent as another JSON value comes back as
    that value's JSON text, never as Python's: `true` was "True", {"k": 1} was "{'k': 1}"."""
    sent = [7, 1.5, True, False, {"k": 1, "j": "ó"}, [1, "a"], None, "7"]
    stdin = b"".join(json.dumps({"id": value, **SANCTION}).encode() + b"\n" for value in sent)
    result = classify(stdin)
    assert result.returncode == 0, result.stderr
    assert ids(result) == ["7", "1.5", "true", "false", '{"k": 1, "j": "ó"}', '[1, "a"]', None, "7"]
