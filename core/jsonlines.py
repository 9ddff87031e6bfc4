"""JSON lines as the commands read them (`classify`, `eval`, `eval-stories`, `train`).

One reader so that every command takes the same files the same way: bytes are decoded
line by line as UTF-8 (a bad byte spoils its line, not the rest), a byte order mark on
the first line is ignored, blank lines are skipped, and a line that is not JSON says why
in the words every command prints (`line N: reason`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_BOM = "\ufeff"


@dataclass(frozen=True)
class Line:
    """A non-blank line: its number (from 1), its JSON value, or why it has none."""

    number: int
    value: object = None
    problem: str | None = None


def read_lines(source: Iterable[bytes | str]) -> Iterator[Line]:
    """Each non-blank line of `source` (bytes or text) parsed as JSON."""
    for number, raw in enumerate(source, start=1):
        try:
            text = raw if isinstance(raw, str) else raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Line(number, problem=f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} at column "
                                       f"{exc.start + 1})")
            continue
        if number == 1:
            text = text.removeprefix(_BOM)
        if not text.strip():
            continue
        try:
            yield Line(number, value=json.loads(text))
        except json.JSONDecodeError as exc:
            yield Line(number, problem=f"invalid JSON: {exc.msg}")
        except RecursionError:
            yield Line(number, problem="invalid JSON: nested too deeply")

