"""English words of the beat read as their Spanish equivalents, so that one event told in
Spanish by some outlets and in English by others shares its terms.

The concept classes (data/concepts.json) already list both languages' words for the kinds of
event (a release, a seizure, a strike); the rest of the beat's vocabulary (sanctions, the
amnesty, a boat, the dead, the Caribbean, the White House) was stemmed in each language apart,
so "Treasury lifts sanctions on PDVSA" and "EE. UU. levanta sanciones a PDVSA" shared no
word but PDVSA. The glossary (data/glossary_en.json) maps each English word's stem, or an
English phrase, to the Spanish term of its equivalent. Only English items are read through it:
Spanish text, and with it every figure measured on the Spanish headlines, is untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("data") / "glossary_en.json"
# a token that is already a Spanish term (an English phrase replaced before tokenizing)
TERM_MARK = "="


@dataclass(frozen=True)
class Glossary:
    """English stem → Spanish term, and folded English phrase → marked Spanish terms."""

    stems: dict[str, str]
    phrases: dict[str, str]


def load_glossary(
    text: str | None,
    *,
    spanish_terms: Callable[[str], list[str]],
    english_stem: Callable[[str], str],
    fold_words: Callable[[str], str],
    concept_stems: dict[str, str],
) -> Glossary:
    """Read the glossary. An English phrase, or a word whose Spanish is several terms, is
    replaced before tokenizing; any other word by its stem. An English word already in a concept class, or given two meanings, is an error: the class
    (or the first entry) would silently win."""
    data = json.loads(text if text is not None else GLOSSARY_FILE.read_text(encoding="utf-8"))
    stems: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for spanish, english_forms in data["words"].items():
        targets = spanish_terms(spanish)
        if not targets:
            raise ValueError(f"story glossary: '{spanish}' gives no term")
        for english in english_forms:
            folded = fold_words(english)
            if " " in folded or len(targets) > 1:  # a phrase, or a word for several ("warship")
                phrases[folded] = " ".join(TERM_MARK + t for t in targets)
                continue
            stem = english_stem(folded)
            if stem in concept_stems:
                raise ValueError(f"story glossary: '{english}' ({stem}) is already in the class {concept_stems[stem]}")
            if stems.setdefault(stem, targets[0]) != targets[0]:
                raise ValueError(f"story glossary: '{english}' ({stem}) means both {stems[stem]} and {targets[0]}")
    return Glossary(stems, phrases)
