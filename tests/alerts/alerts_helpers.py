"""Helpers shared by the alerts tests (imported by name; the test directory is on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TOKEN = "123456789:AAHfake-token_for_tests_0123456789abcdef"


@dataclass
class Cls:
    """Stands in for the matcher's Classification (same attributes)."""

    topics: list[str]
    urgency: str = "normal"
    matches: dict[str, list[str]] = field(default_factory=dict)
    explain: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)
    counts: list[dict[str, Any]] = field(default_factory=list)
