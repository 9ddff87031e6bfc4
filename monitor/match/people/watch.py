"""The watched names on their own small Aho-Corasick automaton over the same normalized
text as the rules (core.text), whole words only; ambiguous names need prisoner context."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from core.people import clean_name, is_ambiguous, person_key

# Prisoner context for ambiguous names (folded; a trailing space-less key is a prefix).
_CONTEXT_KEYS = [
    " preso ", " presa ", " presos ", " presas ", " expreso ", " expresa ", " detenid", " detencion",
    " excarcel", " liberad", " liberacion", " libertad ", " carcel", " prision", " custodia ",
    " arrest", " secuestrad", " aprehendid", " encarcelad", " tortur", " helicoide ",
    " tocoron ", " tocuyito ", " yare ", " rodeo ", " ramo verde ", " zona 7 ", " sebin ",
    " dgcim ", " foro penal ", " released ", " freed ", " prisoner", " jail", " detained ",
    " venezuela ", " venezolan", " venezuelan", " caracas ", " chavis", " regimen ",
]


@dataclass(frozen=True)
class _Snapshot:
    automaton: ahocorasick.Automaton | None
    names: dict[str, str]  # key -> display name
    ambiguous: frozenset[str]


class WatchedPeople:
    """The watched names, matched whole-word on normalized text. Thread-safe.

    Readers use one snapshot per call; writers build a new snapshot under a lock and
    swap it in with one assignment."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._snap = self._build({})
        self.replace(names)

    # -- editing ---------------------------------------------------------------------
    @staticmethod
    def _build(names: dict[str, str]) -> _Snapshot:
        automaton = ahocorasick.Automaton()
        for key in names:
            automaton.add_word(f" {key} ", ("name", key))
        taken = {f" {k} " for k in names}
        for ckey in _CONTEXT_KEYS:
            if ckey not in taken:
                automaton.add_word(ckey, ("ctx", ckey))
        automaton.make_automaton()
        ambiguous = frozenset(k for k, v in names.items() if is_ambiguous(v))
        return _Snapshot(automaton, dict(names), ambiguous)

    def replace(self, names: Iterable[str]) -> None:
        """Watch exactly `names` from now on."""
        table: dict[str, str] = {}
        for n in names:
            display = clean_name(n)
            key = person_key(display)
            if key:
                table.setdefault(key, display)
        with self._lock:
            if table != self._snap.names:  # the periodic re-read mostly finds no change
                self._snap = self._build(table)

    def add(self, names: Iterable[str]) -> list[str]:
        """Watch these names too; returns the ones that were new."""
        with self._lock:
            table = dict(self._snap.names)
            added = []
            for n in names:
                display = clean_name(n)
                key = person_key(display)
                if key and key not in table:
                    table[key] = display
                    added.append(display)
            if added:
                self._snap = self._build(table)
            return added

    def remove(self, name: str) -> bool:
        with self._lock:
            key = person_key(name)
            if key not in self._snap.names:
                return False
            table = dict(self._snap.names)
            del table[key]
            self._snap = self._build(table)
            return True

    def names(self) -> list[str]:
        return sorted(self._snap.names.values(), key=person_key)

    def __len__(self) -> int:
        return len(self._snap.names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and person_key(name) in self._snap.names

    # -- matching --------------------------------------------------------------------
    def find(self, haystacks: Sequence[str], *, context: bool = False) -> list[tuple[str, int]]:
        """(display name, field index) of the watched people named in `haystacks`
        (core.text.haystack strings). Ambiguous names need prisoner context in
        those fields, or `context` (Venezuelan context found by the rules)."""
        snap = self._snap
        if not snap.names:
            return []
        hits: dict[str, int] = {}
        has_ctx = context
        for f, hay in enumerate(haystacks):
            if len(hay) < 3:
                continue
            for _end, (kind, key) in snap.automaton.iter(hay):
                if kind == "name":
                    hits.setdefault(key, f)
                else:
                    has_ctx = True
        return [
            (snap.names[k], f) for k, f in hits.items() if has_ctx or k not in snap.ambiguous
        ]
