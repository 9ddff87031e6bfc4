"""HTML markup to text in linear time, and the field limits applied before any cleaning.

Regular expressions such as `<script\\b.*?</script>` or `<[a-z][^>]*>` are quadratic on
hostile input: every `<script>` of `"<script>" * N` scans to the end of the text looking
for a closing tag that is not there (64 KB took 4.8 s). `strip_markup` walks the text
once with `str.find`, and remembers the next `>`, `-->` and closing tag it found: a
search starts only past the last match, so the searched spans never overlap and the
whole walk is O(n) however the markup is written.

Field limits are in characters (Python `str` length, i.e. code points), applied to the raw
field, markup included, before anything else looks at it: title 1,000, summary 10,000,
text 200,000 (`cap`). A cut never leaves half a tag at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TITLE_CHARS = 1_000
SUMMARY_CHARS = 10_000
TEXT_CHARS = 200_000

MAX_TAG_CHARS = 4_000
"""A `<` whose `>` is further than this is text, not a tag (`a < b` in prose)."""

BLOCKS = ("script", "style", "noscript", "template", "iframe", "svg")
"""Elements whose content is never text: dropped with their content when closed."""

BREAKS = frozenset(
    {"br", "p", "div", "li", "tr", "td", "th", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
     "ul", "ol", "table", "section", "article", "header", "footer", "hr"}
)
"""Elements that separate words: replaced by a space even when other tags are removed."""

# The elements of HTML (obsolete ones included). Text a feed escaped, once decoded, may hold
# angle brackets that are no markup ("<<Queremos libertad>>", "el penal <El Rodeo>"): where
# `strip_markup` is asked for `known_only`, only these names (and namespaced or custom ones:
# "o:p", "amp-img") are tags.
_ELEMENT_NAMES = """
    a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big
    blink blockquote body br button canvas caption center cite code col colgroup data datalist dd
    del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame
    frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img input ins isindex kbd
    keygen label legend li link listing main map mark marquee math menu menuitem meta meter nav
    nobr noembed noframes noscript object ol optgroup option output p param picture plaintext pre
    progress q rb rp rt rtc ruby s samp script search section select slot small source spacer span
    strike strong style sub summary sup svg table tbody td template textarea tfoot th thead time
    title tr track tt u ul var video wbr xml xmp
"""
ELEMENTS = frozenset(_ELEMENT_NAMES.split())
# Attributes written without a value. A tag of an element's name whose other words are neither
# these nor `name=value` is text ("<<A la calle>>", "<Del Rodeo>"), where `known_only` applies.
_BOOLEAN_NAMES = """
    allowfullscreen async autofocus autoplay border checked compact contenteditable controls
    crossorigin default defer disabled download
    formnovalidate hidden inert ismap itemscope loop multiple muted nohref nomodule noresize
    noshade novalidate nowrap open playsinline readonly required reversed selected
"""
BOOLEAN_ATTRIBUTES = frozenset(_BOOLEAN_NAMES.split())

_NAME_END = re.compile(r"[\s/>]")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9:-]*")
_CLOSERS = {name: re.compile(rf"</{name}\s*>", re.I) for name in BLOCKS}
# A tag without attributes (`<p>`, `</b>`): most of a feed's markup, taken in one match. What
# it does is what the general walk does with such a tag; any other `<` goes that way.
_PLAIN_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)>")


def cap(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters, without a half tag at the end."""
    if len(value) <= limit:
        return value
    cut = value[:limit]
    lt = cut.rfind("<")
    if lt >= 0 and cut.rfind(">") < lt and limit - lt <= MAX_TAG_CHARS:
        cut = cut[:lt]
    return cut


class _Finder:
    """The first match at or after a position, searching each stretch of text once.

    Valid because positions only move forward: a search from `start` that found `pos`
    answers every later `start' <= pos`, and a search that found nothing answers all.
    """

    def __init__(self, search: Callable[[int], tuple[int, int]]) -> None:
        self._search = search
        self._from = -1
        self._hit: tuple[int, int] = (-1, -1)
        self.searches = 0  # how many times the text was actually scanned (tests read it)

    def __call__(self, start: int) -> tuple[int, int]:
        known = self._from >= 0 and start >= self._from
        if known and (self._hit[0] < 0 or self._hit[0] >= start):
            return self._hit
        self.searches += 1
        self._from, self._hit = start, self._search(start)
        return self._hit


def _literal(text: str, needle: str) -> _Finder:
    def search(start: int) -> tuple[int, int]:
        pos = text.find(needle, start)
        return (pos, pos + len(needle)) if pos >= 0 else (-1, -1)

    return _Finder(search)


def _pattern(text: str, pattern: re.Pattern[str]) -> _Finder:
    def search(start: int) -> tuple[int, int]:
        m = pattern.search(text, start)
        return (m.start(), m.end()) if m else (-1, -1)

    return _Finder(search)


