"""Counts of people released, arrested, held or dead, in Spanish and English.

A number (digits with either thousands separator, or number words up to the
thousands) is a count when it is attached to a people noun ("87 presos políticos",
"three Americans") or an event noun ("61 excarcelaciones", "28 muertos"), or follows
an event verb directly ("kills six"). The event comes from, first match wins: the
event noun itself ("excarcelaciones"); a release, arrest or death verb before the
number ("excarceló a", "frees"); a verb right after the noun ("were released",
"siguen detenidos"); any other verb before it; a default for tallies of political
prisoners (held). A demanded release ("exige liberar a", "demands release of") is
held; tallies ("eleva a N el número de presos políticos", "prisoner count stands at N") take
the event of their noun; in "25 muertos y 2.400 detenidos" each number keeps its own noun.
Dates, ages, durations, years, money, percentages, rates and ordinals are skipped. Vague amounts ("decenas", "dozens") are not numbers at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property

from core.count import Count, outlet
from core.text import fold
from monitor.match.counts.after import colon_predicate
from monitor.match.counts.classify import classify_rule
from monitor.match.counts.confidence import confident
from monitor.match.counts.context import (
    counted_prisoners,
    event_between,
    mentioned_event,
    sentence_event,
    verified_figure,
)
from monitor.match.counts.corrections import corrected_away, corrected_to
from monitor.match.counts.cues import PUTS
from monitor.match.counts.features import features, item_features, language
from monitor.match.counts.increments import on_top
from monitor.match.counts.joint import each_their_own
from monitor.match.counts.lexicon import SINGULAR_PERSON
from monitor.match.counts.model import count_model
from monitor.match.counts.numbers import (
    NUMBER_WORDS,
    Sentence,
    glued,
    hyphen_range,
    or_range,
    parse_number,
    range_low,
    to_range,
    token_list,
)
from monitor.match.counts.parts import part_of
from monitor.match.counts.phrases import find_unit, is_bare_partitive_whole, partitive_whole
from monitor.match.counts.qualifiers import qualifier_of
from monitor.match.counts.quantities import apposition, clock, skip
from monitor.match.counts.sources import (
    GENERIC_NGO,
    NGOS,
    NOT_GROUPS,
    SOURCES,
    UNNAMED,
    attribute,
    generic,
    only_source,
    sole_source,
    source_mentions,
    stated_after,
)

# no break after "EE.UU." / "U.S." ("nueve ciudadanos de EE.UU. siguen presos", "EE .UU. PIDE…").
# Every break starts with a blank, and the pattern opens with that one blank (the lookbehinds
# take it in) so that the regex engine skips to the blanks in C instead of trying every position
# (three times faster); then: after a full stop, a line break, or a dash between blanks.
# The last branch (`rest`) is no break: it takes the rest of a run of blanks where the dash
# branch failed, which fails again at every later blank of the run (its `\s*` reads to the run's
# end each time: 64,000 spaces took 32 s, 200,000 never ended); `_breaks` finds the line
# breaks the run still holds.
_SENTENCES = re.compile(
    r"\s(?:(?<=[.!?;]\s)(?<!ee\.uu\.\s)(?<!\bee\.\s)(?<!ee\. uu\.\s)(?<!ee \.uu\.\s)(?<!\bu\.s\.\s)(?<!\bvs\.\s)"
    # abbreviated months and titles do not end a sentence ("since Jan. 8")
    r"(?<!\bjan\.\s)(?<!\bfeb\.\s)(?<!\bmar\.\s)(?<!\bapr\.\s)(?<!\baug\.\s)(?<!\bsep\.\s)(?<!\bsept\.\s)"
    r"(?<!\boct\.\s)(?<!\bnov\.\s)(?<!\bdec\.\s)(?<!\bene\.\s)(?<!\bdic\.\s)(?<!\bno\.\s)(?<!\bnro\.\s)"
    r"\s*|(?<=\n)\n*|\s*[-–—|]\s+|(?P<rest>\s+))")
_LINE_BREAKS = re.compile(r"\n+")


# A sentence is worth reading for counts when it has a digit, a death or round-number stem,
# a number word, or "un/una <person>". The number words are one token each, so a set lookup
# on the sentence's words replaces a long regex alternation (tried at every position), and the
# stems are found as substrings (one search in C each: twice as fast as their alternation).
_DIGIT = re.compile(r"\d")
_STEMS = ("muer", "murio", "died", "dies", "death", "fallec", "centenar", "millar", "dozen", "docena")
_NUMBER_TOKENS = frozenset(NUMBER_WORDS)
# "\buna? …" written "un(?<=\bun)a? …": the same matches, but a pattern opening with letters is
# searched for them in C, where one opening with \b is tried at every position (3x faster)
_ONE_PERSON = re.compile(r"un(?<=\bun)a? (?:" + "|".join(sorted(SINGULAR_PERSON, key=len, reverse=True)) + r")\b")
_WORD = re.compile(r"\w+")
# ASCII bytes that are not word characters (`\w`: letters, digits, "_") become spaces
_ASCII_NON_WORD = bytes(c if c < 128 and (chr(c).isalnum() or c == ord("_")) else 32 for c in range(256))


def _worth_a_look(sentence: str) -> bool:
    if _DIGIT.search(sentence) is not None:
        return True
    for stem in _STEMS:
        if stem in sentence:
            return True
    words = _words(sentence)
    if not _NUMBER_TOKENS.isdisjoint(words):
        return True
    return ("un" in words or "una" in words) and _ONE_PERSON.search(sentence) is not None


def _words(sentence: str) -> list[str]:
    """The sentence's word tokens (the regex `\\w+`); an ASCII one (most folded sentences) split
    by a byte table, in C, three times faster than the regex."""
    if sentence.isascii():
        return sentence.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split()
    return _WORD.findall(sentence)


# a figure's groups of thousands set apart by a no-break, narrow no-break or thin space ("1 200",
# as typographers write it): the fold makes it an ordinary space, and "1" and "200" were two counts
_GROUPED = re.compile(r"(?<=\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))")


class _Item:
    """What the sentences of one item share: the counts so far and the item's sources."""

    def __init__(self, fields: Iterable[str], orgs: Sequence[str],
                 trace: list[tuple[Count, list[str]]] | None = None) -> None:
        self.orgs = orgs
        self.trace = trace  # (count, its features) of each new count, for the learned step
        self.where = (0, 0)  # (field, sentence) being read
        self.repeated: set[tuple[str, int]] = set()  # counts read more than once
        self.fields = [fold(_GROUPED.sub("", f)) for f in fields if f]
        self.org_tokens = [t for t in (tuple(token_list(fold(o))) for o in orgs) if len(t) > 1]
        self.results: list[Count] = []
        self.index: dict[tuple[str, int], Count] = {}
        self.last_event: str | None = None
        self.earlier: list[str] = []  # the item's sentences so far, for a figure with nothing before it
        # the event the nearest sentence at or before each of `earlier` names, worked out as far
        # as asked (`told_before`): each figure's look back through every earlier sentence made a
        # text of 11,000 short sentences cost 71 s
        self._told: list[str | None] = []
        self._told_after: dict[int, str | None] = {}
        self._generic: dict[str, str | None] = {}  # resolved lazily: the one named source of the item
        self.title_opening = ""  # the title's first sentence, whose source its later ones may take
        self.figures = 0  # figures read so far (MAX_FIGURES)

    def told_before(self) -> str | None:
        """The release/arrest/death the nearest earlier sentence naming one names (not the one
        read now, the last of `earlier`)."""
        wanted = len(self.earlier) - 1
        while len(self._told) < wanted:
            told = mentioned_event(self.earlier[len(self._told)])
            self._told.append(told or (self._told[-1] if self._told else None))
        return self._told[wanted - 1] if wanted > 0 else None

    def told_in_context(self) -> str | None:
        """The event the item's other sentences name, nearest first: those read before this
        one, then the fields after its own."""
        told = self.told_before()
        if told is not None:
            return told
        here = self.where[0]
        if here not in self._told_after:
            self._told_after[here] = next(filter(None, map(mentioned_event, self.fields[here + 1:])), None)
        return self._told_after[here]

    def generic_source(self, mention: str) -> str | None:
        """The one source named in the item that a generic mention stands for: any group
        for "the group", a rights group of the table for "la ONG" (`NGOS`)."""
        if mention not in self._generic:
            names = []
            for ftext in self.fields:
                if mention == GENERIC_NGO:
                    names += [n for n, p in SOURCES if n in NGOS and p.search(ftext)]
                    continue
                names += [n for n, p in SOURCES if n not in NOT_GROUPS and p.search(ftext)]
                names += [n for n in self.orgs if fold(n) in ftext]
            names = list(dict.fromkeys(names))
            self._generic[mention] = names[0] if len(names) == 1 else None
        return self._generic[mention]

    @cached_property
    def headline_source(self) -> str | None:
        """The source the title opens with ("Foro Penal: …; …", "Según Foro Penal, …; …"), read
        only when a later sentence of the title has a figure and names no one."""
        return _opening_source(self.title_opening, self.orgs)

    def add(self, event: str, value: int, source: str | None, rule: str, *, additional: bool = False,
            part: str | None = None, qualifier: str | None = None, upto: int | None = None) -> Count | None:
        """A count, deduplicated by event+number (the first source named wins); the new
        count, or None when it was already there."""
        key = (event, value)
        if key in self.index:
            self.repeated.add(key)
            if self.index[key].source is None and source:
                self.index[key].source = source
            return None
        self.index[key] = count = Count(event, value, source, confident(rule), rule, additional, part, qualifier,
                                        upto)
        self.results.append(count)
        return count


