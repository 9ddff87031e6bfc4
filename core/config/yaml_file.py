"""Reading a config or rule-pack file: a regular UTF-8 file of bounded size, YAML whose
expansion is bounded (anchors), every key with its line."""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from core.config.errors import ConfigError, ConfigIssue

MAX_CONFIG_BYTES = 1_000_000
MAX_YAML_NODES = 200_000  # after aliases are expanded (the shipped file has about 6,000)
MAX_YAML_ALIASES = 1_000  # collections used again through an alias
MAX_YAML_DEPTH = 64


class _Located:
    """A scalar YAML reads but Python cannot hold (the date 2026-02-30, an integer of 5,000
    digits) is a YAML error at its line, not a ValueError from the loader."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except (ValueError, OverflowError) as exc:
            shown = str(node.value)[:40] + ("..." if len(str(node.value)) > 40 else "")
            raise ConstructorError(
                None, None, f"cannot read {shown}: {str(exc).split(';')[0]}; quote it to write it as text",
                node.start_mark,
            ) from None


    def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
        _hashable(key, key_node)
        return bool(super().check_mapping_key(node, key_node, mapping, key, value))  # type: ignore[misc]

    def check_set_key(self, node: Any, key_node: Any, setting: Any, key: Any) -> None:
        _hashable(key, key_node)
        super().check_set_key(node, key_node, setting, key)  # type: ignore[misc]


def _hashable(key: Any, key_node: Any) -> None:
    """A key YAML's `? ` wrote as a list or mapping holding a list: ruamel cannot hash it and
    raised TypeError (a traceback from check-config); a YAML error at the key's line instead."""
    try:
        hash(key)
    except TypeError:
        raise ConstructorError(
            None, None, "a key must be a single value, not a list or a mapping", key_node.start_mark,
        ) from None


class _RoundTrip(_Located, RoundTripConstructor):
    pass


class _Safe(_Located, SafeConstructor):
    pass


_RESERVED = re.compile(r"found character '([@`])' that cannot start any token")
_DUPLICATE = re.compile(r'found duplicate key "(.*?)" with value "', re.DOTALL)
_UNCLOSED = re.compile(r"expected ',' or '([\]}])'")
_OPENER = {"]": "'['", "}": "'{'"}


def _said_plainly(problem: str, text: str, mark: Any, exc: Any = None) -> str:
    """ruamel's words for an operator's commonest slips, which name no fix: a tab, a value
    begun with `@` unquoted (`chat_id: @presos`, YAML reserves `@` and backquote), a line
    indented off its block, a `: ` inside a plain value, a bracket or quote left open
    (`exc`: the error, whose context says where ruamel saw the block begin)."""
    if duplicate := _DUPLICATE.match(problem):
        # ruamel quoted both whole values: a section of hundreds of feeds on one line, and a
        # database_url's password shown by check-config
        key = duplicate[1] if len(duplicate[1]) <= 60 else duplicate[1][:60] + "..."
        return f"the key '{key}' is written twice in one mapping: keep one (merge the two)"
    if mark is None:
        return problem
    if "'\\t'" in problem:
        return (f"a tab at column {mark.column + 1}: YAML takes only spaces there (indentation "
                "included); replace the tab with spaces")
    if reserved := _RESERVED.search(problem):
        lines = text.splitlines()
        rest = lines[mark.line][mark.column:] if mark.line < len(lines) else ""
        value = re.split(r"[\s,\]}#]", rest, maxsplit=1)[0] or reserved[1]
        return f"a value beginning with {reserved[1]} must be quoted in YAML: write \"{value}\""
    return _layout_slip(problem, mark, exc) or problem


def _layout_slip(problem: str, mark: Any, exc: Any) -> str | None:
    """The fix for a line indented off its block, a plain value holding `: `, or a bracket or
    quote never closed: ruamel said `expected <block end>, but found '?'` or `mapping values
    are not allowed here`, parser words that name neither the cause nor the fix."""
    column = mark.column + 1
    if problem == "mapping values are not allowed here":
        return (f"a ': ' at column {column} where YAML expects none: quote a value that holds "
                "': ' (name: \"Caracas: hoy\"), or indent the line as the keys beside it, not deeper")
    opened = getattr(exc, "context_mark", None)
    if opened is None:
        return None
    in_list = getattr(exc, "context", None) == "while parsing a block collection"
    where = f"line {opened.line + 1}, column {opened.column + 1}"
    if in_list and problem == "expected <block end>, but found '?'":
        return (f"a key at column {column}, where the list begun at {where} has its '-': indent it as "
                "the keys of the item above it, or begin the line with '- '")
    if not in_list and problem == "expected <block end>, but found '-'":
        return (f"a '-' at column {column}, where the mapping begun at {where} has its keys: indent it "
                "as the '-' of the other items of its list")
    if problem.startswith("expected <block end>"):
        return (f"this line is indented to column {column}, off the block begun at {where}: "
                "indent it with as many spaces as the keys of its mapping (or the '-' of its list) above it")
    if bracket := _UNCLOSED.match(problem):
        return (f"the {_OPENER[bracket[1]]} opened at {where} is not closed: close it with {bracket[1]} "
                "(or separate its items with commas)")
    if problem == "found unexpected end of stream":
        return f"the quote opened at {where} is never closed: end the value with the same quote"
    return None


