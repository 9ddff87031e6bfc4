"""The matching stage: topic rules, gazetteer, counts and urgency (docs/MATCHING.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.rules import EntitySpec, TopicRules

if TYPE_CHECKING:
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
    from monitor.match.engine import Classifier

    return Classifier(topics, entities, model=model, watched=watched)


def __getattr__(name: str) -> Any:
    """The engine's names, imported on first use: a command that needs one small part of the
    stage (`monitor people` reads the seed list) does not compile the whole matcher."""
    if name in ("Classification", "Classifier"):
        from monitor.match import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Classification", "Classifier", "EntitySpec", "TopicRules", "build_classifier"]
