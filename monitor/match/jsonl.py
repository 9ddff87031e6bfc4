"""`monitor classify`: JSON lines in, one JSON line out per valid input line.

Invalid lines (not JSON, not an object, wrong field types) are reported on `errfile`
as `line N: reason` and skipped; the others are still processed. Blank lines are
ignored. Exit code: 0 when at least one line was classified, or the input was
empty; 1 when there were lines and none could be classified (wrong input format).
"""

from __future__ import annotations

import json
from typing import IO

from monitor.match.engine import Classifier

_TEXT_FIELDS = ("title", "summary", "text")


def _item_error(obj: object) -> str | None:
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    for key in _TEXT_FIELDS + ("lang",):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return f"field {key!r} must be a string, got {type(value).__name__}"
    return None


def classify_stream(
    classifier: Classifier, infile: IO[str], outfile: IO[str], errfile: IO[str], *, explain: bool = False
) -> int:
    rejected = done = 0
    for number, line in enumerate(infile, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            print(f"line {number}: invalid JSON: {msg}", file=errfile)
            rejected += 1
            continue
        problem = _item_error(obj)
        if problem:
            print(f"line {number}: {problem}", file=errfile)
            rejected += 1
            continue
        result = classifier.classify(
            title=obj.get("title") or "",
            summary=obj.get("summary") or "",
            text=obj.get("text") or "",
            lang=obj.get("lang"),
        )
        item_id = obj.get("id")
        done += 1
        out = result.to_json(item_id if item_id is None else str(item_id), rules=explain)
        if explain:  # beyond the README's classify keys, only on request
            out["explain"] = result.explain
            out["decided_by"] = result.decided_by
        outfile.write(json.dumps(out, ensure_ascii=False) + "\n")
    outfile.flush()
    return 1 if rejected and not done else 0
