"""The commands as an installed package runs them: the four packages copied into a folder of
their own, as `pip install` puts them into site-packages (no pyproject.toml, no tests/ beside
them), and run from a directory outside the repository."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.match.labelled_small import items as small_items

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "feeds.yaml")
PACKAGES = ("core", "monitor", "alerts", "storage")


def install(site: Path, *, checkout: bool = False) -> Path:
    """The packages under `site`; with `checkout`, beside a pyproject.toml as in the repository."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    if checkout:
        shutil.copy(ROOT / "pyproject.toml", site / "pyproject.toml")
    return site


def run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MONITOR_CONFIG")}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in small_items()),
                    encoding="utf-8")
    return path


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """The operator's working directory, outside the repository."""
    (tmp_path / "op").mkdir()
    return tmp_path / "op"


def test_train_in_an_installed_package_needs_out(tmp_path: Path, labelled: Path, elsewhere: Path) -> None:
    pytest.importorskip("sklearn")
    site = install(tmp_path / "site")
    shipped = site / "monitor" / "match" / "models" / "relevance.json"
    before = digest(shipped)
    result = run(site, elsewhere, "train", "--config", CONFIG, "--no-real", "--no-synthetic",
                 "--data", str(labelled), "--keep", "2000", "--precision", "0.9")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == (
        f"error: --out PATH is required in an installed package: its default, {shipped}, is the "
        "file shipped with the package, which an upgrade replaces; write the model elsewhere and "
        "set MONITOR_MODEL (and MONITOR_COUNTS_MODEL) to it\n"
    )
    assert digest(shipped) == before  # the service still scores with the shipped model

    out = elsewhere / "relevance.json"
    result = run(site, elsewhere, "train", "--config", CONFIG, "--no-real", "--no-synthetic",
                 "--data", str(labelled), "--keep", "2000", "--precision", "0.9", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.is_file() and digest(shipped) == before


def test_train_in_the_checkout_writes_the_package_model(tmp_path: Path, labelled: Path, elsewhere: Path) -> None:
    """`make train` (an editable install) keeps its default: the file the repository ships."""
    pytest.importorskip("sklearn")
    site = install(tmp_path / "site", checkout=True)
    shipped = site / "monitor" / "match" / "models" / "relevance.json"
    before = digest(shipped)
    result = run(site, elsewhere, "train", "--config", CONFIG, "--no-real", "--no-synthetic",
                 "--no-counts", "--data", str(labelled), "--keep", "2000", "--precision", "0.9")
    assert result.returncode == 0, result.stderr
    assert f"model: {shipped} " in result.stdout
    assert digest(shipped) != before


def test_people_seed_in_an_installed_package_needs_out(tmp_path: Path, labelled: Path, elsewhere: Path) -> None:
    site = install(tmp_path / "site")
    shipped = site / "monitor" / "match" / "data" / "people_seed.txt"
    before = shipped.read_text(encoding="utf-8")
    result = run(site, elsewhere, "people", "--config", CONFIG, "seed", "--from", str(labelled))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: --out PATH is required in an installed package: its default, {shipped}, is the "
        "file shipped with the package, which an upgrade replaces; write the list elsewhere ('-' "
        "for stdout), and watch names with `monitor people add`\n"
    )
    assert shipped.read_text(encoding="utf-8") == before  # `monitor classify` still watches the seed

    result = run(site, elsewhere, "people", "--config", CONFIG, "seed", "--from", str(labelled), "--out", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Watched people") and shipped.read_text(encoding="utf-8") == before
