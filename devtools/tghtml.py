"""A strict checker of Telegram's HTML parse mode (used by the Bot API emulator).

It accepts what https://core.telegram.org/bots/api#html-style documents and
rejects the rest the way the Bot API does ("can't parse entities: ..."),
returning the text as Telegram would show it. It is stricter than Telegram in
one place on purpose: a bare `&` or `>` is an error, so our escaping is tested
against the documented rule, not against the server's leniency.

`parse_entities` also returns the formatting entities (UTF-16 offsets, as the Bot API
gives them). Telegram keeps at most `MAX_ENTITIES` of a message and drops the rest
without an error: the text after the 100th tag shows unformatted, its links not linked.
A message whose entities carry too much data is refused instead ("ENTITIES_TOO_LONG"):
the Bot API does not document the bound; its maintainers put it near 9,500 characters of
markup for a text of links, so `too_long` refuses links of more than `LINK_DATA_MAX`
bytes together, a little under that.
"""

from __future__ import annotations

import re
from typing import Any

SIMPLE = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "pre"}
ALLOWED = SIMPLE | {"a", "code", "span", "blockquote"}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MAX_ENTITIES = 100
LINK_DATA_MAX = 8192  # bytes of link URLs in one message (see the module docstring)
KINDS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "pre": "pre", "code": "code", "a": "text_link", "blockquote": "blockquote",
}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)\s*>")
_ATTR = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


class TelegramHTMLError(ValueError):
    """The description Telegram would return, after "Bad Request: "."""


def _offset(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8"))


def _fail(text: str, i: int, what: str) -> TelegramHTMLError:
    return TelegramHTMLError(f"can't parse entities: {what} at byte offset {_offset(text, i)}")


def _decode(text: str, start: int, value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "&":
            m = _ENTITY.match(value, i)
            if not m:
                raise _fail(text, start + i, "Unsupported or unclosed HTML entity")
            if m.group(1):
                out.append(NAMED[m.group(1)])
            else:
                code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise _fail(text, start + i, "Invalid numeric HTML entity")
                out.append(chr(code))
            i = m.end()
        elif ch in "<>":
            raise _fail(text, start + i, f"Unexpected '{ch}'")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _attrs(text: str, pos: int, raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    i = 0
    while i < len(raw):
        if raw[i:].strip() == "":
            break
        m = _ATTR.match(raw, i)
        if not m or m.end() == i:
            raise _fail(text, pos, "Can't parse tag attributes")
        value = next((g for g in m.group(2, 3, 4) if g is not None), "")
        attrs[m.group(1).lower()] = _decode(text, pos, value)
        i = m.end()
    return attrs


def _check_start(text: str, pos: int, name: str, attrs: dict[str, str], stack: list[str]) -> None:
    if name not in ALLOWED:
        raise _fail(text, pos, f'Unsupported start tag "{name}"')
    if stack and stack[-1] == "code" or (stack and stack[-1] == "pre" and name != "code"):
        raise _fail(text, pos, f'Tag "{name}" can\'t be nested in "{stack[-1]}"')
    if name == "a":
        if "a" in stack:
            raise _fail(text, pos, "Nested links are not allowed")
        href = attrs.get("href", "").strip()
        if not href:
            raise _fail(text, pos, "Link without href")
        extra = set(attrs) - {"href"}
    elif name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise _fail(text, pos, 'Tag "span" must have class "tg-spoiler"')
        extra = set(attrs) - {"class"}
    elif name == "code":
        extra = set(attrs) - {"class"}
    elif name == "blockquote":
        extra = set(attrs) - {"expandable"}
        if "blockquote" in stack:
            raise _fail(text, pos, "Nested blockquotes are not allowed")
    else:
        extra = set(attrs)
    if extra:
        raise _fail(text, pos, f'Unsupported attribute "{sorted(extra)[0]}" in tag "{name}"')


def parse_html(text: str) -> str:
    """The text Telegram would show for `text` in HTML parse mode; raise TelegramHTMLError."""
    return parse_entities(text)[0]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def too_long(entities: list[dict[str, Any]]) -> bool:
    """Whether Telegram refuses these entities as ENTITIES_TOO_LONG (module docstring)."""
    return sum(len(e.get("url", "").encode()) for e in entities) > LINK_DATA_MAX


def parse_entities(text: str, limit: int | None = MAX_ENTITIES) -> tuple[str, list[dict[str, Any]]]:
    """(the text Telegram would show, its entities as the Bot API gives them: the first
    `limit` by offset); raise TelegramHTMLError."""
    out: list[str] = []
    units = 0  # of the text so far, in UTF-16 code units
    stack: list[str] = []
    opened: list[tuple[int, int, dict[str, str]]] = []  # (position in `text`, units, attributes)
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if not m:
                raise _fail(text, i, "Unclosed start tag")
            closing, name, raw = m.group(1) == "/", m.group(2).lower(), m.group(3) or ""
            if closing:
                entity = _close(text, i, name, raw, stack, opened, units)
                if entity is not None:
                    entities.append(entity)
            else:
                _open(text, i, name, raw, stack, opened, units)
            i = m.end()
            continue
        piece, i = _piece(text, i)
        out.append(piece)
        units += _units(piece)
    if stack:
        raise _fail(text, opened[-1][0], f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities[:limit]


def _open(
    text: str, i: int, name: str, raw: str, stack: list[str], opened: list[tuple[int, int, dict[str, str]]],
    units: int,
) -> None:
    """A start tag at `i`, checked, opened at `units`."""
    if raw.rstrip().endswith("/"):
        raise _fail(text, i, f'Unsupported self-closing tag "{name}"')
    attrs = _attrs(text, i, raw)
    _check_start(text, i, name, attrs, stack)
    stack.append(name)
    opened.append((i, units, attrs))


def _close(
    text: str, i: int, name: str, raw: str, stack: list[str], opened: list[tuple[int, int, dict[str, str]]],
    units: int,
) -> dict[str, Any] | None:
    """The end tag at `i` closes the last tag opened: its entity, or None when it holds no
    text (Telegram drops an empty entity)."""
    if raw.strip():
        raise _fail(text, i, "Unexpected text in end tag")
    if not stack:
        raise _fail(text, i, f'Unexpected end tag "{name}"')
    if stack[-1] != name:
        raise _fail(text, i, f'Unmatched end tag, expected "</{stack[-1]}>", found "</{name}>"')
    stack.pop()
    _, start, attrs = opened.pop()
    if units <= start:
        return None
    entity: dict[str, Any] = {"type": KINDS[name], "offset": start, "length": units - start}
    if name == "a":
        entity["url"] = attrs["href"].strip()
    return entity


def _piece(text: str, i: int) -> tuple[str, int]:
    """The text at `i` up to the next markup character, or the one entity there, decoded;
    and the position after it."""
    ch = text[i]
    if ch == ">":
        raise _fail(text, i, "Unexpected '>'; use &gt;")
    if ch == "&":
        m = _ENTITY.match(text, i)
        if not m:
            raise _fail(text, i, "Unsupported or unclosed HTML entity; use &amp;")
        return _decode(text, i, m.group(0)), m.end()
    j = i
    n = len(text)
    while j < n and text[j] not in "<>&":
        j += 1
    return text[i:j], j
