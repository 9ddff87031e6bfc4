"""`monitor eval-stories` on groups and headlines files an operator got wrong: real processes
on real files; a malformed file is one `error:` line with exit 2, and what the figures leave
out (ids the headlines lack, ids in two stories) is said in the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import ROOT, monitor

HEADLINES = [
    {"id": "h1", "lang": "es", "date": "2026-01-02", "outlet": "A",
     "title": "EEUU sanciona a la petrolera estatal de Venezuela", "topics": ["us_actions"]},
    {"id": "h2", "lang": "es", "date": "2026-01-02", "outlet": "B",
     "title": "Excarcelan a 20 presos políticos del Rodeo I", "topics": ["political_prisoners"]},
]
TWO_STORIES = '{"windows": [{"days": ["2026-01-02"], "stories": [{"ids": ["h1"]}, {"ids": ["h2"]}]}]}'


def files(tmp_path: Path, groups: str, headlines: bytes | None = None) -> list[str]:
    heads = tmp_path / "headlines_t.jsonl"
    heads.write_bytes(headlines if headlines is not None else
                      "".join(json.dumps(h, ensure_ascii=False) + "\n" for h in HEADLINES).encode())
    path = tmp_path / "groups.json"
    path.write_text(groups, encoding="utf-8")
    return ["eval-stories", str(path), "--headlines", str(heads)]


@pytest.mark.parametrize(("groups", "reason"), [
    ("not json", "invalid JSON: Expecting value (line 1, column 1)"),
    ("[]", 'expected {"windows": [...]}, got a list'),
    ('{"windows": []}', "no windows to score"),
    ('{"windows": [{"days": [], "stories": [{"ids": ["h1"]}]}]}',
     "windows[0].days: expected a list of ISO dates (YYYY-MM-DD), got []"),
    ('{"windows": [{"days": ["2026-01-02"], "stories": [{"story": "x"}]}]}',
     'windows[0].stories[0]: expected {"ids": ["headline id", ...]}, got {"story": "x"}'),
])
def test_a_malformed_groups_file_is_one_line_and_exit_2(tmp_path: Path, groups: str, reason: str) -> None:
    args = files(tmp_path, groups)
    result = monitor(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"error: {args[1]}: {reason}"


@pytest.mark.parametrize(("extra", "reason"), [
    (b"garbage\n", "line 3: invalid JSON: Expecting value"),
    (b'{"id": "h3", "title": "caf\xe9", "date": "2026-01-02"}\n', "line 3: not UTF-8 (byte 0xe9 at column 27)"),
    (b'{"id": "h3", "title": "x"}\n', "line 3: \"date\" None is not an ISO date or time"),
    (b"[1]\n", "line 3: expected a JSON object, got a list"),
])
def test_a_malformed_headlines_file_is_one_line_and_exit_2(tmp_path: Path, extra: bytes, reason: str) -> None:
    good = "".join(json.dumps(h, ensure_ascii=False) + "\n" for h in HEADLINES).encode()
    args = files(tmp_path, '{"windows": [{"days": ["2026-01-02"], "stories": [{"ids": ["h1"]}]}]}',
                 good + extra)
    result = monitor(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"error: {args[3]}: {reason}"


def test_unknown_and_duplicated_ids_are_named_in_the_report(tmp_path: Path) -> None:
    groups = {"windows": [
        {"days": ["2026-01-02"], "stories": [{"ids": ["h1", "h2"]}, {"ids": ["h2", "H9-typo"]}]},
        {"days": ["2026-01-03"], "stories": [{"ids": ["nope1"]}, {"ids": ["nope2"]}]},
    ]}
    result = monitor(*files(tmp_path, json.dumps(groups)))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "3 labelled ids not in the headlines, not scored: H9-typo, nope1, nope2" in lines
    assert ("window 2026-01-03..2026-01-03: none of its 2 labelled ids is in the headlines; "
            "its row is empty") in lines
    assert "window 2026-01-02..2026-01-02: ids listed in two stories (scored in the last): h2" in lines



def test_a_malformed_file_is_refused_before_the_assigner_is_imported(tmp_path: Path) -> None:
    """The files are read before the story assigner, the matcher and SQLAlchemy are imported
    (0.7 s of CPU): a typo is refused at once (the tests above run 9 such processes)."""
    args = files(tmp_path, "not json")
    code = ("import sys; from monitor.cli import main; code = main(sys.argv[1:]); "
            "print(code, sorted(m for m in ('sqlalchemy', 'alerts.stories.assign', 'monitor.match.engine') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == ["2", "[]"], result.stdout + result.stderr
    assert result.stderr.strip() == f"error: {args[1]}: invalid JSON: Expecting value (line 1, column 1)"


def test_intervals_need_neither_numpy_nor_scikit_learn(tmp_path: Path) -> None:
    """`eval-stories --intervals` runs on the service's install, which has neither (scikit-learn
    is the train extra; the test install has both, so only sys.modules tells)."""
    code = ("import sys; from monitor.cli import main; code = main(sys.argv[1:]); "
            "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'sklearn', 'scipy')))")
    result = subprocess.run([sys.executable, "-c", code, *files(tmp_path, TWO_STORIES), "--intervals"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "95 % intervals over the readers' stories" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 []"
