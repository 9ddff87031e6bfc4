"""Numbers in tokens: digits with either thousands separator and number words."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from core.text import MONTHS, fold
from monitor.match.counts.lexicon import EVENT_NOUN, PEOPLE, QUALIFIER

# -- number words -----------------------------------------------------------------
_ES_UNITS = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19,
    "veinte": 20, "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidos": 22,
    "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40,
    "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
}


_ES_HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
    "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500,
    "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
    "novecientas": 900,
}


_EN_UNITS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}


ONE = {"un", "una", "uno", "one", "a", "an"}


SMALL = {**_ES_UNITS, **_EN_UNITS}


# collective numerals: "un centenar", "medio centenar", "un millar"; "a dozen" / "una docena"
# is 12 (a count only next to an event: quantities.vague_dozen)
_COLLECTIVE = {"centenar": 100, "millar": 1000}
DOZEN = {"a": "dozen", "una": "docena"}
_HALF_DOZEN = {"half": ("a", "dozen"), "media": ("docena",)}  # 6, never "a dozen" (12)


def dozen_end(tokens: Sequence[str], i: int) -> int | None:
    """The index after "a dozen" / "una docena" / "half a dozen" / "media docena" at tokens[i]."""
    tok = tokens[i]
    if i + 1 < len(tokens) and DOZEN.get(tok) == tokens[i + 1]:
        return i + 2
    half = _HALF_DOZEN.get(tok)
    if half is not None and tuple(tokens[i + 1:i + 1 + len(half)]) == half:
        return i + 1 + len(half)
    return None


_COLLECTIVE_LEAD = {"un", "medio"}


NUMBER_WORDS = set(SMALL) | set(_ES_HUNDREDS) | {"hundred", "thousand", "mil"} | {"one"}


TOKEN = re.compile(
    r"\d{1,3}(?:[.,\u066c]\d{3})+(?![.,\u066b\u066c/\u2044]?\d)"  # 1.200 / 1,200 / 10.000
    # 3.5, 1.2.3, 1,,200, 1/2, 12/01/2026: one token, never a count (see parse_number)
    r"|\d+(?:[.,\u066b\u066c/\u2044]+\d+)+"
    r"|\d+"  # 87
    r"|[^\W\d_]+"  # words
    r"|[%$€:]"
    r"|(?<=\d),(?=\s)"  # "to at least 105, officials said": the noun is not the number's
)


def tokens_of(text: str) -> Iterator[tuple[str, tuple[int, int]]]:
    r"""TOKEN's tokens and spans, a word's letters only: `[^\W\d_]` also takes the digits that
    int() cannot read ("➋", "፪", "⓵": str.isdigit is true, they are no decimal digit) and the
    count rules, which read a token that starts with a digit as a number, raised on them."""
    for m in TOKEN.finditer(text):
        tok = m.group()
        if tok.isalpha() or tok[0].isdecimal() or not tok[0].isalnum():
            yield tok, m.span()
            continue
        start = None  # a word holding such digits: each run of letters, the digits dropped
        for k, ch in enumerate(tok, m.start()):
            if ch.isalpha():
                start = k if start is None else start
            elif start is not None:
                yield text[start:k], (start, k)
                start = None
        if start is not None:
            yield text[start:m.end()], (start, m.end())


def token_list(text: str) -> list[str]:
    return [tok for tok, _ in tokens_of(text)]


_THOUSANDS = re.compile(r"\d{1,3}(?:[.,\u066c]\d{3})+")
_SEPARATORS = re.compile(r"[.,\u066c]")
_MAX_DIGITS = 9  # a count of people has fewer digits; 10^30 is an error in the text


_ORG = "<org>"


class Sentence:
    __slots__ = ("text", "tokens", "spans")

    def __init__(self, text: str, orgs: Sequence[tuple[str, ...]] = ()) -> None:
        self.text = text
        self.tokens: list[str] = []
        self.spans: list[tuple[int, int]] = []
        for tok, span in tokens_of(text):
            self.tokens.append(tok)
            self.spans.append(span)
        for name in orgs:  # "Three Vente Venezuela activists": the name is one modifier
            n = len(name)
            k = 0
            while k + n <= len(self.tokens):
                if tuple(self.tokens[k:k + n]) == name:
                    self.tokens[k:k + n] = [_ORG]
                    self.spans[k:k + n] = [(self.spans[k][0], self.spans[k + n - 1][1])]
                k += 1


def parse_number(tokens: Sequence[str], i: int) -> tuple[int, int, bool] | None:
    """(value, index after the number, is_singular_word) or None."""
    tok = tokens[i]
    if tok[0].isdigit():
        return _parse_digits(tokens, i)
    if tok not in _NUMBER_STARTS:
        return None  # most words: none of the cases below (it is called on every token)
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if tok in _COLLECTIVE_LEAD and nxt in _COLLECTIVE:
        # "un centenar de excarcelaciones" is 100, as the readers count it; "centenares" is vague
        return _COLLECTIVE[nxt] // (2 if tok == "medio" else 1), i + 2, False
    if (end := dozen_end(tokens, i)) is not None:
        return (6 if tok in _HALF_DOZEN else 12), end, False
    if tok in ONE and nxt not in ("hundred", "thousand", "mil"):
        return (1, i + 1, True) if tok not in ("a", "an") else None
    if tok not in NUMBER_WORDS and tok not in ONE:
        return None
    return _parse_words(tokens, i)


# the words a number in words may start with: each case of parse_number after the digits
_NUMBER_STARTS = frozenset(_COLLECTIVE_LEAD | set(DOZEN) | set(_HALF_DOZEN) | ONE | NUMBER_WORDS)


def _parse_digits(tokens: Sequence[str], i: int) -> tuple[int, int, bool] | None:
    """"87", "1.200", "2 mil"; None for decimals, fractions, dates written with slashes,
    stray separators ("1.2.3", "1,,200") and absurdly long figures."""
    tok = tokens[i]
    if tok.isdigit():
        digits = tok
    elif _THOUSANDS.fullmatch(tok):
        digits = _SEPARATORS.sub("", tok)
    else:
        return None
    if len(digits) > _MAX_DIGITS:
        return None
    value = int(digits)
    j = i + 1
    if j < len(tokens) and tokens[j] in ("mil", "thousand"):
        value *= 1000
        j += 1
    return value, j, False


def _parse_words(tokens: Sequence[str], i: int) -> tuple[int, int, bool] | None:
    """"ciento nueve", "dos mil", "twenty-one", "treinta y un"."""
    total = current = 0
    j = i
    seen = False
    while j < len(tokens):
        w = tokens[j]
        if w in SMALL:
            current += SMALL[w]
        elif w in _ES_HUNDREDS:
            current += _ES_HUNDREDS[w]
        elif w in ("one", "a", "an", "un", "uno", "una") and j + 1 < len(tokens) and tokens[j + 1] in (
            "hundred", "thousand", "mil"
        ):
            current += 1
        elif w in ("one", "uno", "un", "una") and seen and current >= 20 and current % 10 == 0:
            current += 1  # twenty-one, treinta y uno
        elif w == "hundred" and seen:
            current = max(current, 1) * 100
        elif w in ("thousand", "mil"):
            total += max(current, 1) * 1000
            current = 0
        elif w in ("y", "and") and seen and j + 1 < len(tokens) and (
            tokens[j + 1] in SMALL or tokens[j + 1] in ("un", "uno", "una")
        ):
            pass
        else:
            break
        seen = True
        j += 1
    value = total + current
    if not seen or value == 0:
        return None
    return value, j, False


_RANGE_LEAD = {"entre", "between"}


_RANGE_GLUE = {"y", "and", "a", "to", "-"}


def range_low(toks: Sequence[str], i: int, j: int) -> tuple[int, tuple[int, int, bool]] | None:
    """For the first number of a range ("entre 139 y 155 presos", "between 56 and 76"): the
    index and parse of the second number, which carries the noun; else None."""
    k = i - 1
    while k > 0 and toks[k] in QUALIFIER:
        k -= 1
    if k < 0 or toks[k] not in _RANGE_LEAD or j + 1 >= len(toks) or toks[j] not in _RANGE_GLUE:
        return None
    second = parse_number(toks, j + 1)
    if second is None or second[2]:
        return None
    return j + 1, second


def to_range(toks: Sequence[str], i: int, j: int) -> tuple[int, tuple[int, int, bool]] | None:
    """"estimate 1,450 to 1,600 people released": a range with "to" and no "from" before it
    (not a changing tally, "rose from 800 to 953", nor a date, "January 5 to 12")."""
    if j + 1 >= len(toks) or toks[j] != "to" or not toks[i][0].isdigit() or not toks[j + 1][0].isdigit():
        return None
    k = i - 1
    while k > 0 and toks[k] in QUALIFIER:
        k -= 1
    if k >= 0 and (toks[k] in _NOT_RANGE_LEAD or toks[k] in MONTHS or toks[k][0].isdigit()):
        return None
    first, second = parse_number(toks, i), parse_number(toks, j + 1)
    if first is None or second is None or second[0] <= first[0]:
        return None
    return j + 1, second


_NOT_RANGE_LEAD = {"from", "up", "down", "by", "de", "desde", "of"}


def or_range(toks: Sequence[str], i: int, j: int) -> tuple[int, tuple[int, int, bool]] | None:
    """"80 or 90 political prisoners", "tres o cuatro activistas": an estimate between two
    numbers, the second larger (not "one or two" read as a list of singles)."""
    if j + 1 >= len(toks) or toks[j] not in ("or", "o", "u"):
        return None
    first, second = parse_number(toks, i), parse_number(toks, j + 1)
    if first is None or second is None or first[2] or second[2] or second[0] <= first[0]:
        return None
    return j + 1, second


def hyphen_range(sent: Sentence, i: int, j: int) -> tuple[int, tuple[int, int, bool]] | None:
    """"freed 700-800 people", "700–800": the second number of a range written with a dash,
    when it is larger (not "24-25" of a date: the second is read as a date and skipped)."""
    toks = sent.tokens
    if j >= len(toks) or not toks[j][0].isdigit() or not toks[j - 1][0].isdigit():
        return None
    if sent.text[sent.spans[j - 1][1]:sent.spans[j][0]] not in ("-", "\u2013", "\u2014"):
        return None
    first, second = parse_number(toks, i), parse_number(toks, j)
    if first is None or second is None or second[2] or second[0] <= first[0]:
        return None
    return j, second


def glued(sent: Sentence, i: int) -> bool:
    """Digits glued to letters are a code, not a count: "el 1Ene", "tras el 28J", "3er"; but
    a typo gluing a count to its noun ("87presos") is the count."""
    toks = sent.tokens
    return (i + 1 < len(toks) and toks[i][0].isdigit() and toks[i + 1][0].isalpha()
            and toks[i + 1] != "mil" and sent.spans[i][1] == sent.spans[i + 1][0]
            and toks[i + 1] not in PEOPLE and toks[i + 1] not in EVENT_NOUN)



_YEAR = re.compile(r"(?:19|20)\d\d")
# a clock time ("10:30", "10.30 h", "10h30", "9 a.m.", "10 p. m.") or a day of a month ("3 de
# enero", "enero 3", "March 3", "January 4th", "the 4th of January"): a live page retitled with
# its hour or day states no new figure
# ("may", "set" and "mar" are words as often as months: "20 may be freed", "30 set to walk free",
# "to set 40 free" state figures; they are a month only where no word follows, but for "may"
# before its day: no verb "may" is followed by a number, "freed on May 10 in Caracas")
_WORD_MONTHS = ("may", "set", "mar")
_MONTH_NAMES = "|".join(sorted(set(MONTHS) - set(_WORD_MONTHS), key=len, reverse=True))
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WORD_MONTH = "|".join(_WORD_MONTHS)
_NO_WORD = r"(?!\s+[^\W\d_])"
_TIME_OR_DAY = re.compile(
    rf"\b\d{{1,2}}\s*(?::|h)\s*\d{{2}}\b(?:\s*h\b)?|\b\d{{1,2}}\.\d{{2}}\s*h\b|\b\d{{1,2}}\s*[ap]\.?\s?m\b\.?"
    rf"|\b{_DAY}\s+(?:de\s+|of\s+)?(?:{_MONTH_NAMES}|(?:{_WORD_MONTH})\b{_NO_WORD})\b"
    rf"|\b(?:{_MONTH_NAMES}|may)\.?\s+{_DAY}\b(?![.,]\d)|\b(?:set|mar)\.?\s+{_DAY}\b(?![.,]\d){_NO_WORD}"
)


def numbers_in(text: str) -> frozenset[int]:
    """The numbers a text states, read as the count rules read them: digits ("1.200", "2 mil")
    and number words ("dieciséis", "twenty-one"); not "un"/"one" (an article as often as a
    number), nor a year written alone ("2026"), a clock time ("10:30") or a day of a month
    ("3 de enero")."""
    tokens = Sentence(_TIME_OR_DAY.sub(" ", fold(text))).tokens
    found: set[int] = set()
    i = 0
    while i < len(tokens):
        parsed = parse_number(tokens, i)
        if parsed is None:
            i += 1
            continue
        value, i, singular = parsed
        if not singular and not _YEAR.fullmatch(tokens[i - 1]):
            found.add(value)
    return frozenset(found)
