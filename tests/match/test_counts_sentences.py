"""Where the count extractor cuts a field into sentences (`extract._sentences`)."""

from __future__ import annotations

import re

import pytest

from core.text import fold
from monitor.match.counts.extract import _SENTENCES, _sentences, _words, _worth_a_look


@pytest.mark.parametrize(("text", "expected"), [
    ("Excarcelan a 87. Foro Penal verificó 61! ¿Quedan 800? Sí; hay más",
     ["excarcelan a 87.", "foro penal verifico 61!", "¿quedan 800?", "si;", "hay mas"]),
    # no break after EE.UU., U.S., vs. and abbreviated months
    ("Nueve ciudadanos de EE.UU. siguen presos. EE. UU. pide", ["nueve ciudadanos de ee.uu. siguen presos.", "ee. uu. pide"]),
    ("EE .UU. PIDE la liberación", ["ee .uu. pide la liberacion"]),
    ("Held since Jan. 8 and Sept. 3, U.S. officials said", ["held since jan. 8 and sept. 3, u s officials said"]),
    ("Foro Penal vs. el Gobierno: no. 5", ["foro penal vs. el gobierno: no. 5"]),
    # a word that only ends like an abbreviation ends its sentence
    ("Llegó de Japan. Hoy 20 presos", ["llego de japan.", "hoy 20 presos"]),
    # line breaks, and dashes between blanks
    ("Excarcelan a 20\n\nPOLÍTICA", ["excarcelan a 20", "politica"]),
    ("Liberan a 10 presos - El Pitazo | Venezuela — hoy", ["liberan a 10 presos", "el pitazo", "venezuela", "hoy"]),
    ("Ex-preso 10-12  —  hoy.  \n Fin", ["ex-preso 10-12", "hoy.", "fin"]),
    # a source alone after a dash stays with its sentence
    ("Venezuela frees 87 political prisoners - Foro Penal", ["venezuela frees 87 political prisoners - foro penal"]),
])
def test_sentences(text: str, expected: list[str]) -> None:
    assert _sentences(fold(text), []) == expected


def test_breaks_span_every_blank_around_them() -> None:
    text = "uno.  \t dos\n\n tres \u2014 cuatro ;x"
    assert [m.group() for m in _SENTENCES.finditer(text)] == ["  \t ", "\n\n", " \u2014 "]


def test_words_of_ascii_text_are_the_regex_words() -> None:
    ascii_chars = "".join(chr(c) for c in range(128))
    for text in (ascii_chars, f"dos{ascii_chars}tres", "un_preso, una presa; 1.200 mil-dos"):
        assert _words(text) == re.findall(r"\w+", text)
    assert _words("¿dos «presos»?") == ["dos", "presos"]


@pytest.mark.parametrize(("sentence", "worth"), [
    ("excarcelan a 87 presos", True), ("murio un preso", True), ("un centenar de presos", True),
    ("liberan a dos presos", True), ("detienen a un periodista", True), ("¿liberan a «dos»?", True),
    ("liberan al periodista", False), ("un_dos presos", False), ("un dia de lluvia", False),
])
def test_worth_a_look(sentence: str, worth: bool) -> None:
    assert _worth_a_look(sentence) is worth


def test_breaks_are_the_breaks_of_the_pattern_without_its_run_branch() -> None:
    """`_breaks` reads a run of blanks once (the `rest` branch) where the pattern without that
    branch tried each blank of it (quadratic: tests/test_text_stalls.py); the breaks are the
    same, at line breaks and dashes inside or after such runs too."""
    import random

    from monitor.match.counts.extract import _DASHES, _breaks

    old = re.compile(_SENTENCES.pattern.replace(r"|(?P<rest>\s+))", ")"))
    assert old.pattern != _SENTENCES.pattern
    rng = random.Random(5)
    pieces = [" ", " ", " ", "\n", "\n", "\t", "\u00a0", ".", "-", "\u2014", "|", ";", "a", "ee.uu.", "jan.", "x1"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert list(_breaks(text)) == [(m.start(), m.end(), m.group().strip() in _DASHES)
                                       for m in old.finditer(text)], text
