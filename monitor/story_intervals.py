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
draws: the interval of the difference, and how often the second run is ahead. A difference
whose interval holds zero is within what other days would change.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

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
    """Second run minus first: precision and recall, with the share of draws the second is ahead."""
    precision: Interval
    recall: Interval
    precision_ahead: float
    recall_ahead: float


def item_bcubed(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> dict[str, tuple[float, float]]:
    """Each scored item's B-cubed (precision, recall); their means are the window's figures."""
    items = [i for i in gold if i in pred]
    pred_size = Counter(pred[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    both = Counter((pred[i], gold[i]) for i in items)
    return {i: (both[(pred[i], gold[i])] / pred_size[pred[i]], both[(pred[i], gold[i])] / gold_size[gold[i]])
            for i in items}


def _story_sums(windows: Sequence[Window]) -> list[tuple[np.ndarray, ...]]:
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
        table = np.array(list(sums.values()), dtype=float).reshape(-1, 4)
        out.append(tuple(table[:, k] for k in range(4)))
    return out


def _draws(windows: Sequence[tuple[np.ndarray, ...]], draws: int, seed: int) -> list[np.ndarray]:
    """For each window, `draws` rows of story counts: how often each story is drawn."""
    rng = np.random.default_rng(seed)
    return [rng.multinomial(len(w[0]), np.full(len(w[0]), 1 / len(w[0])), size=draws) if len(w[0])
            else np.zeros((draws, 0)) for w in windows]


def _pooled(weights: list[np.ndarray], sums: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """(precision, recall, alerts per true story) of each row of weights."""
    n, p, r, alerts = (sum(w @ s[k] for w, s in zip(weights, sums, strict=True)) for k in range(4))
    stories = sum(w.sum(axis=1) for w in weights)
    n = np.where(n == 0, 1, n)
    stories = np.where(stories == 0, 1, stories)
    return p / n, r / n, alerts / stories


def _interval(value: float, drawn: np.ndarray, level: float) -> Interval:
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(drawn, [tail, 100 - tail])
    return Interval(value, float(low), float(high))


def intervals(windows: Sequence[Window], draws: int = 2000, seed: int = 0, level: float = 0.95) -> Intervals:
    """Pooled B-cubed precision and recall of `windows`, each with its bootstrap interval."""
    sums = _story_sums(windows)
    point = _pooled([np.ones((1, len(s[0]))) for s in sums], sums)
    drawn = _pooled(_draws(sums, draws, seed), sums)
    p, r, a = (_interval(float(v[0]), d, level) for v, d in zip(point, drawn, strict=True))
    return Intervals(p, r, a)


def paired(first: Sequence[Window], second: Sequence[Window], draws: int = 2000, seed: int = 0,
           level: float = 0.95) -> Difference:
    """`second` minus `first`, scored on the same readers' stories drawn the same way.

    Both runs must score the same items against the same groups (the same windows, the same
    relevant items); the stories are drawn from the first run's groups."""
    for (pa, ga), (pb, gb) in zip(first, second, strict=True):
        if {i for i in ga if i in pa} != {i for i in gb if i in pb}:
            raise ValueError("the two runs score different items: compare runs of the same windows and classifier")
    a, b = _story_sums(first), _story_sums(_aligned(first, second))
    weights = _draws(a, draws, seed)
    pa, ra, _ = _pooled(weights, a)
    pb, rb, _ = _pooled(weights, b)
    one = [np.ones((1, len(s[0]))) for s in a]
    p0 = float(_pooled(one, b)[0][0] - _pooled(one, a)[0][0])
    r0 = float(_pooled(one, b)[1][0] - _pooled(one, a)[1][0])
    return Difference(_interval(p0, pb - pa, level), _interval(r0, rb - ra, level),
                      float(np.mean(pb - pa > 0)), float(np.mean(rb - ra > 0)))


def _aligned(first: Sequence[Window], second: Sequence[Window]) -> list[Window]:
    """`second`'s windows with `first`'s readers' stories in the same order, so that a draw of
    the first run's stories weighs the same stories of the second."""
    out: list[Window] = []
    for (_, ga), (pb, gb) in zip(first, second, strict=True):
        order = {g: n for n, g in enumerate(dict.fromkeys(ga[i] for i in ga if i in pb))}
        out.append((pb, {i: order[ga[i]] for i in ga if i in pb and i in gb}))
    return out
