"""An HTML document's bytes as text, by the charset it declares.

Apart from page.py, which needs BeautifulSoup: article text (monitor/ingest/article.py) decodes
pages too, and the service imports BeautifulSoup and soupsieve (a tenth of a second of each
start) only when it first reads a `page` feed.
"""

from __future__ import annotations

import codecs
import re


def _charset(headers: dict[str, str]) -> str | None:
    ctype = headers.get("content-type", "")
    for part in ctype.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip().strip("\"'")
    return None


_CHARSET_ATTR = re.compile(rb"""charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""")
HEAD_SCAN = 1_000_000
"""Bytes of a page searched for its `<meta>` charset: its head (to `</head>` or `<body`, at least
the first 4 KB), at most this far. Browsers honour a `<meta charset>` met as they parse the head,
after their 1,024-byte prescan too; a head of inline styles and scripts passes 4 KB."""
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _decode(body: bytes, charset: str | None) -> str:
    """The page as text: BOM, then UTF-8 when the bytes are UTF-8 beyond ASCII, then the
    declared charset (header, then meta) when the bytes really are in it, then UTF-8, then
    windows-1252. Text in windows-1252 or Latin-1 is almost never valid UTF-8 once it has an
    accent ("ó" is one byte, not followed by a continuation byte), while a site moved to UTF-8
    often keeps its old charset in the header or template: read as declared, "Excarcelación"
    was "ExcarcelaciÃ³n". Statistical guessing is wrong too often on short Spanish pages
    (Latin-1 read as cp852)."""
    boms = [enc for prefix, enc in _BOMS if body.startswith(prefix)]
    if not boms and not body.isascii() and (utf8 := _utf8(body)) is not None:
        return utf8
    candidates = boms + [charset, _meta_charset(body), "utf-8"]
    for encoding in candidates:
        if not encoding or (not boms and _wide(encoding) and b"\x00" not in body):
            continue  # UTF-16 or -32 declared for a page of ASCII bytes: a wrong declaration
        try:
            return body.decode(_whatwg(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("windows-1252", errors="replace")


def _meta_charset(body: bytes) -> str | None:
    """The charset the first `<meta>` of the page's head that names one declares
    (`<meta charset=…>`, `<meta http-equiv="Content-Type" content="…; charset=…">`). Each tag is
    found with `bytes.find`, not a regex over the rest of the page: linear, also on a head of
    unclosed `<meta`s."""
    lowered = body[:HEAD_SCAN].lower()
    ends = [at for at in (lowered.find(b"</head"), lowered.find(b"<body")) if at != -1]
    end = max(min(ends, default=len(lowered)), 4096)
    at = 0
    while (start := lowered.find(b"<meta", at, end)) != -1:
        close = lowered.find(b">", start, len(lowered))
        if close == -1:
            return None
        if found := _CHARSET_ATTR.search(lowered, start, close):
            return found.group(1).decode("ascii")
        at = close
    return None


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _wide(encoding: str) -> bool:
    """Whether `encoding` is UTF-16 or UTF-32, where ASCII markup takes NUL bytes."""
    try:
        return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False


def decode_html(body: bytes, headers: dict[str, str]) -> str:
    """An HTML document as text, by the charset it declares (see `_decode`)."""
    return _decode(body, _charset(headers))


def _whatwg(encoding: str) -> str:
    """The codec a browser uses for a declared charset: iso-8859-1 and us-ascii mean
    windows-1252 (WHATWG Encoding), whose 0x80-0x9F are the quotes, dashes, … and € Spanish
    pages use; Python's latin-1 reads them as control characters, later dropped."""
    return "cp1252" if codecs.lookup(encoding).name in ("iso8859-1", "ascii") else encoding
