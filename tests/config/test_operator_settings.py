"""Operator settings (issue 13): numeric admin chat, operator allowlist, the Bot API URL
only from the environment (https or loopback), per-feed limits with defaults and overrides."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.config import ConfigError, parse_config, resolve_runtime

BASE = """\
settings:
  timezone: America/Caracas
{extra}topics:
  political_prisoners: {{any: [presos politicos], context: [venezuela]}}
feeds:
  - name: pitazo
    url: https://elpitazo.net/feed/
    language: es
{feed_extra}channels:
  - name: prisoners
    chat_id: "@presos_ve"
    topics: [political_prisoners]
"""


def config_text(extra: str = "", feed_extra: str = "") -> str:
    return BASE.format(extra=extra, feed_extra=feed_extra)


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "test.yaml")
    return [str(issue) for issue in info.value.issues]


def test_admin_chat_by_name_is_refused_with_how_to_find_the_id():
    [error] = errors_of(config_text('  admin_chat_id: "@operators"\n'))
    assert error.startswith("settings.admin_chat_id (line 3): admin_chat_id must be a numeric chat id")
    assert "@userinfobot" in error and "getUpdates" in error


@pytest.mark.parametrize(("written", "ascii"), [("٣٤٥", "345"), ("-１００１２３４", "-1001234")])
def test_an_admin_chat_id_in_other_digits_is_refused_with_the_ascii_id(written, ascii):
    # int() took Arabic-Indic and full-width digits in silence: Telegram's ids are 0-9
    [error] = errors_of(config_text(f'  admin_chat_id: "{written}"\n  admin_user_ids: [7]\n'))
    assert error == (f"settings.admin_chat_id (line 3): admin_chat_id '{written}' must be written with "
                     f"the digits 0-9: write {ascii}")


def test_numeric_admin_chat_ids_as_numbers_or_strings():
    config = parse_config(config_text('  admin_chat_id: "4242"\n'))
    assert config.settings.admin_chat_id == 4242
    assert config.settings.operator_ids == {4242}  # a private chat: its user
    config = parse_config(config_text("  admin_chat_id: -1001234\n  admin_user_ids: [7, 8]\n"))
    assert config.settings.operator_ids == {7, 8}


def test_a_group_admin_chat_needs_the_operators_ids():
    [error] = errors_of(config_text("  admin_chat_id: -1001234\n"))
    assert "admin_user_ids is required with a group admin_chat_id" in error


def test_telegram_api_url_in_the_file_is_refused_with_a_migration_note():
    [error] = errors_of(config_text("  telegram_api_url: http://evil.example/\n"))
    assert "settings.telegram_api_url (line 3)" in error
    assert "TELEGRAM_API_URL" in error and "environment" in error


@pytest.mark.parametrize("url", [
    "https://api.telegram.org", "http://127.0.0.1:8081", "http://localhost:8081/", "http://[::1]:9/",
])
def test_api_url_from_the_environment_https_or_loopback(url):
    runtime = resolve_runtime(None, config_path="x.yaml", env={"TELEGRAM_API_URL": url})
    assert runtime.telegram_api_url == url.rstrip("/")


@pytest.mark.parametrize("url", [
    "http://api.telegram.org", "http://10.0.0.5:8081", "ftp://127.0.0.1/", "https://user:pw@host.example",
    "http://127.0.0.1:notaport",
])
def test_other_api_urls_are_refused(url):
    with pytest.raises(ConfigError) as info:
        resolve_runtime(None, config_path="x.yaml", env={"TELEGRAM_API_URL": url})
    text = info.value.render()
    assert text.startswith("TELEGRAM_API_URL: ") and "pw" not in text


@pytest.mark.parametrize("url", [
    "https://api.telegram.org  # the default", "https://api.telegram.org  (a local Bot API server)",
])
def test_an_api_url_with_a_comment_after_it_is_refused(url):
    """systemd's EnvironmentFile keeps a comment after the value: the host became
    'api.telegram.org  # the default', every send failed as if Telegram were down."""
    with pytest.raises(ConfigError) as info:
        resolve_runtime(None, config_path="x.yaml", env={"TELEGRAM_API_URL": url})
    assert "white space" in info.value.render()


def test_the_cli_refuses_a_plain_http_api_url_in_one_line(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text(config_text(), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "status", "--config", str(path), "--db", f"sqlite:///{tmp_path}/m.db"],
        env={"TELEGRAM_API_URL": "http://203.0.113.9/", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "TELEGRAM_API_URL: 'http://203.0.113.9/' is refused: use https://, or http:// only to a "
        "loopback address (127.0.0.1, ::1, localhost)"
    ]


def test_per_feed_limits_default_and_override():
    config = parse_config(config_text())
    limits = config.feeds[0].limits(config.settings)
    assert (limits.max_entries_per_document, limits.max_new_items_per_poll, limits.max_alerts_per_hour) == (
        500, 200, 20)
    config = parse_config(config_text(
        "  max_alerts_per_hour: 5\n  max_new_items_per_poll: 50\n",
        "    max_alerts_per_hour: 2\n    max_entries_per_document: 30\n",
    ))
    limits = config.feeds[0].limits(config.settings)
    assert (limits.max_entries_per_document, limits.max_new_items_per_poll, limits.max_alerts_per_hour) == (
        30, 50, 2)
    [error] = errors_of(config_text("", "    max_alerts_per_hour: 0\n"))
    assert error.startswith("feeds[0].max_alerts_per_hour")
