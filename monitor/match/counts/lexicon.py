"""The counts extractor's lexicon: its word tables, read from one file per language
(data/count_lexicon_es.yaml, data/count_lexicon_en.yaml).

Entries are folded words in the rule syntax of core/terms.py, so an operator writes a lemma
once: `preso~` is preso, presa, presos, presas (`core.terms.inflect`), `excarcel*` a stem
(the tables read with `stems`), `de ellos` a phrase. A table is the union of the files;
maps (`event: [entries]`) give each form one event. Tokens that are not words (`<org>`,
`$`, `,`) are added where the tables are built (lexicon here, cues,
quantities)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from core.terms import parse_term

LANGUAGES = ("es", "en")


class Lexicon:
    """Tables read from per-language mappings ({table: [entries]} or {table: {event: [entries]}})."""

    def __init__(self, files: Sequence[Mapping[str, Any]]) -> None:
        self._files = tuple(files)

    def _entries(self, key: str, event: str | None = None) -> Iterator[str]:
        found = False
        for table in self._files:
            value = table.get(key)
            if value is None:
                continue
            if isinstance(value, Mapping) != (event is not None):
                raise ValueError(f"count lexicon: {key!r} is not a list of entries")
            found = True
            yield from (str(e) for e in (value.get(event) or () if event is not None else value))
        if not found:
            raise KeyError(f"count lexicon: no table {key!r}")

    def words(self, key: str, event: str | None = None) -> frozenset[str]:
        """The words of a table (`~` entries inflected)."""
        out: set[str] = set()
        for entry in self._entries(key, event):
            if entry.endswith("*") or " " in entry.strip():
                raise ValueError(f"count lexicon, {key}: {entry!r} is not one word")
            out.update(f[0] for f in _forms(entry, key))
        return frozenset(out)

    def stems(self, key: str, event: str | None = None) -> tuple[str, ...]:
        """The stems of a table (every entry ends in `*`), for `str.startswith`."""
        out: list[str] = []
        for entry in self._entries(key, event):
            if not entry.endswith("*"):
                raise ValueError(f"count lexicon, {key}: {entry!r} is not a stem (`word*`)")
            out += [f[0] for f in _forms(entry, key) if f[0] not in out]
        return tuple(out)

    def phrases(self, key: str, event: str | None = None) -> frozenset[tuple[str, ...]]:
        """The phrases of a table, as word tuples."""
        return frozenset(f for entry in self._entries(key, event) for f in _forms(entry, key))

    def events(self, key: str) -> list[str]:
        """The events of a map, in the order the files give them."""
        seen: list[str] = []
        for table in self._files:
            value = table.get(key) or {}
            if not isinstance(value, Mapping):
                raise ValueError(f"count lexicon: {key!r} is not a map of events")
            seen += [ev for ev in value if ev not in seen]
        return seen

    def event_words(self, key: str) -> dict[str, str]:
        """A map of events: word -> its event; a word under two events is an error."""
        out: dict[str, str] = {}
        for ev in self.events(key):
            for w in self.words(key, ev):
                if out.setdefault(w, ev) != ev:
                    raise ValueError(f"count lexicon, {key}: {w!r} is both {out[w]} and {ev}")
        return out

    def event_phrases(self, key: str) -> dict[tuple[str, ...], str]:
        """A map of events: phrase -> its event."""
        return {p: ev for ev in self.events(key) for p in self.phrases(key, ev)}

    def event_stems(self, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """A map of events as (event, stems), in the files' order: the first that fits wins."""
        return tuple((ev, self.stems(key, ev)) for ev in self.events(key))


def _forms(entry: str, key: str) -> list[tuple[str, ...]]:
    try:
        term = parse_term(entry)
    except ValueError as exc:
        raise ValueError(f"count lexicon, {key}: {exc}") from None
    return [tuple(k.split()) for k in term.keys]


def read_files() -> list[Mapping[str, Any]]:
    """The shipped lexicon files (package data), one per language."""
    data = resources.files("monitor.match").joinpath("data")
    yaml = YAML(typ="safe", pure=False)
    return [yaml.load(data.joinpath(f"count_lexicon_{lang}.yaml").read_text(encoding="utf-8")) or {}
            for lang in LANGUAGES]


LEXICON = Lexicon(read_files())
words, stems, phrases = LEXICON.words, LEXICON.stems, LEXICON.phrases
event_words, event_phrases, event_stems = LEXICON.event_words, LEXICON.event_phrases, LEXICON.event_stems


# -- the tables (folded) ---------------------------------------------------------------
# nouns the number is attached to
EVENT_NOUN = event_words("event_noun")
PRISONER = words("prisoner")
DETAINEE = words("detainee")
PEOPLE = PRISONER | DETAINEE | words("people")
NOT_PEOPLE = words("not_people")
KIN = words("kin")  # "60 madres": relatives, not prisoners, unless a subset ("entre ellas, 4 madres")
NOT_PEOPLE_AFTER = words("not_people_after")  # "37 ocurrieron", "1,600 still pending"
THING_ADJECTIVES = words("thing_adjectives")
# "un activista detenido", "una dirigente excarcelada"
SINGULAR_PERSON = words("singular_person")
SINGULAR_ADJ = words("singular_adj")
SINGULAR_PARTICIPLE = event_words("singular_participle")
# between the number and its noun; "<org>" stands for a gazetteer organisation's words
MODIFIERS = words("modifiers") | {"<org>"}
# predicates after the noun
AFTER_EVENT = event_words("after_event")
AFTER_PAIR = event_phrases("after_pair")
AFTER_HELD = words("after_held")
AFTER_HELD_NOUN = words("after_held_noun")
ADJECTIVAL = words("adjectival")
# verbs before the number
BEFORE_PREFIX = event_stems("before_prefix")
BEFORE_EXACT = event_words("before_exact")
DEMAND = stems("demand")
PLANNED = words("planned")
INHERIT = words("inherit")
VERIFY = stems("verify")
DEAD_WORDS = stems("dead_words")
DEAD_VERB = stems("dead_verb")
# tallies, subsets, changes
TALLY_NOUN = words("tally_noun")
TALLY = words("tally")
QUALIFIER = words("qualifier")
ADVERBS = words("adverbs")
CHANGE = words("change")
SUBSET = phrases("subset")
SUBSET_GLUE = words("subset_glue")
SUBSET_AFTER = phrases("subset_after")
SUBSET_WORDS = words("subset_words")
INCLUDES = words("includes")


def asks(token: str) -> bool:
    """A word of asking or planning: the people it is about are still inside ("exige liberar a
    los 800", "evalúa excarcelar a 300", "estudia liberar a 200", "weighs releasing 200")."""
    return token.startswith(DEMAND) or token in PLANNED
