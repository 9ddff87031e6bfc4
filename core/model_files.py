"""Reading a shipped JSON model file without ever raising: the learned parts (relevance,
counts) fall back to the rules alone and say why once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def read_model(path: Path, build: Callable[[Any], T], name: str) -> tuple[T | None, str | None]:
    """(model, None), or (None, "<name> is missing | unreadable | corrupt: why")."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, f"{name} is missing"
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{name} is unreadable: {exc}"
    try:
        return build(json.loads(raw)), None
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        return None, f"{name} is corrupt: {exc}"
