"""The files `monitor eval-stories` scores: readers' story groups and their headlines
(monitor/story_eval.py says what they hold).

Read apart from the scoring: `eval-stories` refuses a file it cannot read before it imports
the story assigner, the matcher and SQLAlchemy (0.7 s of CPU of each refusal).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.jsonlines import read_lines


@dataclass
class Window:
    days: list[str]
    stories: list[dict[str, Any]]  # {"story": str, "ids": [str, ...]}

    def gold(self) -> dict[str, int]:
        return {i: n for n, s in enumerate(self.stories) for i in s["ids"]}

    def duplicated(self) -> list[str]:
        """Ids listed in more than one story (or twice in one): gold() keeps the last."""
        seen = Counter(i for s in self.stories for i in s["ids"])
        return sorted(i for i, n in seen.items() if n > 1)


class StoryFileError(ValueError):
    """A groups or headlines file that cannot be scored; the message names the file."""


def load_groups(path: str | Path) -> list[Window]:
    """The windows of a groups file; StoryFileError (`FILE: reason`) when it is not one."""
    data = _json_file(path)
    windows = data.get("windows") if isinstance(data, dict) else None
    if not isinstance(windows, list):
        raise StoryFileError(f'{path}: expected {{"windows": [...]}}, got {_kind(data)}')
    if not windows:
        raise StoryFileError(f"{path}: no windows to score")
    out = []
    for k, w in enumerate(windows):
        where = f"{path}: windows[{k}]"
        if not isinstance(w, dict):
            raise StoryFileError(f"{where}: expected an object, got {_kind(w)}")
        days, stories = w.get("days"), w.get("stories")
        if not isinstance(days, list) or not days or not all(_iso_day(d) for d in days):
            raise StoryFileError(f"{where}.days: expected a list of ISO dates (YYYY-MM-DD), got "
                                 f"{json.dumps(days, ensure_ascii=False)[:60]}")
        if not isinstance(stories, list):
            raise StoryFileError(f"{where}.stories: expected a list, got {_kind(stories)}")
        for j, story in enumerate(stories):
            ids = story.get("ids") if isinstance(story, dict) else None
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise StoryFileError(f'{where}.stories[{j}]: expected {{"ids": ["headline id", ...]}}, '
                                     f"got {json.dumps(story, ensure_ascii=False)[:60]}")
        out.append(Window(days=list(days), stories=list(stories)))
    return out


def load_headlines(path: str | Path) -> dict[str, dict[str, Any]]:
    """Headlines by id; StoryFileError (`FILE: line N: reason`) on a line that is not one
    (not UTF-8, not a JSON object, no id, no ISO date)."""
    out: dict[str, dict[str, Any]] = {}
    try:
        with open(path, "rb") as fh:
            lines = list(read_lines(fh))
    except OSError as exc:
        raise StoryFileError(f"{path}: {exc.strerror or exc}") from None
    for line in lines:
        n, row = line.number, line.value
        if line.problem:
            raise StoryFileError(f"{path}: line {n}: {line.problem}")
        if not isinstance(row, dict):
            raise StoryFileError(f"{path}: line {n}: expected a JSON object, got {_kind(row)}")
        if not isinstance(row.get("id"), str | int) or isinstance(row.get("id"), bool):
            raise StoryFileError(f"{path}: line {n}: expected an \"id\" (a string), got {_kind(row.get('id'))}")
        if not _iso_time(row.get("date")):
            raise StoryFileError(f"{path}: line {n}: \"date\" {row.get('date')!r} is not an ISO date or time")
        out[str(row["id"])] = row
    return out


def _json_file(path: str | Path) -> Any:
    try:
        text = Path(path).read_bytes().decode("utf-8").removeprefix("\ufeff")
    except OSError as exc:
        raise StoryFileError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise StoryFileError(f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoryFileError(f"{path}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise StoryFileError(f"{path}: invalid JSON: nested too deeply") from None


def _kind(value: object) -> str:
    return "null" if value is None else {dict: "an object", list: "a list", str: "a string"}.get(
        type(value), type(value).__name__)


def _iso_day(value: object) -> bool:
    return isinstance(value, str) and len(value) == 10 and _iso_time(value)


def _iso_time(value: object) -> bool:
    """A `date` replay_times reads: a day, or a time (with or without its offset)."""
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
