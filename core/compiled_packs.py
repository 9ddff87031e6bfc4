"""The shipped rule packs as JSON, read in place of their YAML when it is unchanged.

The YAML of a pack is its source: operators read it and `monitor rules show` prints it. Parsing
it is most of what reading the rules costs (0.06 s of `monitor classify`'s start, with the C
loader), so each shipped pack has a JSON copy beside it (`NAME.json`: the SHA-256 of the YAML
text and the plain data it parses to), written by `python -m core.compiled_packs` (`make
rules-json`). A copy is used only when its SHA-256 is the YAML's: an edited pack, or an
operator's own pack with no copy, is parsed as before, only slower. An error in a pack is
always reported from its YAML, with lines (core/config/load.py reads everything again then).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from core.rule_packs import PACK_DIR

FORMAT = "venezuela-monitor/compiled-pack/v1"


def copy_path(pack: Path) -> Path:
    return pack.with_suffix(".json")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_copy(pack: Path, text: str) -> Any | None:
    """The pack's data from its JSON copy when the copy is of this very text, else None."""
    try:
        data = json.loads(copy_path(pack).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("sha256") != digest(text):
        return None
    return data.get("pack")


def write_copies(packs: list[Path] | None = None) -> list[Path]:
    """Write the JSON copy of each shipped pack (or of `packs`); the files written."""
    from core.config.yaml_file import load_yaml  # the parser of the packs, as load.py reads them

    written = []
    for pack in packs if packs is not None else sorted(PACK_DIR.glob("*.yaml")):
        text = pack.read_text(encoding="utf-8")
        body = {"format": FORMAT, "sha256": digest(text), "pack": load_yaml(text, str(pack), fast=True)}
        copy_path(pack).write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n",
                                   encoding="utf-8")
        written.append(copy_path(pack))
    return written


if __name__ == "__main__":
    for path in write_copies():
        print(f"written {path}", file=sys.stderr)