def load_yaml(text: str, path: str, *, fast: bool = False) -> Any:
    """The round-trip YAML tree of `text` (with lines), refused when it would expand too far.
    `fast`: plain data from the C loader, no lines (a shipped pack, read again with lines
    only when it holds an error)."""
    yaml = YAML(typ="safe", pure=False) if fast else YAML(typ="rt")
    yaml.Constructor = _Safe if fast else _RoundTrip
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = _said_plainly(exc.problem or exc.context or "invalid YAML", text, mark, exc)
        raise ConfigError(path, [ConfigIssue("(YAML syntax)", line, problem)]) from None
    except ReaderError as exc:
        raise ConfigError(path, [_unreadable_character(text, exc)]) from None
    except YAMLError as exc:
        raise ConfigError(path, [ConfigIssue("(YAML syntax)", None, str(exc))]) from None
    except RecursionError:
        problem = f"nested deeper than {MAX_YAML_DEPTH} levels"
        raise ConfigError(path, [ConfigIssue("(YAML)", None, problem)]) from None
    if data is None:
        raise ConfigError(path, [ConfigIssue("(top level)", None, "the file is empty")])
    problem = _expansion_problem(data)
    if problem:
        raise ConfigError(path, [ConfigIssue("(YAML)", None, problem)])
    return data


def _unreadable_character(text: str, exc: ReaderError) -> ConfigIssue:
    """A character YAML refuses anywhere (NUL, ESC, another control character) at its line:
    ruamel said `unacceptable character #x0000 … position 1` over two lines. A file cut short
    by a crash is often NUL bytes at its end, and a terminal's colour codes come with a paste."""
    position = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = exc.character if isinstance(exc.character, int) else 0
    why = " (a file cut short by a crash?)" if code == 0 else ""
    return ConfigIssue("(YAML syntax)", line, f"the control character U+{code:04X} at column {column} is not "
                       f"allowed in YAML{why}: remove it")


def _expansion_problem(data: Any) -> str | None:
    """Why the document is refused before it is expanded, or None.

    Anchors and aliases share one object per anchored collection, so loading stays
    small; expanding them (for validation) is what explodes ("billion laughs"). The
    expanded size is counted with one visit per distinct collection.
    """
    sizes: dict[int, int] = {}
    aliases = 0

    def size(node: Any, depth: int) -> int:
        nonlocal aliases
        if not isinstance(node, dict | list):
            return 1
        if depth > MAX_YAML_DEPTH:
            raise Refused(f"nested deeper than {MAX_YAML_DEPTH} levels")
        known = sizes.get(id(node))
        if known is not None:
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise Refused(f"more than {MAX_YAML_ALIASES} uses of anchors (aliases)")
            return known
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        total = 1
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_YAML_NODES:
                raise Refused(
                    f"expands to more than {MAX_YAML_NODES:,} values (anchors and aliases)"
                )
        sizes[id(node)] = total
        return total

    try:
        size(data, 0)
    except Refused as exc:
        return str(exc)
    return None


class Refused(Exception):
    pass


def plain_data(node: Any) -> Any:
    """ruamel's round-trip containers as plain dicts and lists (pydantic wants those)."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str | int) else k: plain_data(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain_data(v) for v in node]
    return node


def read_config_text(p: Path) -> str:
    """The text of a config file; a missing or unreadable file is a ConfigError."""
    try:
        return utf8_text(read_regular_file(p))
    except NotUtf8 as exc:
        raise ConfigError(str(p), [ConfigIssue("(encoding)", exc.line, exc.message)]) from None
    except FileNotFoundError:
        raise ConfigError(str(p), [ConfigIssue("", None, _not_found(p))]) from None
    except Refused as exc:
        raise ConfigError(str(p), [ConfigIssue("", None, str(exc))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(p), [ConfigIssue("", None, f"cannot read the file: {exc}")]) from None


def _not_found(p: Path) -> str:
    """`file not found`, with where it was looked for and how to name another: run from another
    directory, the default ./feeds.yaml is not the operator's, and the line said no more."""
    if " #" in str(p):  # systemd keeps a comment written after the value in an env file
        return "file not found (a comment after the value in an env file? put it on a line of its own)"
    if p.is_symlink():  # `ls` shows the file: "file not found" alone said nothing of the link
        return f"file not found: it is a symbolic link to {os.readlink(p)}, which does not exist"
    if str(p) != str(p).strip():  # `MONITOR_CONFIG=feeds.yaml ` in an env file, a pasted line break
        return (f"file not found: the name {str(p)!r} begins or ends with white space (a space or "
                "line break after the value of --config or $MONITOR_CONFIG?)")
    where = "" if p.is_absolute() else f"{p.absolute()}, "
    return (f"file not found ({where}the config named by --config PATH, else $MONITOR_CONFIG, "
            "else ./feeds.yaml in the working directory)")


class NotUtf8(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def utf8_text(data: bytes) -> str:
    """The text of a config or pack file, which must be UTF-8: another encoding (an editor's
    Latin-1 or UTF-16) is a NotUtf8 naming its first line that is not."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data):
        raise NotUtf8(1, "the file is UTF-16: save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NotUtf8(line, f"not UTF-8 (byte 0x{data[exc.start]:02x}): save the file as UTF-8") from None





def _utf16_without_bom(data: bytes) -> bool:
    """Text whose first characters are each an ASCII byte beside a NUL: UTF-16 saved without
    its byte order mark (YAML would name its first NUL a control character)."""
    even, odd = data[:8:2], data[1:8:2]
    return len(data) >= 8 and ((all(even) and not any(odd)) or (all(odd) and not any(even)))


def read_regular_file(p: Path) -> bytes:
    """The bytes of a regular file of at most MAX_CONFIG_BYTES. Opened without blocking
    (a FIFO would wait for a writer) and checked on the open descriptor."""
    fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise Refused(f"not a regular file ({kind})")
        if info.st_size > MAX_CONFIG_BYTES:
            raise Refused(f"larger than {MAX_CONFIG_BYTES:,} bytes")
        chunks, size = [], 0
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_CONFIG_BYTES:  # grew while being read
                raise Refused(f"larger than {MAX_CONFIG_BYTES:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)
