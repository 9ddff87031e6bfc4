"""How sure a B-cubed figure is: bootstrap intervals over the readers' stories.

The labelled windows hold a few hundred items in a few hundred stories, so a change of a few
thousandths in pooled recall may be one item moved. These intervals say how far the figure
would wander on other days like these: the readers' stories of each window are drawn again
with replacement (items of one story move together, since they are scored together), and the
item-averaged precision and recall are taken over each draw. Each item keeps the B-cubed
values it has in the service's stories as they were made; a draw only reweighs them. Alerts per
true story are drawn the same way: each item carries its share of its service story (one over
the story's scored items), so a readers' story carries the alerts it caused, and a draw's
figure is their sum over the stories drawn.

`paired` compares two runs of the same windows (two versions of the matcher) on the same
draws: the interval of the difference, and how often the second run is ahead and how often
behind (a draw without the stories that changed ties). A difference whose interval holds zero
is within what other days would change.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

Window = tuple[Mapping[str, Hashable], Mapping[str, Hashable]]  # (service story by item, readers' story by item)


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"


@dataclass(frozen=True)
class Intervals:
    precision: Interval
    recall: Interval
    alerts: Interval  # the service's stories per readers' story


@dataclass(frozen=True)
class Difference:
    """Second run minus first: precision and recall, with the shares of draws the second is
    ahead and behind (the rest tie)."""
    precision: Interval
    recall: Interval
    precision_ahead: float
    recall_ahead: float
    precision_behind: float
    recall_behind: float


def item_bcubed(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> dict[str, tuple[float, float]]:
    """Each scored item's B-cubed (precision, recall); their means are the window's figures."""
    items = [i for i in gold if i in pred]
    pred_size = Counter(pred[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    both = Counter((pred[i], gold[i]) for i in items)
    return {i: (both[(pred[i], gold[i])] / pred_size[pred[i]], both[(pred[i], gold[i])] / gold_size[gold[i]])
            for i in items}


Row = tuple[float, float, float, float]  # one readers' story: items, summed precision, summed recall, alerts


def _story_rows(windows: Sequence[Window]) -> list[list[Row]]:
    """Per window, per readers' story: (items scored, summed precision, summed recall, the
    service's stories it accounts for)."""
    out = []
    for pred, gold in windows:
        values = item_bcubed(pred, gold)
        size = Counter(pred[i] for i in values)
        sums: dict[Hashable, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        for i, (p, r) in values.items():
            row = sums[gold[i]]
            row[0] += 1
            row[1] += p
            row[2] += r
            row[3] += 1 / size[pred[i]]
        out.append([(n, p, r, a) for n, p, r, a in sums.values()])
    return out


def _draws(windows: Sequence[list[Row]], draws: int, seed: int) -> list[list[list[int]]]:
    """`draws` draws; each, for each window, its stories drawn with replacement (indexes)."""
    rng = random.Random(seed)
    return [[rng.choices(range(len(rows)), k=len(rows)) if rows else [] for rows in windows] for _ in range(draws)]


def _pooled(draw: Sequence[Sequence[int]], windows: Sequence[list[Row]]) -> tuple[float, float, float]:
    """(precision, recall, alerts per true story) of the stories drawn."""
    n = p = r = a = 0.0
    stories = 0
    for picked, rows in zip(draw, windows, strict=True):
        for k in picked:
            row = rows[k]
            n, p, r, a = n + row[0], p + row[1], r + row[2], a + row[3]
        stories += len(picked)
    return (p / n, r / n, a / stories) if n else (0.0, 0.0, 0.0)


def _everything(windows: Sequence[list[Row]]) -> list[list[int]]:
    return [list(range(len(rows))) for rows in windows]


def _interval(value: float, drawn: Sequence[float], level: float) -> Interval:
    ordered = sorted(drawn)
    return Interval(value, _quantile(ordered, (1 - level) / 2), _quantile(ordered, (1 + level) / 2))


def _quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, linear between the two nearest (numpy's default)."""
    at = q * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def intervals(windows: Sequence[Window], draws: int = 2000, seed: int = 0, level: float = 0.95) -> Intervals:
    """Pooled B-cubed precision, recall and alerts per true story of `windows`, each with its
    bootstrap interval."""
    rows = _story_rows(windows)
    point = _pooled(_everything(rows), rows)
    drawn = [_pooled(draw, rows) for draw in _draws(rows, draws, seed)]
    p, r, a = (_interval(point[k], [d[k] for d in drawn], level) for k in range(3))
    return Intervals(p, r, a)


def paired(first: Sequence[Window], second: Sequence[Window], draws: int = 2000, seed: int = 0,
           level: float = 0.95) -> Difference:
    """`second` minus `first`, scored on the same readers' stories drawn the same way.

    Both runs must score the same items against the same groups (the same windows, the same
    relevant items); the stories are drawn from the first run's groups."""
    for (pa, ga), (pb, gb) in zip(first, second, strict=True):
        items = {i for i in ga if i in pa}
        if items != {i for i in gb if i in pb}:
            raise ValueError("the two runs score different items: compare runs of the same windows and classifier")
        if _partition(ga, items) != _partition(gb, items):
            raise ValueError("the two runs are scored against different readers' stories")
    a, b = _story_rows(first), _story_rows(_aligned(first, second))
    dp: list[float] = []
    dr: list[float] = []
    for draw in _draws(a, draws, seed):
        (pa, ra, _), (pb, rb, _) = _pooled(draw, a), _pooled(draw, b)
        dp.append(pb - pa)
        dr.append(rb - ra)
    (p0a, r0a, _), (p0b, r0b, _) = _pooled(_everything(a), a), _pooled(_everything(b), b)
    return Difference(_interval(p0b - p0a, dp, level), _interval(r0b - r0a, dr, level),
                      _share(dp, 1), _share(dr, 1), _share(dp, -1), _share(dr, -1))


def _share(differences: Sequence[float], sign: int) -> float:
    """The share of draws whose difference has `sign` (ties, a draw without a changed story, have none)."""
    return sum(d * sign > 0 for d in differences) / len(differences)


def _partition(gold: Mapping[str, Hashable], items: set[str]) -> set[frozenset[str]]:
    """The readers' stories of `items`, whatever they are called."""
    stories: dict[Hashable, set[str]] = defaultdict(set)
    for i in items:
        stories[gold[i]].add(i)
    return {frozenset(members) for members in stories.values()}


def _aligned(first: Sequence[Window], second: Sequence[Window]) -> list[Window]:
    """`second`'s windows with `first`'s readers' stories in the same order, so that a draw of
    the first run's stories weighs the same stories of the second."""
    out: list[Window] = []
    for (_, ga), (pb, gb) in zip(first, second, strict=True):
        order = {g: n for n, g in enumerate(dict.fromkeys(ga[i] for i in ga if i in pb))}
        out.append((pb, {i: order[ga[i]] for i in ga if i in pb and i in gb}))
    return out
