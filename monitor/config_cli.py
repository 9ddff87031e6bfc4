"""`monitor rules show` (the effective rules after packs and local changes) and
`monitor schema` (a JSON Schema of feeds.yaml for editors)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from core.config import AppConfig, config_path_from, load_config
from core.durations import format_duration
from monitor.cli_common import add_command, add_group, common_options, utf8_stdout

SCHEMA_ID = "https://github.com/venezuela-monitor/monitor/feeds.schema.json"


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    rules_sub = add_group(
        sub, common, "rules", "rules_command", "the effective matching rules",
        "`rules show`: the topics and entities in effect after the rule packs named "
        "under `rules:` and the local changes of the config, as YAML.",
    )
    show = add_command(rules_sub, common_options(nested=True), "show", cmd_rules_show, "print the effective rules (YAML)")
    show.add_argument("--topic", help="only this topic (and no entities)")

    add_command(
        sub, common, "schema", cmd_schema, "a JSON Schema of feeds.yaml on stdout",
        "Print a JSON Schema generated from the config models, for editors "
        "(yaml-language-server: `# yaml-language-server: $schema=feeds.schema.json`).",
    )


class _FeedsYamlSchema(GenerateJsonSchema):
    """Defaults as feeds.yaml writes them: a duration as `10m`, not pydantic's ISO `PT10M`
    (which the schema's own pattern and check-config refuse)."""

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return format_duration(dft)
        return super().encode_default(dft)


def config_schema() -> dict[str, Any]:
    """The JSON Schema of feeds.yaml. `topics` is optional in the file: packs supply it."""
    schema = AppConfig.model_json_schema(mode="validation", schema_generator=_FeedsYamlSchema)
    schema["required"] = [k for k in schema.get("required", []) if k != "topics"]
    if not schema["required"]:
        del schema["required"]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "feeds.yaml of the Venezuela monitor", **schema}


def cmd_schema(args: argparse.Namespace) -> int:
    utf8_stdout()
    json.dump(config_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def cmd_rules_show(args: argparse.Namespace) -> int:
    from ruamel.yaml import YAML

    path = config_path_from(args.config)
    config = load_config(path)
    topics = {name: _compact(rules.model_dump(mode="json")) for name, rules in config.topics.items()}
    if args.topic:
        if args.topic not in topics:
            print(f"error: no topic '{args.topic}'; topics: {', '.join(topics)}", file=sys.stderr)
            return 2
        topics = {args.topic: topics[args.topic]}
    packs = ", ".join(config.rules) or "none"
    changes = sum(len(c.disable) + sum(len(v) for v in c.add.model_dump().values())
                  for c in config.rule_changes.values())
    utf8_stdout()  # rules to copy into feeds.yaml, a UTF-8 file: its heading too
    print(f"# effective rules of {path}: packs {packs}; {changes} local term changes; "
          f"{len(config.topics)} topics, {len(config.entities)} entities")
    out: dict[str, Any] = {"topics": topics}
    if not args.topic:
        out["entities"] = [_compact(e.model_dump(mode="json")) for e in config.entities]
    yaml = YAML()
    yaml.width = 100
    yaml.dump(out, sys.stdout)
    return 0


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty lists and empty strings (the defaults) so the listing stays readable."""
    return {k: v for k, v in data.items() if v not in ([], "", None)}
