"""The learned second opinion: a per-topic logistic regression over word and character
n-grams of the normalized title and summary, scored without scikit-learn.

Training (monitor/match/training.py, scikit-learn) writes every parameter the score needs
to a JSON file: the vocabulary, its idf, and per topic the coefficients, intercept and
calibrated threshold. Scoring here reproduces scikit-learn's arithmetic exactly:

    x_f = (1 + ln tf_f) * idf_f          (sublinear tf, smoothed idf)
    x   = x / ||x||_2                     (over every vocabulary feature of the item)
    p   = 1 / (1 + exp(-(w . x + b)))

The file is plain JSON (never pickle), read once per process (`default_model()`).
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from core.model_files import read_model
from core.text import haystack

log = logging.getLogger("monitor.match.learned")

FORMAT = "venezuela-monitor/relevance"
FORMAT_VERSION = 1
ANALYZER = "words1-2+charwb3-5/v1"
MODEL_PATH = Path(__file__).resolve().parent / "models" / "relevance.json"
ENV_MODEL = "MONITOR_MODEL"  # another model file for the service (tests, trials)
MAX_MODEL_CHARS = 1000
"""The model reads the title and the first characters of the summary: what an outlet writes
to tell the story. Long bodies would dilute the features and cost time."""

_DIGIT = re.compile(r"\d")
CHAR_MIN, CHAR_MAX = 3, 5


def model_text(title: str, summary: str = "") -> str:
    """The text the model reads: title and summary, capped."""
    text = f"{title}\n{summary}" if summary else title
    return text[:MAX_MODEL_CHARS]


def features(text: str) -> list[str]:
    """The n-grams of a text, as used at training and at inference alike.

    Words come from `haystack()` (case, accents and punctuation folded, so capitals,
    quotation marks and emoji change nothing); digits become 0. Features: each word,
    each pair of adjacent words ("a b"), and the character 3- to 5-grams of each word
    padded with "<" and ">" (prefixed "#", so they never equal a word).
    """
    toks = _DIGIT.sub("0", haystack(text)).split()
    out = list(toks)
    out += [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
    for tok, count in Counter(toks).items():
        out += _char_grams(tok) * count
    return out


@lru_cache(maxsize=65536)
def _char_grams(tok: str) -> list[str]:
    padded = f"<{tok}>"
    return [
        "#" + padded[i : i + n]
        for n in range(CHAR_MIN, CHAR_MAX + 1)
        for i in range(len(padded) - n + 1)
    ]


@dataclass(frozen=True)
class TopicModel:
    name: str
    intercept: float
    threshold: float
    coef: list[float]  # one weight per vocabulary feature


_TOKEN_CACHE_MAX = 100_000


@dataclass
class RelevanceModel:
    """A loaded model: `score(text)` gives each topic's probability."""

    index: dict[str, int]
    idf: list[float]
    topics: dict[str, TopicModel]
    meta: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    # word -> vocabulary indices of its character n-grams (words recur across items)
    _grams: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> RelevanceModel:
        """Validate and build; raises ValueError on anything unexpected."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a relevance model file")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"model format version {data.get('version')!r}, expected {FORMAT_VERSION}")
        if data.get("analyzer") != ANALYZER:
            raise ValueError(f"model analyzer {data.get('analyzer')!r}, expected {ANALYZER!r}")
        vocab, idf = data.get("vocabulary"), data.get("idf")
        if not isinstance(vocab, list) or not isinstance(idf, list) or len(vocab) != len(idf):
            raise ValueError("vocabulary and idf must be lists of the same length")
        if not all(isinstance(v, str) for v in vocab) or not all(_is_num(x) for x in idf):
            raise ValueError("vocabulary must hold strings and idf numbers")
        topics: dict[str, TopicModel] = {}
        raw_topics = data.get("topics")
        if not isinstance(raw_topics, dict) or not raw_topics:
            raise ValueError("no topics in the model")
        for name, t in raw_topics.items():
            coef = t.get("coef") if isinstance(t, dict) else None
            if not isinstance(coef, list) or len(coef) != len(vocab) or not all(_is_num(c) for c in coef):
                raise ValueError(f"topic {name}: coef must be one number per vocabulary feature")
            if not _is_num(t.get("intercept")) or not _is_num(t.get("threshold")):
                raise ValueError(f"topic {name}: intercept and threshold must be numbers")
            topics[name] = TopicModel(
                name=name, intercept=float(t["intercept"]), threshold=float(t["threshold"]),
                coef=[float(c) for c in coef],
            )
        return cls(
            index={v: i for i, v in enumerate(vocab)}, idf=[float(x) for x in idf],
            topics=topics, meta=dict(data.get("meta") or {}), path=path,
        )

    def threshold(self, topic: str) -> float | None:
        tm = self.topics.get(topic)
        return tm.threshold if tm else None

    def _indices(self, text: str) -> Counter[int]:
        """Term frequencies of the text's in-vocabulary features (the same as counting
        `features(text)` and looking each one up, only faster)."""
        index, grams = self.index, self._grams
        toks = _DIGIT.sub("0", haystack(text)).split()
        found = [i for i in map(index.get, toks) if i is not None]
        found += [i for i in map(index.get, [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)])
                  if i is not None]
        for tok in toks:
            ids = grams.get(tok)
            if ids is None:
                if len(grams) >= _TOKEN_CACHE_MAX:
                    grams.clear()
                ids = grams[tok] = tuple(i for i in map(index.get, _char_grams(tok)) if i is not None)
            found += ids
        return Counter(found)

    def _weighted(self, text: str) -> tuple[list[tuple[int, float]], float]:
        """The (index, tf-idf) pairs of the text and their l2 norm."""
        idf = self.idf
        pairs = [(i, idf[i] if tf == 1 else (1.0 + math.log(tf)) * idf[i])
                 for i, tf in self._indices(text).items()]
        return pairs, math.sqrt(sum(x * x for _, x in pairs))

    def score(self, text: str, topics: list[str] | None = None) -> dict[str, float]:
        """Probability per topic (all topics of the model, or only `topics`)."""
        pairs, norm = self._weighted(text)
        scale = 1.0 / norm if norm > 0 else 0.0
        out: dict[str, float] = {}
        for name in topics if topics is not None else list(self.topics):
            tm = self.topics.get(name)
            if tm is None:
                continue
            coef = tm.coef
            out[name] = _sigmoid(tm.intercept + scale * sum(x * coef[i] for i, x in pairs))
        return out


def _is_num(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class ModelLoad:
    """The outcome of loading: a model, or None and why (shown on /healthz and in the chat)."""

    model: RelevanceModel | None
    problem: str | None = None
    path: str = ""

    @property
    def status(self) -> dict[str, Any]:
        if self.model is not None:
            meta = self.model.meta
            return {"loaded": True, "path": self.path, "data_until": meta.get("date"),
                    "thresholds": {t: m.threshold for t, m in self.model.topics.items()}}
        return {"loaded": False, "path": self.path, "problem": self.problem,
                "mode": "rules only"}


def load_model(path: str | Path | None = None) -> ModelLoad:
    """Read and validate a model file; never raises. The caller logs `problem` once."""
    p = Path(path) if path is not None else MODEL_PATH
    model, problem = read_model(p, lambda data: RelevanceModel.from_dict(data, path=str(p)), f"model file {p}")
    return ModelLoad(model, problem, str(p))


def default_model() -> ModelLoad:
    """The model of this process: $MONITOR_MODEL when set, else the shipped file.

    Loaded once per path; a problem is logged once, here."""
    return _load_once(os.environ.get(ENV_MODEL) or str(MODEL_PATH))


@cache
def _load_once(path: str) -> ModelLoad:
    loaded = load_model(path)
    if loaded.problem:
        log.warning("relevance model off, matching on rules alone: %s", loaded.problem)
    return loaded
