"""The Bot API emulator answers as the real Bot API does where the service depends on it
(devtools/emulator.py, devtools/tghtml.py): each check names the rule it copies."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest

from devtools.emulator import BotApiEmulator
from devtools.tghtml import MAX_ENTITIES, parse_entities


def _call(emu: BotApiEmulator, method: str, **params: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{emu.api_url}/bot123:abc/{method}", data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())


def test_entities_are_given_in_utf16_units_of_the_shown_text() -> None:
    shown, entities = parse_entities('🔴 <b>URGENTE</b>\n<a href="https://a.example/x?a=1&amp;b=2">Leer</a><i></i>')
    assert shown == "🔴 URGENTE\nLeer"
    assert entities == [  # the emoji is two units; an empty entity is dropped
        {"type": "bold", "offset": 3, "length": 7},
        {"type": "text_link", "offset": 11, "length": 4, "url": "https://a.example/x?a=1&b=2"},
    ]


def test_a_message_keeps_its_first_100_entities_and_loses_the_rest_without_an_error() -> None:
    """Telegram sends a message with more formatting entities than 100 but drops the ones
    after the 100th: their text shows plain, their links cannot be tapped."""
    html = "\n".join(f'<a href="https://a.example/{i}">story {i}</a>' for i in range(120))
    with BotApiEmulator() as emu:
        answer = _call(emu, "sendMessage", chat_id="@c", text=html, parse_mode="HTML")
        assert answer["ok"] is True
        assert len(answer["result"]["entities"]) == MAX_ENTITIES == 100
        [msg] = emu.messages("@c")
    assert msg.links() == [f"https://a.example/{i}" for i in range(100)]
    assert "story 119" in msg.text  # the text is all there, unlinked


def test_links_carrying_too_much_data_are_refused_as_entities_too_long() -> None:
    """Telegram refuses a message of many long links well under 4,096 characters of text."""
    long_links = "\n".join(f'<a href="https://news.example/{i}/{"x" * 300}">story {i}</a>' for i in range(30))
    with BotApiEmulator() as emu:
        answer = _call(emu, "sendMessage", chat_id="@c", text=long_links, parse_mode="HTML")
        assert answer == {"ok": False, "error_code": 400, "description": "Bad Request: ENTITIES_TOO_LONG"}
        short = "\n".join(f'<a href="https://news.example/{i}">story {i}</a>' for i in range(30))
        assert _call(emu, "sendMessage", chat_id="@c", text=short, parse_mode="HTML")["ok"] is True


@contextmanager
def _emulator_command(*options: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`python -m devtools.emulator --port 0` running: (the process, the API URL it printed first).
    Stopped with Ctrl-C (SIGINT) after, which must end it cleanly."""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-m", "devtools.emulator", "--port", "0", *options],
                            cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc, proc.stdout.readline().strip()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(5) == 0


def test_the_emulator_runs_from_the_command_line_and_prints_what_it_is_sent() -> None:
    """docs/OPERATIONS.md points TELEGRAM_API_URL at "the test emulator", which had no command:
    trying the service without Telegram meant writing Python."""
    with _emulator_command() as (proc, api):
        assert api.startswith("http://127.0.0.1:"), proc.stderr.read()
        emu = type("Root", (), {"api_url": api})()
        sent = _call(emu, "sendMessage", chat_id="@presos", text="<b>Excarcelan</b> a 87", parse_mode="HTML")
        assert sent["ok"], sent
        assert proc.stdout.readline().strip() == "message @presos #1: Excarcelan a 87"
        _call(emu, "editMessageText", chat_id="@presos", message_id=sent["result"]["message_id"], text="a 88")
        assert proc.stdout.readline().strip() == "edited @presos #1: a 88"


