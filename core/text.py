"""Normalization shared by rule terms and news text.

`fold()` applies, in order: HTML entity unescaping is left to the caller; Unicode
NFKC; the upper-case country code "US"/"U.S." becomes "u s" (so it does not collide
with the pronoun "us"); case folding; accents stripped (Tocorón = Tocoron, ñ = n).
`haystack()` then turns every run of non-letters/digits into one space and pads the
result with spaces, so a term " preso " can only match whole words.

Real feeds carry invisible characters inside words (a soft hyphen from `&shy;`, zero-width
joiners, a word joiner, a byte-order mark): `clean_field()` and `fold()` drop them, so
"Excarce\u00adlan" is still "excarcelan". A zero-width space is a word boundary (Unicode's word
segmentation, UAX #29, ignores the others inside a word but not it), and so are the Hangul
fillers used as blanks: between two letters they become a space, so "presos\u200bpolíticos" is
"presos políticos"; elsewhere they are dropped.
Quotation marks of every kind, emoji and section
words after a line break are punctuation or separate words and need nothing special.
"""

from __future__ import annotations

import html
import re
import unicodedata

from core.markup import strip_markup

# Upper-case "US", "U.S.", "U.S.A.", "USA" written as the country (case-sensitive).
_US = re.compile(r"(?<![\w.])(?:U\.S\.A\.?|U\.S\.?|USA|US)(?![\w])")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_NON_WORD = re.compile(r"[\W_]+")

_NOT_ASCII_OR_MARK = re.compile(r"[^\x00-\x7f\u0300-\u036f]")
# ASCII bytes that are not letters or digits become spaces (bytes.translate is fast).
_ASCII_SEP = bytes(c if chr(c).isalnum() else 32 for c in range(256))

