"""What is a number but not a count: dates, ages, durations, money, rates, ordinals."""

from __future__ import annotations

from collections.abc import Sequence

from core.text import MONTHS
from monitor.match.counts_lexicon import PEOPLE, SUBSET_AFTER
from monitor.match.counts_numbers import Sentence

# -- vocabularies (folded) ---------------------------------------------------------
# Month names around a number ("3 de enero", "January 3"); "may", "ago" and "set" are also
# ordinary words, and the counts never needed the Spanish abbreviations "ene", "abr", "dic".
_MONTHS = frozenset(MONTHS) - {"may", "ago", "set", "ene", "abr", "dic"}


TIME = set(
    ["ano", "anos", "year", "years", "yr", "meses", "mes", "month", "months", "dia", "dias", "day", "days", "semana", "semanas", "week", "weeks", "hora", "horas", "hour", "hours", "minuto", "minutos", "minute", "minutes", "decada", "decadas", "decade", "decades", "old", "siglo", "siglos", "noche", "noches", "night", "nights"]
)


_MONEY_AFTER = set(
    ["dolares", "dollars", "usd", "euros", "euro", "bolivares", "bs", "millones", "millon", "million", "millions", "billion", "billones", "bn", "mn", "barriles", "barrels"]
)


_MONEY_BEFORE = {"$", "€", "usd", "us", "bs", "eur"}


_PERCENT = {"%", "percent", "porciento", "pct"}


_ORDINAL_BEFORE = {"numero", "number", "no", "num", "n", "nro", "edad", "aged", "age", "ley", "law",
                   "articulo", "article", "zona", "rodeo", "resolucion", "decreto", "decree", "orden",
                   "order", "f", "mig", "su", "uss", "capitulo", "chapter"}


def skip(tokens: Sequence[str], i: int, j: int, value: int, raw: str) -> bool:
    prev = tokens[i - 1] if i > 0 else ""
    prev2 = tokens[i - 2] if i > 1 else ""
    nxt = tokens[j] if j < len(tokens) else ""
    nxt2 = tokens[j + 1] if j + 1 < len(tokens) else ""
    if prev in _MONEY_BEFORE or nxt in _MONEY_AFTER or nxt in _PERCENT:
        return True
    if nxt == "por" and nxt2 == "ciento":
        return True
    if nxt in TIME or nxt in _MONTHS:
        return True
    if prev in _MONTHS and not (value > 31 or (nxt, nxt2) in SUBSET_AFTER or nxt in PEOPLE):
        return True  # "December 31", but "freed in December, 31 of them soldiers"
    if nxt in ("de", "of") and nxt2 in _MONTHS:
        return True
    if (nxt, nxt2) in (("de", "cada"), ("of", "every"), ("in", "every"), ("out", "of")) and (
            nxt2 != "of" or j + 2 < len(tokens) and tokens[j + 2] in ("every", "each")):
        return True  # "3 de cada 10": a rate
    if prev in _ORDINAL_BEFORE and not (prev == "number" and (prev2 == "now" or prev2 in PEOPLE)):
        return True  # "número 15", but "political prisoners now number 884"
    if prev == "de" and prev2 in ("edad", "age"):
        return True
    if prev in ("to", "a", "y", "and", "-") and prev2[:1].isdigit() and i > 2 and (
            tokens[i - 3] in ("aged", "age", "ages", "edades")
            or tokens[i - 3] in ("entre", "between") and i > 3 and tokens[i - 4] in (
                "aged", "age", "ages", "edades", "of", "de", "ranging")):
        return True  # "aged 22 to 40", "de entre 18 y 70", but "entre 56 y 76 excarcelaciones"
    if nxt in ("y", "and", "to", "a", "-") and nxt2[:1].isdigit() and j + 2 < len(tokens) and (
            tokens[j + 2] in TIME):
        return True  # "de entre 18 y 70 años": the first of two ages
    if nxt in ("st", "nd", "rd", "th") and raw.isdigit():
        return True  # "the 21st attack": an ordinal
    if len(nxt) == 1 and nxt.isalpha() and nxt not in ("a", "y", "o", "e", "u") and value <= 31:
        return True  # "detenido tras el 28J": a date code
    if prev in ("were", "was", "eran", "era", "tenian", "tenia") and (
            nxt in ("when", "cuando") or (nxt in ("to", "a", "y", "and") and nxt2[:1].isdigit())):
        return True  # "some were 14 when they were arrested", "arrested when they were 15 to 17"
    if prev in ("to", "a") and prev2[:1].isdigit() and i > 2 and tokens[i - 3] in ("were", "was", "eran", "tenian"):
        return True
    if nxt in ("when", "cuando") and prev in ("were", "was", "eran", "era", "tenian", "tenia"):
        return True  # "some were 14 when they were arrested": an age
    return raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and nxt not in PEOPLE


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


def dated(toks: Sequence[str], i: int) -> bool:
    """A tally 'as of' a date: "806 presos políticos al 12/01/2026", "884 as of January 5"."""
    rest = toks[i + 1:i + 9]
    for a, b in zip(rest, rest[1:], strict=False):
        if (a in ("al", "hasta") and b[:1].isdigit()) or (a, b) in (("as", "of"), ("al", "cierre")) or (
                a == "al" and b in _MONTHS):
            return True
    return False

