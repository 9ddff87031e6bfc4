"""The matching stage: topic rules, gazetteer, counts and urgency (docs/MATCHING.md)."""

from __future__ import annotations

from core.rules import EntitySpec, TopicRules
from monitor.match.engine import Classification, Classifier
from monitor.match.learned import RelevanceModel
from monitor.match.people import WatchedPeople


def build_classifier(
    topics: dict[str, TopicRules], entities: list[EntitySpec], *, model: RelevanceModel | None = None,
    watched: WatchedPeople | None = None,
) -> Classifier:
    """Compile every topic's terms and every alias once; reuse the result for all items.

    `model`: the learned second opinion (`learned.default_model().model`), or None for rules alone.
    `watched`: watched people (`people.WatchedPeople`), or None for none."""
    return Classifier(topics, entities, model=model, watched=watched)


__all__ = ["Classification", "Classifier", "EntitySpec", "TopicRules", "build_classifier"]
