"""Every ```yaml example of the docs is a config the real loader takes, pasted into the shipped
feeds.yaml as an operator would: its top-level sections replace the file's (`settings`
merged key by key). A doc example check-config refuses sends the operator who copies it to
an error on their first day."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from core.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["docs/CONFIG.md", "docs/MATCHING.md", "docs/TALLY.md", "docs/ALERTS.md",
        "docs/INGESTION.md", "docs/OPERATIONS.md", "README.md"]
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> list[Any]:
    out = []
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            out.append(pytest.param(match.group(1), id=f"{doc}:{line}"))
    return out


def pasted(example: dict[str, Any]) -> str:
    """The shipped feeds.yaml with the example's sections in place of its own."""
    yaml = YAML(typ="safe")
    data = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    for key, value in example.items():
        data[key] = {**data.get(key, {}), **value} if key == "settings" else value
    out = io.StringIO()
    YAML().dump(data, out)
    return out.getvalue()


def test_the_docs_have_yaml_examples() -> None:
    assert len([p for p in examples() if "CONFIG.md" in p.id]) >= 2


@pytest.mark.parametrize("block", examples())
def test_a_yaml_example_of_the_docs_is_accepted(block: str) -> None:
    if re.search(r"^services:", block, re.MULTILINE):  # a docker compose file, not feeds.yaml
        compose = YAML(typ="safe").load(block)  # a volume's `a:b` unquoted in a flow list is no YAML
        assert all(isinstance(v, str) for s in compose["services"].values() for v in s.get("volumes", [])), block
        return
    if re.search(r"^rule_files:", block, re.MULTILINE):  # a prometheus.yml loading the shipped rules
        prometheus = YAML(typ="safe").load(block)
        assert all((ROOT / "deploy" / "prometheus" / Path(f).name).is_file() for f in prometheus["rule_files"]), block
        return
    example = YAML(typ="safe").load(block)
    if example is None:
        pytest.skip("comments only (the schema's first line)")
    try:
        parse_config(pasted(example), "feeds.yaml")
    except ConfigError as exc:
        pytest.fail(f"check-config refuses the example:\n{block}\n{exc.render()}")


INLINE = [  # (doc, the text quoted there, the list it is an entry of)
    ("README.md", '{name: presos, chat_id: "@presos", topics: [political_prisoners]}', "channels"),
    ("docs/OPERATIONS.md", '{name: presos, chat_id: "@presos_canal",\n   topics: [political_prisoners]}',
     "channels"),
    ("docs/OPERATIONS.md", "settings: {admin_chat_id: -1001234567890, admin_user_ids: [11111111, 22222222]}",
     None),
]


@pytest.mark.parametrize("doc,quoted,section", INLINE)
def test_an_entry_quoted_inline_is_accepted(doc: str, quoted: str, section: str | None) -> None:
    """`section`: the list the entry goes into; None: the quote is a section itself."""
    assert quoted in (ROOT / doc).read_text(encoding="utf-8")
    entry = YAML(typ="safe").load(quoted)
    parse_config(pasted({section: [entry]} if section else entry), "feeds.yaml")
