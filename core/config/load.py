"""feeds.yaml read and validated: the packs it names merged into its topics, every problem
reported at once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.compiled_packs import read_copy
from core.config.checks import caution_checks, cross_checks, rule_checks
from core.config.errors import ConfigError, ConfigIssue, Loc
from core.config.locate import KEY, error_message, issue_at
from core.config.models import AppConfig, RulesConfig
from core.config.values import DEFAULT_CONFIG
from core.config.yaml_file import (
    NotUtf8,
    Refused,
    load_yaml,
    plain_data,
    read_config_text,
    read_regular_file,
    utf8_text,
)
from core.rule_packs import PACK_KEYS, Source, available_packs, merge, pack_path


def _load_packs(data: Any, path: str, fast: bool = False) -> tuple[list[Source], list[ConfigIssue]]:
    """The packs named under `rules:`, each checked on its own (errors name the pack file)."""
    refs = data.get("rules")
    if not isinstance(refs, list):
        return [], []  # absent, or the model reports the shape
    base = Path(path).parent
    packs: list[Source] = []
    issues: list[ConfigIssue] = []
    for i, ref in enumerate(refs):
        if not isinstance(ref, str):
            continue
        file = pack_path(ref, base)
        try:
            text = utf8_text(read_regular_file(file))
            pack = (read_copy(file, text) if fast else None) or load_yaml(text, str(file), fast=fast)
        except NotUtf8 as exc:
            issues.append(ConfigIssue("(encoding)", exc.line, exc.message, str(file)))
            continue
        except FileNotFoundError:
            known = ", ".join(available_packs()) or "none"
            issues.append(issue_at(data, ("rules", i), f"no rule pack '{ref}'; shipped packs: {known}"))
            continue
        except (Refused, OSError, UnicodeDecodeError) as exc:
            issues.append(issue_at(data, ("rules", i), f"rule pack '{ref}' cannot be read: {exc}"))
            continue
        except ConfigError as exc:
            issues += [ConfigIssue(x.location, x.line, x.message, str(file)) for x in exc.issues]
            continue
        if not isinstance(pack, dict):
            issues.append(ConfigIssue("(top level)", 1, "a rule pack is a mapping: " + ", ".join(PACK_KEYS), str(file)))
            continue
        unknown = [k for k in pack if k not in PACK_KEYS]
        issues += [
            issue_at(pack, (str(k),), f"unknown key '{k}' in a rule pack; known keys: {', '.join(PACK_KEYS)}", str(file))
            for k in unknown
        ]
        packs.append(Source(pack, str(file), str(pack.get("pack") or ref), str(pack.get("version") or "")))
    return packs, issues


def parse_config(text: str, path: str = DEFAULT_CONFIG) -> AppConfig:
    """Validate the YAML `text`; raise ConfigError listing every problem.

    Rule packs are read first with the fast C loader; when one holds an error, everything
    is read again with lines, so the error names its line in the pack."""
    try:
        return _parse_config(text, path, fast=True)
    except ConfigError as exc:
        if not any(issue.file for issue in exc.issues):
            raise
    return _parse_config(text, path, fast=False)


def _parse_config(text: str, path: str, *, fast: bool, rules_only: bool = False) -> Any:
    # the rules alone (`monitor classify`) read the file itself with the C loader too; a config
    # read whole keeps its lines, which its cautions (warnings of a valid file) name
    data = load_yaml(text, path, fast=fast and rules_only)
    if not isinstance(data, dict):
        raise ConfigError(
            path, [ConfigIssue("(top level)", 1, "expected a mapping with settings, rules, feeds, channels")]
        )

    packs, issues = _load_packs(data, path, fast)
    own = Source(data)
    merged = merge(own, packs)
    plain = plain_data(data)
    if rules_only:
        plain = {k: v for k, v in plain.items() if k in RulesConfig.model_fields}
    for key, value in (("topics", merged.topics), ("entities", merged.entities)):
        shape = dict if key == "topics" else list
        if isinstance(data.get(key), shape) or (packs and key not in data):
            plain[key] = plain_data(value)  # else absent, or a wrong shape the model reports

    def located(loc: Loc, message: str) -> ConfigIssue:
        hit = merged.origin(loc) if loc and loc[0] in ("topics", "entities") else None
        if hit is None:
            return issue_at(data, loc, message)
        source, at = hit
        return issue_at(source.data, at, message, source.path)

    config: AppConfig | RulesConfig | None = None
    try:
        config = (RulesConfig if rules_only else AppConfig).model_validate(plain)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = error_message(error, loc)
            issues.append(located(loc[:-1] if loc[-1:] == (KEY,) else loc, message))  # the key's own line
    issues += [issue_at(source.data, loc, msg, source.path) for source, loc, msg in merged.problems]
    if not rules_only:
        issues += [issue_at(data, loc, msg) for loc, msg in cross_checks(data, [str(t) for t in merged.topics])]
    if config is not None:
        issues += [located(tuple(loc), msg) for loc, msg in rule_checks(config)]
    if issues:
        issues = list(dict.fromkeys(issues))  # a near rule of rule_changes is checked twice
        issues.sort(key=lambda i: (i.file or "", i.line or 0, i.location))
        raise ConfigError(path, issues)
    assert config is not None
    if isinstance(config, AppConfig):
        config._cautions = [issue_at(data, loc, msg) for loc, msg in caution_checks(data)]
    return config


def load_config(path: str | os.PathLike[str]) -> AppConfig:
    """Read and validate a config file; a missing or unreadable file is a ConfigError too."""
    p = Path(path)
    text = read_config_text(p)
    return parse_config(text, str(p))


def load_rules(path: str | os.PathLike[str]) -> RulesConfig:
    """The effective topics and entities of a config file (packs merged with its local
    changes), validated and located like `load_config`; the other keys are not read."""
    p = Path(path)
    text = read_config_text(p)
    try:
        return _parse_config(text, str(p), fast=True, rules_only=True)
    except ConfigError:
        pass  # read again with lines: every error names its line, in the file or a pack
    return _parse_config(text, str(p), fast=False, rules_only=True)
