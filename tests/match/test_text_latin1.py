"""haystack's Latin-1 table gives what the Unicode way gives (fold, then split on non-words)."""

from __future__ import annotations

import random
import re

from core.text import fold, haystack


def _long_way(value: str) -> str:
    words = [w for w in re.split(r"[\W_]+", fold(value)) if w]
    return f" {' '.join(words)} " if words else " "


def test_every_latin1_character_in_context() -> None:
    for code in range(256):
        c = chr(code)
        for text in (c, f"Presos{c}políticos", f"{c}US{c}", f"U.S.{c}A", f"EE{c}UU ß {c}"):
            assert haystack(text) == _long_way(text), repr(text)


def test_random_mixes_with_characters_outside_latin1() -> None:
    rng = random.Random(17)
    alphabet = [chr(i) for i in range(256)] + [
        "US", "U.S.", "USA", "\u2014", "\u201c", "\u0301", "ﬁ", "İ", "\u200b", "Ω", "½",
    ]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert haystack(text) == _long_way(text), repr(text)


def test_spanish_headline() -> None:
    assert haystack("¿Excarcelan a 61 presos políticos? «Sí», dice el Foro Penal") == (
        " excarcelan a 61 presos politicos si dice el foro penal "
    )


def test_the_soft_hyphen_is_the_only_invisible_character_in_latin1() -> None:
    # what lets `_drop_invisible` return Latin-1 text without a soft hyphen unscanned
    from core.text import _INVISIBLE, _SEPARATOR, _drop_invisible

    invisible = [chr(b) for b in range(256) if _INVISIBLE.match(chr(b)) or _SEPARATOR.match(chr(b))]
    assert invisible == ["\xad"]
    assert _drop_invisible("Excarce\xadlan a los presos") == "Excarcelan a los presos"
    assert _drop_invisible("presos\u200bpolíticos") == "presos políticos"
    assert _drop_invisible("Tocorón «sí»") == "Tocorón «sí»"


def test_fold_of_latin1_text_is_the_unicode_way() -> None:
    # fold's table for Latin-1 text against the Unicode way, every character in context
    from core.text import _fold_unicode

    for code in range(256):
        c = chr(code)
        for text in (c, f"Presos{c}políticos", f"{c}US{c}", f"U.S.{c}A", f"EE{c}UU ß {c}", f"¿{c}?", f"US{c}"):
            assert fold(text) == _fold_unicode(text), repr(text)
    rng = random.Random(19)
    alphabet = [chr(i) for i in range(256)] + [
        "US", "U.S.", "USA", "U.S.A.", "\u2014", "\u201c", "\u0301", "ﬁ", "İ", "\u200b", "Ω", "½",
    ]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert fold(text) == _fold_unicode(text), repr(text)
        assert fold(text, country=False) == _fold_unicode(text, country=False), repr(text)
        assert fold(text, keep_case=True) == _fold_unicode(text, keep_case=True), repr(text)
