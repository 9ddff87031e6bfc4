"""Training the counts model (scikit-learn, the `train` extra); scoring is count_model.py.

Examples: every count the rules read (counts.read_counts, with its features) in the labelled
items whose topics the rules matched (the counts `monitor classify` would print), labelled
right when the item's gold counts hold its event and number. A logistic regression (liblinear,
L2) over the features seen at least `min_count` times; `veto` is fixed (0.5: more likely
wrong than right). The `confident` threshold is calibrated out of sample twice over: each
labelled set is scored by a model trained without it (leave one set out), and the precision
is estimated at the error rate the rules have on a set they were not tuned on
(`unseen_error`), not at the tuned sets' own: the lowest threshold whose estimate reaches
`precision`. Calibrated on the tuned sets' rate, the threshold fell with every round of
tuning (0.971 -> 0.886) until nearly every count was confident. Seeded, sorted keys, rounded floats: the same data, rules and library
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
    folds: int = 5  # stratified folds, only when the rows come from fewer than 3 sets
    precision: float = 0.97  # the confident counts' precision to reach on unseen text
    # The share of the rules' counts that are wrong on a set they were not tuned on: the median
    # first-run error of the 12 sets later tuned on (counts precision 0.835-0.986, median 0.93;
    # docs/history/MATCHING-history.md, docs/MATCHING.md). The tuned sets' own error rate (1-2 %)
    # is what tuning left, not what a new register brings.
    unseen_error: float = 0.07
    veto: float = 0.5


@dataclass(frozen=True)
class CountRow:
    features: tuple[str, ...]
    right: bool
    source: str
    group: str = ""  # the labelled set (file) the count comes from: one fold of the calibration


def count_rows(items: Iterable[dict], rules: tuple[dict[str, TopicRules], list[EntitySpec]],
               source: str, group: str | None = None) -> list[CountRow]:
    """The rules' counts of labelled items (unsure items and items no topic matched left out);
    `group` names their set for the calibration's folds (default: `source`)."""
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
        rows += [CountRow(tuple(f), (c.event, c.number) in gold, source, group or source)
                 for c, f in trace]
    return rows


def _round(x: float) -> float:
    return float(f"{x:.{DIGITS}g}")


def _threshold(scores: Sequence[float], right: Sequence[bool], target: float,
               unseen_error: float) -> tuple[float, float, float]:
    """(lowest threshold whose precision reaches `target` when `unseen_error` of the counts are
    wrong, that precision, the share kept at that error rate).

    The shares of right and of wrong counts kept at each threshold come from the scores; the
    precision is re-weighted to the error rate of unseen text (a prior shift): the tuned sets'
    own rate only says how much tuning removed."""
    order = sorted(zip(scores, right, strict=True), key=lambda sr: -sr[0])
    n_right = sum(right)
    n_wrong = len(order) - n_right
    best = (1.0, 1.0, 0.0)
    kept_right = kept_wrong = 0
    for k, (score, ok) in enumerate(order):
        kept_right += ok
        kept_wrong += not ok
        nxt = order[k + 1][0] if k + 1 < len(order) else None
        if nxt == score:
            continue  # a threshold keeps every count of the same score
        good = (1 - unseen_error) * kept_right / n_right
        bad = unseen_error * kept_wrong / n_wrong
        if good / (good + bad) >= target:
            best = (score, good / (good + bad), good + bad)
    return _round(best[0]), best[1], best[2]


def _folds(groups: Sequence[str], y: Any, folds: int) -> Any:
    """Leave one labelled set out (each set scored by a model that never saw it, as a new
    register would be); stratified folds when the rows come from fewer than 3 sets."""
    from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

    if len(set(groups)) >= 3:
        return LeaveOneGroupOut().split(y, y, list(groups))
    return StratifiedKFold(folds, shuffle=True, random_state=SEED).split(y, y)


def train_counts(rows: Sequence[CountRow], params: CountParams | None = None,
                 meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The model file's content."""
    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression

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
    groups = [r.group or r.source for r in rows]
    n_folds = 0
    for train, test in _folds(groups, y, p.folds):
        n_folds += 1
        if len(set(y[train])) < 2:
            cv[test] = float(y[train][0]) if len(train) else 0.5
            continue
        cv[test] = fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    right = [bool(v) for v in y]
    confident, precision, share = _threshold(cv.tolist(), right, p.precision, p.unseen_error)
    tuned_share = sum(s >= confident for s in cv.tolist()) / len(rows)
    tuned_kept = [ok for s, ok in zip(cv.tolist(), right, strict=True) if s >= confident]
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
            "calibration": {
                "folds": n_folds,
                "grouped": "leave one set out" if len(set(groups)) >= 3 else "stratified",
                "precision_target": p.precision, "unseen_error": p.unseen_error,
                "cv_precision": round(precision, 4), "cv_share_confident": round(share, 4),
                "cv_precision_tuned": round(sum(tuned_kept) / max(1, len(tuned_kept)), 4),
                "cv_share_confident_tuned": round(tuned_share, 4),
                "cv_vetoed": int((cv < p.veto).sum())},
            **(meta or {}),
        },
    }