# (event, value, token index, rule)
_Found = tuple[str, int, int, str]


def extract_counts(fields: Iterable[str], orgs: Sequence[str] = ()) -> list[Count]:
    """Counts in an item's fields (title, summary, text), deduplicated by event+number, as
    the rules read them and the learned step (count_model) judges them when it is loaded."""
    model = count_model()
    if model is None:
        return read_counts(fields, orgs)
    read: list[tuple[Count, list[str]]] = []
    read_counts(fields, orgs, trace=read)
    return model.judge(read)


# Each figure costs its weighing (40-60 µs); an item is read up to this many: a text of figures
# alone ("10 10 10 …", "1 1 1 …" up to the field's 200,000 characters) took 4-6 s, where the news
# of the labelled sets and the corpus has at most a few hundred a text.
MAX_FIGURES = 2_000


def read_counts(fields: Iterable[str], orgs: Sequence[str] = (), *,
                trace: list[tuple[Count, list[str]]] | None = None) -> list[Count]:
    """The rules' counts; `trace`, when given, receives each with its features
    (features), for the learned step and its training."""
    item = _Item(fields, orgs, trace)
    for f, ftext in enumerate(item.fields):
        for s, raw_sentence in enumerate(_sentences(ftext, orgs)):
            if item.figures >= MAX_FIGURES:
                break
            if not raw_sentence:
                continue
            item.where = (f, s)
            item.earlier.append(raw_sentence)
            if f == 0 and s == 0:
                item.title_opening = raw_sentence
            if not _worth_a_look(raw_sentence):
                continue
            sent = Sentence(raw_sentence, item.org_tokens)
            found = _sentence_counts(item, sent)
            if found:
                _attribute_all(item, sent, found)
    if trace:
        keys = [(c.event, c.number) for c in item.results]
        for count, feats in trace:
            feats += item_features(keys, item.repeated, (count.event, count.number))
    return item.results