class MarkupStats:
    """Work done by one `strip_markup` call: tags seen and text scans (for tests)."""

    def __init__(self) -> None:
        self.tags = 0
        self.scans = 0


def _attributes(text: str) -> bool:
    """Whether `text`, what follows a tag's name, reads as attributes: none, one with a value,
    or only names of attributes written without one."""
    words = text.replace("/", " ").split()
    return not words or "=" in text or all(
        w.lower() in BOOLEAN_ATTRIBUTES or w.lower().startswith(("data-", "aria-")) for w in words)


def strip_markup(
    value: str, *, tag_sep: str = "", known_only: bool = False, stats: MarkupStats | None = None
) -> str:
    """Text without tags, comments and script/style blocks, in one pass (entities are left).

    Inline tags become `tag_sep` ("" keeps `<b>Ex</b>carcelan` one word), word-separating
    tags (`BREAKS`) and dropped blocks a space. A `<` that does not start a tag closed
    within `MAX_TAG_CHARS`, and an unclosed comment's `<`, stay as text; a block without
    its closing tag loses only its opening tag. CDATA markers are removed, their content kept.
    `known_only` (text that was decoded, not markup): a tag must name an HTML element
    (`ELEMENTS`), or a namespaced or custom one, and what follows the name must read as
    attributes (`_attributes`); `<El Rodeo>` and `<<A la calle>>` stay as text.
    """
    if "<" not in value:
        return value
    out: list[str] = []
    gt = _literal(value, ">")
    comment_end = _literal(value, "-->")
    closers: dict[str, _Finder] = {}
    n = len(value)
    i = 0
    tags = 0
    cdata = False
    while i < n:
        j = value.find("<", i)
        if j < 0:
            out.append(value[i:])
            break
        out.append(value[i:j])
        plain = _PLAIN_TAG.match(value, j)
        if plain is not None and plain.end() - 1 - j <= MAX_TAG_CHARS:
            name = plain.group(2).lower()
            if name not in _CLOSERS and (not known_only or name in ELEMENTS):
                tags += 1
                i = plain.end()
                out.append(" " if name in BREAKS else tag_sep)
                continue
        if value.startswith("<!--", j):
            end = comment_end(j + 4)[1]
            if end < 0:  # unclosed: the `<` is text
                out.append("<")
                i = j + 1
                continue
            out.append(" ")
            i = end
            tags += 1
            continue
        if value.startswith("<![CDATA[", j):
            cdata = True
            i = j + 9
            continue
        end, name, closing = _tag(value, j, gt, known_only)
        if end < 0:  # no tag: the `<` is text
            out.append("<")
            i = j + 1
            continue
        tags += 1
        i = end + 1
        if not closing and name in _CLOSERS:
            i = _block_end(value, closers, name, i)
            out.append(" ")
        else:
            out.append(" " if name in BREAKS else tag_sep)
    text = "".join(out)
    if cdata and "]]>" in text:
        text = text.replace("]]>", "")
    if stats is not None:
        stats.tags += tags
        stats.scans += gt.searches + comment_end.searches + sum(f.searches for f in closers.values())
    return text


_NO_TAG = (-1, "", False)


def _tag(value: str, j: int, gt: _Finder, known_only: bool) -> tuple[int, str, bool]:
    """The tag that starts at `j` (any `<` but a comment's or CDATA's): where its `>` is, its
    element's name, whether it closes one; `_NO_TAG` when the `<` is text (no tag's start, no
    `>` within `MAX_TAG_CHARS`, or under `known_only` no element's name or no attributes)."""
    nxt = value[j + 1 : j + 2]
    if not (nxt.isascii() and (nxt.isalpha() or nxt in "/!?")):
        return _NO_TAG
    if known_only and nxt not in "!?" and not _element_named(value, j + (2 if nxt == "/" else 1)):
        return _NO_TAG
    end = gt(j + 1)[0]
    if end < 0 or end - j > MAX_TAG_CHARS:
        return _NO_TAG
    closing = nxt == "/"
    start = j + 2 if closing else j + 1
    m = _NAME_END.search(value, start, end + 1)
    name = value[start : m.start() if m else end].lower()
    if known_only and not closing and m and not _attributes(value[m.start():end]):
        return _NO_TAG
    return end, name, closing


def _element_named(value: str, start: int) -> bool:
    """Whether the name at `start` is an HTML element's, or a namespaced or custom one's."""
    m = _NAME.match(value, start)
    name = m.group(0).lower() if m else ""
    return name in ELEMENTS or ":" in name or "-" in name


def _block_end(value: str, closers: dict[str, _Finder], name: str, i: int) -> int:
    """Where a block (`BLOCKS`) opened before `i` ends: after its closing tag, or at `i` (only
    its opening tag dropped) when it has none."""
    finder = closers.get(name)
    if finder is None:
        finder = closers[name] = _pattern(value, _CLOSERS[name])
    close_end = finder(i)[1]
    return close_end if close_end >= 0 else i
