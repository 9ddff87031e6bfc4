"""Bot API calls and proxies: TELEGRAM_PROXY for Telegram alone, the usual variables otherwise,
never a proxy for a loopback API, and a proxy's password never shown.

The proxy is a small forwarding HTTP proxy on 127.0.0.1 in front of the Bot API emulator.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from alerts_helpers import TOKEN
from telegram.error import NetworkError

from alerts.telegram import TelegramSender, classify_error, sender_for
from core.config import resolve_runtime
from core.proxy import bypassed, telegram_proxy
from devtools.emulator import BotApiEmulator
from devtools.socks import Socks5Proxy

CHAT = "@prisoners"
VARIABLES = ("TELEGRAM_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


class ForwardProxy:
    """Forwards absolute-form requests (`POST http://host:port/path`) and records them."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []  # (request line target, Proxy-Authorization)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib naming
                proxy.seen.append((self.path, self.headers.get("Proxy-Authorization", "")))
                target = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                conn = http.client.HTTPConnection(target.hostname or "", target.port, timeout=5)
                headers = {k: v for k, v in self.headers.items() if not k.lower().startswith("proxy-")}
                conn.request("POST", target.path, body, headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.getheader("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    proxy = ForwardProxy()
    yield proxy
    proxy.close()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def _with_sender(api_url: str, env: dict[str, str], call: Callable[[TelegramSender], Awaitable[object]]) -> None:
    """`call` on the sender the service would build for this API and environment, then closed."""
    runtime = resolve_runtime(None, config_path="feeds.yaml", env={"TELEGRAM_BOT_TOKEN": TOKEN,
                                                                  "TELEGRAM_API_URL": api_url, **env})
    sender, _ = sender_for(runtime, timeout=10.0)
    assert sender is not None
    try:
        await call(sender)
    finally:
        await sender.close()


async def _send(api_url: str, env: dict[str, str]) -> None:
    await _with_sender(api_url, env, lambda s: s.send(CHAT, "hola", html=False, preview=False))


async def test_a_loopback_api_is_never_reached_through_the_environment_proxy(
    emulator: BotApiEmulator, forward_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an office machine's global HTTP_PROXY, and a local Bot API server on loopback
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    await _send(emulator.api_url, {"HTTP_PROXY": forward_proxy.url})
    assert [m.text for m in emulator.messages(CHAT)] == ["hola"]
    assert forward_proxy.seen == []  # before: the proxy got the call, the token in its URL


async def _poll_updates(api_url: str, env: dict[str, str]) -> None:
    """The admin chat's call: getUpdates, through the sender's bot."""
    await _with_sender(api_url, env, lambda s: s.bot.get_updates(timeout=0))


async def test_the_admin_chats_get_updates_takes_telegram_proxy_like_the_sends(
    emulator: BotApiEmulator, forward_proxy: ForwardProxy
) -> None:
    # before: getUpdates had python-telegram-bot's own client, which knew nothing of
    # TELEGRAM_PROXY: where only the proxy reaches Telegram the admin chat never answered
    await _poll_updates(emulator.api_url, {"TELEGRAM_PROXY": forward_proxy.url})
    assert [target.rsplit("/", 1)[-1] for target, _ in forward_proxy.seen] == ["getUpdates"]


async def test_the_admin_chats_get_updates_to_a_loopback_api_skips_the_environment_proxy(
    emulator: BotApiEmulator, forward_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # before: that client read HTTP_PROXY itself and sent the call, token in its URL, to the proxy
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    await _poll_updates(emulator.api_url, {"HTTP_PROXY": forward_proxy.url})
    assert forward_proxy.seen == []


async def test_telegram_proxy_carries_the_calls_with_its_credentials(
    emulator: BotApiEmulator, forward_proxy: ForwardProxy
) -> None:
    proxy_url = forward_proxy.url.replace("//", "//ngo:s3cr3t@")
    env = {"TELEGRAM_PROXY": proxy_url}
    await _send(emulator.api_url, env)
    assert [m.text for m in emulator.messages(CHAT)] == ["hola"]
    [(target, auth)] = forward_proxy.seen
    assert target.endswith("/sendMessage") and auth.startswith("Basic ")
    runtime = resolve_runtime(None, config_path="feeds.yaml",
                              env={"TELEGRAM_BOT_TOKEN": TOKEN, **env})
    assert "s3cr3t" not in repr(runtime) and "***@127.0.0.1" in repr(runtime)


async def test_a_proxy_that_is_down_fails_the_call_without_its_password(emulator: BotApiEmulator) -> None:
    with pytest.raises(NetworkError) as caught:
        await _send(emulator.api_url, {"TELEGRAM_PROXY": "http://ngo:s3cr3t@127.0.0.1:9"})
    assert "s3cr3t" not in classify_error(caught.value, TOKEN).message
    assert emulator.messages(CHAT) == []


@pytest.fixture
def socks_proxy() -> Iterator[Socks5Proxy]:
    proxy = Socks5Proxy(credentials=("ngo", "s3cr3t"))
    yield proxy
    proxy.close()


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
async def test_a_socks_proxy_carries_the_calls_with_its_credentials(
    emulator: BotApiEmulator, socks_proxy: Socks5Proxy, scheme: str
) -> None:
    # where Telegram is blocked: Tor or `ssh -D` on the operator's machine (before: exit 2,
    # "SOCKS proxies need the socksio package")
    api_url = emulator.api_url.replace("127.0.0.1", "localhost")
    env = {"TELEGRAM_PROXY": socks_proxy.url(scheme, "ngo:s3cr3t")}
    await _send(api_url, env)
    assert [m.text for m in emulator.messages(CHAT)] == ["hola"]
    port = int(urlsplit(api_url).port or 0)
    assert socks_proxy.seen == [("localhost", port, "ngo")]  # the proxy resolves the name
    runtime = resolve_runtime(None, config_path="feeds.yaml", env={"TELEGRAM_BOT_TOKEN": TOKEN, **env})
    assert "s3cr3t" not in repr(runtime) and "***@127.0.0.1" in repr(runtime)


async def test_a_socks_proxy_refusing_the_password_fails_the_call_without_it(
    emulator: BotApiEmulator, socks_proxy: Socks5Proxy
) -> None:
    with pytest.raises(NetworkError) as caught:
        await _send(emulator.api_url, {"TELEGRAM_PROXY": socks_proxy.url("socks5", "ngo:wrong-s3cr3t")})
    assert socks_proxy.refused == 1 and emulator.messages(CHAT) == []
    failure = classify_error(caught.value, TOKEN)
    assert failure.action == "retry" and "s3cr3t" not in failure.message
    assert "username/password" in failure.message  # what the operator reads in the log and /status


@pytest.mark.parametrize(("env", "expected"), [
    ({"HTTPS_PROXY": "http://p:3128"}, "http://p:3128"),
    ({"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}, "http://lower:1"),
    ({"HTTP_PROXY": "http://p:3128"}, None),  # an http proxy variable is for http URLs
    ({"ALL_PROXY": "http://all:1"}, "http://all:1"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".telegram.org"}, None),
    ({"HTTPS_PROXY": "http://p:1", "no_proxy": "localhost,api.telegram.org:443"}, None),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, None),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "telegram.org.evil"}, "http://p:1"),
    ({"HTTPS_PROXY": "http://p:1", "TELEGRAM_PROXY": "http://tg:8"}, "http://tg:8"),
])
def test_the_proxy_for_the_public_api(env: dict[str, str], expected: str | None) -> None:
    choice = telegram_proxy("https://api.telegram.org", env)
    assert (choice.url if choice else None) == expected


def test_no_proxy_entries() -> None:
    assert bypassed("10.2.3.4", "10.0.0.0/8") and bypassed("::1", "[::1]")
    assert not bypassed("eviltelegram.org", "telegram.org")
