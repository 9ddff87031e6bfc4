"""The shipped name lists of watched people: the seed (`monitor people seed`) and the words
and phrases never learned as names (`people_never.txt`), read once per process."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from core.people import person_key


def _data_lines(name: str) -> list[str]:
    try:
        text = resources.files("monitor.match").joinpath("data", name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def load_seed() -> list[str]:
    """The names shipped in `monitor/match/data/people_seed.txt` (`monitor people seed`)."""
    return list(_shipped_seed())


@lru_cache(maxsize=1)
def _shipped_seed() -> tuple[str, ...]:
    """Package data does not change while a process runs: read once (the service re-reads the
    watched list every minute)."""
    return tuple(_data_lines("people_seed.txt"))


@lru_cache(maxsize=1)
def never_names() -> tuple[frozenset[str], tuple[str, ...]]:
    """(single never-words, multi-word never phrases) from people_never.txt, folded."""
    single: set[str] = set()
    multi: list[str] = []
    for line in _data_lines("people_never.txt"):
        key = person_key(line)
        if not key:
            continue
        if " " in key:
            multi.append(key)
        else:
            single.add(key)
    return frozenset(single), tuple(multi)
