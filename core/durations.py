"""Durations as operators write them: `90s`, `10m`, `6h`, `2d`, `1h30m`."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
# The longest duration accepted. Far below timedelta's own limit (about 2.7 million years):
# `now + interval` and `now - backfill_window` must stay within datetime's years 1 to 9999.
MAX_DURATION = timedelta(days=36500)
_MAX_SECONDS = int(MAX_DURATION.total_seconds())
_HINT = "expected a duration such as 90s, 10m, 6h or 2d"


def parse_duration(value: object) -> timedelta:
    """Parse a duration; a bare number means seconds. Raises ValueError with a hint, also
    for an infinite or huge one (never OverflowError: every caller reports ValueError)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(_HINT)
    if isinstance(value, int | float):
        return _seconds(value)
    if not isinstance(value, str):
        raise ValueError(_HINT)
    text = value.strip().lower().replace(" ", "")
    if text.isascii() and text.isdigit():
        return _seconds(int(text) if len(text) <= 20 else math.inf)  # no 4,300-digit int parsing
    pos, total = 0, 0.0
    for m in _PART.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]  # a huge number is inf, not an error
        pos = m.end()
    if not text or pos != len(text):
        raise ValueError(
            f"invalid duration {value!r}: use a number and a unit s, m, h, d or w (90s, 10m, 6h, 2d)"
        )
    return _seconds(total)


def _seconds(value: float) -> timedelta:
    """`value` seconds as a timedelta, within 0..MAX_DURATION."""
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(_HINT)
    if value < 0:
        raise ValueError("a duration cannot be negative")
    if value > _MAX_SECONDS:  # inf included; compared before any conversion that could overflow
        raise ValueError(
            f"duration too large: at most {format_duration(MAX_DURATION)} (100 years)"
        )
    return timedelta(seconds=value)


def format_duration(delta: timedelta) -> str:
    """The shortest readable form: 1d2h, 10m, 45s."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out)


def ago(when: datetime | None, now: datetime) -> str:
    """How long ago `when` was ("5m ago", "in 2h", "never"), for status tables and the admin chat."""
    if when is None:
        return "never"
    delta = now - when
    if delta.total_seconds() >= 0:
        return f"{format_duration(delta)} ago"
    return f"in {format_duration(-delta)}"
