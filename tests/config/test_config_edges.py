"""Config values that validated but broke a command later: each is now refused by
`monitor check-config` (and so by every command and the hot reload) as
`location (line N): message`, exit 2, no traceback."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from core.config import load_config
from core.durations import parse_duration

ROOT = Path(__file__).resolve().parents[2]


def monitor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "MONITOR_CONFIG", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL")}
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def refused(path: Path, *args: str) -> list[str]:
    """The error lines of `monitor check-config PATH` (or of ARGS), which must exit 2."""
    done = monitor(*(args or ("check-config",)), *(() if args else (str(path),)))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return [line.strip() for line in done.stderr.splitlines()[1:]]


def write(tmp_path: Path, text: str, name: str = "feeds.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# the User-Agent header: printable ASCII, one line


def test_non_ascii_user_agent_is_refused_before_any_request(tmp_path: Path) -> None:
    path = write(tmp_path, 'settings:\n  user_agent: "Monitor de presos políticos (+{contact_url})"\n'
                           "rules: [venezuela-2026]\n")
    [error] = refused(path)
    assert error.startswith("settings.user_agent (line 2): user_agent must be printable ASCII")
    # poll-once stops on the same line instead of a UnicodeEncodeError from httpx
    [error] = refused(path, "poll-once", "--config", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert error.startswith("settings.user_agent (line 2)")


def test_non_ascii_contact_url_and_a_line_break_are_refused_with_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, 'settings:\n  contact_url: "https://ñandú.example/presos/políticos"\n'
                           '  user_agent: "Monitor\\r\\nX-Evil: 1 (+{contact_url})"\nrules: [venezuela-2026]\n')
    contact, agent = refused(path)
    assert contact.startswith("settings.contact_url (line 2): contact_url 'https://ñandú.example/presos/políticos' "
                              "must be printable ASCII")
    assert "'https://xn--and-6ma2c.example/presos/pol%C3%ADticos'" in contact  # the form to write
    assert agent.startswith("settings.user_agent (line 3)") and "'\\r'" in agent


def test_an_ascii_user_agent_is_the_header_sent(tmp_path: Path) -> None:
    path = write(tmp_path, 'settings:\n  contact_url: "https://xn--and-6ma2c.example/"\n'
                           '  user_agent: "Monitor/1 (+{contact_url})"\nrules: [venezuela-2026]\n')
    header = load_config(path).settings.user_agent_header
    assert header == "Monitor/1 (+https://xn--and-6ma2c.example/)"
    header.encode("ascii")



# ---------------------------------------------------------------------------
# durations: infinite or huge ones are an error at their line, never an OverflowError


@pytest.mark.parametrize(("written", "where"), [
    ("1e20", "feeds[0].interval (line 3)"),
    (".inf", "feeds[0].interval (line 3)"),
    ("'99999999999d'", "feeds[0].interval (line 3)"),
    ("'" + "9" * 5000 + "'", "feeds[0].interval (line 3)"),
])
def test_huge_interval_is_reported_at_its_line(tmp_path: Path, written: str, where: str) -> None:
    path = write(tmp_path, "rules: [venezuela-2026]\nfeeds:\n"
                           f'  - {{name: a, url: "https://a.example/feed", language: es, interval: {written}}}\n')
    [error] = refused(path)
    assert error == f"{where}: duration too large: at most 36500d (100 years)"


def test_huge_backfill_window_stops_poll_once_and_the_hot_reload(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    from core.config import resolve_runtime
    from monitor.service import Service
    from storage.db import open_database

    good = ("rules: [venezuela-2026]\nsettings:\n  backfill_window: 2d\n  http_listen: 127.0.0.1:9303\n"
            'feeds: [{name: a, url: "http://127.0.0.1:9/feed.xml", language: es}]\n')
    path = write(tmp_path, good.replace("2d", "99999999999d"))
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    [error] = refused(path, "poll-once", "--config", str(path), "--db", db_url)
    assert error.startswith("settings.backfill_window (line 3): duration too large")

    path.write_text(good, encoding="utf-8")
    config = load_config(path)
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})

    async def scenario() -> None:
        service = Service(config, runtime, open_database(db_url))
        path.write_text(good.replace("2d", ".inf"), encoding="utf-8")
        with caplog.at_level(logging.ERROR, logger="monitor.service"):
            assert await service.reload() is False
        assert service.config.settings.backfill_window == timedelta(days=2)  # the old one stays
        await service.close()

    asyncio.run(scenario())
    assert "config reload rejected: settings.backfill_window (line 3): duration too large" in caplog.text


@pytest.mark.parametrize("value", [1e20, float("inf"), 10**400, "9" * 400 + "s", "36500d1s"],
                         ids=["1e20", "inf", "10**400", "400 nines", "36500d1s"])
def test_parse_duration_refuses_what_timedelta_cannot_hold(value: object) -> None:
    with pytest.raises(ValueError, match="duration too large"):
        parse_duration(value)
    assert parse_duration("36500d") == timedelta(days=36500)


# ---------------------------------------------------------------------------
# merge keys: a value pulled in by `<<: *anchor` is reported on the mapping that pulls it


def test_an_invalid_value_through_a_merge_key_is_reported_once_per_feed(tmp_path: Path) -> None:
    path = write(tmp_path, """\
