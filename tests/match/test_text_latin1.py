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
