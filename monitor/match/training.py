"""Training the relevance model (scikit-learn, the `train` extra); inference is learned.py.

    texts ──► TfidfVectorizer(analyzer=learned.features, sublinear tf, l2)
          ──► LogisticRegression per topic (liblinear, L2)

Two passes keep the file small: the first fit ranks every n-gram by its largest weight over
the topics, the second refits on the `keep` best ones, so the shipped vocabulary is exactly
what the scorer needs (the l2 norm runs over the same features at training and inference).

The threshold of each topic is calibrated on cross-validated scores of the training items,
counted only where the model would decide (rules silent, Venezuelan context present, no
exclusion): the lowest threshold whose precision there is still >= `precision`.
Everything is seeded and the file is written with sorted keys and rounded floats, so the same
data, rules and library versions give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.rules import EntitySpec, TopicRules
from monitor.match.engine import Classifier
from monitor.match.evaluate import without_signals
from monitor.match.learned import (
    ANALYZER,
    FORMAT,
    FORMAT_VERSION,
    RelevanceModel,
    features,
    model_text,
)

SEED = 20260101
DIGITS = 7  # significant digits kept in the file
TOL = 1e-7  # liblinear stops this near the optimum, whatever the BLAS kernel (below)


@dataclass(frozen=True)
class Example:
    id: str
    title: str
    summary: str
    topics: frozenset[str]
    source: str  # "real", "synthetic", "operator"
    lang: str | None = None
    date: str = ""

    @property
    def text(self) -> str:
        return model_text(self.title, self.summary)


def examples_from_items(items: Iterable[dict], source: str) -> list[Example]:
    """Labelled JSONL items (the `monitor classify` input of the README, with labels) as examples; unsure items left out.

    An item's own "label_source" (e.g. "operator") wins over `source`."""
    out = []
    for it in items:
        if it.get("unsure") or not isinstance(it.get("title"), str):
            continue
        out.append(Example(
            id=str(it.get("id", "")), title=it["title"], summary=str(it.get("summary") or ""),
            topics=frozenset(it.get("topics") or []), source=str(it.get("label_source") or source),
            lang=it.get("lang"), date=str(it.get("date") or "")[:10],
        ))
    return out


@dataclass
class Params:
    keep: int = 20000  # vocabulary kept after the first pass
    c: float = 4.0  # inverse regularization strength
    min_df: int = 2
    folds: int = 5
    precision: float = 0.99  # calibration target (CV precision of the model alone, with context)
    # where precision is counted: "context" (every item with Venezuelan context: the model
    # alone) or "rules_silent" (only where the rules are silent, as the decision asks it)
    calibrate_on: str = "context"
    min_positives: int = 20  # a topic with fewer positive examples gets no model


@dataclass
class TopicReport:
    positives: int
    negatives: int
    threshold: float
    eligible: int = 0  # training items where the model would decide (rules silent, context)
    eligible_positives: int = 0
    cv_precision: float = 0.0  # among eligible items scoring >= threshold
    cv_recall: float = 0.0  # of eligible positives


@dataclass
class TrainResult:
    model: dict[str, Any]
    topics: dict[str, TopicReport] = field(default_factory=dict)


