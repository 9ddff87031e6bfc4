"""Rule packs: the shipped feeds.yaml names its pack; local changes apply on top; errors
name the file and line they come from; `monitor rules show` and `monitor schema`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.config import ConfigError, load_config
from monitor.cli import main

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "core" / "data" / "rules" / "venezuela-2026.yaml"
FEEDS = "feeds: [{name: medio, url: 'https://example.org/feed', language: es}]\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_short_and_uses_the_pack() -> None:
    lines = (ROOT / "feeds.yaml").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150
    config = load_config(ROOT / "feeds.yaml")
    assert config.rules == ["venezuela-2026"]
    assert set(config.topics) == {"political_prisoners", "us_actions"}
    assert len(config.entities) > 100


def test_a_copy_elsewhere_finds_its_rules(tmp_path: Path) -> None:
    """An outside check writes its feeds and channels into a copy of the default file."""
    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    data["feeds"] = [{"name": "x", "url": "http://127.0.0.1:9/feed.xml", "language": "en"}]
    data["channels"] = [{"name": "c", "chat_id": "@channel_c", "topics": ["us_actions"]}]
    with (tmp_path / "copy.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    config = load_config(tmp_path / "copy.yaml")
    assert config.topics == load_config(ROOT / "feeds.yaml").topics


def test_topics_and_entities_in_feeds_yaml_keep_working(tmp_path: Path) -> None:
    path = write(tmp_path, FEEDS + "topics:\n  t: {any: [hola mundo], context_required: never}\n"
                 "entities:\n  - {name: Ana Pérez, type: person}\n")
    config = load_config(path)
    assert list(config.topics) == ["t"] and config.entities[0].name == "Ana Pérez"
    assert config.rules == []


def test_local_changes_add_disable_and_replace(tmp_path: Path) -> None:
    shipped = load_config(ROOT / "feeds.yaml")
    path = write(tmp_path, FEEDS + (
        "rules: [venezuela-2026]\n"
        "rule_changes:\n"
        "  political_prisoners:\n"
        "    add: {any: [presa de conciencia local], none: [telenovela]}\n"
        "    disable: [excarcel*]\n"
        "entities:\n"
        "  - {name: Ana Pérez, type: person, aliases: [Anita Pérez]}\n"
        "  - {name: Diosdado Cabello, type: person}\n"
        "topics:\n"
        "  local_topic: {any: [hola mundo], context_required: never}\n"
    ))
    config = load_config(path)
    pp = config.topics["political_prisoners"]
    assert pp.any[-1] == "presa de conciencia local" and "telenovela" in pp.none
    assert "excarcel*" not in pp.any and "excarcel*" in shipped.topics["political_prisoners"].any
    assert config.topics["us_actions"] == shipped.topics["us_actions"]
    assert list(config.topics) == ["political_prisoners", "us_actions", "local_topic"]
    names = [e.name for e in config.entities]
    assert names[-1] == "Ana Pérez" and len(names) == len(shipped.entities) + 1
    cabello = next(e for e in config.entities if e.name == "Diosdado Cabello")
    assert cabello.aliases == []  # replaced in place, at the pack's position
    assert names.index("Diosdado Cabello") == [e.name for e in shipped.entities].index("Diosdado Cabello")


def test_errors_name_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, FEEDS + (
        "rules: [venezuela-2026, no-such-pack]\n"             # line 2
        "rule_changes:\n"
        "  political_prisoners:\n"
        "    disable: [not a term of the pack]\n"             # line 5
        "    add: {any: ['@Nobody Known']}\n"                 # line 6
        "  nope: {disable: [x]}\n"                            # line 7
    ))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = info.value.render()
    assert "rules[1] (line 2): no rule pack 'no-such-pack'; shipped packs: venezuela-2026" in text
    assert "rule_changes.political_prisoners.disable[0] (line 5)" in text
    assert "rule_changes.political_prisoners.add.any[0] (line 6): unknown entity 'Nobody Known'" in text
    assert "rule_changes.nope (line 7): unknown topic 'nope'" in text


def test_a_bad_term_added_by_rule_changes_is_reported_in_feeds_yaml(tmp_path: Path) -> None:
    """A term's syntax was checked list by list, so a bad term added under rule_changes was
    reported in the shipped pack, at the line of its `any:`, as `[87] term 'ex*'`: a file
    and a line where the operator's term is not."""
    path = write(tmp_path, FEEDS + (
        "rules: [venezuela-2026]\n"
        "rule_changes:\n"
        "  political_prisoners:\n"
        "    add:\n"
        "      any:\n"
        "        - preso de conciencia\n"
        "        - ex*\n"                                     # line 8
        "      all: [[detenido~], []]\n"                      # line 9
        "      near: [{a: [liberan], b: [pres* politicos]}]\n"  # line 10
    ))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert [str(issue) for issue in info.value.issues] == [
        "rule_changes.political_prisoners.add.any[1] (line 8): term 'ex*': prefix 'ex*' is "
        "shorter than 3 letters and would match too much",
        "rule_changes.political_prisoners.add.all[1] (line 9): the group is empty: the topic "
        "could never match through `all`",
        "rule_changes.political_prisoners.add.near[0].b[0] (line 10): term 'pres* politicos': '*' is "
        "only allowed on the last word (write 'pres~' for inflections in the middle of a phrase)",
    ]


