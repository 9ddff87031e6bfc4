"""The learned pair scorer: how likely an item and a story tell one event, from the
signals the matcher already works out (alerts/stories/match.py).

A logistic regression trained on the pairs of labelled January windows
(`make train-stories`, monitor/story_train.py) and shipped as plain JSON
(alerts/stories/data/pairs.json: feature names, weights, intercept, threshold); the
service scores it with a dot product, without scikit-learn. It only decides the band
just under the matcher's threshold (scores from `floor` up), and only for a story
with no conflict: the rules that forbid a merge always win. The signals of a join it
made say `"learned": p`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_FILE = Path(__file__).with_name("data") / "pairs.json"

FEATURES = (
    "text", "best_item", "centroid", "entities", "figure", "frame_person", "frame_classes",
    "evidence", "events", "days", "same_outlet", "both_topics",
)


def pair_vector(signals: Mapping[str, Any]) -> list[float]:
    """The pair's features, in the order of FEATURES, from a candidate's signals."""
    frame = signals.get("frame") or {}
    return [
        float(signals.get("text", 0.0)),
        float(signals.get("best_item", 0.0)),
        float(signals.get("centroid", 0.0)),
        float(min(len(signals.get("entities") or []), 2)),
        float(bool(signals.get("figures") or signals.get("tally"))),
        float("person" in frame),
        float("classes" in frame),
        float(min(int(signals.get("evidence", 0)), 4)),
        float(min(len(signals.get("events") or []), 3)),
        float(signals.get("hours", 0.0)) / 24.0,
        float(bool(signals.get("same_outlet"))),
        float(len(signals.get("topics") or []) >= 2),
    ]


@dataclass(frozen=True)
class PairModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float  # probability from which a pair joins
    floor: float  # the lowest matcher score the model may lift to a join

    def probability(self, signals: Mapping[str, Any]) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.weights, pair_vector(signals), strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def as_dict(self, **about: Any) -> dict[str, Any]:
        return {
            **about, "features": list(self.features), "weights": [round(w, 6) for w in self.weights],
            "intercept": round(self.intercept, 6), "threshold": self.threshold, "floor": self.floor,
        }


def load_model(path: Path | None = None) -> PairModel | None:
    """The shipped model, or None when the file is absent or marked off."""
    path = path or MODEL_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not data.get("enabled", True):
        return None
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path}: features {data['features']} are not {list(FEATURES)}")
    return PairModel(
        features=FEATURES, weights=tuple(float(w) for w in data["weights"]),
        intercept=float(data["intercept"]), threshold=float(data["threshold"]), floor=float(data["floor"]),
    )


PAIR_MODEL = load_model()
