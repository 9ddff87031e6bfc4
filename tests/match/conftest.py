"""Fixtures for the matching tests: the shipped rules, compiled once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from monitor.match import Classifier, build_classifier

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.eval import load_rules  # noqa: E402


@pytest.fixture(scope="session")
def shipped() -> Classifier:
    topics, entities = load_rules(ROOT / "feeds.yaml")
    return build_classifier(topics, entities)
