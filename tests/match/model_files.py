"""Comparing a retrained model file with the shipped one.

Byte for byte holds only where the BLAS library picks the same kernels: scikit-learn's
liblinear calls it, and OpenBLAS chooses its kernels by CPU at load time (the shipped
model trained on SkylakeX kernels differed from a Haswell-kernel retrain in the 7th digit
of 13 relevance weights). Everything else (vocabulary, idf, thresholds, metadata) must be
equal, and each number equal within `tol`, far under what changes a decision.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

TOL = 1e-5


def differences(new: object, old: object, tol: float = TOL, where: str = "") -> list[str]:
    """Where two parsed model files differ: a key, a length, a string, or a number by
    more than `tol` (absolute, or relative for numbers over 1)."""
    if isinstance(new, dict) and isinstance(old, dict):
        if new.keys() != old.keys():
            return [f"{where or '/'}: keys {sorted(new.keys() ^ old.keys())}"]
        return [d for k in new for d in differences(new[k], old[k], tol, f"{where}/{k}")]
    if isinstance(new, list) and isinstance(old, list):
        if len(new) != len(old):
            return [f"{where}: {len(new)} values, shipped {len(old)}"]
        return [d for i, (a, b) in enumerate(zip(new, old, strict=True))
                for d in differences(a, b, tol, f"{where}[{i}]")]
    numbers = (int, float)
    if isinstance(new, numbers) and isinstance(old, numbers) and not isinstance(new, bool):
        close = math.isclose(new, old, rel_tol=tol, abs_tol=tol)
        return [] if close else [f"{where}: {new} (shipped {old})"]
    return [] if new == old else [f"{where}: {new!r} (shipped {old!r})"]


def assert_reproduced(new: Path, shipped: Path) -> None:
    found = differences(json.loads(new.read_text(encoding="utf-8")),
                        json.loads(shipped.read_text(encoding="utf-8")))
    assert not found, f"{len(found)} differences, the first: {found[:5]}"
