"""Loading feeds.yaml under hostile input: anchors that expand without bound, files that
are not regular or too large. Each is refused fast, small, in one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from core.config import MAX_CONFIG_BYTES, ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]


def laughs(levels: int = 8, width: int = 10) -> str:
    """Nested anchors: `width ** (levels + 1)` values once expanded (10^9 by default)."""
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"settings: {{timezone: *a{levels}}}")
    return "\n".join(lines) + "\n"


def check_config(path: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "check-config", str(path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )


def test_nested_anchors_fail_fast_and_small() -> None:
    text = laughs()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ConfigError, match="expands to more than"):
            parse_config(text, "laughs.yaml")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5  # generous for a slow machine; it takes milliseconds
    assert peak < 50_000_000


def test_too_many_aliases_are_refused() -> None:
    text = "x: &x {a: 1}\nl: [" + ", ".join(["*x"] * 1_500) + "]\n"
    with pytest.raises(ConfigError, match="uses of anchors"):
        parse_config(text)


def test_deep_nesting_is_refused_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 20_000 + "]" * 20_000 + "\n")
    done = check_config(path)
    assert done.returncode == 2 and "nested deeper than" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_shipped_config_and_its_anchors_still_load() -> None:
    config = load_config(ROOT / "feeds.yaml")
    assert config.topics


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory", "too-large", "laughs"])
def test_check_config_refuses_in_one_line(kind: str, tmp_path: Path) -> None:
    if kind == "dev-zero":
        path: Path | str = "/dev/zero"
        if not os.path.exists(path):
            pytest.skip("no /dev/zero here")
        expected = "not a regular file"
    elif kind == "fifo":
        path = tmp_path / "feeds.yaml"
        os.mkfifo(path)
        expected = "not a regular file"
    elif kind == "directory":
        path = tmp_path
        expected = "not a regular file (a directory)"
    elif kind == "too-large":
        path = tmp_path / "feeds.yaml"
        path.write_text("# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))
        expected = "larger than 1,000,000 bytes"
    else:
        path = tmp_path / "feeds.yaml"
        path.write_text(laughs())
        expected = "expands to more than"
    started = time.perf_counter()
    done = check_config(path)
    assert time.perf_counter() - started < 30
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
    if kind != "laughs":
        assert done.stderr.strip().count("\n") == 0  # one line


@pytest.mark.parametrize(("value", "problem"), [
    ("2026-02-30", "day is out of range for month"),  # a date YAML reads, Python cannot hold
    ("9" * 5_000, "integer string conversion"),
])
def test_a_value_python_cannot_hold_is_refused_at_its_line(value: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(f"rules: [venezuela-2026]\nsettings:\n  retention: {value}\n")
    done = check_config(path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    [error] = done.stderr.splitlines()[1:]
    assert error.strip().startswith("(YAML syntax) (line 3): cannot read ")
    assert problem in error and "quote it" in error


@pytest.mark.parametrize("text", [
    "rules: [venezuela-2026]\nsettings:\n  ? [timezone, [x]]\n  : UTC\n",  # a list holding a list
    "rules: [venezuela-2026]\nsettings:\n  ? {timezone: [x]}\n  : UTC\n",  # a mapping holding a list
])
def test_a_key_that_is_a_list_or_a_mapping_is_refused_at_its_line(text: str) -> None:
    # YAML's `? ` writes any node as a key; ruamel could not hash these and raised TypeError:
    # check-config printed a traceback and exited 1
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    [issue] = caught.value.issues
    assert issue.line == 3 and "a key must be a single value" in issue.message


def test_an_unhashable_key_at_the_top_level_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("? - channels: [1]\n: x\n")
    done = check_config(path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    [error] = done.stderr.splitlines()[1:]
    assert error.strip().startswith("(YAML syntax) (line 1): a key must be a single value")


@pytest.mark.parametrize("where", ["feeds", "channels"])
def test_a_name_with_a_lone_surrogate_is_refused_at_its_line(where: str) -> None:
    # YAML's "\ud800" escape is half a character: the duplicate-name check let pydantic's
    # ValidationError out, and check-config printed a traceback and exited 1
    text = ("rules: [venezuela-2026]\nfeeds:\n  - name: \"\\ud800\"\n    url: https://a.example/feed\n"
            "    language: es\nchannels:\n  - name: \"\\ud800\"\n    chat_id: console\n"
            "    topics: [political_prisoners]\n")
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    line = 3 if where == "feeds" else 7
    assert any(i.location == f"{where}[0].name" and i.line == line and "unicode" in i.message
               for i in caught.value.issues), caught.value.issues
