"""Fixtures for the matching tests: the shipped rules, compiled once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.match import Classifier, build_classifier
from monitor.match.evaluate import load_rules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shipped() -> Classifier:
    topics, entities = load_rules(ROOT / "feeds.yaml")
    return build_classifier(topics, entities)
