"""The proxy for Bot API calls, chosen once from the environment (docs/OPERATIONS.md, "Behind a
proxy").

`TELEGRAM_PROXY` names a proxy for Telegram alone. Without it the usual variables apply, as
curl and httpx read them: `HTTPS_PROXY` / `HTTP_PROXY` by the API's scheme, else `ALL_PROXY`,
unless `NO_PROXY` lists the host; lower-case names win. A loopback Bot API (a local server, the
emulator) is never reached through them: a proxy cannot reach this machine's loopback, and a
plain-http call carries the token in its URL, which the proxy would have received and logged.

Feed fetches never use a proxy (docs/INGESTION.md, "Outbound policy").
"""

from __future__ import annotations

import ipaddress
import typing
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.urls import hide_userinfo

SCHEMES = ("http", "https", "socks5", "socks5h")
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")


@dataclass(frozen=True)
class ProxyChoice:
    """The proxy URL (it may carry a password: never shown) and the variable that named it."""

    url: str
    variable: str

    @property
    def shown(self) -> str:
        return hide_password(self.url)


def hide_password(url: str) -> str:
    """The URL with its userinfo replaced by `***`: a proxy's password is a secret."""
    return hide_userinfo(url)


def _variable(env: typing.Mapping[str, str], name: str) -> tuple[str, str] | None:
    for key in (name.lower(), name):
        value = env.get(key, "").strip()
        if value:
            return key, value
    return None


def bypassed(host: str, no_proxy: str) -> bool:
    """True when NO_PROXY (`*`, host names and domains with or without a leading dot, CIDRs,
    each with an optional port) covers `host`."""
    host = host.lower().rstrip(".")
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        if not entry.startswith("[") and entry.count(":") == 1:
            entry = entry.split(":", 1)[0]  # name:port
        entry = entry.strip("[]").lstrip(".").rstrip(".")
        if host == entry or host.endswith("." + entry):
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            pass
    return False


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def telegram_proxy(api_url: str, env: typing.Mapping[str, str]) -> ProxyChoice | None:
    """The proxy Bot API calls go through, or None for a direct connection."""
    explicit = _variable(env, "TELEGRAM_PROXY")
    if explicit is not None:
        return ProxyChoice(explicit[1], explicit[0])
    parts = urlsplit(api_url)
    host = parts.hostname or ""
    if _is_loopback(host):
        return None
    no_proxy = _variable(env, "NO_PROXY")
    if no_proxy is not None and bypassed(host, no_proxy[1]):
        return None
    found = _variable(env, f"{parts.scheme.upper()}_PROXY") or _variable(env, "ALL_PROXY")
    return ProxyChoice(found[1], found[0]) if found is not None else None


def proxy_problem(choice: ProxyChoice) -> str | None:
    """Why the chosen proxy cannot be used (shown without its password), or None."""
    shown = choice.shown
    try:
        parts = urlsplit(choice.url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"{shown!r} cannot be parsed as a URL"
    if any(ch.isspace() for ch in choice.url):
        return f"{shown!r} contains white space (a comment after the value?)"
    if parts.scheme not in SCHEMES or not parts.hostname:
        return f"{shown!r} is not a proxy URL: write http://host:port (or https://, socks5://, socks5h://)"
    return None
