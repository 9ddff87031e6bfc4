"""Elements flooded with attributes, read without them (docs/INGESTION.md, "Hostile markup").

expat hands all of an element's attributes to Python in one call that holds the GIL (780,000 on
one element, 9.4 MB, stalled the event loop 0.75 s), and libxml2's HTML parser compares each
attribute with every one before it (40,000 on one element: 1.6 s). Before a document is parsed,
each tag long enough to hold more than a reader's limit has its attributes counted, and a tag over
the limit is written without them (`<div a0 a1 … >` becomes `<div>`). What a parser reads as text
is left alone: a script's `for (i = 0; i < n; …` is no tag, and cutting it to the next `>` took
the `</script` with it, the script then swallowing the article.
"""

from __future__ import annotations

import bisect
import re

_TAG_NAME = re.compile(rb"<[^\s/>]+")
_ATTRIBUTE = re.compile(rb"""[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
# what each kind of document reads as text, not tags
HTML_TEXT = re.compile(rb"<!--.*?(?:-->|$)|<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
XML_TEXT = re.compile(rb"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)", re.DOTALL)


def without_attribute_floods(body: bytes, *, most: int, scan_chars: int,
                             text: re.Pattern[bytes]) -> tuple[bytes, int]:
    """`body` with the attributes of elements of over `most` removed, and how many elements lost
    them. Only a tag of over `scan_chars` characters is counted (one that cannot hold `most`
    attributes costs nothing); linear, each long tag scanned once. `text`: what the document's
    parser reads as text (HTML_TEXT, XML_TEXT), where a `<` opens no tag."""
    long_tag = re.compile(rb"<[A-Za-z_][^<>]{%d}" % scan_chars)
    out: list[bytes] = []
    position = cut = 0
    spans: tuple[list[int], list[int]] | None = None
    for match in long_tag.finditer(body):
        end = body.find(b">", match.start())
        if end < 0:
            break
        name = _TAG_NAME.match(body, match.start())
        start = name.end() if name else match.start() + 1
        if len(_ATTRIBUTE.findall(body, start, end)) <= most:
            continue
        spans = spans or _spans(body, text)
        if _inside(match.start(), spans):
            continue
        out += [body[position:start], b"/" if body[end - 1:end] == b"/" else b""]
        position, cut = end, cut + 1
    if not cut:
        return body, 0
    out.append(body[position:])
    return b"".join(out), cut


def _spans(body: bytes, text: re.Pattern[bytes]) -> tuple[list[int], list[int]]:
    """The starts and ends of the parts of `body` its parser reads as text, with their delimiters."""
    starts: list[int] = []
    ends: list[int] = []
    for m in text.finditer(body):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def _inside(at: int, spans: tuple[list[int], list[int]]) -> bool:
    """Whether `at` is within one of `spans`, after its opening (a flooded `<script …>` itself is a tag)."""
    index = bisect.bisect_right(spans[0], at) - 1
    return index >= 0 and spans[0][index] < at < spans[1][index]