def _sentences(text: str, orgs: Sequence[str]) -> list[str]:
    """The sentences of a field; a source alone after a dash stays with the sentence before it
    ("Venezuela frees 87 political prisoners - Foro Penal": Foro Penal states the 87)."""
    out: list[str] = []
    at, dash = 0, False
    for start, end, after_dash in [*_breaks(text), (len(text), len(text), False)]:
        piece = text[at:start]
        if dash and out and only_source(piece, orgs):
            out[-1] += " - " + piece
        else:
            out.append(piece)
        dash, at = after_dash, end
    return [part for sentence in out for part in _bounded(sentence)]


def _breaks(text: str) -> Iterator[tuple[int, int, bool]]:
    """Where `_SENTENCES` breaks the text (start, end, whether at a dash), in one pass: a run of
    blanks where no break starts but at its line breaks is read once (`rest`), its runs of line
    breaks (each a break, as the regex found them blank by blank) taken from it."""
    for m in _SENTENCES.finditer(text):
        if m.group("rest") is None:
            yield m.start(), m.end(), m.group().strip() in _DASHES
        else:  # the run's first blank is no line break: the line-break branch comes first
            for run in _LINE_BREAKS.finditer(text, m.start() + 1, m.end()):
                yield run.start(), run.end(), False


# A sentence is read whole: each figure is weighed against the others of its sentence, which
# costs the square of their number. A run-on "sentence" of thousands of words (a page's text with
# no full stop, a list of names and figures, a hostile feed: 196,000 characters of "excarcelan a
# 20 presos y 30 detenidos," took two minutes) is read in pieces cut at a comma or a space.
MAX_SENTENCE_CHARS = 1_200


