"""The gazetteer: which entities an item names, and whether they place it in Venezuela.

Aliases are terms of the shared automaton. Plain aliases always count. `ambiguous`
aliases ("Machado") count only when the item has Venezuelan context from elsewhere
(a context term, another Venezuelan entity, or a topic signal). `cased` aliases
("Maduro", also an adjective) count at once when written with a capital initial
after the first word of a field (or anywhere in English), like ambiguous ones with a capital
only as a field's first word, and never in lower case (the common word: "plátano maduro").
A field in capitals ("RUBIO DIJO QUE MADURO...") has no case to read: there a cased
alias in capitals counts the same way (after the first word), so shouting titles
name the same people as sentence-case ones. An alias written in capitals in the
config (`ICE`) also counts as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from core.rules import EntitySpec
from core.text import fold, words

if TYPE_CHECKING:
    from monitor.match.engine import _Item

_CAP_WORD = re.compile(r"\b[A-ZÁÉÍÓÚÑ][\wáéíóúñü]+")


def _cased_patterns(alias: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The forms of a cased alias that name the entity: Capitalized words (`Maduro`), the
    alias as written when it has capitals (`ICE`), and its UPPER form (for shouting fields)."""
    folded = words(alias)
    capitalized = " ".join(w[:1].upper() + w[1:] for w in folded)
    as_written = " ".join(fold(alias, country=False, keep_case=True).split())
    forms = dict.fromkeys([capitalized, as_written] if as_written != as_written.lower() else [capitalized])

    def compile_forms(values: list[str]) -> re.Pattern[str]:
        body = "|".join(r"\s+".join(re.escape(w) for w in v.split()) for v in values)
        return re.compile(rf"(?<![\w])(?:{body})(?![\w])")

    return compile_forms(list(forms)), compile_forms([capitalized.upper()])


def _end(hay: str, start: int, nwords: int) -> int:
    """The offset of the space after the `nwords` words of a hit at `start` (" word word ")."""
    end = start
    for _ in range(nwords):
        end = hay.find(" ", end + 1)
        if end < 0:
            return len(hay)
    return end


def _shouting(text: str) -> bool:
    """A field written in capitals: letters, and none of them lower-case."""
    return not any(ch.islower() for ch in text) and any(ch.isalpha() for ch in text)


def _has_word(prefix: str) -> bool:
    """Whether a word comes before (quotes, emoji or dashes before the first word do not count)."""
    return any(ch.isalnum() for ch in prefix)


