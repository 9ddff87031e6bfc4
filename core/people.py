"""Watched people: who a name is, and the operations on the list of watched people.

A person is identified by the folded key of the name (`person_key`: "Rocío San Miguel" and
"ROCIO SAN MIGUEL" are one person) and shown by `clean_name`. The functions below name and
key what operators and the news give, and record it through `storage.people`; the matcher
that finds these names in the news is `monitor.match.people`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from core.text import words

if TYPE_CHECKING:  # SQLAlchemy and storage load only when a function here runs (fast CLI start)
    from sqlalchemy.orm import Session


@lru_cache(maxsize=1)
def _common_names() -> frozenset[str]:
    """Common first names and surnames (core/data/common_names.txt), folded."""
    text = resources.files("core").joinpath("data", "common_names.txt").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return frozenset(person_key(n) for n in lines)


PARTICLES = frozenset({"de", "del", "la", "las", "los", "da", "do", "dos", "van", "von", "y"})


def person_key(name: str) -> str:
    """The folded form that identifies a person: 'Rocío San Miguel' -> 'rocio san miguel'."""
    return " ".join(words(name))


# a capital after a hyphen, and after an apostrophe that follows one letter (D'Alessandro,
# O'Neill; not the possessive of Pérez's)
_NAME_PART = re.compile(r"(?<=-)\w|(?<=\b\w['’])\w")


def _title_word(word: str) -> str:
    """A word written in capitals as a name writes it: PÉREZ-GARCÍA -> Pérez-García."""
    word = word[:1] + word[1:].lower()
    return _NAME_PART.sub(lambda m: m.group().upper(), word)


def clean_name(name: str) -> str:
    """A name for display: invisible format characters out (a zero-width space pasted inside
    "Jo\u200bsé" made the key "jo se", never met in the news), spaces collapsed, quotes
    trimmed, ALL CAPS made Title Case."""
    visible = "".join(c for c in str(name) if unicodedata.category(c) != "Cf")
    text = " ".join(visible.split()).strip(" \t.,;:\"'«»“”‘’()[]")
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        text = " ".join(
            w.lower() if w.lower() in PARTICLES and i else _title_word(w)
            for i, w in enumerate(text.split())
        )
    return text


# Titles, ranks and forms of address written before a name ("Gral. Héctor Hernández Da Costa",
# "Dr. José Pérez"), folded: the news writes the name without them, or with another form
_TITLE_WORDS = """
dr dra doctor doctora gral general gd gb cnel coronel tcnel tte teniente cap capitan capitana
my mayor sgto sargento cabo almirante comisario lic licenciado licenciada ing ingeniero
ingeniera abg abogado abogada prof profesor profesora sr sra srta senor senora don dona pbro
padre mons monsenor
"""
TITLES = frozenset(_TITLE_WORDS.split())


def without_title(name: str) -> str:
    """`name` without the titles before it, when two words or more remain."""
    parts = name.split()
    while len(parts) > 2 and person_key(parts[0]) in TITLES:
        parts = parts[1:]
    return " ".join(parts)


def is_ambiguous(name: str) -> bool:
    """One word, or two words that are both common first names or surnames."""
    parts = person_key(name).split()
    if len(parts) <= 1:
        return True
    common = _common_names()
    return len(parts) == 2 and all(p in common for p in parts)


def identify(name: str) -> tuple[str, str]:
    """(display name, key) of a name as written by an operator or the news, without the
    titles before it."""
    display = without_title(clean_name(name))
    return display, person_key(display)


def add_person(
    session: Session, name: str, *, added_by: str | None = None, now: datetime | None = None
) -> tuple[str, bool]:
    """An operator adds `name`: (display name, True when it was not watched before).

    A removed person is watched again. Raises ValueError for a name with no letters, of
    particles alone, or longer than 200 characters.
    """
    display, key = identify(name)
    if not any(c.isalpha() for c in key):  # '123', '--', '': no letters, no name
        raise ValueError(f"{name!r} is not a name: it has no letters")
    if all(w in PARTICLES for w in key.split()):  # 'de la' would match most items
        raise ValueError(f"{name!r} is not a name: it has only particles (de, la, y…)")
    from storage import people as rows

    return rows.watch(session, display, key, added_by=added_by, now=now)


def remove_person(
    session: Session, name: str, *, removed_by: str | None = None, now: datetime | None = None
) -> str | None:
    """Stop watching `name`; its display name, or None when nobody of that name is watched.

    The name is looked up without its titles, then as written (a row stored with them)."""
    from storage import people as rows

    for key in dict.fromkeys((identify(name)[1], person_key(name))):
        shown = rows.unwatch(session, key, removed_by=removed_by, now=now)
        if shown is not None:
            return shown
    return None


def learn_person(
    session: Session, name: str, *, item_id: int | None, url: str | None, title: str | None,
    now: datetime | None = None,
) -> bool:
    """Record a name the news taught (with the item that taught it); True when it is new."""
    display, key = identify(name)
    from storage import people as rows

    return rows.record_learned(session, display, key, item_id=item_id, url=url, title=title, now=now)


def seed_people(session: Session, names: list[str], *, now: datetime | None = None) -> int:
    """Insert the seed names that the database does not know yet; return how many."""
    from storage import people as rows

    return rows.insert_seed(session, [identify(n) for n in names], now=now)


def load_watched(session: Session, seed: list[str]) -> list[str]:
    """The names to watch now, after adding any `seed` name the database lacks (a name an
    operator removed stays removed)."""
    seed_people(session, seed)
    from storage import people as rows

    return rows.watched_names(session)