def _bounded(sentence: str) -> list[str]:
    """The sentence, or its pieces of at most MAX_SENTENCE_CHARS cut after a comma (else a space)."""
    out: list[str] = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        head = sentence[:MAX_SENTENCE_CHARS]
        cut = max(head.rfind(", "), head.rfind("; "))
        cut = cut + 1 if cut > MAX_SENTENCE_CHARS // 2 else (head.rfind(" ") if head.rfind(" ") > 0 else len(head))
        out.append(sentence[:cut])
        sentence = sentence[cut:]
    out.append(sentence)
    return out


_DASHES = frozenset("-–—")


def _sentence_counts(item: _Item, sent: Sentence) -> list[_Found]:
    """The counts of one sentence, left to right."""
    toks = sent.tokens
    found: list[_Found] = []
    i = 0
    while i < len(toks):
        parsed = parse_number(toks, i)
        if parsed is None:
            i += 1
            continue
        item.figures += 1
        if item.figures > MAX_FIGURES:
            break
        value, j, singular = parsed
        low = _range_second(sent, i, j)
        first = None
        if low is not None:
            # "entre 56 y 76 excarcelaciones": both ends, with the event of the second
            first, (i, (value, j, singular)) = (value, i), low
        event, rule = _number_event(item, sent, found, i, j, value, singular)
        if event is None and first is not None:
            # "releases between 80 and 90 prisoners": the verb is before the whole range
            event, rule = _number_event(item, sent, found, first[1], j, value, singular)
        if event is not None:
            if first is not None:
                found.append((event, first[0], first[1], rule))
            found.append((event, value, i, rule))
            item.last_event = event
        i = j
    if not found:
        return found
    then = colon_predicate(toks, found[-1][2])
    if then is not None and then != found[-1][0]:
        # "Detienen a 16 adolescentes ...: fueron excarcelados": the same people, later
        found.append((then, found[-1][1], found[-1][2], "colon_predicate"))
    if _HUNGER.search(sent.text):
        found = [f for f in found if f[0] != "held"]  # hunger strikers are not counts
    return found


def _number_event(item: _Item, sent: Sentence, found: list[_Found], i: int, j: int, value: int,
                  singular: bool) -> tuple[str | None, str]:
    """(event, rule) of the number toks[i:j], with the count before and the item in view."""
    toks = sent.tokens
    prev = (found[-1][0], found[-1][2]) if found else None
    if skip(toks, i, j, value, toks[i]) or apposition(sent, i, j) or glued(sent, i) or clock(sent, i, j):
        return None, "quantity"
    if corrected_away(toks, i):
        return None, "corrected"  # "son 134 y no 143": 143 is the figure corrected
    if (fixed := corrected_to(toks, i, j, item.told_in_context)) is not None:
        return fixed, "corrected_figure"
    if item.last_event is not None and found and _listed_rival(item, sent, i, j):
        return item.last_event, "rival_figure"
    event, rule = classify_rule(toks, i, j, singular, prev)
    if event is None and counted_prisoners(toks, i, j, item.earlier):
        return "held", "counted_prisoners"  # "Foro Penal ... counted 838 as of Monday"
    if event is None and item.last_event is not None and _rival_figure(item, sent, i, j):
        return item.last_event, "rival_figure"  # "Provea contabiliza 560 presos políticos; Foro Penal, 610"
    if (event is not None and i > 0 and toks[i - 1] in _ANAPHORA and find_unit(toks, j) is None
            and any(r.number == value for r in item.results)):
        return None, "anaphora"  # "the six had been held": the six already counted
    if event == "detainees":
        # a part of "the detainees": of the last count of people held or arrested
        held = [f[0] for f in found if f[0] in ("held", "arrested")] or [
            r.event for r in item.results if r.event in ("held", "arrested")]
        event = held[-1] if held else "arrested"
    seen = {r.event for r in item.results} | {f[0] for f in found}
    if event == "level":
        # a tally at a level after arrests is of those held ("10 detenciones; el total regional
        # asciende a 57"), else a running total
        event = "held" if "arrested" in seen else "total"
    if event == "total":
        # a total after releases and arrests alike is the tally of those held
        # ("5 new arrests, 12 releases; total stands at 884")
        event = "held" if {"released", "arrested"} <= seen else "inherit"
        if not seen and item.last_event is None and (told := sentence_event(toks, i)) is not None:
            event = "inherit:" + told  # "Fallece otro preso político: ya son cuatro en el año"
    if event is not None and event.startswith("inherit"):
        event = _inherited(item, toks, found, i, j, event)
    return event, rule