rules: [venezuela-2026]
feeds:
  - &es {name: a, url: "https://a.example/feed", language: es, interval: 20s}
  - <<: *es
    name: b
    url: "https://b.example/feed"
  - {<<: *es, name: c, url: "https://c.example/feed"}
""")
    assert refused(path) == [
        "feeds[0].interval (line 3): interval 20s is too short: 30s is the minimum",
        "feeds[1].interval (line 4): interval 20s is too short: 30s is the minimum",
        "feeds[2].interval (line 7): interval 20s is too short: 30s is the minimum",
    ]


# ---------------------------------------------------------------------------
# names are unique as the config keeps them: without surrounding spaces


def test_names_that_differ_only_by_spaces_are_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path, """\
rules: [venezuela-2026]
feeds:
  - {name: "a", url: "http://127.0.0.1:9/feed.xml", language: es}
  - {name: "a ", url: "http://127.0.0.1:9/feed2.xml", language: es}
channels:
  - {name: c, chat_id: console, topics: [political_prisoners]}
  - {name: " c", chat_id: console, topics: [us_actions]}
""")
    assert refused(path) == [
        "feeds[1].name (line 4): duplicate name 'a' (first used at feeds[0]; "
        "names are compared without surrounding spaces)",
        "channels[1].name (line 7): duplicate name 'c' (first used at channels[0]; "
        "names are compared without surrounding spaces)",
    ]
    # poll-once stops before the database's UNIQUE feeds.name does
    [first, _] = refused(path, "poll-once", "--config", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert first.startswith("feeds[1].name (line 4): duplicate name 'a'")


# ---------------------------------------------------------------------------
# `monitor schema` accepts what check-config accepts, its defaults included


def test_the_schema_accepts_a_numeric_chat_id_and_its_own_defaults(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    done = monitor("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    path = write(tmp_path, "rules: [venezuela-2026]\nchannels:\n"
                           "  - {name: c, chat_id: -1001234567890, topics: [political_prisoners]}\n")
    assert monitor("check-config", str(path)).returncode == 0
    assert list(validator.iter_errors(YAML(typ="safe").load(path.read_text(encoding="utf-8")))) == []

    defaults = {(model, key): prop["default"] for model, sub in schema["$defs"].items()
                for key, prop in sub.get("properties", {}).items() if prop.get("default") is not None}
    assert defaults[("FeedConfig", "interval")] == "10m"
    assert defaults[("Settings", "backfill_window")] == "1d"
    for (model, key), value in defaults.items():  # each default is valid where it stands
        prop = {k: v for k, v in schema["$defs"][model]["properties"][key].items() if k != "default"}
        errors = list(jsonschema.Draft202012Validator({**prop, "$defs": schema["$defs"]}).iter_errors(value))
        assert errors == [], (model, key, value)
    # and check-config reads them as the same values
    settings = {key: value for (model, key), value in defaults.items()
                if model == "Settings" and isinstance(value, str)}
    path = write(tmp_path, "rules: [venezuela-2026]\nsettings: " + json.dumps(settings) + "\n"
                           'feeds: [{name: a, url: "https://a.example/feed", language: es, '
                           f'interval: {defaults[("FeedConfig", "interval")]}}}]\n')
    assert monitor("check-config", str(path)).returncode == 0
    assert load_config(path).settings == load_config(write(tmp_path, "rules: [venezuela-2026]\n", "bare.yaml")).settings


# ---------------------------------------------------------------------------
# a time zone that names a region, not a zone


def test_a_region_as_time_zone_is_refused_at_its_line(tmp_path: Path) -> None:
    # "America" is a folder of the zone database: ZoneInfo raised IsADirectoryError, a
    # traceback from check-config and from every command
    path = write(tmp_path, "settings:\n  timezone: America\nrules: [venezuela-2026]\n")
    [error] = refused(path)
    assert error.startswith("settings.timezone (line 2): unknown time zone 'America'")


# ---------------------------------------------------------------------------
# a file saved in another encoding than UTF-8


@pytest.mark.parametrize(("encoding", "expected"), [
    ("latin-1", "(encoding) (line 4): not UTF-8 (byte 0xf1): save the file as UTF-8"),
    ("utf-16", "(encoding) (line 1): the file is UTF-16: save it as UTF-8"),
    # without its byte order mark: ruamel's `unacceptable character #x0000` over two lines
    ("utf-16-le", "(encoding) (line 1): the file is UTF-16: save it as UTF-8"),
    ("utf-16-be", "(encoding) (line 1): the file is UTF-16: save it as UTF-8"),
])
def test_a_file_not_in_utf8_names_the_line_and_the_fix(encoding: str, expected: str, tmp_path: Path) -> None:
    # an editor that saved "Señal" in Latin-1 got "can't decode byte 0xf1 in position 104"
    path = tmp_path / "feeds.yaml"
    path.write_bytes("rules: [venezuela-2026]\nfeeds:\n  - name: a\n    outlet: Señal\n"
                     "    url: https://a.example/feed\n    language: es\n".encode(encoding))
    assert refused(path) == [expected]


@pytest.mark.parametrize(("tail", "expected"), [
    # a file cut short by a crash: its last blocks read back as NUL bytes
    (b"\x00" * 512, "(YAML syntax) (line 7): the control character U+0000 at column 1 is not allowed in YAML "
                    "(a file cut short by a crash?): remove it"),
    # a terminal's colour code pasted with a name
    (b"  - {name: \"b\x1b[31m\", url: 'https://b.example/feed', language: es}\n",
     "(YAML syntax) (line 7): the control character U+001B at column 14 is not allowed in YAML: remove it"),
])
def test_a_control_character_in_the_file_is_named_at_its_line(tail: bytes, expected: str, tmp_path: Path) -> None:
    """ruamel said `unacceptable character #x0000: special characters are not allowed` and, on a
    line of its own, `in "<unicode string>", position 104`: no line, and two lines."""
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"rules: [venezuela-2026]\nfeeds:\n  - name: a\n    outlet: Senal\n"
                     b"    url: https://a.example/feed\n    language: es\n" + tail)
    assert refused(path) == [expected]


@pytest.mark.parametrize(("url", "code"), [
    ("https://a.example/feed\\u200b", "200B"),  # a zero-width space copied with the link
    ("\\ufeffhttps://a.example/feed", "FEFF"),  # a byte order mark before it
    ("https://a.example/\\u202efeed", "202E"),  # a direction mark
    ("https://a.example\\u00ad/feed", "00AD"),  # a soft hyphen in the host
])
def test_an_invisible_character_in_a_feed_url_is_refused(tmp_path: Path, url: str, code: str) -> None:
    """check-config said OK to a URL ending in a zero-width space (as a page or a chat copies
    it), and every poll fetched `/feed%E2%80%8B`: HTTP 404 for ever, the URL in the file looking
    right."""
    path = write(tmp_path, f'rules: [venezuela-2026]\nfeeds:\n  - {{name: a, url: "{url}", language: es}}\n')
    [error] = refused(path)
    assert error.startswith("feeds[0].url (line 3): invalid URL '")
    assert error.endswith(f"': it contains the invisible character U+{code} (pasted with the link?): remove it")
