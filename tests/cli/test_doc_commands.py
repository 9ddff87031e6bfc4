"""The `monitor` commands the docs show as an operator copies them: each `monitor COMMAND
[ACTION] --option` written in README.md and docs/*.md (not the history) names a command and an
option its parser has. Until 7 December 2026 nothing checked it; the benches' own commands are
checked in tests/test_bench_scripts.py."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from monitor.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# `monitor COMMAND [ACTION]` then the rest of the code span or line, up to a pipe, `;` or backtick
COMMAND = re.compile(r"\bmonitor (?:--\S+ \S+ )*([a-z][a-z-]*)(?: ([a-z]+))?([^`|;]*)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {name: sub for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for name, sub in action.choices.items()}


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


def mentions() -> list[tuple[str, str, str | None, list[str]]]:
    """(page:line, command, action, the options written after it) of each command written with
    options; prose such as "the monitor user" names no command."""
    commands = subparsers(build_parser())
    out = []
    for page in PAGES:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for match in COMMAND.finditer(line):
                written = OPTION.findall(match.group(3))
                if match.group(1) in commands and written:
                    out.append((f"{page.relative_to(ROOT)}:{number}", match.group(1), match.group(2), written))
    return out


def test_the_docs_name_monitor_commands_with_options() -> None:
    assert len(mentions()) >= 40


@pytest.mark.parametrize("where,command,action,written", [pytest.param(*m, id=m[0]) for m in mentions()])
def test_an_option_the_docs_give_a_command_is_its_own(where: str, command: str, action: str | None,
                                                      written: list[str]) -> None:
    parser = subparsers(build_parser())[command]
    parser = subparsers(parser).get(action or "", parser)  # `feeds add`, `people seed`
    unknown = [o for o in written if o not in options(parser)]
    assert not unknown, f"{where}: monitor {command} {action or ''}: no option {', '.join(unknown)}"
