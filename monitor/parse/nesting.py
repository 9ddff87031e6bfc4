"""Markup left open hundreds deep, closed where it passes a depth (docs/INGESTION.md, "Hostile
markup").

libxml2 looks for each unmatched end tag through every open element (40,000 open `<div>` and
40,000 `</span>` took 5.3 s on the 2-core build machine, quadratically), so the page reader
(monitor/parse/page.py) stops at MAX_DEPTH open elements; the items after that point were lost.
A page cut there is read again with end tags written in where its nesting reaches `limit`: the
innermost open elements are closed down to `keep`, so what follows is read with its own nesting
intact (an item's `<article><h2><a>`), beside the nest instead of inside it. Browsers do much
the same: past 512 open elements they re-parent instead of nesting (Blink).

The open elements are counted as libxml2 keeps them, erring on more rather than fewer: every
start tag that is not void opens one (libxml2 closes some itself, `<p>` before `<div>`), an end
tag closes the nearest open element of its name unless one of a higher end priority is open
inside it (libxml2's htmlAutoCloseOnClose: `</b>` does not close across a `<div>`), comments and
a script's, a style's, a textarea's or a title's content are text. Linear: each tag is matched
once, each open element closed once. Where libxml2 still nests past MAX_DEPTH (its end tags
read otherwise: `ends=False` then), the page is cut there as before and the poll says what was
lost.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"  # a comment (unclosed: to the end, as the parser reads it)
    r"|<(script|style|textarea|title|iframe)\b[^<>]*>.*?(?:</\1\s*>|\Z)"  # text, not tags
    r"|<(/?)([A-Za-z][^\s/<>]*)[^<>]*?(/?)>",  # a start or end tag (`<a/>`: closed at once)
    re.IGNORECASE | re.DOTALL,
)
_VOID = frozenset((
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "isindex", "keygen", "link", "meta", "param", "source", "spacer", "track", "wbr",
))
_DOCUMENT = frozenset(("html", "head", "body"))  # one each, opened and closed by the parser itself
# libxml2's htmlEndPriority: an end tag closes nothing across an open element of a higher one
_END_PRIORITY = {"div": 150, "td": 160, "th": 160, "tr": 170, "thead": 180, "tbody": 180,
                 "tfoot": 180, "table": 190}
_DEFAULT_PRIORITY = 100


class _OpenElements:
    """The elements open at a point of the page, with where each name and each end priority
    is (indexes into the stack), so an end tag is matched without a walk through the stack."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._at: dict[str, list[int]] = {}
        self._above: dict[int, list[int]] = {p: [] for p in set(_END_PRIORITY.values())}

    def __len__(self) -> int:
        return len(self.names)

    def open(self, name: str) -> None:
        self._at.setdefault(name, []).append(len(self.names))
        if name in _END_PRIORITY:
            self._above[_END_PRIORITY[name]].append(len(self.names))
        self.names.append(name)

    def close_last(self) -> str:
        name = self.names.pop()
        self._at[name].pop()
        if name in _END_PRIORITY:
            self._above[_END_PRIORITY[name]].pop()
        return name

    def end(self, name: str) -> None:
        """An end tag: the nearest open `name` and all inside it closed, unless it is not open or
        an element of a higher end priority is open inside it (then the tag is ignored)."""
        at = self._at.get(name)
        if not at:
            return
        index, priority = at[-1], _END_PRIORITY.get(name, _DEFAULT_PRIORITY)
        if any(inside and inside[-1] > index for p, inside in self._above.items() if p > priority):
            return
        while len(self.names) > index:
            self.close_last()


def close_deep(text: str, *, limit: int, keep: int, ends: bool = True) -> tuple[str, int]:
    """`text` with end tags written in before each start tag that would open the `limit`+1-th
    element, closing the innermost down to `keep`; and how many it closed (0: `text` as given).
    `ends=False` counts start tags only, the page's end tags unread: more is closed than needed,
    and a nest no end tag undoes is closed whatever libxml2 made of those end tags (`</b>` after
    `<p><b><p><span>`: libxml2 had closed the `<b>` already and nests on)."""
    elements = _OpenElements()
    pieces: list[str] = []
    written = closed = 0
    for match in _MARKUP.finditer(text):
        name = match.group(3)
        if name is None:  # a comment, or an element of text
            continue
        name = name.lower()
        if name in _DOCUMENT:
            continue
        if match.group(2):
            if ends:
                elements.end(name)
            continue
        if match.group(4) or name in _VOID:
            continue
        if len(elements) >= limit:
            tags = [f"</{elements.close_last()}>" for _ in range(len(elements) - keep)]
            pieces += (text[written:match.start()], "".join(tags))
            written, closed = match.start(), closed + len(tags)
        elements.open(name)
    if not closed:
        return text, 0
    pieces.append(text[written:])
    return "".join(pieces), closed