def remembered(analyzer: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """`analyzer` computed once per text: a training run reads each text in 17 fits and
    transforms (two passes, five folds), a tenth of the run's time each."""
    memo: dict[str, list[str]] = {}

    def analyze(text: str) -> list[str]:
        found = memo.get(text)
        if found is None:
            found = memo[text] = analyzer(text)
        return found

    return analyze


def fit_estimators(
    texts: Sequence[str], y: dict[str, list[int]], weights: Sequence[float] | None, p: Params,
    analyzer: Callable[[str], list[str]] = features,
) -> tuple[Any, dict[str, Any]]:
    """The fitted TfidfVectorizer and one LogisticRegression per topic (two passes)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def vectorizer(vocabulary: list[str] | None = None) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=analyzer, sublinear_tf=True, norm="l2", smooth_idf=True,
            min_df=1 if vocabulary else p.min_df, vocabulary=vocabulary, dtype=np.float64,
        )

    def models(x) -> dict[str, LogisticRegression]:
        out = {}
        for topic, labels in y.items():
            lr = LogisticRegression(C=p.c, solver="liblinear", tol=TOL, max_iter=1000, random_state=SEED)
            lr.fit(x, labels, sample_weight=weights)
            out[topic] = lr
        return out

    first = vectorizer()
    x1 = first.fit_transform(texts)
    rank = np.max(np.vstack([np.abs(m.coef_[0]) for m in models(x1).values()]), axis=0)
    names = first.get_feature_names_out()
    order = np.lexsort((names, -rank))[: p.keep]  # ties broken by name: reproducible
    vocab = sorted(str(names[i]) for i in order if rank[i] > 0)
    second = vectorizer(vocab)
    x2 = second.fit_transform(texts)
    return second, models(x2)


def _round(x: float) -> float:
    return float(f"{float(x):.{DIGITS}g}")


def export(vec: Any, lrs: dict[str, Any], thresholds: dict[str, float], meta: dict[str, Any]) -> dict[str, Any]:
    """The model file's content (learned.RelevanceModel.from_dict reads it)."""
    vocab = [str(v) for v in vec.get_feature_names_out()]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "analyzer": ANALYZER,
        "meta": meta,
        "vocabulary": vocab,
        "idf": [_round(v) for v in vec.idf_],
        "topics": {
            t: {"intercept": _round(lr.intercept_[0]), "threshold": thresholds[t],
                "coef": [_round(c) for c in lr.coef_[0]]}
            for t, lr in lrs.items()
        },
    }


def cv_scores(
    texts: Sequence[str], y: dict[str, list[int]], weights: Sequence[float] | None, p: Params,
    analyzer: Callable[[str], list[str]] = features,
) -> dict[str, list[float]]:
    """Out-of-fold probabilities per topic (the whole two-pass fit inside each fold)."""
    import numpy as np
    from sklearn.model_selection import KFold

    scores = {t: [0.0] * len(texts) for t in y}
    folds = KFold(n_splits=p.folds, shuffle=True, random_state=SEED)
    idx = np.arange(len(texts))
    for train, test in folds.split(idx):
        sub_y = {t: [labels[i] for i in train] for t, labels in y.items()}
        if any(len(set(v)) < 2 for v in sub_y.values()):
            continue
        vec, lrs = fit_estimators([texts[i] for i in train], sub_y,
                        None if weights is None else [weights[i] for i in train], p, analyzer)
        x = vec.transform([texts[i] for i in test])
        for t, lr in lrs.items():
            for i, prob in zip(test, lr.predict_proba(x)[:, 1], strict=True):
                scores[t][i] = float(prob)
    return scores


def calibrate(scores: Sequence[float], gold: Sequence[int], target: float) -> tuple[float, float, float]:
    """The lowest threshold whose precision (items scoring >= it) is >= target.

    Returns (threshold, precision, recall); threshold 1.0 (the model never decides) when no
    threshold reaches the target."""
    pairs = sorted(zip(scores, gold, strict=True), key=lambda sg: -sg[0])
    positives = sum(gold)
    best = (1.0, 0.0, 0.0)
    tp = fp = 0
    for i, (s, g) in enumerate(pairs):
        tp += g
        fp += 1 - g
        if i + 1 < len(pairs) and pairs[i + 1][0] == s:
            continue  # a threshold takes every item with the same score
        if tp and tp / (tp + fp) >= target:
            best = (s, tp / (tp + fp), tp / positives if positives else 0.0)
    return (_round(best[0]), best[1], best[2])


