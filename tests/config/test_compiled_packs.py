"""The shipped rule packs' JSON copies (core/compiled_packs.py): fresh, equal to their YAML,
and never used for a pack whose text they are not of."""

from __future__ import annotations

import shutil
from pathlib import Path

from core.compiled_packs import copy_path, digest, read_copy, write_copies
from core.config import load_rules
from core.config.yaml_file import load_yaml
from core.rule_packs import PACK_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_pack_has_a_fresh_copy_equal_to_its_yaml() -> None:
    """A rule changed without `make rules-json` leaves the copy stale: the service would parse the
    YAML (right, but slower); this test says so first."""
    packs = sorted(PACK_DIR.glob("*.yaml"))
    assert packs
    for pack in packs:
        text = pack.read_text(encoding="utf-8")
        assert read_copy(pack, text) == load_yaml(text, str(pack), fast=True), (
            f"{copy_path(pack)} is stale: run `make rules-json`")


def test_a_copy_of_another_text_is_not_read(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    shutil.copy(PACK_DIR / "venezuela-2026.yaml", pack)
    write_copies([pack])
    text = pack.read_text(encoding="utf-8")
    assert read_copy(pack, text) is not None
    edited = text.replace("- excarcel*\n", "- excarcel*\n      - liberado por el régimen de prueba\n", 1)
    assert edited != text and digest(edited) != digest(text)
    pack.write_text(edited, encoding="utf-8")
    assert read_copy(pack, edited) is None  # the stale copy is passed over: the YAML is read


def test_an_edited_pack_beside_its_stale_copy_is_read_from_its_yaml(tmp_path: Path) -> None:
    """An operator's pack with a copy written before an edit: the rules are the edited YAML's."""
    pack = tmp_path / "mine.yaml"
    shutil.copy(PACK_DIR / "venezuela-2026.yaml", pack)
    write_copies([pack])
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text.replace("pack: venezuela-2026", "pack: mine", 1).replace(
        "- excarcel*\n", "- excarcel*\n      - zzprueba~\n", 1), encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text((ROOT / "feeds.yaml").read_text(encoding="utf-8").replace(
        "rules: [venezuela-2026]", f"rules: [{pack}]", 1), encoding="utf-8")
    rules = load_rules(config)
    assert "zzprueba~" in rules.topics["political_prisoners"].any
