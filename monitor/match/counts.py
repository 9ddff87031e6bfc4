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
from collections.abc import Iterable, Sequence

from core.text import fold
from monitor.match.counts_after import colon_predicate
from monitor.match.counts_classify import classify
from monitor.match.counts_context import (
    counted_prisoners,
    event_between,
    mentioned_event,
    sentence_event,
    verified_figure,
)
from monitor.match.counts_lexicon import SINGULAR_PERSON
from monitor.match.counts_numbers import (
    NUMBER_WORDS,
    TOKEN,
    Sentence,
    glued,
    parse_number,
    range_low,
)
from monitor.match.counts_phrases import find_unit, is_bare_partitive_whole, partitive_whole
from monitor.match.counts_quantities import apposition, skip
from monitor.match.counts_sources import SOURCES, attribute, source_mentions

# -- number words -----------------------------------------------------------------


# no break after "EE.UU." / "U.S." ("nueve ciudadanos de EE.UU. siguen presos")
_SENTENCES = re.compile(
    r"(?<=[.!?;])(?<!ee\.uu\.)(?<!\bu\.s\.)(?<!\bvs\.)"
    # abbreviated months and titles do not end a sentence ("since Jan. 8")
    r"(?<!\bjan\.)(?<!\bfeb\.)(?<!\bmar\.)(?<!\bapr\.)(?<!\baug\.)(?<!\bsep\.)(?<!\bsept\.)"
    r"(?<!\boct\.)(?<!\bnov\.)(?<!\bdec\.)(?<!\bene\.)(?<!\bdic\.)(?<!\bno\.)(?<!\bnro\.)"
    r"\s+|\n+|\s+[-–—|]\s+")


# Sentences without a digit, a number word, a death word or "un <person>" ("un activista
# detenido") cannot hold a count.
_WORTH_A_LOOK = re.compile(
    r"\d|\b(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b"
    r"|muer|murio|died|dies|death|fallec|centenar|millar"
    r"|\buna? (?:" + "|".join(sorted(SINGULAR_PERSON, key=len, reverse=True)) + r")\b"
)


def extract_counts(fields: Iterable[str], orgs: Sequence[str] = ()) -> list[dict]:
    """Counts in an item's fields (title, summary, text), deduplicated by event+number."""
    results: list[dict] = []
    index: dict[tuple[str, int], dict] = {}
    last_event: str | None = None
    earlier: list[str] = []  # the item's sentences so far, for a figure with nothing before it
    folded_fields = [fold(f) for f in fields if f]
    generic: list[str | None] = []  # resolved lazily: the one named source of the item
    org_tokens = [t for t in (tuple(TOKEN.findall(fold(o))) for o in orgs) if len(t) > 1]

    def generic_source() -> str | None:
        if not generic:
            names = []
            for ftext in folded_fields:
                names += [n for n, p in SOURCES if n not in ("*", "the government") and p.search(ftext)]
                names += [n for n in orgs if fold(n) in ftext]
            names = list(dict.fromkeys(names))
            generic.append(names[0] if len(names) == 1 else None)
        return generic[0]

    for ftext in folded_fields:
        for raw_sentence in _SENTENCES.split(ftext):
            if not raw_sentence:
                continue
            earlier.append(raw_sentence)
            if not _WORTH_A_LOOK.search(raw_sentence):
                continue
            sent = Sentence(raw_sentence, org_tokens)
            toks = sent.tokens
            found: list[tuple[str, int, int]] = []  # (event, value, token index)
            i = 0
            while i < len(toks):
                parsed = parse_number(toks, i)
                if parsed is None:
                    i += 1
                    continue
                value, j, singular = parsed
                low = range_low(toks, i, j)
                if low is not None:
                    # "entre 56 y 76 excarcelaciones": both ends, with the event of the second
                    first, (i, (value, j, singular)) = (value, i), low
                else:
                    first = None
                prev = (found[-1][0], found[-1][2]) if found else None
                skipped = skip(toks, i, j, value, toks[i]) or apposition(sent, i, j) or glued(sent, i)
                event = None if skipped else classify(toks, i, j, singular, prev)
                if event is None and not skipped and counted_prisoners(toks, i, j, earlier):
                    event = "held"  # "Foro Penal ... counted 838 as of Monday"
                if (event is not None and i > 0 and toks[i - 1] in _ANAPHORA
                        and find_unit(toks, j) is None
                        and any(r["number"] == value for r in results)):
                    event = None  # "the six had been held": the six already counted
                if event == "detainees":
                    # a part of "the detainees": of the last count of people held or arrested
                    held = [e for e, _, _ in found if e in ("held", "arrested")] or [
                        r["event"] for r in results if r["event"] in ("held", "arrested")]
                    event = held[-1] if held else "arrested"
                if event == "total":
                    # a total after releases and arrests alike is the tally of those held
                    # ("5 new arrests, 12 releases; total stands at 884")
                    seen = {r["event"] for r in results} | {f[0] for f in found}
                    event = "held" if {"released", "arrested"} <= seen else "inherit"
                if event is not None and event.startswith("inherit"):
                    between = event_between(toks, found[-1][2] + 1, i) if found else None
                    event = (between or last_event
                             or (event.split(":")[1] if ":" in event else None))
                    if event is None and verified_figure(toks, i, j):
                        event = sentence_event(toks, i) or next(
                            filter(None, map(mentioned_event, reversed(earlier[:-1]))), None)
                    if event is None and counted_prisoners(toks, i, j, earlier):
                        event = "held"  # "Foro Penal ... counted 838 as of Monday", "NGOs count 840"
                if event is not None:
                    if first is not None:
                        found.append((event, first[0], first[1]))
                    found.append((event, value, i))
                    last_event = event
                i = j
            if not found:
                continue
            then = colon_predicate(toks, found[-1][2])
            if then is not None and then != found[-1][0]:
                # "Detienen a 16 adolescentes ...: fueron excarcelados": the same people, later
                found.append((then, found[-1][1], found[-1][2]))
            if _HUNGER.search(sent.text):
                found = [f for f in found if f[0] != "held"]  # hunger strikers are not counts
                if not found:
                    continue
            mentions = source_mentions(sent.text, orgs)
            starts = [sent.spans[k][0] for _, _, k in found]
            wholes = {k2 for (_, _, k1), (_, _, k2) in zip(found, found[1:], strict=False)
                      if k2 > k1 and (partitive_whole(toks, k1 + 1) is not None
                                      or is_bare_partitive_whole(toks, k2))}
            for event, value, k in found:
                if k in wholes:  # "Foro Penal verificó 61 de las 87": 87 is not Foro Penal's
                    source = None
                else:
                    source = attribute(sent, mentions, sent.spans[k], [s for s in starts if s != sent.spans[k][0]])
                if source == "*":
                    source = generic_source()
                key = (event, value)
                if key in index:
                    if index[key]["source"] is None and source:
                        index[key]["source"] = source
                    continue
                index[key] = {"event": event, "number": value, "source": source}
                results.append(index[key])
    return results


_ANAPHORA = {"the", "los", "las", "these", "estos", "estas"}


_HUNGER = re.compile(r"huelga de hambre|hunger strik|refus\w* food|se niegan a comer|stopped eating")