def train(
    examples: Sequence[Example],
    topics: Sequence[str],
    rules: tuple[dict[str, TopicRules], list[EntitySpec]] | None,
    *,
    params: Params | None = None,
    meta: dict[str, Any] | None = None,
    source_weights: dict[str, float] | None = None,
) -> TrainResult:
    """Fit the model on every example, calibrate each topic's threshold on CV scores.

    `rules` (topics, entities): calibration counts only the examples where the decision
    would ask the model (rules silent, context present); None counts every example."""
    import sklearn

    p = params or Params()
    texts = [e.text for e in examples]
    y_all = {t: [int(t in e.topics) for e in examples] for t in topics}
    y = {t: v for t, v in y_all.items() if p.min_positives <= sum(v) < len(v)}
    if not y:
        raise ValueError(f"no topic has at least {p.min_positives} positive and some negative examples")
    sw = source_weights or {}
    weights = [float(sw.get(e.source, 1.0)) for e in examples] if sw else None
    analyzer = remembered(features)
    vec, lrs = fit_estimators(texts, y, weights, p, analyzer)
    data_meta = {
        "trained_on": _summary(examples, list(y)),
        "date": max((e.date for e in examples if e.date), default=""),
        "sklearn": sklearn.__version__,
        "features": {"analyzer": ANALYZER, "vocabulary": len(vec.vocabulary_), "keep": p.keep,
                     "min_df": p.min_df, "tf": "sublinear", "norm": "l2",
                     "classifier": f"LogisticRegression(C={p.c}, liblinear)"},
        "calibration": {"folds": p.folds, "precision_target": p.precision, "on": p.calibrate_on},
        "source_weights": dict(sorted(sw.items())),
        **(meta or {}),
    }
    if rules is not None and p.calibrate_on == "context":
        rules = (without_signals(rules[0]), rules[1])
    asked = _asked(examples, rules, export(vec, lrs, dict.fromkeys(y, 0.0), {}))
    cv = cv_scores(texts, y, weights, p, analyzer)
    thresholds: dict[str, float] = {}
    reports: dict[str, TopicReport] = {}
    for t in y:
        rows = [i for i, a in enumerate(asked) if t in a]
        thr, prec, rec = calibrate([cv[t][i] for i in rows], [y[t][i] for i in rows], p.precision)
        thresholds[t] = thr
        reports[t] = TopicReport(
            positives=sum(y[t]), negatives=len(y[t]) - sum(y[t]), threshold=thr,
            eligible=len(rows), eligible_positives=sum(y[t][i] for i in rows),
            cv_precision=round(prec, 4), cv_recall=round(rec, 4),
        )
    data_meta["calibration"]["topics"] = {
        t: {"eligible": r.eligible, "eligible_positives": r.eligible_positives,
            "cv_precision": r.cv_precision, "cv_recall": r.cv_recall}
        for t, r in reports.items()
    }
    return TrainResult(model=export(vec, lrs, thresholds, data_meta), topics=reports)


def _asked(
    examples: Sequence[Example], rules: tuple[dict[str, TopicRules], list[EntitySpec]] | None,
    probe: dict[str, Any],
) -> list[set[str]]:
    """Per example, the topics the decision would ask the model about: with every threshold
    at 0 the model fires wherever it is asked, so `decided_by == "model"` marks exactly those."""
    if rules is None:
        return [set(probe["topics"]) for _ in examples]
    clf = Classifier(rules[0], rules[1], model=RelevanceModel.from_dict(probe))
    out = []
    for e in examples:
        res = clf.classify(title=e.title, summary=e.summary, lang=e.lang)
        out.append({t for t, by in res.decided_by.items() if by == "model"})
    return out


def _summary(examples: Sequence[Example], topics: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for e in examples:
        s = out.setdefault(e.source, {"items": 0, **dict.fromkeys(topics, 0)})
        s["items"] += 1
        for t in topics:
            s[t] += int(t in e.topics)
    return dict(sorted(out.items()))


def dumps(model: dict[str, Any]) -> str:
    """The file's text: sorted keys, compact, one trailing newline (byte-reproducible)."""
    return json.dumps(model, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def write(model: dict[str, Any], path: str | Path) -> int:
    text = dumps(model)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return len(text.encode("utf-8"))


def sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
