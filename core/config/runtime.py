"""Runtime: the environment (README.md, "Configuration") over the file: the database, the
Bot API's root, the token and the proxy, each refused with a reason when it cannot work."""

from __future__ import annotations

import ipaddress
import os
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from core.config.errors import ConfigError, ConfigIssue
from core.config.models import AppConfig
from core.config.values import DEFAULT_CONFIG
from core.config.yaml_file import load_yaml, read_config_text
from core.proxy import hide_password, proxy_problem, telegram_proxy
from core.urls import hide_userinfo
from storage.errors import url_problem as database_url_problem

DEFAULT_DB_URL = "sqlite:///data/monitor.db"
DEFAULT_API_URL = "https://api.telegram.org"


@dataclass(frozen=True)
class Runtime:
    """Where things are, after command-line flags, the environment and the file."""

    config_path: str
    database_url: str
    telegram_api_url: str
    bot_token: str | None
    telegram_proxy: str | None = None  # may carry a password: never shown (core.proxy)

    @property
    def has_telegram(self) -> bool:
        return bool(self.bot_token)

    def __repr__(self) -> str:  # never show the token
        token = "set" if self.bot_token else "unset"
        return (
            f"Runtime(config_path={self.config_path!r}, database_url=<redacted>, "
            f"telegram_api_url={self.telegram_api_url!r}, bot_token={token}, "
            f"telegram_proxy={hide_password(self.telegram_proxy) if self.telegram_proxy else None!r})"
        )


def config_path_from(cli_value: str | None, env: typing.Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return cli_value or env.get("MONITOR_CONFIG") or DEFAULT_CONFIG


def resolve_runtime(
    config: AppConfig | None,
    *,
    config_path: str,
    db_flag: str | None = None,
    env: typing.Mapping[str, str] | None = None,
    file_database_url: str | None = None,
) -> Runtime:
    """Flags over the environment over the file. `file_database_url` stands for the file's
    settings.database_url when there is no valid `config` (`raw_database_url`)."""
    env = os.environ if env is None else env
    from_file = config.settings.database_url if config else file_database_url
    db = db_flag or env.get("DATABASE_URL") or from_file or DEFAULT_DB_URL
    problem = database_url_problem(db)
    if problem:  # named by where it came from; exit 2, as TELEGRAM_API_URL's
        source = ("--db" if db_flag else "DATABASE_URL" if env.get("DATABASE_URL")
                  else "settings.database_url")
        raise ConfigError(source, [ConfigIssue("", None, problem)])
    api = env.get("TELEGRAM_API_URL") or DEFAULT_API_URL
    problem = api_url_problem(api)
    if problem:
        raise ConfigError("TELEGRAM_API_URL", [ConfigIssue("", None, problem)])
    token = env.get("TELEGRAM_BOT_TOKEN") or None
    if token is not None and (problem := token_problem(token)):
        raise ConfigError("TELEGRAM_BOT_TOKEN", [ConfigIssue("", None, problem)])
    proxy = telegram_proxy(api, env) if token else None
    if proxy is not None and (problem := proxy_problem(proxy)):
        raise ConfigError(proxy.variable, [ConfigIssue("", None, problem)])
    return Runtime(config_path, db, api.rstrip("/"), token, proxy.url if proxy else None)


def raw_database_url(path: str | os.PathLike[str]) -> str | None:
    """settings.database_url as written in a config that failed validation, when it is a
    string: `monitor status` and `tally` still show the operator's database, not the
    default one. None when the file cannot be read as YAML or has no such string."""
    try:
        data = load_yaml(read_config_text(Path(path)), str(path))
    except ConfigError:
        return None
    settings = data.get("settings") if isinstance(data, dict) else None
    value = settings.get("database_url") if isinstance(settings, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def console_fallback(config: AppConfig, runtime: Runtime) -> str | None:
    """Why the file's Telegram channels will get nothing, when no bot token is set; None
    otherwise. Without a token every channel prints to the console and its alerts are marked
    sent (README.md): an env file not loaded (`make run` or `monitor run` from a shell without
    it) sent the news for `@presos` to a terminal, once, and the start-up line only said
    `delivery console (no bot token)`."""
    if runtime.has_telegram:
        return None
    chats = [f"{c.name} ({c.chat_id})" for c in config.channels if not c.is_console]
    if not chats:
        return None
    return (f"TELEGRAM_BOT_TOKEN is not set: the alerts of {len(chats)} Telegram channel(s), "
            f"{', '.join(chats)}, are printed here and marked sent, never sent to Telegram; "
            "set TELEGRAM_BOT_TOKEN (docs/OPERATIONS.md, 'Environment') unless this is a trial run")


_TOKEN_UNSAFE = re.compile(r"[^\x21-\x7e]|[/?#%]")  # what no token has and no URL path can carry


def token_problem(token: str) -> str | None:
    """Why a bot token can never be right, never quoting it; None when it may be. A comment an
    env file kept after the value (systemd reads up to the end of the line) made Telegram
    refuse every send, retried for ever as if the token were only wrong. A token of another
    form than @BotFather's (`123456789:AA…`) may be a local Bot API server's or a test's: it
    is sent, and a refusal says what to do."""
    if token.strip() != token and not any(c.isspace() for c in token.strip()):
        # a secret made from a file (`echo TOKEN > f`), an env file saved with CRLF: a comment
        # was the only cause named, and the operator saw none
        return ("the value begins or ends with white space or a line break (the token pasted with its "
                "line, or an env file saved with Windows line ends?); alerts cannot be sent with it")
    if any(c.isspace() for c in token):
        return "the value contains white space (a comment after the value?); alerts cannot be sent with it"
    if _TOKEN_UNSAFE.search(token):
        return ("the value holds characters no bot token has (/, ?, #, % or a non-ASCII one); "
                "alerts cannot be sent with it")
    return None


def api_url_problem(url: str) -> str | None:
    """Why a Bot API root is refused (the token goes there): only https, or http to a
    loopback address (a local Bot API server or the emulator); None when it is fine."""
    shown = hide_userinfo(url)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"{shown!r} cannot be parsed as a URL"
    if parts.username or parts.password:
        return f"{shown!r} must not carry a user name or password"
    if any(ch.isspace() for ch in url):  # an env file's comment after the value, kept by systemd
        return f"{shown!r} contains white space (a comment after the value?)"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and _is_loopback(host):
        return None
    return f"{shown!r} is refused: use https://, or http:// only to a loopback address (127.0.0.1, ::1, localhost)"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
