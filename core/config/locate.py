"""Where in the YAML a problem is (its path and line), and the words pydantic's errors become."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Annotated, Any, Union

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from core.config.errors import ConfigIssue, Loc, format_loc
from core.config.models import TOPIC_CHARS, AppConfig
from core.rule_packs import available_packs

# the last part of the place of a mapping's key in pydantic's errors
KEY = "[key]"


def _resolve(data: Any, loc: Loc) -> tuple[Loc, int | None]:
    """Follow `loc` through the YAML tree; return the path that exists and its line (1-based).

    Parts that are not in the data (pydantic's union tags, a missing key) are
    dropped, except a missing last key, which keeps its name and its parent's line.
    A key that came through a merge key (`<<: *defaults`) has no line of its own in
    this mapping: it gets the mapping's line, where `<<` pulls it in.
    """
    node, path, line = data, [], None
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        line = node.lc.line + 1
    for i, part in enumerate(loc):
        if isinstance(node, CommentedMap) and part in node:
            own = node.lc.data.get(part)  # absent for a merged key
            if own is not None:
                line = own[0] + 1
            elif node.lc.line is not None:
                line = node.lc.line + 1
            node = node[part]
            path.append(part)
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
            path.append(part)
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            path.append(part)
    return tuple(path), line


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else args[0]
        else:
            return tp


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
        elif origin is list:
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def error_message(error: dict[str, Any], loc: Loc) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        model = _model_at(AppConfig, loc[:-1])
        hint = ""
        if model is not None:
            close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
            if close:
                hint = f"; did you mean '{close[0]}'?"
            else:
                hint = f"; known keys: {', '.join(model.model_fields)}"
        return f"unknown key '{key}'{hint}"
    if kind == "missing":
        return no_topics() if loc == ("topics",) else "required key is missing"
    if loc[:1] == ("topics",) and loc[-1:] == (KEY,) and kind in ("string_too_long", "string_too_short"):
        return _topic_id_problem(str(error.get("input", "")), kind)
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if kind in ("literal_error", "enum"):
        got = error.get("input")
        return f"{msg} (got {got!r})"
    got = error.get("input")
    if got is None and kind in ("list_type", "dict_type", "model_type") and loc:
        # `feeds:` with every entry commented out: pydantic said "Input should be a valid list"
        if isinstance(loc[-1], int):
            return "an empty entry (a '-' with nothing after it): remove the line"
        shape = "[]" if kind == "list_type" else "{}"
        return f"nothing follows '{loc[-1]}:' (its entries commented out?): give them, or write {loc[-1]}: {shape}"
    if kind == "list_type" and isinstance(got, str | int | float) and not isinstance(got, bool) and loc:
        # `topics: us_actions`: pydantic said only "Input should be a valid list"
        shown = str(got) if re.fullmatch(r"[\w.+-]+", str(got)) else f'"{got}"'
        return f"a list is needed, even of one: write {loc[-1]}: [{shown}]"
    return msg


def no_topics() -> str:
    """A file that names no rule pack and writes no topics: pydantic's "required key is
    missing" at `topics` sent an operator writing feeds.yaml from the docs to write the rules."""
    packs = available_packs()
    return (f"no topics: write rules: [{packs[0] if packs else 'NAME'}] for the shipped rule pack's "
            f"(shipped packs: {', '.join(packs) or 'none'}), or topics of your own "
            "(docs/CONFIG.md, \"Rule packs\")")


def _topic_id_problem(topic: str, kind: str) -> str:
    """A topic id's length, said as one: pydantic said "String should have at most 100
    characters" at `topics.<id>.[key]`, naming neither the id nor why."""
    if kind == "string_too_short":
        return "a topic id is empty: give the topic a name"
    return (f"a topic id has at most {TOPIC_CHARS} characters (the database's columns that store it "
            f"are that long), not {len(topic)}: shorten it")


def issue_at(data: Any, loc: Loc, message: str, file: str | None = None) -> ConfigIssue:
    path, line = _resolve(data, loc)
    return ConfigIssue(format_loc(path) or "(top level)", line, message, file)