# Format characters that may sit inside a word without being seen: soft hyphen, zero-width
# non-joiner / joiner, word joiner, byte-order mark (the zero-width space: _SEPARATORS). They
# are deleted, not spaced. And bidirectional controls (marks, embeddings, overrides, isolates), which spoof titles.
# A character class scans in C; `str.translate` with a dict cost a third of classify's time.
_INVISIBLE = re.compile("[\u00ad\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
# Invisible characters written for the space between two words: the zero-width space, and the
# Hangul fillers (letters to Unicode) that posts copied from social media use as blanks. Between
# two word characters they separate them ("presos\u200bpolíticos"): deleted, or kept as a
# letter, they joined the words into one no rule knows. Elsewhere they are dropped.
_SEPARATORS = "\u200b\u115f\u1160\u3164\uffa0"
_SEPARATOR = re.compile(f"[{_SEPARATORS}]")
_SEPARATOR_BETWEEN = re.compile(f"(?<=[^\\W{_SEPARATORS}]|[\u0300-\u036f])[{_SEPARATORS}]+(?=[^\\W{_SEPARATORS}])")


def _drop_invisible(value: str) -> str:
    """`value` without the invisible characters; an invisible separator between words a space."""
    if "\xad" not in value and _is_latin1(value):
        return value  # the soft hyphen is the only one in Latin-1 (most news): no scan
    value = _INVISIBLE.sub("", value)  # first: "presos\u200b\u00adpolíticos" is two words
    if _SEPARATOR.search(value):
        value = _SEPARATOR.sub("", _SEPARATOR_BETWEEN.sub(" ", value))
    return value


def _is_latin1(value: str) -> bool:
    """Whether every character of `value` is Latin-1 (a copy for the common case, no scan in Python)."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


# Month names and abbreviations in Spanish and English, by number (dates written in pages,
# and counts that must not read "3 de enero" as three people).
MONTHS: dict[str, int] = {
    name: i + 1
    for i, names in enumerate(
        [
            ("enero", "january", "jan", "ene"), ("febrero", "february", "feb"),
            ("marzo", "march", "mar"), ("abril", "april", "apr", "abr"), ("mayo", "may"),
            ("junio", "june", "jun"), ("julio", "july", "jul"),
            ("agosto", "august", "aug", "ago"),
            ("septiembre", "setiembre", "september", "sep", "sept", "set"),
            ("octubre", "october", "oct"), ("noviembre", "november", "nov"),
            ("diciembre", "december", "dec", "dic"),
        ]
    )
    for name in names
}
"""Month number by folded name: `MONTHS["septiembre"] == 9`."""

MAX_FIELD_CHARS = 200_000
"""Longer fields are cut: a 1 MB page body is classified on its first 200 000 characters."""


def strip_html(value: str) -> str:
    """Remove tags and decode entities if the text looks like HTML; cheap otherwise.

    Linear in the length of `value` whatever the markup (core/markup.py); every
    tag becomes a space. Only HTML elements are tags: the stored text a feed escaped may
    hold "<El Rodeo>".
    """
    if "<" in value:
        value = strip_markup(value, tag_sep=" ", known_only=True)
    if "&" in value:
        value = html.unescape(value)
    return value


def fold(value: str, *, country: bool = True, keep_case: bool = False) -> str:
    """The one accent fold of the product: invisible characters dropped, NFKC, case folded,
    accents removed (Tocorón = tocoron). Punctuation is kept.

    `country`: the upper-case country code US/U.S./USA becomes "u s" first (rules and the
    text they match; stories and summaries compare words and keep "us"). `keep_case`: case
    is left as written (the gazetteer's cased aliases, `Maduro` but not `maduro`).

    Text in Latin-1 (Spanish with its accents, ñ, ¿, «»: most news) is folded by one table
    lookup per byte, the table made by the Unicode way from each character (`_fold_unicode`)."""
    if not value:
        return ""
    if country and not keep_case and not value.isascii():
        data = _latin1_through(value, _LATIN1_FOLD_CHARS)
        if data is not None:
            return data.decode("latin-1")
    return _fold_unicode(value, country=country, keep_case=keep_case)


def _latin1_through(value: str, table: bytes) -> bytes | None:
    """`value` as Latin-1 bytes, the country code made "u s" first, each byte put through
    `table`; None when the text is not Latin-1 or a byte maps to 0 (the caller then takes the
    Unicode way)."""
    try:
        data = value.encode("latin-1")
    except UnicodeEncodeError:
        return None
    if b"US" in data or b"U.S" in data:
        data = _US.sub("u s", value).encode("latin-1")
    data = data.translate(table)
    return None if 0 in data else data


def _fold_unicode(value: str, *, country: bool = True, keep_case: bool = False) -> str:
    """`fold` by the Unicode normalizations, for any text."""
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", _drop_invisible(value))
    if country and ("US" in value or "U.S" in value):
        value = _US.sub("u s", value)
    if not keep_case:
        value = value.casefold()
    if not value.isascii():
        decomposed = unicodedata.normalize("NFD", value)
        if _NOT_ASCII_OR_MARK.search(decomposed) is None:  # Latin with accents: fast path
            return decomposed.encode("ascii", "ignore").decode("ascii")
        value = unicodedata.normalize("NFC", _COMBINING.sub("", decomposed))
    return value


def _latin1_fold_chars() -> bytes:
    """Byte b of a Latin-1 text -> what `fold` makes of it: one Latin-1 character, or 0 where it
    makes another number of characters or one outside Latin-1 (ß -> ss, µ -> μ, ¼, the soft
    hyphen deleted): the caller then takes the long way. The Unicode way folds Latin-1 text one
    character at a time (its characters' decompositions compose with nothing around them)."""
    table = bytearray()
    for b in range(256):
        folded = _fold_unicode(chr(b))
        table.append(ord(folded) if len(folded) == 1 and ord(folded) < 256 else 0)
    return bytes(table)


_LATIN1_FOLD_CHARS = _latin1_fold_chars()


def _latin1_fold_table() -> bytes:
    """Byte b of a Latin-1 text (before case folding) -> what `fold` then the word split make
    of it: a lower-case ASCII letter or digit, a space (punctuation), or 0 where a byte does
    not become one ASCII byte (ß -> ss, æ, µ -> μ, ¼): the caller then takes the long way."""
    table = bytearray(_ASCII_SEP[:128].lower())
    for b in range(128, 256):
        folded = fold(chr(b))
        if not any(ch.isalnum() for ch in folded):
            table.append(32)
        elif len(folded) == 1 and folded.isascii():
            table.append(ord(folded))
        else:
            table.append(0)
    return bytes(table)


_LATIN1_FOLD = _latin1_fold_table()
_SPACES = re.compile(b"  +")


def haystack(value: str) -> str:
    """Folded text as space-separated words with a space at both ends: ' presos politicos '.

    The same as `fold` then splitting on non-word characters; text in Latin-1 (ASCII, and
    Spanish with its accents, ñ, ¿ and ¡: most news) takes one table lookup per byte
    instead of the Unicode normalizations, with the same result."""
    if "\xad" not in value:  # a soft hyphen is deleted before "US" is looked for: long way
        data = _latin1_through(value, _LATIN1_FOLD)
        if data is not None:  # letters, digits and spaces: each run of spaces one, one at each end
            return _SPACES.sub(b" ", b" " + data + b" ").decode("ascii")
    folded = fold(value)
    if folded.isascii():
        words = b" ".join(folded.encode("ascii").translate(_ASCII_SEP).split()).decode("ascii")
    else:
        words = _NON_WORD.sub(" ", folded).strip()
    return f" {words} " if words else " "


def words(value: str) -> list[str]:
    """The normalized words of a text (the tokens rules are written against)."""
    return haystack(value).split()


def keeps_wording(title: str, before: str) -> bool:
    """Whether a retitle keeps at least half the words of the shorter title besides its
    figures ("Ascienden a 8 las excarcelaciones…" → "Ascienden a 16 las excarcelaciones…");
    another article under a reused GUID or link has few words in common."""
    a, b = ({w for w in words(t) if len(w) > 2 and not w.isdigit()} for t in (title, before))
    return bool(a and b) and len(a & b) >= min(len(a), len(b)) / 2


def clean_field(value: object) -> str:
    """A field of a news item as text: non-strings become '', HTML is removed, size capped."""
    if not isinstance(value, str) or not value:
        return ""
    if len(value) > MAX_FIELD_CHARS:
        value = value[:MAX_FIELD_CHARS]
    value = strip_html(value)
    if not value.isascii():
        value = _drop_invisible(value)
    return value


# Words an outlet appends to a title on a line of its own: its section ("…\nPOLÍTICA", "…\nEE UU").
SECTION_WORDS = frozenset({
    "politica", "venezuela", "mundo", "internacional", "internacionales", "nacionales", "economia",
    "sucesos", "eeuu", "ee", "uu", "opinion", "actualidad", "america", "latinoamerica",
})
LABEL_WORDS = 2  # "INMIGRACIÓN", "EE UU": a section is a word or two
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def without_section_label(title: str) -> str:
    """The title without the section labels an outlet appended on lines of their own (a
    known section word, or a short line in capitals under a title that is not): the title's
    own lines are kept as they are."""
    lines = [ln.strip() for ln in (title or "").splitlines() if ln.strip()]
    while len(lines) > 1 and _is_label(lines[-1], above=" ".join(lines[:-1])):
        lines.pop()
    return "\n".join(lines)


def _is_label(line: str, *, above: str) -> bool:
    words = _LETTER_RUN.findall(fold(line, country=False))
    if not words:
        return False  # "12.000", "—": not a section
    if all(w in SECTION_WORDS for w in words):
        return True
    return len(words) <= LABEL_WORDS and line.isupper() and not above.isupper()


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A number and its noun as a person writes them: "1 item", "3 items" (never "1 item(s)")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
