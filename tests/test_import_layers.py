"""The import contract's layers name every module of monitor/ (pyproject.toml, docs/ARCHITECTURE.md).

import-linter checks only the modules a layer names: one left out may import any layer and be
imported by any. Five were (cli_common, first_round, heap, story_train, story_words): `import
monitor.heap` in storage/leases.py or `import monitor.first_round` in core/durations.py kept
the layers contract."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _layered() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    [layers] = [c for c in config["contracts"] if c["id"] == "layers"]
    return {name.strip() for layer in layers["layers"] for name in re.split(r"[:|]", layer)}


def _monitor_modules() -> set[str]:
    """monitor's modules and packages, one level down (a package covers its own modules)."""
    found = {f"monitor.{p.stem}" for p in (ROOT / "monitor").glob("*.py") if p.stem != "__init__"}
    return found | {f"monitor.{p.parent.name}" for p in (ROOT / "monitor").glob("*/__init__.py")}


def test_every_module_of_monitor_is_in_a_layer() -> None:
    missing = _monitor_modules() - _layered()
    assert not missing, f"not in [tool.importlinter] layers (pyproject.toml): {sorted(missing)}"


def test_the_layers_name_only_modules_that_exist() -> None:
    monitor = {m for m in _layered() if m.startswith("monitor.")}
    assert monitor <= _monitor_modules(), sorted(monitor - _monitor_modules())
