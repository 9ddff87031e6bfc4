"""What the counts extractor knows about a count it read, as named features for the learned
attachment step (model.py): the rule and its event, the number's noun, the event cues
around it and how far, the source, where the number stands, the language."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.match.counts.lexicon import (
    AFTER_EVENT,
    BEFORE_EXACT,
    BEFORE_PREFIX,
    DETAINEE,
    EVENT_NOUN,
    PEOPLE,
    PRISONER,
    QUALIFIER,
)
from monitor.match.counts.numbers import parse_number
from monitor.match.counts.phrases import find_unit

_EN = frozenset({"the", "of", "and", "to", "in", "were", "was", "by", "after", "have", "has"})
_ES = frozenset({"de", "la", "los", "el", "en", "y", "las", "del", "por", "tras", "han", "fueron"})
_WINDOW = 8


def language(tokens: Sequence[str]) -> str:
    """es or en, by the function words of the sentence (ties are Spanish)."""
    en = sum(1 for t in tokens if t in _EN)
    es = sum(1 for t in tokens if t in _ES)
    return "en" if en > es else "es"


def _bucket(n: int) -> str:
    return "0" if n <= 0 else "1" if n == 1 else "2-3" if n <= 3 else "4-8" if n <= 8 else "9+"


def _magnitude(value: int) -> str:
    return "1" if value == 1 else "2-9" if value < 10 else "10-99" if value < 100 else (
        "100-999" if value < 1000 else "1000+")


def _noun(tokens: Sequence[str], j: int) -> str:
    u = find_unit(tokens, j)
    if u is None:
        return "none"
    w = tokens[u]
    if w in EVENT_NOUN:
        return "event:" + EVENT_NOUN[w]
    return "prisoner" if w in PRISONER else "detainee" if w in DETAINEE else (
        "people" if w in PEOPLE else "person")


def _cue_before(tokens: Sequence[str], i: int) -> tuple[str, int] | None:
    for k in range(i - 1, max(-1, i - 1 - _WINDOW), -1):
        w = tokens[k]
        ev = BEFORE_EXACT.get(w) or next(
            (e for e, stems in BEFORE_PREFIX if w.startswith(stems)), None)
        if ev is not None and w not in PEOPLE:
            return ev, i - k
    return None


def _cue_after(tokens: Sequence[str], j: int) -> tuple[str, int] | None:
    for k in range(j, min(len(tokens), j + _WINDOW)):
        ev = AFTER_EVENT.get(tokens[k])
        if ev is not None:
            return ev, k - j + 1
    return None


def features(tokens: Sequence[str], k: int, event: str, value: int, rule: str, *,
             source: str | None, field: int, sentence: int, numbers: int, earlier: int,
             lang: str) -> list[str]:
    """The features of the count `value` read at tokens[k] as `event` by `rule`."""
    parsed = parse_number(tokens, k)
    j = parsed[1] if parsed else k + 1
    written = "digits" if tokens[k][0].isdigit() else "one" if parsed and parsed[2] else "words"
    out = [
        f"rule={rule}", f"event={event}", f"rule_event={rule}|{event}", f"lang={lang}",
        f"field={min(field, 2)}", f"sentence={_bucket(sentence)}", f"numbers={_bucket(numbers)}",
        f"earlier={_bucket(earlier)}", f"written={written}", f"magnitude={_magnitude(value)}",
        f"source={'named' if source else 'none'}", f"noun={_noun(tokens, j)}",
        f"noun_event={_noun(tokens, j)}|{event}", f"start={'yes' if k == 0 else 'no'}",
        f"to_end={_bucket(len(tokens) - j)}",
    ]
    if k > 0 and tokens[k - 1] in QUALIFIER:
        out.append("qualified")
    for side, cue in (("before", _cue_before(tokens, k)), ("after", _cue_after(tokens, j))):
        if cue is None:
            out.append(f"cue_{side}=none")
        else:
            ev, dist = cue
            agree = "same" if ev == event else "other"
            out += [f"cue_{side}={agree}", f"cue_{side}_dist={agree}|{_bucket(dist)}"]
    return out


def item_features(counts: Sequence[tuple[str, int]], repeated: set[tuple[str, int]],
                  key: tuple[str, int]) -> list[str]:
    """What the whole item says of a count: read again elsewhere in the item (the same event and
    number twice), or the same number read with another event too."""
    other = any(n == key[1] and e != key[0] for e, n in counts)
    return [f"repeated={'yes' if key in repeated else 'no'}",
            f"number_other_event={'yes' if other else 'no'}"]
