"""The admin chat's command menu (alerts/admin_menu.py): `monitor run` registers /help's table
with setMyCommands for the admin chat alone, through python-telegram-bot against the Bot API
emulator on loopback, which checks the menu as Telegram does."""

from __future__ import annotations

import signal

from service_world import TOKEN, wait_for

PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]
ADMIN = {"admin_chat_id": 4242, "admin_user_ids": [7]}
MENU_METHODS = ("setMyCommands", "deleteMyCommands", "getMyCommands")


def help_entries(text: str) -> list[tuple[str, str]]:
    """(command, description) of each line of /help's answer: `/pause NAME — stop polling a
    feed` is ("pause", "NAME — stop polling a feed"), `/status — feeds in short` ("status",
    "feeds in short")."""
    entries = []
    for line in text.splitlines():
        if line.startswith("/"):
            name, _, rest = line[1:].partition(" ")
            entries.append((name, rest.removeprefix("— ")))
    return entries


def ask(world, chat: int, text: str) -> str:
    """Send `text` as operator 7 in `chat`; the bot's answer."""
    before = len(world.emulator.messages(chat))
    world.emulator.inject_message(chat, text, from_id=7)
    answers = wait_for(lambda: world.emulator.messages(chat)[before:], 30, f"the answer to {text}")
    return answers[0].text


def calls(world, method: str, status: int | None = None) -> int:
    return sum(1 for r in list(world.emulator.requests)
               if r.method == method and status in (None, r.status))


def test_the_menu_is_helps_table_in_the_admin_chat_alone_and_moves_with_it(world):
    world.feed("pitazo")
    world.write_config(PRESOS, settings=ADMIN)
    world.start()
    menu = wait_for(lambda: world.emulator.commands(4242), 60, "the admin chat's menu")
    assert menu == help_entries(ask(world, 4242, "/help"))
    assert len(menu) == 15 and ("unwatch", "NAME — stop watching a name (never learned again)") in menu
    assert world.emulator.command_scopes() == ["chat:4242"]  # no default menu: strangers see none

    # registered once: the commands answered meanwhile (each a turn of the chat's loop) ask nothing
    for _ in range(3):
        assert ask(world, 4242, "/queue").startswith("Queue:")
    assert calls(world, "setMyCommands") == 1

    # a reload that changes the admin chat moves the menu there
    world.write_config(PRESOS, settings={**ADMIN, "admin_chat_id": 5151})
    wait_for(lambda: world.emulator.commands(5151), 60, "the menu in the new admin chat")
    wait_for(lambda: not world.emulator.commands(4242), 10, "the old chat's menu deleted")
    assert world.emulator.command_scopes() == ["chat:5151"]
    assert world.emulator.commands(5151) == menu
    assert ask(world, 5151, "/status").startswith("Feeds: 1")
    assert (calls(world, "setMyCommands"), calls(world, "deleteMyCommands")) == (2, 1)
    wait_for(lambda: "command menu deleted in chat 4242, no longer the admin chat" in world.log_of(),
             30, "the deletion logged")  # the emulator answers before the service logs the answer
    assert "command menu of 15 commands registered in chat 4242" in world.log_of()


def test_a_refused_menu_is_logged_once_and_the_chat_still_answers(world):
    """Telegram refuses setMyCommands (here a 400 injected for the admin chat's scope): a
    warning, once, without the token; the commands are answered; a reload asks again."""
    world.feed("pitazo")
    world.write_config(PRESOS, settings=ADMIN)
    world.emulator.fail_next(1, "400", chat_id=4242)  # the first call naming the admin chat
    world.start()
    wait_for(lambda: "command menu was not registered" in world.log_of(), 60, "the refusal logged")
    for _ in range(3):
        assert ask(world, 4242, "/status").startswith("Feeds: 1")
    log = world.log_of()
    assert log.count("command menu was not registered") == 1
    assert "not registered in chat 4242: BadRequest: Injected by fail_next; tried again at the next " \
        "start or reload of feeds.yaml" in log, log
    assert TOKEN.split(":")[1] not in log
    assert (calls(world, "setMyCommands", 400), calls(world, "setMyCommands")) == (1, 1)
    assert world.emulator.commands(4242) == []

    world.write_config(PRESOS, settings={**ADMIN, "admin_user_ids": [7, 8]})  # any change: a reload
    wait_for(lambda: world.emulator.commands(4242), 60, "the menu registered after the reload")
    assert calls(world, "setMyCommands") == 2


def test_no_menu_without_an_admin_chat_and_an_earlier_runs_is_deleted(world):
    world.feed("pitazo")
    world.publish("pitazo", "Detienen al periodista Luis Pérez en Caracas, denuncia el SNTP")
    world.write_config(PRESOS)
    first = world.start()
    wait_for(lambda: world.emulator.messages("@presos_test"), 60, "the first alert")
    first.send_signal(signal.SIGTERM)
    assert first.wait(30) == 0
    assert [r.method for r in world.emulator.requests if r.method in MENU_METHODS] == []

    world.write_config(PRESOS, settings=ADMIN)
    second = world.start()
    wait_for(lambda: world.emulator.commands(4242), 60, "the admin chat's menu")
    second.send_signal(signal.SIGTERM)
    assert second.wait(30) == 0

    # the admin chat taken out of feeds.yaml while the service was stopped: its menu goes
    world.write_config(PRESOS)
    world.start()
    wait_for(lambda: calls(world, "deleteMyCommands", 200), 60, "the menu deleted")
    assert world.emulator.command_scopes() == []
    assert calls(world, "setMyCommands") == 1
    wait_for(lambda: "command menu deleted in chat 4242, no longer the admin chat" in world.log_of(),
             30, "the deletion logged")
