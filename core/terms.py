"""Rule terms: parsing `preso~ político~`, `excarcel*`, `@Foro Penal` into matcher keys.

A term is one or more words. Word suffixes:
  `*`  the word may continue (`excarcel*` = excarcela, excarcelación, excarcelados...);
       only on the term's last word, and the stem needs 3+ letters.
  `~`  generated inflections (`preso~` = preso, presa, presos, presas; `release~` =
       release, releases, released, releasing). See `inflect()`.
`@Name` refers to a gazetteer entity: it matches when that entity is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from core.text import words

MAX_VARIANTS = 512
MIN_PREFIX = 3


@dataclass(frozen=True, slots=True)
class ParsedTerm:
    raw: str
    keys: tuple[str, ...]  # matcher keys, e.g. " presos politicos " or " excarcel"
    nwords: int
    entity: str | None = None  # set for `@Name` references


def inflect(word: str) -> set[str]:
    """Spanish gender/number and English -s/-ed/-ing forms of a folded word.

    Over-generation is harmless (a non-word never occurs in text); irregular forms
    (held, struck, presas de conciencia...) must be written out.
    """
    out = {word}
    if len(word) < 3:
        return out
    last = word[-1]
    if last in "oa":
        stem = word[:-1]
        out |= {stem + "o", stem + "a", stem + "os", stem + "as"}
    elif last == "e":
        out |= {word + "s", word + "d", word + "n", word[:-1] + "ing", word + "ing"}
    elif last == "y":
        out |= {word + "s", word[:-1] + "ies", word[:-1] + "ied", word + "ing", word + "ed"}
    elif last in "sxz" or word.endswith(("ch", "sh")):
        out |= {word + "es", word + "ed", word + "ing"}
    else:
        out |= {word + "s", word + "es", word + "ed", word + "ing", word + "a", word + "as"}
        out |= {word + last + "ed", word + last + "ing"}
    return out


def parse_term(raw: str) -> ParsedTerm:
    """Parse one rule term; raise ValueError with an operator-readable message."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("empty term: it can never match")
    return _parse_term(raw)


@lru_cache(maxsize=65536)
def _parse_term(raw: str) -> ParsedTerm:
    """Remembered: a start parses each of feeds.yaml's terms three times (checks, rules, matcher)."""
    text = raw.strip()
    if text.startswith("@"):
        name = text[1:].strip()
        if not name:
            raise ValueError(f"term {raw!r}: '@' must be followed by an entity name")
        return ParsedTerm(raw, (), 1, entity=name)
    pieces: list[list[str]] = []
    prefix = False
    raw_words = text.split()
    for i, raw_word in enumerate(raw_words):
        star = raw_word.endswith("*")
        tilde = raw_word.endswith("~")
        core = raw_word.rstrip("*~")
        if "*" in core or "~" in core:
            raise ValueError(f"term {raw!r}: '*' and '~' are only allowed at the end of a word")
        folded = words(core)
        if not folded:
            if star or tilde:
                raise ValueError(f"term {raw!r}: '{raw_word}' has no letters before its suffix")
            continue  # pure punctuation such as '-' between words
        if star:
            if i != len(raw_words) - 1:
                raise ValueError(
                    f"term {raw!r}: '*' is only allowed on the last word (write '{core}~' "
                    "for inflections in the middle of a phrase)"
                )
            if len(folded[-1]) < MIN_PREFIX:
                raise ValueError(
                    f"term {raw!r}: prefix '{folded[-1]}*' is shorter than {MIN_PREFIX} letters "
                    "and would match too much"
                )
            prefix = True
        for j, w in enumerate(folded):
            last_of_word = j == len(folded) - 1
            pieces.append(sorted(inflect(w)) if tilde and last_of_word else [w])
    if not pieces:
        raise ValueError(f"term {raw!r} has no letters or digits: it can never match")
    count = 1
    for p in pieces:
        count *= len(p)
    if count > MAX_VARIANTS:
        raise ValueError(
            f"term {raw!r} expands to {count} forms (limit {MAX_VARIANTS}); use fewer '~' words"
        )
    keys = []
    for combo in product(*pieces):
        body = " ".join(combo)
        keys.append(f" {body}" if prefix else f" {body} ")
    return ParsedTerm(raw, tuple(sorted(set(keys))), len(pieces))
