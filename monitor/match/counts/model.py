"""The learned attachment step: a logistic regression over what the rules know about each
count they read (features), scored without scikit-learn.

For each count the model gives the probability that its event and number are right. Below
`veto` the count is dropped (the rules' reading is more likely wrong than right); at or above
`confident` it is confident (shown in alerts), between the two it is stored but not shown.
Training (model_training.py, `monitor train`) writes every parameter to
models/counts.json: plain JSON (never pickle), read once per process. `MONITOR_COUNTS_MODEL`
names another file, or `off` for the rules alone (measures, trials).

    p = 1 / (1 + exp(-(b + sum of the weights of the count's features)))
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from core.count import Count
from core.model_files import read_model

log = logging.getLogger("monitor.match.counts.model")

FORMAT = "venezuela-monitor/counts"
FORMAT_VERSION = 1
COUNTS_MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "counts.json"
ENV_COUNTS_MODEL = "MONITOR_COUNTS_MODEL"


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _number(x: object, name: str) -> float:
    if not isinstance(x, int | float) or isinstance(x, bool) or not math.isfinite(x):
        raise ValueError(f"{name} is not a finite number")
    return float(x)


@dataclass(frozen=True)
class CountModel:
    weights: Mapping[str, float]
    intercept: float
    veto: float
    confident: float
    meta: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any) -> CountModel:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"format version {data.get('version')!r}, expected {FORMAT_VERSION}")
        weights = data.get("weights")
        if not isinstance(weights, dict):
            raise ValueError("weights is not a map")
        return cls(
            weights={str(k): _number(v, f"weight {k!r}") for k, v in weights.items()},
            intercept=_number(data.get("intercept"), "intercept"),
            veto=_number(data.get("veto"), "veto"),
            confident=_number(data.get("confident"), "confident"),
            meta=data.get("meta") or {},
        )

    def probability(self, features: Iterable[str]) -> float:
        w = self.weights
        return _sigmoid(self.intercept + sum(w.get(f, 0.0) for f in set(features)))

    def judge(self, read: Sequence[tuple[Count, list[str]]]) -> list[Count]:
        """The counts kept, in order, each confident when its rule and the model both say so."""
        out = []
        for count, feats in read:
            p = self.probability(feats)
            if p < self.veto:
                continue
            count.confident = count.confident and p >= self.confident
            out.append(count)
        return out


def load_count_model(path: str | Path) -> tuple[CountModel | None, str | None]:
    """(model, None) or (None, the problem); never raises."""
    p = Path(path)
    return read_model(p, CountModel.from_dict, str(p))


def count_model() -> CountModel | None:
    """The model of this process: $MONITOR_COUNTS_MODEL (`off`: none), else the shipped file."""
    return _load_once(os.environ.get(ENV_COUNTS_MODEL) or str(COUNTS_MODEL_PATH))


@cache
def _load_once(path: str) -> CountModel | None:
    if path == "off":
        return None
    model, problem = load_count_model(path)
    if problem:
        log.warning("counts model off, counts from the rules alone: %s", problem)
    return model