class EntityTable:
    def __init__(self, specs: list[EntitySpec], tid: Callable[[str], int]) -> None:
        self.specs = list(specs)
        self.alias: dict[int, list[tuple[int, str]]] = {}
        # (entity, alias term) -> (Capitalized or as-written form, UPPER form for shouting fields)
        self.cased: dict[tuple[int, int], tuple[re.Pattern[str], re.Pattern[str]]] = {}
        self.by_name = {e.name: i for i, e in enumerate(self.specs)}
        self.refs: dict[int, list[int]] = {}  # entity index -> its `@Name` term ids
        self.alias_of: dict[int, list[int]] = {}  # entity index -> alias term ids
        for ei, spec in enumerate(self.specs):
            for alias, kind in spec.all_aliases():
                t = tid(alias)
                self.alias.setdefault(t, []).append((ei, kind))
                self.alias_of.setdefault(ei, []).append(t)
                if kind == "cased":
                    self.cased[(ei, t)] = _cased_patterns(alias)
        # (entity, cased alias term) -> the longer aliases of other entities that hold the alias
        # ("Puerto Cabello" for "Cabello"), blanked before its capitals are looked for
        self.longer: dict[tuple[int, int], re.Pattern[str]] = {}
        for ei, spec in enumerate(self.specs):
            for alias, kind in spec.all_aliases():
                if kind == "cased" and (pattern := self._longer_aliases(ei, words(alias))) is not None:
                    self.longer[(ei, tid(alias))] = pattern

    def _longer_aliases(self, ei: int, short: list[str]) -> re.Pattern[str] | None:
        n = len(short)
        holders = sorted({
            " ".join(w) for oi, spec in enumerate(self.specs) if oi != ei for a, _ in spec.all_aliases()
            for w in [words(a)] if len(w) > n and any(w[k:k + n] == short for k in range(len(w) - n + 1))
        })
        if not holders:
            return None
        body = "|".join(r"\s+".join(re.escape(x) for x in h.split()) for h in holders)
        return re.compile(rf"(?<![\w])(?:{body})(?![\w])", re.IGNORECASE)

    def bind_refs(self, refs: dict[int, str]) -> None:
        self.refs = {}
        for t, n in refs.items():
            if n in self.by_name:
                self.refs.setdefault(self.by_name[n], []).append(t)

    # -- per item ------------------------------------------------------------
    def _cased_ok(self, ei: int, tid: int, item: _Item, lang: str | None) -> bool | None:
        """True: written with its capital where case tells (after a field's first word, or in
        English); None: with a capital only where case says nothing (a field's first word), so
        it waits for context as an ambiguous alias does; False: only in lower case, the common
        word ("el tesoro perdido", "cabello rapado"), never the entity."""
        normal, upper = self.cased[(ei, tid)]
        longer = self.longer.get((ei, tid))
        capital = False
        for text in item.raw:
            if not text:
                continue
            folded = fold(text, country=False, keep_case=True)
            if longer is not None:  # the capital of "Puerto Cabello" is the port's, not Cabello's
                folded = longer.sub(lambda m: "_" * len(m.group()), folded)
            for pattern in (normal, upper) if _shouting(folded) else (normal,):
                for m in pattern.finditer(folded):
                    if lang == "en" or _has_word(folded[: m.start()]):
                        return True
                    capital = True
        return None if capital else False

    def resolve(self, item: _Item, lang: str | None) -> tuple[dict[int, int], set[int]]:
        """(found entity -> first hit rank, pending ambiguous entities)."""
        found: dict[int, int] = {}
        pending: set[int] = set()
        alias = self.alias
        for tid, hits in list(item.hits.items()):
            owners = alias.get(tid)
            if owners is None:
                continue
            rank = hits[0][0] * 10_000_000 + hits[0][1]
            for ei, kind in owners:
                cased = None
                if kind == "cased":
                    if self._within_longer(ei, hits, item):
                        continue
                    cased = self._cased_ok(ei, tid, item, lang)
                    if cased is False:
                        continue
                if kind == "plain" or cased:
                    found[ei] = min(rank, found.get(ei, rank))
                else:
                    pending.add(ei)
        pending -= found.keys()
        return found, pending

    def _within_longer(self, ei: int, hits: list[tuple[int, int, int]], item: _Item) -> bool:
        """Whether every hit of a cased alias of entity `ei` lies inside a longer alias of another
        entity: "Tesoro" (the US Treasury in this beat) in "Tesoro de la Nación", a country's own."""
        spans = [
            (f, start, _end(item.hay[f], start, n))
            for tid, lst in item.hits.items() for f, start, n in lst
            if n > 1 and any(other != ei for other, _ in self.alias.get(tid, ()))
        ]
        return bool(spans) and all(
            any(f == g and s <= start and _end(item.hay[f], start, n) <= e for g, s, e in spans)
            for f, start, n in hits
        )

    def accept(self, found: dict[int, int], pending: set[int], item: _Item) -> None:
        for ei in pending:
            found.setdefault(ei, self._first_rank(ei, item))

    def _first_rank(self, ei: int, item: _Item) -> int:
        ranks = [h[0] * 10_000_000 + h[1] for t in self.alias_of.get(ei, ()) for h in item.hits.get(t, ())[:1]]
        return min(ranks, default=0)

    def add_refs(self, item: _Item, found: dict[int, int]) -> None:
        """Give each `@Name` term the hits of its entity's aliases when the entity is found."""
        for ei in found:
            ref_tids = self.refs.get(ei)
            if ref_tids:
                merged = sorted(h for t in self.alias_of[ei] for h in item.hits.get(t, ()))
                for rt in ref_tids:
                    item.hits[rt] = merged

    def names_venezuela(self, names: Iterable[str]) -> bool:
        """Whether stored entity names (an item's `entities`) include a Venezuelan one."""
        by_name, specs = self.by_name, self.specs
        return any(n in by_name and specs[by_name[n]].region == "venezuela" for n in names)

    def is_venezuelan(self, found: dict[int, int]) -> bool:
        return any(self.specs[ei].region == "venezuela" for ei in found)

    def is_foreign(self, found: dict[int, int], item: _Item) -> bool:
        """Whether the item names a place outside Venezuela, other than as the nationality of
        people: "Excarcelan a dos presos políticos colombianos", "ciudadanos de
        Alemania, Hungría y Ucrania" are foreigners held in Venezuela, which the beat covers;
        "Cuba excarcela…" and "presos en Colombia" still place the item elsewhere."""
        return any(
            self.specs[ei].region == "elsewhere" and not self._nationality_only(ei, found, item)
            for ei in found
        )

    def _nationality_only(self, ei: int, found: dict[int, int], item: _Item) -> bool:
        """Every mention of entity `ei` tells whose nationality people have (docs/MATCHING.md,
        "Foreigners held in Venezuela"); an entity whose own political prisoners are a beat of
        their own (`own_prisoners`) never does ("presos políticos cubanos" are Cuba's)."""
        if self.specs[ei].own_prisoners:
            return False
        hits = [h for t in self.alias_of.get(ei, ()) for h in item.hits.get(t, ())]
        if not hits:
            return False
        places = {
            (f, item.word_index(f, start)): n
            for e in found if self.specs[e].type == "place"
            for t in self.alias_of.get(e, ()) for f, start, n in item.hits.get(t, ())
        }
        return all(_of_people(item.hay[f].split(), item.word_index(f, start), n, places, f) for f, start, n in hits)

    def describe(self, found: dict[int, int]) -> list[dict]:
        order = sorted(found, key=lambda ei: (found[ei], ei))
        return [{"name": self.specs[ei].name, "type": self.specs[ei].type} for ei in order]

    def field_of(self, ei: int, found: dict[int, int]) -> str:
        return ("title", "summary", "text")[min(found.get(ei, 0) // 10_000_000, 2)]

    def org_names(self, found: dict[int, int]) -> list[str]:
        return [self.specs[ei].name for ei in found if self.specs[ei].type == "org"]

    def person_named(self, found: dict[int, int], title: str) -> bool:
        """A Venezuelan or neutral gazetteer person, or a capitalized full name in a
        sentence-case title ("Detienen al periodista Juan Pérez")."""
        if any(
            self.specs[ei].type == "person" and self.specs[ei].region != "elsewhere" for ei in found
        ):
            return True
        tokens = title.split()
        if len(tokens) < 3:
            return False
        caps = [bool(_CAP_WORD.fullmatch(t.strip(".,:;\"'()¡!¿?"))) for t in tokens]
        if sum(caps) > 0.6 * len(tokens):  # Title Case headline: capitals say nothing
            return False
        return any(caps[i] and caps[i + 1] for i in range(1, len(tokens) - 1))


# the people whose nationality a country names: before it in Spanish ("presos políticos
# colombianos", "ciudadanos de Alemania"), after it in English ("Colombian nationals"). Held
# people and citizens only: "el periodista guatemalteco liberado" and "el político colombiano"
# are as often that country's own news
_HELD = frozenset([
    "preso", "presos", "presa", "presas", "detenido", "detenidos", "detenida", "detenidas",
    "prisionero", "prisioneros", "rehen", "rehenes",
])
_POLITICAL = frozenset(["politico", "politicos", "politica", "politicas"])  # after a _HELD word
_PEOPLE_BEFORE = _HELD | frozenset([
    "ciudadano", "ciudadanos", "ciudadana", "ciudadanas", "nacional", "nacionales", "extranjero",
    "extranjeros", "extranjera", "extranjeras", "nacionalidad",
])
# ... the ones that open a list of countries ("ciudadanos de Alemania, Hungría, Ucrania y más")
_CITIZENS = frozenset(["ciudadanos", "ciudadanas", "nacionales", "nacionalidad", "citizens", "nationals"])
_BORN = frozenset(["nacido", "nacida", "nacidos", "nacidas"])
_PEOPLE_AFTER = frozenset(["national", "nationals", "citizen", "citizens", "prisoner", "prisoners", "detainee", "detainees"])
_LIST_WORDS = frozenset({"y", "e", "and", "de", "del", "of"})
_MAX_UNLISTED = 3  # countries of such a list the gazetteer does not know (Alemania, Hungría)


def _of_people(words: list[str], i: int, n: int, places: dict[tuple[int, int], int], f: int) -> bool:
    """The place named at words[i:i + n] is people's nationality: an English person noun right
    after it ("Colombian nationals"), or a person noun before it, possibly through a list of
    places ("argentino-israelí"; "ciudadanos de Alemania, Hungría, Ucrania", where countries the
    gazetteer does not know may stand, "nacido en Argentina")."""
    after = words[i + n:i + n + 2]
    if after and (after[0] in _PEOPLE_AFTER or after[0] == "political" and after[1:] and after[1] in _PEOPLE_AFTER):
        return True
    j, unlisted = i - 1, 0
    while j >= 0:
        word = words[j]
        if word in _POLITICAL and j > 0 and words[j - 1] in _HELD:
            word = words[j - 1]  # "presos políticos colombianos"
        if word in _PEOPLE_BEFORE:
            return not unlisted or (word in _CITIZENS and words[j + 1] in _LIST_WORDS)
        if word == "en" and j > 0 and words[j - 1] in _BORN:
            return not unlisted
        if word in _LIST_WORDS:
            j -= 1
            continue
        # another place of the list, read back from its last word
        start = next((k for k in range(j, max(-1, j - 4), -1) if places.get((f, k)) == j - k + 1), None)
        if start is not None:
            j = start - 1
        elif unlisted < _MAX_UNLISTED and word.isalpha() and len(word) > 3:
            j, unlisted = j - 1, unlisted + 1
        else:
            return False
    return False