def _rival_figure(item: _Item, sent: Sentence, i: int, j: int) -> bool:
    """A clause that is only "<source>, N" after a count: the source's figure of the same tally."""
    toks = sent.tokens
    if i == 0 or i > 4 or not (j == len(toks) or toks[j] == ":") or find_unit(toks, j) is not None:
        return False
    head = sent.text[:sent.spans[i][0]].rstrip()
    return head.endswith(",") and any(
        start == 0 and end == len(head) - 1 for start, end, _ in source_mentions(head, item.orgs))


def _listed_rival(item: _Item, sent: Sentence, i: int, j: int) -> bool:
    """"el Gobierno habla de 800 liberados, Foro Penal de 344 y Provea de 351": in a list
    after a count, "<source> de N" with no noun is that source's figure of the same tally."""
    toks = sent.tokens
    if i < 3 or not (j == len(toks) or toks[j] in (",", "y", "and", ";")) or find_unit(toks, j) is not None:
        return False
    head = sent.text[:sent.spans[i][0]].rstrip()
    # "…, Foro Penal de 344", and after an estimate "Foro Penal cifra en 1.050 …, y el Gobierno en 884"
    of = toks[i - 1] in ("de", "of") or (toks[i - 1] in ("en", "at") and any(t in PUTS for t in toks[:i - 1]))
    if not of or "," not in head:
        return False
    head = head[:-2].rstrip()
    return any(end == len(head) for _, end, _ in source_mentions(head, item.orgs))


def _inherited(item: _Item, toks: Sequence[str], found: list[_Found], i: int, j: int,
               event: str) -> str | None:
    """The event of a figure that takes the one before it ("inherit", "inherit:<fallback>")."""
    between = event_between(toks, found[-1][2] + 1, i) if found else None
    resolved = between or item.last_event or (event.split(":")[1] if ":" in event else None)
    if resolved is None and verified_figure(toks, i, j):
        resolved = sentence_event(toks, i) or item.told_before()
    if resolved is None and counted_prisoners(toks, i, j, item.earlier):
        resolved = "held"  # "Foro Penal ... counted 838 as of Monday", "NGOs count 840"
    return resolved


