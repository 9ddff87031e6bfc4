"""The matching stage: topic rules, gazetteer, counts and urgency (docs/MATCHING.md)."""

from __future__ import annotations

from monitor.match.engine import Classification, Classifier
from monitor.match.rules import EntitySpec, TopicRules


def build_classifier(topics: dict[str, TopicRules], entities: list[EntitySpec]) -> Classifier:
    """Compile every topic's terms and every alias once; reuse the result for all items."""
    return Classifier(topics, entities)


__all__ = ["Classification", "Classifier", "EntitySpec", "TopicRules", "build_classifier"]