def test_lines_typed_in_the_emulators_terminal_are_the_operators_messages() -> None:
    """The emulator on its own could not send the service a message: an operator trying the
    admin chat (docs/OPERATIONS.md, "Operator chat") had no way to type /status. With `--chat ID`
    each line typed is a message from that chat; `>N text` replies to its message N and
    `fwd CHAT N` forwards a channel's message N into it, as `/wrong` in reply to an alert needs."""
    with _emulator_command("--chat", "4242") as (proc, api):
        assert proc.stdin is not None and proc.stdout is not None
        emu = type("Root", (), {"api_url": api})()
        sent = _call(emu, "sendMessage", chat_id="@presos", text="Excarcelan a 87")
        assert proc.stdout.readline().strip() == "message @presos #1: Excarcelan a 87"
        proc.stdin.write("/status\nfwd @presos 1\n>2 /wrong\n>9 /split\nfwd @presos\n")
        proc.stdin.flush()
        assert [proc.stdout.readline().strip() for _ in range(5)] == [
            "you 4242 #1: /status",
            "you 4242 #2: fwd @presos 1",
            "you 4242 #3: >2 /wrong",
            "not sent: no message 9 in chat 4242 to reply to (write /command, >N text to reply to "
            "message N, fwd CHAT N)",
            "not sent: fwd takes a chat and a message number: fwd @presos 5 (write /command, >N "
            "text to reply to message N, fwd CHAT N)",
        ]
        updates = [u["message"] for u in _call(emu, "getUpdates", timeout=0)["result"]]
        assert [(m["chat"]["id"], m.get("text")) for m in updates] == [
            (4242, "/status"), (4242, "Excarcelan a 87"), (4242, "/wrong")]
        assert updates[0]["entities"][0]["type"] == "bot_command"
        assert updates[1]["forward_origin"]["message_id"] == sent["result"]["message_id"]
        assert updates[2]["reply_to_message"]["message_id"] == 2


def test_a_client_gone_before_its_long_poll_ends_prints_no_traceback() -> None:
    """`monitor run` stopped during its getUpdates long poll: the emulator's terminal showed a
    BrokenPipeError traceback at every stop of the service."""
    with _emulator_command() as (proc, api):
        port = int(api.rsplit(":", 1)[1])
        body = b'{"timeout": 0.5}'
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"POST /bot123:abc/getUpdates HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           b"application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset
        time.sleep(1.5)  # the answer is written to the closed connection
        emu = type("Root", (), {"api_url": f"http://127.0.0.1:{port}"})()
        assert _call(emu, "getMe")["ok"] is True  # still serving
    assert "Traceback" not in proc.stderr.read()


def test_command_menus_are_kept_per_scope_and_checked_as_telegram_checks_them() -> None:
    """setMyCommands through python-telegram-bot: a chat's menu apart from the default one,
    getMyCommands of exactly a scope, deleteMyCommands; Telegram's rules on a command's name
    (1-32 of a-z, 0-9, _), its description (1-256 characters) and the count (at most 100)."""
    async def run(emu: BotApiEmulator) -> None:
        async with Bot("123:abc", base_url=f"{emu.api_url}/bot") as bot:
            admin = BotCommandScopeChat(4242)
            assert await bot.set_my_commands([("status", "feeds in short"), ("pause", "NAME — stop")], scope=admin)
            assert emu.commands(4242) == [("status", "feeds in short"), ("pause", "NAME — stop")]
            assert await bot.get_my_commands() == ()  # the default scope: nothing for strangers
            assert [c.command for c in await bot.get_my_commands(scope=admin)] == ["status", "pause"]
            refused = {
                "Bot_command_invalid": [BotCommand("Status", "x")],  # PTB's wording of BOT_COMMAND_INVALID
                "Bot_commands_too_much": [BotCommand(f"c{i}", "x") for i in range(101)],
                "Bot_command_description_invalid": [BotCommand("ok", "x" * 257)],
            }
            for said, commands in refused.items():
                with pytest.raises(BadRequest, match=said):
                    await bot.set_my_commands(commands, scope=admin)
            for name in ("/status", "a" * 33, "tally-now", ""):
                with pytest.raises(BadRequest, match="Bot_command_invalid"):
                    await bot.set_my_commands([BotCommand(name, "x")], scope=admin)
            assert await bot.set_my_commands([BotCommand("a" * 32, "x" * 256)] * 100)  # the limits themselves
            assert emu.commands(4242) == [("status", "feeds in short"), ("pause", "NAME — stop")]  # kept
            assert await bot.delete_my_commands(scope=admin)
            assert emu.commands(4242) == [] and emu.command_scopes() == ["default"]
            emu.migrate(-555, -100555)  # a chat's scope answers as any call naming the chat
            with pytest.raises(Exception, match="-100555"):
                await bot.set_my_commands([("status", "x")], scope=BotCommandScopeChat(-555))

    with BotApiEmulator() as emu:
        asyncio.run(run(emu))
        # a menu's chat is the call's chat, for `requests` and `fail_next(chat_id=…)`
        menus = [(r.method, r.chat_id, r.status) for r in emu.requests if r.method.endswith("MyCommands")]
        assert menus[:3] == [("setMyCommands", "4242", 200), ("getMyCommands", None, 200),
                             ("getMyCommands", "4242", 200)]
        assert _call(emu, "setMyCommands", commands=[{"command": "ok"}]) == {
            "ok": False, "error_code": 400, "description": "Bad Request: can't parse BotCommand"}
