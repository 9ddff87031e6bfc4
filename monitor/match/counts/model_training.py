"""Training the counts model (scikit-learn, the `train` extra); scoring is model.py.

Examples: every count the rules read (extract.read_counts, with its features) in the labelled
items whose topics the rules matched (the counts `monitor classify` would print) and the writer
labelled on topic, labelled right when the item's gold counts hold its event and number. A count
in an item off the topics is the relevance step's error: as a wrong row it taught the model to
doubt right readings and raised the threshold (one such row moved it 0.9897 -> 0.9951). A logistic regression (liblinear,
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

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from core.rules import EntitySpec, TopicRules
from core.text import fold
from monitor.match.counts.extract import read_counts
from monitor.match.counts.model import FORMAT, FORMAT_VERSION
from monitor.match.counts.numbers import parse_number, token_list
from monitor.match.engine import Classifier

SEED = 20260101
DIGITS = 7


@dataclass
class CountParams:
    # the regularisation with the highest leave-one-set-out share of confident counts at the
    # same estimated precision (tenth round: C 0.25 / 0.5 / 1 -> share 0.641 / 0.646 / 0.635;
    # eleventh round, with dev_blind28/29: C 0.25 / 0.5 / 0.75 / 1 / 1.5 / 2 -> 0.486 / 0.474 /
    # 0.587 / 0.603 / 0.515 / 0.554)
    c: float = 1.0
    min_count: int = 2  # a feature seen fewer times is left out
    folds: int = 5  # stratified folds, only when the rows come from fewer than 3 sets
    precision: float = 0.97  # the confident counts' precision to reach on unseen text
    # The share of the rules' counts that are wrong on a set they were not tuned on: the median
    # first-run error of the sets later tuned on (17 in the sixth round: counts precision
    # 0.823-0.986, median 0.928; docs/history/MATCHING-history.md, docs/MATCHING.md). The tuned sets' own error rate (1-2 %)
    # is what tuning left, not what a new register brings.
    unseen_error: float = 0.07
    veto: float = 0.5
    # The share of wrong counts kept at a threshold is taken at its Wilson upper bound of this
    # level (one-sided): the precision estimate rests on a few dozen wrong counts, and the lowest
    # point of the raw curve moved with single rows (0.9877 -> 0.9907 for one row fewer).
    bound: float | None = 0.8
    bootstrap: int = 201  # draws of the labelled sets for the threshold's reported 10-90 % band


@dataclass(frozen=True)
class CountRow:
    features: tuple[str, ...]
    right: bool
    source: str
    group: str = ""  # the labelled set (file) the count comes from: one fold of the calibration


def titles_only(items: Sequence[dict], share: float = 0.95, least: int = 20) -> bool:
    """Whether a set's writer labelled the counts of titles only: at least `share` of its (at
    least `least`) gold counts are written in the title. Such a set says nothing of the figures
    in its summaries (dev_blind20: 53 of 54; the other writers 19-48 of 60-80 in summaries)."""
    in_title = total = 0
    for it in items:
        title = _DIGIT_SEP.sub("", fold(str(it.get("title") or "")))
        for c in it.get("counts") or []:
            total += 1
            in_title += str(int(c["number"])) in title or _word_in(title, int(c["number"]))
    return total >= least and in_title >= share * total


_DIGIT_SEP = re.compile(r"(?<=\d)[.,](?=\d{3})")


def _word_in(title: str, number: int) -> bool:
    """A number written in words in the title ("Mil doscientos presos")."""
    toks = token_list(title)
    return any((p := parse_number(toks, k)) is not None and p[0] == number for k in range(len(toks)))


def count_rows(items: Iterable[dict], rules: tuple[dict[str, TopicRules], list[EntitySpec]],
               source: str, group: str | None = None) -> list[CountRow]:
    """The rules' counts of labelled items (unsure items and items no topic matched left out);
    `group` names their set for the calibration's folds (default: `source`). When the set's
    writer labelled titles only (`titles_only`), counts read in other fields carry no label
    and are left out."""
    clf = Classifier(rules[0], rules[1])
    items = list(items)
    title_only = titles_only(items)
    rows = []
    for it in items:
        if it.get("unsure") or not isinstance(it.get("title"), str):
            continue
        fields = [it["title"], str(it.get("summary") or ""), str(it.get("text") or "")]
        res = clf.classify(*fields, it.get("lang"))
        if not res.topics or not it.get("topics"):
            continue  # an item off the topics is the relevance step's error, not the count's
        gold = {(c["event"], int(c["number"])) for c in it.get("counts") or []}
        trace: list = []
        read_counts(fields, [e["name"] for e in res.entities if e["type"] == "org"], trace=trace)
        rows += [CountRow(tuple(f), (c.event, c.number) in gold, source, group or source)
                 for c, f in trace if not (title_only and "field=0" not in f)]
    return rows


def _round(x: float) -> float:
    return float(f"{x:.{DIGITS}g}")


def _threshold(scores: Sequence[float], right: Sequence[bool], target: float,
               unseen_error: float, bound: float | None = None) -> tuple[float, float, float]:
    """(lowest threshold whose precision reaches `target` when `unseen_error` of the counts are
    wrong, that precision, the share kept at that error rate).

    The shares of right and of wrong counts kept at each threshold come from the scores; the
    precision is re-weighted to the error rate of unseen text (a prior shift): the tuned sets'
    own rate only says how much tuning removed. With `bound`, the share of wrong counts kept is
    taken at its upper (Wilson) bound of that level (a lower bound of the precision): it rests
    on a few dozen wrong counts."""
    import numpy as np

    idx = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    order = np.asarray(scores, dtype=float)[idx]
    ok = np.asarray(right, dtype=bool)[idx]
    cut = float(_thresholds(order, ok, np.ones((1, len(order))), target, unseen_error, bound)[0])
    precision, share = _at(scores, right, cut, unseen_error)
    return _round(cut), precision, share


def _thresholds(order: Any, ok: Any, weights: Any, target: float, unseen_error: float,
                bound: float | None = None) -> Any:
    """The lowest threshold reaching `target` for each weighting of the same rows (one row of
    `weights` each: how many times each count is drawn); `order`: the scores, descending."""
    import numpy as np

    kept_right = np.cumsum(weights * ok, axis=1)
    kept_wrong = np.cumsum(weights * ~ok, axis=1)
    n_right = np.maximum(kept_right[:, -1:], 1e-12)
    n_wrong = np.maximum(kept_wrong[:, -1:], 1e-12)
    wrong_share = kept_wrong / n_wrong
    if bound is not None:  # Wilson's upper bound, one-sided at `bound`
        z = NormalDist().inv_cdf(bound)
        centre = wrong_share + z * z / (2 * n_wrong)
        spread = z * np.sqrt(wrong_share * (1 - wrong_share) / n_wrong + z * z / (4 * n_wrong * n_wrong))
        wrong_share = np.minimum(1.0, (centre + spread) / (1 + z * z / n_wrong))
    good = (1 - unseen_error) * kept_right / n_right
    bad = unseen_error * wrong_share
    last = np.append(order[1:] != order[:-1], True)  # a threshold keeps every count of its score
    reach = (good / np.maximum(good + bad, 1e-12) >= target) & last
    lowest = reach.shape[1] - 1 - np.argmax(reach[:, ::-1], axis=1)
    return np.where(reach.any(axis=1), order[lowest], 1.0)


def _band(scores: Sequence[float], right: Sequence[bool], groups: Sequence[str],
          p: CountParams) -> list[float]:
    """The 10th and 90th percentiles of the threshold over `p.bootstrap` draws of the labelled
    sets with replacement (seeded): how much the sets at hand decide it."""
    import numpy as np

    idx = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    order = np.asarray(scores, dtype=float)[idx]
    ok = np.asarray(right, dtype=bool)[idx]
    names = sorted(set(groups))
    member = np.array([names.index(g) for g in groups])[idx]
    drawn = np.random.default_rng(SEED).multinomial(len(names), [1 / len(names)] * len(names),
                                                     size=p.bootstrap)
    cuts = _thresholds(order, ok, drawn[:, member].astype(float), p.precision, p.unseen_error, p.bound)
    return [_round(float(v)) for v in np.percentile(cuts, [10, 90], method="nearest")]


def _at(scores: Sequence[float], right: Sequence[bool], t: float, unseen_error: float) -> tuple[float, float]:
    """(precision at the unseen error rate, share kept at that rate) of the threshold `t`."""
    n_right = max(1, sum(right))
    n_wrong = max(1, len(right) - sum(right))
    good = (1 - unseen_error) * sum(ok for s, ok in zip(scores, right, strict=True) if s >= t) / n_right
    bad = unseen_error * sum(not ok for s, ok in zip(scores, right, strict=True) if s >= t) / n_wrong
    return (good / (good + bad) if good + bad else 1.0), good + bad


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
    point, _, _ = _threshold(cv.tolist(), right, p.precision, p.unseen_error)
    confident, precision, share = _threshold(cv.tolist(), right, p.precision, p.unseen_error, p.bound)
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
                "wrong_share_bound": p.bound, "threshold_unbounded": point,
                "threshold_p10_p90": _band(cv.tolist(), right, groups, p),
                "cv_precision": round(precision, 4), "cv_share_confident": round(share, 4),
                "cv_precision_tuned": round(sum(tuned_kept) / max(1, len(tuned_kept)), 4),
                "cv_share_confident_tuned": round(tuned_share, 4),
                "cv_vetoed": int((cv < p.veto).sum())},
            **(meta or {}),
        },
    }
