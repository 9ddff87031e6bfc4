from pathlib import Path

import pytest
from pydantic import ValidationError

from core.rules import EntitySpec, TopicRules, validate_rules

ROOT = Path(__file__).resolve().parents[2]


def test_topic_without_signal_can_never_match():
    with pytest.raises(ValidationError, match="can never match"):
        TopicRules(context=["venezuela"])


def test_any_term_also_excluded_can_never_match():
    with pytest.raises(ValidationError, match="also excluded"):
        TopicRules(any=["presos"], none=["presos"])


def test_malformed_terms_and_unknown_keys_are_rejected():
    with pytest.raises(ValidationError, match="last word"):
        TopicRules(any=["pres* politicos"])
    with pytest.raises(ValidationError, match="all.1\n.*the group is empty"):
        TopicRules(all=[["a b"], []])
    with pytest.raises(ValidationError):
        TopicRules(any=["x y"], anyy=["typo"])
    with pytest.raises(ValidationError):
        TopicRules(near=[{"a": ["x y"], "b": ["z w"], "within": -1}])
    with pytest.raises(ValidationError, match="aliases are plain text"):
        EntitySpec(name="X", type="person", aliases=["Mad*"])


def test_validate_rules_reports_locations():
    topics = {"t": TopicRules(near=[{"a": ["@Nobody"], "b": ["preso~"]}], context=["venezuela"])}
    entities = [EntitySpec(name="A", type="org"), EntitySpec(name="A", type="org")]
    errors = dict(validate_rules(topics, entities))
    assert ("topics", "t", "near", 0, "a", 0) in errors
    assert "unknown entity 'Nobody'" in errors[("topics", "t", "near", 0, "a", 0)]
    assert ("entities", 1, "name") in errors


def test_context_required_without_any_context_source():
    errors = validate_rules({"t": TopicRules(any=["x y"])}, [])
    assert errors and errors[0][0] == ("topics", "t", "context")


def test_check_config_reports_rule_errors_at_yaml_location(tmp_path):
    from core.config import ConfigError, load_config

    text = (ROOT / "core/data/rules/venezuela-2026.yaml").read_text(encoding="utf-8")
    broken = text.replace('      - "@Foro Penal"\n', '      - "@Foro Penalx"\n      - "ex*"\n', 1)
    assert broken != text
    (tmp_path / "pack.yaml").write_text(broken, encoding="utf-8")
    path = tmp_path / "feeds.yaml"
    path.write_text("rules: [pack.yaml]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    rendered = info.value.render()
    assert f"{tmp_path / 'pack.yaml'}: topics.political_prisoners.any" in rendered
    assert "unknown entity 'Foro Penalx'" in rendered or "shorter than" in rendered