def _attribute_all(item: _Item, sent: Sentence, found: list[_Found]) -> None:
    """The source of each count of the sentence, then the counts into the item."""
    toks = sent.tokens
    mentions = source_mentions(sent.text, item.orgs)
    starts = [sent.spans[k][0] for _, _, k, _ in found]
    wholes = {f2[2] for f1, f2 in zip(found, found[1:], strict=False)
              if f2[2] > f1[2] and (partitive_whole(toks, f1[2] + 1) is not None
                                    or is_bare_partitive_whole(toks, f2[2]))}
    ranges = _range_ends(sent, found)
    values = {k: value for _, value, k, _ in found}
    numbers = [(event, k) for event, _, k, _ in found]
    sources = {k: _source_of(item, sent, mentions, starts, k, k in wholes, rule) for _, _, k, rule in found}
    for (_, _, k, rule), (_, _, k2, _) in zip(found, found[1:], strict=False):  # "A y B: 1.050 vs. 884"
        if rule == "versus" and (pair := each_their_own(sent.text, mentions, (sent.spans[k][0], sent.spans[k2][0]), sources[k])):
            sources[k], sources[k2] = pair
    for low, high in ranges.items():
        if sources[low] is None:  # "Between 40 and 50 ... released, Foro Penal says": both ends
            sources[low] = sources[high]
    # what the sentence itself names: the learned step's feature, as the shipped counts model
    # was trained on it (an outlet's lead-in, a source since December 2026, was none: its figure
    # is as confident as before)
    named = {k: None if outlet(source) else source for k, source in sources.items()}
    if item.where[0] == 0 and item.where[1] > 0 and not mentions:
        # a headline opened by its source ("Foro Penal: 412 excarcelados desde enero; quedan 600"):
        # its later sentences, naming no one else, are the same source's
        sources = {k: source or item.headline_source for k, source in sources.items()}
    for event, value, k, rule in found:
        source = sources[k]
        high = ranges.get(k)  # "entre 10 y 15 militares": both ends count the group the second names
        additional = on_top(toks, k, event, numbers, rule) or (
            high is not None and on_top(toks, high, event, numbers, rule))
        count = item.add(event, value, source, rule, additional=additional,
                         part=part_of(toks, k if high is None else high), qualifier=qualifier_of(toks, k),
                         upto=None if high is None else values[high])
        if count is not None and item.trace is not None:
            item.trace.append((count, features(
                toks, k, event, value, rule, source=named[k], field=item.where[0],
                sentence=item.where[1], numbers=len(found), earlier=len(item.results) - 1,
                lang=language(toks))))


_ACCORDING = re.compile(r"^\s*(?:segun|de acuerdo con|de acuerdo a|according to)\s+([^,:;]{2,60}),")


def _opening_source(sentence: str, orgs: Sequence[str]) -> str | None:
    """The source a headline opens with, before a colon ("Foro Penal: …") or after "según"
    ("Según Foro Penal, …"), when that piece is one source and nothing else."""
    head = m.group(1) if (m := _ACCORDING.match(sentence)) else sentence.partition(":")[0]
    return None if head == sentence else sole_source(head, orgs)


def _source_of(item: _Item, sent: Sentence, mentions: list[tuple[int, int, str]], starts: list[int],
               k: int, whole: bool, rule: str) -> str | None:
    """Who states the count at toks[k] (None: nobody the sentence names)."""
    if whole:  # "Foro Penal verificó 61 de las 87": 87 is not Foro Penal's...
        # ...but "de las 87 anunciadas por el Gobierno" is the government's
        source = stated_after(sent, mentions, sent.spans[k][1], starts, said=False)
    elif rule == "rival_figure":  # "...; Foro Penal, 610", "..., Provea de 351": the source before
        source = next((m[2] for m in reversed(mentions) if m[1] <= sent.spans[k][0]), mentions[0][2])
    else:
        source = attribute(sent, mentions, sent.spans[k], [s for s in starts if s != sent.spans[k][0]])
    if source in UNNAMED:
        source = generic(source, item.generic_source(source))
    return source


def _range_ends(sent: Sentence, found: list[_Found]) -> dict[int, int]:
    """The token index of a range's first number → that of its second, for ranges of one
    event read as two counts ("entre 139 y 155 presos", "700-800 people", "1,450 to 1,600")."""
    toks = sent.tokens
    out: dict[int, int] = {}
    for (event, _, k, _), (event2, _, k2, _) in zip(found, found[1:], strict=False):
        parsed = parse_number(toks, k)
        if parsed is None or event != event2:
            continue
        low = _range_second(sent, k, parsed[1])
        if low is not None and low[0] == k2:
            out[k] = k2
    return out


def _range_second(sent: Sentence, i: int, j: int) -> tuple[int, tuple[int, int, bool]] | None:
    """The index and parse of a range's second number when toks[i:j] opens one ("entre 56 y
    76", "700-800", "1,450 to 1,600")."""
    toks = sent.tokens
    return range_low(toks, i, j) or hyphen_range(sent, i, j) or to_range(toks, i, j) or or_range(toks, i, j)


_ANAPHORA = {"the", "los", "las", "these", "estos", "estas"}


_HUNGER = re.compile(r"huelga de hambre|hunger strik|refus\w* food|se niegan a comer|stopped eating")

