"""Rule packs: the topics and entities shipped as package data, merged with feeds.yaml.

A pack is a YAML file with `pack`, `version`, `description`, `topics` and `entities`.
feeds.yaml names the packs it uses (`rules: [venezuela-2026]`, or a path to the
operator's own pack file) and adds local changes on top, which survive an upgrade:

- `topics:` a topic written in feeds.yaml replaces the pack's topic of that id (or adds one);
- `entities:` an entity replaces the pack's entity of that name, or is added;
- `rule_changes:` per topic, `add` (terms appended to `any`, `none`, `context`, ...) and
  `disable` (terms removed wherever they occur in the topic).

The merge works on the plain YAML data and remembers where every topic, term and entity
came from, so an error in the merged rules is reported at its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from core.rules import NearRule

PACK_DIR = Path(__file__).parent / "data" / "rules"
PACK_KEYS = ("pack", "version", "description", "topics", "entities")
LIST_FIELDS = ("any", "all", "near", "context", "none", "urgent", "urgent_with_person")

Loc = tuple[str | int, ...]


class TopicAdditions(BaseModel):
    """Terms appended to a topic's lists."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    any: list[str] = []
    all: list[list[str]] = []
    near: list[NearRule] = []
    context: list[str] = []
    none: list[str] = []
    urgent: list[str] = []
    urgent_with_person: list[str] = []


class TopicChange(BaseModel):
    """Local changes to one topic of the packs."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    add: TopicAdditions = TopicAdditions()
    disable: list[str] = []


@dataclass
class Source:
    """A file the rules come from: feeds.yaml itself (`path` None) or a pack."""

    data: Any  # the round-trip YAML tree (keeps lines)
    path: str | None = None
    name: str = ""
    version: str = ""


@dataclass
class Merged:
    topics: dict[str, Any]
    entities: list[Any]
    # merged location prefix -> (source, location in that source)
    origins: dict[Loc, tuple[Source, Loc]] = field(default_factory=dict)
    problems: list[tuple[Source, Loc, str]] = field(default_factory=list)

    def origin(self, loc: Loc) -> tuple[Source, Loc] | None:
        """The source and its location of a merged location (longest known prefix)."""
        for n in range(len(loc), 0, -1):
            hit = self.origins.get(loc[:n])
            if hit is not None:
                return hit[0], hit[1] + loc[n:]
        return None


def available_packs() -> list[str]:
    return sorted(p.stem for p in PACK_DIR.glob("*.yaml"))


def pack_path(ref: str, base_dir: Path) -> Path:
    """A pack name (shipped with the package) or a path to a pack file (relative to feeds.yaml)."""
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        path = Path(ref).expanduser()
        return path if path.is_absolute() else base_dir / path
    return PACK_DIR / f"{ref}.yaml"


def merge(own: Source, packs: list[Source]) -> Merged:
    """The effective topics and entities: the packs in order, then feeds.yaml's own."""
    data = own.data
    merged = Merged({}, [])
    for pack in packs:
        _add_topics(merged, pack)
    _add_topics(merged, own)
    for pack in packs:
        _add_entities(merged, pack, replace=True)
    _add_entities(merged, own, replace=True)
    changes = data.get("rule_changes") if isinstance(data, dict) else None
    if isinstance(changes, dict):
        for topic, change in changes.items():
            _apply_change(merged, own, str(topic), change)
    return merged


def _add_topics(merged: Merged, source: Source) -> None:
    topics = source.data.get("topics") if isinstance(source.data, dict) else None
    if not isinstance(topics, dict):
        return
    for name, rules in topics.items():
        merged.topics[name] = rules
        merged.origins[("topics", name)] = (source, ("topics", name))
        for key in [k for k in list(merged.origins) if len(k) > 2 and k[:2] == ("topics", name)]:
            del merged.origins[key]
        if isinstance(rules, dict):
            for f in LIST_FIELDS:
                items = rules.get(f)
                if isinstance(items, list):
                    for i in range(len(items)):
                        merged.origins[("topics", name, f, i)] = (source, ("topics", name, f, i))


