"""Training the counts model (scikit-learn, the `train` extra); scoring is count_model.py.

Examples: every count the rules read (counts.read_counts, with its features) in the labelled
items whose topics the rules matched (the counts `monitor classify` would print), labelled
right when the item's gold counts hold its event and number. A logistic regression (liblinear,
L2) over the features seen at least `min_count` times; the `confident` threshold is the
lowest whose cross-validated precision reaches `precision`; `veto` is fixed (0.5: more likely
wrong than right). Seeded, sorted keys, rounded floats: the same data, rules and library
versions give the same bytes (`monitor train`, `make train`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.rules import EntitySpec, TopicRules
from monitor.match.count_model import FORMAT, FORMAT_VERSION
from monitor.match.counts import read_counts
from monitor.match.engine import Classifier

SEED = 20260101
DIGITS = 7


@dataclass
class CountParams:
    c: float = 1.0
    min_count: int = 2  # a feature seen fewer times is left out
    folds: int = 5
    precision: float = 0.99  # the confident threshold's cross-validated precision
    veto: float = 0.5


@dataclass(frozen=True)
class CountRow:
    features: tuple[str, ...]
    right: bool
    source: str


def count_rows(items: Iterable[dict], rules: tuple[dict[str, TopicRules], list[EntitySpec]],
               source: str) -> list[CountRow]:
    """The rules' counts of labelled items (unsure items and items no topic matched left out)."""
    clf = Classifier(rules[0], rules[1])
    rows = []
    for it in items:
        if it.get("unsure") or not isinstance(it.get("title"), str):
            continue
        fields = [it["title"], str(it.get("summary") or ""), str(it.get("text") or "")]
        res = clf.classify(*fields, it.get("lang"))
        if not res.topics:
            continue
        gold = {(c["event"], int(c["number"])) for c in it.get("counts") or []}
        trace: list = []
        read_counts(fields, [e["name"] for e in res.entities if e["type"] == "org"], trace=trace)
        rows += [CountRow(tuple(f), (c.event, c.number) in gold, source) for c, f in trace]
    return rows


def _round(x: float) -> float:
    return float(f"{x:.{DIGITS}g}")


def _threshold(scores: Sequence[float], right: Sequence[bool], target: float) -> tuple[float, float, float]:
    """(lowest threshold whose precision reaches `target`, its precision, share kept)."""
    order = sorted(zip(scores, right, strict=True), key=lambda sr: -sr[0])
    best = (1.0, 1.0, 0.0)
    tp = n = 0
    for k, (score, ok) in enumerate(order):
        tp += ok
        n += 1
        nxt = order[k + 1][0] if k + 1 < len(order) else None
        if nxt == score:
            continue  # a threshold keeps every count of the same score
        if tp / n >= target:
            best = (score, tp / n, n / len(order))
    return _round(best[0]), best[1], best[2]


def train_counts(rows: Sequence[CountRow], params: CountParams | None = None,
                 meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The model file's content."""
    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    p = params or CountParams()
    seen = Counter(f for r in rows for f in set(r.features))
    vocab = sorted(f for f, n in seen.items() if n >= p.min_count)
    index = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(rows), len(vocab)))
    for n, r in enumerate(rows):
        for f in r.features:
            if f in index:
                x[n, index[f]] = 1.0
    y = np.array([int(r.right) for r in rows])
    if len(set(y)) < 2:
        raise ValueError("the counts model needs right and wrong counts to learn from")

    def fit(xs: Any, ys: Any) -> LogisticRegression:
        return LogisticRegression(C=p.c, solver="liblinear", random_state=SEED).fit(xs, ys)

    cv = np.zeros(len(rows))
    folds = StratifiedKFold(p.folds, shuffle=True, random_state=SEED)
    for train, test in folds.split(x, y):
        cv[test] = fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    confident, precision, share = _threshold(cv.tolist(), [bool(v) for v in y], p.precision)
    model = fit(x, y)
    weights = {f: _round(w) for f, w in zip(vocab, model.coef_[0], strict=True) if w != 0.0}
    by_source = Counter(r.source for r in rows)
    return {
        "format": FORMAT, "version": FORMAT_VERSION,
        "intercept": _round(model.intercept_[0]), "weights": weights,
        "veto": p.veto, "confident": confident,
        "meta": {
            "sklearn": sklearn.__version__,
            "classifier": f"LogisticRegression(C={p.c}, liblinear), features seen >= {p.min_count}",
            "counts": {"rows": len(rows), "wrong": int(len(y) - y.sum()), "by_source": dict(sorted(by_source.items()))},
            "calibration": {"folds": p.folds, "precision_target": p.precision,
                            "cv_precision": round(precision, 4), "cv_share_confident": round(share, 4),
                            "cv_vetoed": int((cv < p.veto).sum())},
            **(meta or {}),
        },
    }
