"""What is a number but not a count: dates, ages, durations, money, rates, ordinals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from core.text import MONTHS
from monitor.match.counts.lexicon import AFTER_EVENT, PEOPLE, SUBSET_AFTER, words
from monitor.match.counts.numbers import NUMBER_WORDS, Sentence, dozen_end

# -- vocabularies (folded) ---------------------------------------------------------
# Month names around a number ("3 de enero", "January 3"); "may", "ago" and "set" are also
# ordinary words, and the counts never needed the Spanish abbreviations "ene", "abr", "dic".
_MONTHS = frozenset(MONTHS) - {"may", "ago", "set", "ene", "abr", "dic"}


TIME = words("time")


_MONEY_AFTER = words("money_after")


_MONEY_BEFORE = words("money_before") | {"$", "€"}


_PERCENT = words("percent") | {"%"}


_ORDINAL_BEFORE = words("ordinal_before")


_VAGUE_AFTER = words("vague_after")


AGE_AFTER = words("age_after")


_CAPACITY = words("capacity")


class _Around(NamedTuple):
    """The words around the number tokens[i:j]."""

    tokens: Sequence[str]
    i: int
    j: int
    prev: str
    prev2: str
    nxt: str
    nxt2: str


def skip(tokens: Sequence[str], i: int, j: int, value: int, raw: str) -> bool:
    """The number tokens[i:j] (`raw` its first token) is a quantity, not a count of people:
    money, a percentage or rate, a date or year, an ordinal, an age."""
    c = _Around(tokens, i, j, tokens[i - 1] if i > 0 else "", tokens[i - 2] if i > 1 else "",
                tokens[j] if j < len(tokens) else "", tokens[j + 1] if j + 1 < len(tokens) else "")
    return (_money_or_rate(c) or _date(c, value, raw) or _ordinal(c, value, raw) or _age(c) or vague_dozen(c)
            or (c.prev in ("for", "para") and c.prev2 in _CAPACITY))  # "a cell for 20 people"


def _money_or_rate(c: _Around) -> bool:
    if c.prev in _MONEY_BEFORE or c.nxt in _MONEY_AFTER or c.nxt in _PERCENT or c.nxt in _VAGUE_AFTER:
        return True  # "$20,000", "5 millones de dólares", "40 %", "two dozen women"
    if c.prev in ("lleva", "llevaba", "llevan", "llevaban") and c.nxt == "en":
        return True  # "llevaba cuatro en prisión": years left out, a duration
    if c.prev in ("every", "cada"):
        return True  # "every 15 days", "cada 15 días"
    if c.nxt == "por" and c.nxt2 == "ciento":
        return True
    # "10 detenciones nuevas por cada 100 excarcelaciones", "one arrest for every ten": a ratio
    if any(c.tokens[k:k + 2] in (["por", "cada"], ["for", "every"]) for k in range(c.j, min(c.j + 3, len(c.tokens)))):
        return True
    # "for every 10 released, 3 new arrests", "por cada 10 excarcelados hay 3 detenidos": the
    # ratio's second term
    if any(c.tokens[k:k + 2] in (["por", "cada"], ["for", "every"]) and _numeral(c.tokens[k + 2:k + 3])
           for k in range(max(0, c.i - 7), c.i - 2)):
        return True
    # "1 in 3 still under court restrictions", "one in five": a proportion
    if (c.prev == "in" and c.prev2 in ("1", "one")) or (
            c.nxt == "in" and c.prev != "in" and c.tokens[c.i] in ("1", "one") and c.nxt2[:1].isdigit()):
        return True
    # "3 de cada 10": a rate
    return (c.nxt, c.nxt2) in (("de", "cada"), ("of", "every"), ("in", "every"), ("out", "of")) and (
        c.nxt2 != "of" or c.j + 2 < len(c.tokens) and c.tokens[c.j + 2] in ("every", "each"))


_EVENT_STEMS = ("arrest", "detain", "deten", "detien", "aprehend", "captur", "free", "releas", "liber",
                "excarcel", "kill", "mat", "asesin")


def vague_dozen(c: _Around) -> bool:
    """"a dozen" / "una docena" (12) is a count only right next to its event ("detain a dozen
    relatives", "a dozen soldiers arrested", "excarcelan a una docena de presos"); elsewhere it
    is a vague amount ("a dozen relatives marched"): writers disagree there (tenth round)."""
    if dozen_end(c.tokens, c.i) is None:
        return False
    before = c.tokens[max(0, c.i - 2):c.i]
    after = c.tokens[c.j:c.j + 4]
    return not (any(t.startswith(_EVENT_STEMS) for t in before) or any(
        AFTER_EVENT.get(t) in ("released", "arrested", "dead") for t in after))


def _numeral(words: Sequence[str]) -> bool:
    return bool(words) and (words[0][:1].isdigit() or words[0] in NUMBER_WORDS)


def _date(c: _Around, value: int, raw: str) -> bool:
    """A duration, a day of a month, a year ("3 años", "3 de enero", "December 31", "2024")."""
    if c.nxt in TIME or c.nxt in _MONTHS:
        return True
    if c.prev in _MONTHS and not (value > 31 or (c.nxt, c.nxt2) in SUBSET_AFTER or c.nxt in PEOPLE):
        return True  # "December 31", but "freed in December, 31 of them soldiers"
    if c.nxt in ("de", "of") and c.nxt2 in _MONTHS:
        return True
    if len(c.nxt) == 1 and c.nxt.isalpha() and c.nxt not in ("a", "y", "o", "e", "u") and value <= 31:
        return True  # "detenido tras el 28J": a date code
    # "detenidos desde 2024 acusados de terrorismo": a year, even before a noun of people
    return raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and (
        c.nxt not in PEOPLE or c.prev in ("desde", "since", "en", "in"))


def _ordinal(c: _Around, value: int, raw: str) -> bool:
    if c.prev in _ORDINAL_BEFORE and not (c.prev == "number" and (c.prev2 == "now" or c.prev2 in PEOPLE)):
        return True  # "número 15", but "political prisoners now number 884"
    return c.nxt in ("st", "nd", "rd", "th") and raw.isdigit()  # "the 21st attack"


_WERE = ("were", "was", "eran", "era", "tenian", "tenia")


def _age(c: _Around) -> bool:
    """"de 61 años de edad", "aged 22 to 40", "some were 14 when they were arrested"."""
    tokens, i, prev, prev2, nxt, nxt2 = c.tokens, c.i, c.prev, c.prev2, c.nxt, c.nxt2
    if prev == "de" and prev2 in ("edad", "age"):
        return True
    if prev in ("to", "a", "y", "and", "-") and prev2[:1].isdigit() and i > 2 and (
            tokens[i - 3] in ("aged", "age", "ages", "edades")
            or tokens[i - 3] in ("entre", "between") and i > 3 and tokens[i - 4] in (
                "aged", "age", "ages", "edades", "of", "de", "ranging")):
        return True  # "aged 22 to 40", "de entre 18 y 70", but "entre 56 y 76 excarcelaciones"
    if nxt in ("y", "and", "to", "a", "-", "or", "o") and nxt2[:1].isdigit() and c.j + 2 < len(tokens) and (
            tokens[c.j + 2] in TIME):
        return True  # "de entre 18 y 70 años", "15 or 30 days": the first of two ages or durations
    if prev == "at" and prev2 in AGE_AFTER or prev in ("and", "or") and prev2[:1].isdigit() and i > 3 and (
            tokens[i - 3] == "at" and tokens[i - 4] in AGE_AFTER):
        return True  # "detained at 15 and 16"
    if prev == "under" and nxt not in PEOPLE and c.j - i == 1 and tokens[i].isdigit() and int(tokens[i]) <= 21:
        return True  # "four were under 18 when they were arrested"
    if prev in _WERE and (nxt in ("when", "cuando") or (nxt in ("to", "a", "y", "and") and nxt2[:1].isdigit())):
        return True  # "some were 14 when they were arrested", "arrested when they were 15 to 17"
    return prev in ("to", "a") and prev2[:1].isdigit() and i > 2 and tokens[i - 3] in (
        "were", "was", "eran", "tenian")


_AGE_LEAD = {"aged", "ages", "edades", "entre", "between"}


def skip_age_range(tokens: Sequence[str], k: int) -> int:
    """Index after an age range in apposition ("otros 11 menores, de entre 14 y 17 años, siguen
    presos", "five teenagers aged 15 to 17 remain held"), else k."""
    m = k
    lead = False
    while m < len(tokens) and m - k < 3 and tokens[m] in _AGE_LEAD | {"de", "of", "con", "with"}:
        lead = lead or tokens[m] in _AGE_LEAD
        m += 1
    if not (m + 2 < len(tokens) and tokens[m].isdigit() and tokens[m + 1] in ("y", "and", "to", "a", "-")
            and tokens[m + 2].isdigit() and int(tokens[m + 2]) <= 110):
        return k
    m += 3
    if m < len(tokens) and tokens[m] in ("anos", "years", "year"):
        m += 1
        lead = True
        if m < len(tokens) and tokens[m] == "old":
            m += 1
        elif m + 1 < len(tokens) and (tokens[m], tokens[m + 1]) in (("de", "edad"), ("of", "age")):
            m += 2
    return m if lead else k


def is_date_part(tokens: Sequence[str], k: int) -> bool:
    """tokens[k] is a day or a year inside a date ("el 28 de julio", "July 29", "in 2024")."""
    w = tokens[k]
    if len(w) == 4 and w.isdigit() and 1900 <= int(w) <= 2100:
        return True
    nxt = tokens[k + 1:k + 3]
    return w.isdigit() and int(w) <= 31 and (
        (nxt[:1] and nxt[0] in _MONTHS) or (len(nxt) == 2 and nxt[0] == "de" and nxt[1] in _MONTHS)
        or (k > 0 and tokens[k - 1] in _MONTHS))


def apposition(sent: Sentence, i: int, j: int) -> bool:
    """An age in apposition: "the former police officer, 61, had been held"."""
    tok = sent.tokens[i]
    if not tok.isdigit() or j != i + 1 or int(tok) > 110:
        return False
    start, end = sent.spans[i]
    return sent.text[:start].rstrip().endswith(",") and sent.text[end:].lstrip().startswith((",", ")"))


_DAYPART = frozenset({"manana", "tarde", "noche", "madrugada"})


def clock(sent: Sentence, i: int, j: int) -> bool:
    """A time of day: "a las 11:40 de la noche" (digits glued to a colon and two more), "a las 10
    de la noche": "confirmó la salida a las 11:40" states no one released."""
    toks, spans = sent.tokens, sent.spans
    if (j == i + 1 and toks[i].isdigit() and int(toks[i]) <= 24 and toks[j:j + 1] == [":"]
            and j + 1 < len(toks) and len(toks[j + 1]) == 2 and toks[j + 1].isdigit()
            and spans[i][1] == spans[j][0] and spans[j][1] == spans[j + 1][0]):
        return True  # "11:40"; "Foro Penal: 11" or "presos: 40 en Rodeo" are no time
    if (j == i + 1 and i >= 2 and len(toks[i]) == 2 and toks[i].isdigit() and toks[i - 1] == ":"
            and toks[i - 2].isdigit() and int(toks[i - 2]) <= 24
            and spans[i - 2][1] == spans[i - 1][0] and spans[i - 1][1] == spans[i][0]):
        return True  # its minutes: "16:20 Liberan al periodista…" released no 20
    return toks[j:j + 2] in (["de", "la"], ["en", "la"]) and toks[j + 2:j + 3] != [] and toks[j + 2] in _DAYPART


def dated(toks: Sequence[str], i: int) -> bool:
    """A tally 'as of' a date: "806 presos políticos al 12/01/2026", "884 as of January 5"."""
    rest = toks[i + 1:i + 9]
    for a, b in zip(rest, rest[1:], strict=False):
        if (a in ("al", "hasta") and b[:1].isdigit()) or (a, b) in (("as", "of"), ("al", "cierre")) or (
                a == "al" and b in _MONTHS):
            return True
    return False