def _add_entities(merged: Merged, source: Source, *, replace: bool) -> None:
    entities = source.data.get("entities") if isinstance(source.data, dict) else None
    if not isinstance(entities, list):
        return
    own_names: set[str] = set()
    index: dict[str, int] = {}  # name -> first position among the entities merged so far
    for i, old in enumerate(merged.entities):
        if isinstance(old, dict) and isinstance(old.get("name"), str):
            index.setdefault(old["name"], i)
    for j, entity in enumerate(entities):
        name = entity.get("name") if isinstance(entity, dict) else None
        at = len(merged.entities)
        if replace and isinstance(name, str) and name not in own_names and name in index:
            at = index[name]
        if isinstance(name, str):
            own_names.add(name)
        if at == len(merged.entities):
            merged.entities.append(entity)
        else:
            merged.entities[at] = entity
        merged.origins[("entities", at)] = (source, ("entities", j))


def _apply_change(merged: Merged, own: Source, topic: str, change: Any) -> None:
    where: Loc = ("rule_changes", topic)
    if topic not in merged.topics:
        known = ", ".join(merged.topics) or "none"
        merged.problems.append((own, where, f"unknown topic '{topic}'; known topics: {known}"))
        return
    if not isinstance(change, dict):
        return  # the model reports the shape
    rules = merged.topics[topic]
    if not isinstance(rules, dict):
        return
    rules = dict(rules)  # never change the source tree
    merged.topics[topic] = rules
    disable = change.get("disable")
    for d, term in enumerate(disable if isinstance(disable, list) else []):
        if not _disable(merged, topic, rules, term):
            merged.problems.append(
                (own, (*where, "disable", d), f"term {term!r} is not in topic '{topic}'; nothing to disable")
            )
    add = change.get("add")
    for f, items in (add.items() if isinstance(add, dict) else []):
        if f not in LIST_FIELDS or not isinstance(items, list):
            continue  # the model reports the shape
        current = list(rules.get(f) or [])
        for i in range(len(items)):
            merged.origins[("topics", topic, f, len(current) + i)] = (own, (*where, "add", f, i))
        rules[f] = current + list(items)


def _disable(merged: Merged, topic: str, rules: dict[str, Any], term: Any) -> bool:
    """Remove `term` from every list of the topic; True when it was found."""
    found = False
    for f in ("any", "context", "none", "urgent", "urgent_with_person"):
        items = rules.get(f)
        if isinstance(items, list) and term in items:
            keep = [i for i, t in enumerate(items) if t != term]
            _reindex(merged, ("topics", topic, f), keep)
            rules[f] = [items[i] for i in keep]
            found = True
    groups = rules.get("all")
    if isinstance(groups, list):
        new_groups = []
        for group in groups:
            if isinstance(group, list) and term in group:
                group = [t for t in group if t != term]
                found = True
            new_groups.append(group)
        rules["all"] = new_groups
    nears = rules.get("near")
    if isinstance(nears, list):
        new_nears = []
        for near in nears:
            if isinstance(near, dict):
                near = dict(near)
                for side in ("a", "b"):
                    if isinstance(near.get(side), list) and term in near[side]:
                        near[side] = [t for t in near[side] if t != term]
                        found = True
            new_nears.append(near)
        rules["near"] = new_nears
    return found


def _reindex(merged: Merged, prefix: Loc, keep: list[int]) -> None:
    old = {i: merged.origins.get((*prefix, i)) for i in keep}
    for key in [k for k in merged.origins if len(k) == len(prefix) + 1 and k[: len(prefix)] == prefix]:
        del merged.origins[key]
    for new, i in enumerate(keep):
        hit = old[i]
        if hit is not None:
            merged.origins[(*prefix, new)] = hit
