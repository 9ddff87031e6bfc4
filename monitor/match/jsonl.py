"""`monitor classify`: JSON lines in, one JSON line out per valid input line.

Invalid lines (not UTF-8, not JSON, not an object, wrong field types, a string that
cannot be written as UTF-8 such as the escape of a lone surrogate "\\ud800") are reported
on `errfile` as `line N: reason` and skipped; the others are still processed. Blank lines
are ignored, and so is a UTF-8 byte order mark at the start of the input. `lang` is read
without case and region ('EN', 'en-US' are 'en'); a language other than es and en is
reported (`line N: lang 'pt' not supported: read as unknown`) and the item classified as
one without a lang. The output is always valid UTF-8. Exit code: 0 when at least one line
was classified, or the input was empty; 1 when there were lines and none could be
classified (wrong input format).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from core.jsonlines import read_lines
from monitor.match.engine import Classifier

_TEXT_FIELDS = ("title", "summary", "text")
LANGUAGES = ("es", "en")


def _item_error(obj: object) -> str | None:
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    for key in _TEXT_FIELDS + ("lang",):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return f"field {key!r} must be a string, got {type(value).__name__}"
    for key in ("id",) + _TEXT_FIELDS + ("lang",):
        value = obj.get(key)
        if isinstance(value, str) and not _utf8_ok(value):
            return f"field {key!r} cannot be written as UTF-8 (a lone surrogate such as \\ud800)"
    return None


def _utf8_ok(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _id_text(value: object) -> str | None:
    """The output's id, a string: an id sent as another JSON value (7, true, {"k": 1}) is its
    JSON text ("7", "true", '{"k": 1}'); str() wrote Python's ("True", "{'k': 1}")."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def language(value: str | None) -> tuple[str | None, bool]:
    """(the language the classifier reads, True when `value` was understood): 'EN', ' En ',
    'en-US' and 'en_GB' are 'en'; a missing or blank lang and any other language are read
    as unknown (None), and only another language is not understood."""
    if value is None or not value.strip():
        return None, True
    primary = value.strip().lower().replace("_", "-").split("-")[0]
    return (primary, True) if primary in LANGUAGES else (None, False)


def classify_stream(
    classifier: Classifier, infile: IO[bytes] | IO[str] | Iterable[bytes | str], outfile: IO[str],
    errfile: IO[str], *, explain: bool = False,
) -> int:
    """Classify each line of `infile` (bytes, decoded as UTF-8 line by line, or text) and
    write one JSON line per item to `outfile`; every line written encodes as UTF-8."""
    rejected = done = 0
    for line in read_lines(infile):
        number, obj = line.number, line.value
        if line.problem:
            print(f"line {number}: {line.problem}", file=errfile)
            rejected += 1
            continue
        problem = _item_error(obj)
        if problem:
            print(f"line {number}: {problem}", file=errfile)
            rejected += 1
            continue
        lang, understood = language(obj.get("lang"))
        if not understood:  # still classified, as an item without a lang is
            print(f"line {number}: lang {obj['lang']!r} not supported: read as unknown", file=errfile)
        result = classifier.classify(
            title=obj.get("title") or "",
            summary=obj.get("summary") or "",
            text=obj.get("text") or "",
            lang=lang,
        )
        out = result.to_json(_id_text(obj.get("id")), rules=explain)
        if explain:  # beyond the README's classify keys, only on request
            out["explain"] = result.explain
            out["decided_by"] = result.decided_by
        text = json.dumps(out, ensure_ascii=False)
        if not _utf8_ok(text):  # an id nested in a list or object, a term echoed from the text
            print(f"line {number}: the result cannot be written as UTF-8 (a lone surrogate "
                  "such as \\ud800 in the input)", file=errfile)
            rejected += 1
            continue
        done += 1
        outfile.write(text + "\n")
    outfile.flush()
    return 1 if rejected and not done else 0