def test_pack_errors_name_the_pack_file(tmp_path: Path) -> None:
    text = PACK.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.strip() == "- excarcel*")
    lines[n] = lines[n].replace("excarcel*", "'@Foro Penalx'")
    (tmp_path / "mine.yaml").write_text("".join(lines) + "extra_key: 1\n", encoding="utf-8")
    path = write(tmp_path, FEEDS + "rules: [mine.yaml]\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    rendered = info.value.render()
    pack = str(tmp_path / "mine.yaml")
    assert f"{pack}: topics.political_prisoners.any" in rendered
    assert f"(line {n + 1}): unknown entity 'Foro Penalx'" in rendered
    assert f"{pack}: extra_key (line {len(lines) + 1}): unknown key 'extra_key' in a rule pack" in rendered


def test_check_config_and_rules_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, FEEDS + "rules: [venezuela-2026]\nrule_changes:\n"
                 "  us_actions: {add: {any: [bloqueo naval local]}}\n")
    assert main(["check-config", str(path)]) == 0
    assert "2 topics" in capsys.readouterr().out
    assert main(["rules", "show", "--config", str(path), "--topic", "us_actions"]) == 0
    out = capsys.readouterr().out
    assert "packs venezuela-2026; 1 local term changes" in out
    assert "- bloqueo naval local" in out and "political_prisoners" not in out


def test_schema_is_a_json_schema_that_accepts_the_shipped_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    shipped = YAML(typ="safe").load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(shipped)) == []
    bad = dict(shipped, feeds=[{"name": "x", "url": "http://x", "language": "es", "intervall": "5m"}])
    assert any("intervall" in e.message for e in validator.iter_errors(bad))
    assert not validator.is_valid(dict(shipped, settings={"retention": "ten days"}))


def test_load_rules_reads_only_the_rules(tmp_path: Path) -> None:
    """classify, eval and train need the rules alone: a broken feed does not stop them,
    and a rule error is still located."""
    from core.config import load_rules

    shipped = load_config(ROOT / "feeds.yaml")
    path = write(tmp_path, "rules: [venezuela-2026]\nfeeds: [{name: x, url: 'not a url'}]\n")
    rules = load_rules(path)
    assert rules.topics == shipped.topics and rules.entities == shipped.entities
    with pytest.raises(ConfigError, match="feeds"):
        load_config(path)
    path = write(tmp_path, "rules: [venezuela-2026]\nrule_changes:\n  us_actions: {add: {any: ['@Nadie']}}\n")
    with pytest.raises(ConfigError, match=r"rule_changes.us_actions.add.any\[0\] \(line 3\): unknown entity 'Nadie'"):
        load_rules(path)
