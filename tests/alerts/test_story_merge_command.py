"""`/merge` in the admin chat and `monitor stories --merge/--split`, end to end: items classified
and grouped by the real pipeline, alerts delivered to the Bot API emulator, the operator's
replies long-polled by python-telegram-bot, the merge stored in a real database and replayed
by `monitor eval-stories --splits`. Titles written for these tests."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import pytest
from alerts_helpers import alert_in, ask_in, chatter, publish, story_of
from sqlalchemy import select

import alerts.stories.assign as stories_module
from core.config import AppConfig
from devtools.emulator import BotApiEmulator
from monitor.cli import main
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.models import Feedback, Item, Story

ADMIN = 4243
CHANNELS = [
    {"name": "pp", "chat_id": "@pp_channel", "topics": ["political_prisoners"]},
    {"name": "ops", "chat_id": str(ADMIN), "topics": ["political_prisoners", "us_actions"]},
]
# one release told twice in words the matcher cannot join (no name, no word but the beat's in
# common), then a third report in the words of the second
NAMED = "Excarcelan al periodista Luis Ochoa tras seis meses preso en Tocorón"
TOLD = ("«Sigo sin creer que estoy en casa»: el preso político liberado este lunes cuenta cómo "
        "fueron sus días en prisión")
AGAIN = ("«Sigo sin creer que estoy en casa»: preso político liberado este lunes cuenta cómo "
         "fueron sus días en prisión")
# another event of the beat, sharing a word with the second telling but not the event
OTHER = "Trasladan a Rodeo I a un preso de Tocorón sin avisar a su familia"


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(CHANNELS, admin_chat_id=ADMIN, admin_user_ids=[7])


ask = functools.partial(ask_in, ADMIN)

def merges(db: Database) -> list[tuple[int | None, int | None, str | None]]:
    with db.session() as s:
        return [(f.item_id, f.story_id, f.operator)
                for f in s.scalars(select(Feedback).where(Feedback.kind == "merge").order_by(Feedback.id))]



def top_level(emu: BotApiEmulator, chat: str | int) -> list[str]:
    return [m.text for m in emu.messages(chat) if m.reply_to is None]


async def test_merge_by_story_number_joins_the_later_story_to_the_older_and_its_next_report(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED), ("efecto", TOLD))
    kept, repeat = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    assert kept is not None and repeat is not None and kept != repeat  # the rules kept them apart
    assert len(top_level(emulator, "@pp_channel")) == 2

    [answer] = await ask(emulator, f"/merge {kept}", reply_to=alert_in(emulator, ADMIN, "Sigo sin creer"))
    assert answer == (f"Story {repeat} (1 item) merged into story {kept}.\n"
                      "Its next reports go to the kept story; the merge is recorded as feedback.")
    assert story_of(db, ids[TOLD]) == kept
    assert merges(db) == [(ids[TOLD], kept, "@ana")]
    with db.session() as s:
        assert s.get(Story, repeat) is None
        moved = s.get(Item, ids[TOLD])
        assert moved is not None and moved.story_match is not None
        assert (moved.story_match["decision"], moved.story_match["from_story"]) == ("merged", repeat)
        assert moved.story_match["was"]["decision"] == "new"  # the rules' own word is kept

    # the third report, in the second's words, joins the kept story: no third alert
    more = await publish(db, add_item, pipeline, config, runtime, ("bbc", AGAIN))
    assert story_of(db, more[AGAIN]) == kept
    assert len(top_level(emulator, "@pp_channel")) == 2

    # the merged story's number again: where it went, not "I found no story … give its number"
    [again] = await ask(emulator, f"/merge {repeat}", reply_to=alert_in(emulator, ADMIN, "Luis Ochoa"))
    assert again.startswith(f"No story {repeat}: it was merged into story {kept} by @ana on "), again
    assert merges(db) == [(ids[TOLD], kept, "@ana")]


async def test_merge_by_a_link_to_the_other_alert_or_to_one_of_its_articles(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED), ("efecto", TOLD))
    kept, repeat = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    first, second = emulator.messages("@pp_channel")[:2]
    assert "Luis Ochoa" in first.text and "Sigo sin creer" in second.text
    # the operator forwards the repeat's channel alert and pastes the first alert's message link
    emulator.inject_message(ADMIN, "", from_id=7, forward_of=("@pp_channel", second.message_id))
    forwarded = emulator.last_message_id(ADMIN)
    [answer] = await ask(emulator, f"/merge https://t.me/pp_channel/{first.message_id}", reply_to=forwarded)
    assert answer.startswith(f"Story {repeat} (1 item) merged into story {kept}.")
    assert story_of(db, ids[TOLD]) == kept

    # an article's link names its story too (the moved article's is now the kept story's), and
    # a story merged with itself is refused
    with db.session() as s:
        url = s.get(Item, ids[TOLD]).url  # type: ignore[union-attr]
    [same] = await ask(emulator, f"/merge {url}", reply_to=alert_in(emulator, ADMIN, "Luis Ochoa"))
    assert same == f"Both are story {kept}: there is nothing to merge."
    assert merges(db) == [(ids[TOLD], kept, "@ana")]


async def test_merge_answers_bad_input_clearly(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED))
    usage = ("Send /merge STORY as a reply to an alert whose story repeats another story's event "
             "(forward the alert here first if it is in a channel). STORY is the other story's number "
             "('monitor stories'), a link to its alert or a link to one of its articles; /merge alone, "
             "as a reply to the alert, lists the stories closest to it.")
    assert await ask(emulator, "/merge 12") == [usage]
    assert await ask(emulator, "/merge") == [usage]
    alert = alert_in(emulator, ADMIN, "Luis Ochoa")
    [alone] = await ask(emulator, "/merge", reply_to=alert)
    assert alone == (f"Story {story_of(db, ids[NAMED])} «{NAMED}» (1 item: El Pitazo)\n"
                     "No other story of its hours shares a word or a name with it: nothing to merge it with.")
    [not_alert] = await ask(emulator, "/merge 12", reply_to=chatter(emulator, ADMIN, from_id=7))
    assert not_alert.startswith("That message is not an alert of one story, so there is nothing to merge.")
    for arg in ("999999", "https://t.me/pp_channel/999", "https://example.org/unknown-article",
                "99999999999999999999", "²", "https://t.me/pp_channel/99999999999999999999"):
        [unknown] = await ask(emulator, f"/merge {arg}", reply_to=alert)
        assert unknown.startswith(f"I found no story for '{arg}'")
        assert "('monitor stories')" in unknown
    assert merges(db) == [] and story_of(db, ids[NAMED]) is not None
    # the answers are plain text (no parse mode): a Markdown `code` mark showed its backticks
    assert not [m.raw for m in emulator.messages(ADMIN) if "`" in m.raw]


async def test_merge_alone_lists_the_closest_stories_to_pick_from(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    ids = await publish(db, add_item, pipeline, config, runtime,
                        ("elpitazo", NAMED), ("efecto", TOLD), ("bbc", OTHER))
    named, told, other = (story_of(db, ids[t]) for t in (NAMED, TOLD, OTHER))
    assert len({named, told, other}) == 3

    alert = alert_in(emulator, ADMIN, "Sigo sin creer")
    [answer] = await ask(emulator, "/merge", reply_to=alert)
    head, blank, title, first, why_first, *rest = answer.splitlines()
    assert head.startswith(f"Story {told} ««Sigo sin creer") and head.endswith("(1 item: efecto)")
    assert title == "Closest stories (the matcher's score; it joins from 0.40):"
    # both others are offered, the release of the same day first, each with what the rules see
    assert first.startswith(f"1. story {named} · score 0.")
    assert first.endswith(f"· «{NAMED}» (1 item: El Pitazo)")
    assert why_first.strip().startswith("in common: ") and "preso" in why_first  # words, not stems
    assert any(line.startswith(f"2. story {other} · score 0.") for line in rest)
    assert answer.endswith(f"Reply /merge N to the same alert to join story {told} with story N.")
    scores = [float(line.split("score ")[1].split(" ")[0]) for line in answer.splitlines() if "· score" in line]
    assert scores == sorted(scores, reverse=True) and scores[0] < 0.40  # apart: under the threshold
    assert merges(db) == []  # listing changes nothing

    # the operator picks the first: the merge as by number
    [merged] = await ask(emulator, f"/merge {named}", reply_to=alert)
    assert merged.startswith(f"Story {told} (1 item) merged into story {named}.")


class _WantedLock(asyncio.Lock):
    """A lock that tells when someone asks for it."""

    def __init__(self) -> None:
        super().__init__()
        self.wanted = asyncio.Event()

    async def acquire(self) -> bool:
        self.wanted.set()
        return await super().acquire()


async def test_merge_waits_while_the_pipeline_places_items(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """The service gives the admin chat its classification lock: a merge never changes the story
    index while the pipeline's thread is using it."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED), ("efecto", TOLD))
    kept, repeat = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    bot.story_lock = lock = _WantedLock()
    await lock.acquire()  # the pipeline is classifying
    lock.wanted.clear()
    before = len(emulator.messages(ADMIN))
    emulator.inject_message(ADMIN, f"/merge {kept}", from_id=7, username="ana",
                            reply_to=alert_in(emulator, ADMIN, "Sigo sin creer"))
    await asyncio.wait_for(lock.wanted.wait(), 10)  # the merge is at the lock (not merely not yet read)
    await asyncio.sleep(0.1)  # were it not waiting, its thread would have merged by now
    assert len(emulator.messages(ADMIN)) == before and story_of(db, ids[TOLD]) == repeat
    lock.release()

    async def answered() -> None:
        while not any(m.text.startswith(f"Story {repeat} (1 item) merged") for m in emulator.messages(ADMIN)[before:]):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(answered(), 10)
    assert story_of(db, ids[TOLD]) == kept


async def test_merge_alone_builds_its_stories_features_before_it_waits_for_the_pipeline(
    db, emulator, bot, add_item, pipeline, config, runtime, monkeypatch,
) -> None:
    """`/merge` alone builds the features of the stories it lists from (those of its story's
    hours, and the last window's when the service has no story index yet) before it takes the
    lock the pipeline places items with: on a year's database they were 80 % of its time under
    that lock (a story of three days before: 1.3-2.0 s). Under it, none is built again, and the
    list is the one built wholly under it."""
    from datetime import UTC, datetime

    from alerts.stories.merge import nearest_answer

    ids = await publish(db, add_item, pipeline, config, runtime,
                        ("elpitazo", NAMED), ("efecto", TOLD), ("bbc", OTHER))
    named, told = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    built: list[int] = []
    real = stories_module.features

    def counted(**kwargs: Any) -> Any:  # the real matcher's features, each counted
        built.append(kwargs["item_id"])
        return real(**kwargs)

    monkeypatch.setattr(stories_module, "features", counted)
    stories_module._INDEXES.clear()  # the first /merge alone after a start: no story index yet
    bot.story_lock = lock = _WantedLock()
    await lock.acquire()  # the pipeline is classifying
    lock.wanted.clear()
    before = len(emulator.messages(ADMIN))
    emulator.inject_message(ADMIN, "/merge", from_id=7, username="ana",
                            reply_to=alert_in(emulator, ADMIN, "Sigo sin creer"))
    await asyncio.wait_for(lock.wanted.wait(), 10)
    assert sorted(built) == sorted(ids.values())  # every item of its hours, before the lock
    built.clear()
    lock.release()

    async def answered() -> str:
        while len(emulator.messages(ADMIN)) == before:
            await asyncio.sleep(0.01)
        return emulator.messages(ADMIN)[before].text

    answer = await asyncio.wait_for(answered(), 10)
    assert answer.startswith(f"Story {told} ««Sigo sin creer")
    assert f"\n1. story {named} · score 0." in answer
    assert built == []  # none built again under the lock
    stories_module._INDEXES.clear()  # the same list as when every feature was built under it
    with db.session() as s:
        assert nearest_answer(s, config, told, now=datetime.now(UTC)) == answer


async def test_help_lists_merge(emulator, bot) -> None:
    [text] = await ask(emulator, "/help")
    assert "/merge STORY — reply to an alert that repeats another story's event" in text


def two_stories_told_apart(db: Database, pipeline: Pipeline, add_item: Any) -> tuple[int, int, int, int]:
    """The named report and its retelling, classified one after the other: two stories,
    (named item, told item, the named one's story, the retelling's)."""
    with db.session() as s:
        named = add_item(s, "elpitazo", NAMED).id
    pipeline.process_pending()
    with db.session() as s:
        told = add_item(s, "efecto", TOLD).id
    pipeline.process_pending()
    kept, repeat = story_of(db, named), story_of(db, told)
    assert kept is not None and repeat is not None and kept != repeat
    return named, told, kept, repeat


def test_cli_merge_and_split_correct_stories_and_eval_replays_the_merge(
    db: Database, pipeline: Pipeline, add_item: Any, config: AppConfig, capsys: Any, db_url: str,
) -> None:
    named, told, kept, repeat = two_stories_told_apart(db, pipeline, add_item)

    assert main(["stories", "--db", db_url, "--near", str(repeat)]) == 0
    near = capsys.readouterr().out
    assert near.startswith(f"Story {repeat} ««Sigo sin creer") and f"1. story {kept} · score 0." in near
    assert main(["stories", "--db", db_url, "--near", "999999"]) == 2
    assert "error: No story 999999" in capsys.readouterr().err

    assert main(["stories", "--db", db_url, "--merge", str(repeat), str(kept)]) == 0
    assert capsys.readouterr().out == f"Story {repeat} (1 item) merged into story {kept}.\n"
    assert story_of(db, told) == kept
    [(item, story, operator)] = merges(db)
    assert (item, story) == (told, kept) and operator is not None and operator.startswith("cli:")

    assert main(["stories", "--db", db_url, "--merge", str(kept), "999999"]) == 2
    assert "error: No story 999999" in capsys.readouterr().err
    huge = "99999999999999999999"  # past the largest id a database stores
    for command in (["--merge", str(kept), huge], ["--near", huge], ["--split", huge],
                    ["--near", f"-{huge}"], ["--split", f"-{huge}"]):
        assert main(["stories", "--db", db_url, *command]) == 2
        assert capsys.readouterr().err.startswith(
            f"error: No {'item' if command[0] == '--split' else 'story'} {command[-1]}")

    # the replay: the current rules still keep the two apart (the gap the merge records)
    assert main(["eval-stories", "--splits", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "Operators' merges: 1 · joined by the current rules: 0 · still apart: 1" in out
    assert f"| {told} «Sigo sin creer" in out and f"story {kept}: 1 earlier item, first {named}" in out

    assert main(["stories", "--db", db_url, "--split", str(told)]) == 0
    assert capsys.readouterr().out.startswith(f"Item {told} moved out of story {kept} into a new story")
    assert story_of(db, told) != kept
    assert main(["stories", "--db", db_url, "--split", str(told)]) == 1
    assert "already alone" in capsys.readouterr().err


def test_a_merge_that_keeps_a_story_younger_than_the_merged_item_is_replayed(
    db: Database, pipeline: Pipeline, add_item: Any, config: AppConfig, capsys: Any, db_url: str,
) -> None:
    """A split numbers the item's new story after the story it left; merging the two back
    keeps the lower number, whose items all came after the merged item. The replay joins
    the kept story's first item to it (it was "not replayable (items deleted)", nothing
    being deleted)."""
    with db.session() as s:
        first = add_item(s, "elpitazo", NAMED).id
    pipeline.process_pending()
    with db.session() as s:
        second = add_item(s, "efecto", NAMED).id
    pipeline.process_pending()
    story = story_of(db, first)
    assert story is not None and story_of(db, second) == story
    assert main(["stories", "--db", db_url, "--split", str(first)]) == 0
    split_off = story_of(db, first)
    assert split_off is not None and split_off > story
    assert main(["stories", "--db", db_url, "--merge", str(split_off), str(story)]) == 0
    assert story_of(db, first) == story_of(db, second) == story
    capsys.readouterr()

    assert main(["eval-stories", "--splits", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "Operators' merges: 1 · joined by the current rules: 1 · still apart: 0" in out, out
    assert "not replayable" not in out
    assert f"story {story}: 1 earlier item, first {second}" in out


def test_a_merge_from_another_process_reaches_the_running_index(
    db: Database, pipeline: Pipeline, add_item: Any, config: AppConfig, capsys: Any, db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`monitor stories --merge` runs in its own process (here its own engine, so its own story
    index): the running pipeline's index learns of the merge from the feedback row and is
    rebuilt, so the event's next report joins the kept story instead of starting a third."""
    monkeypatch.setattr(stories_module, "SYNC_SECONDS", 0.0)
    with db.session() as s:
        named, told = add_item(s, "elpitazo", NAMED).id, add_item(s, "efecto", TOLD).id
    pipeline.process_pending()
    kept, repeat = story_of(db, named), story_of(db, told)
    assert kept is not None and repeat is not None and kept != repeat

    assert main(["stories", "--db", db_url, "--merge", str(kept), str(repeat)]) == 0
    capsys.readouterr()
    with db.session() as s:
        again = add_item(s, "bbc", AGAIN).id
    pipeline.process_pending()
    assert story_of(db, again) == kept


def test_a_merge_in_the_same_process_keeps_its_index(
    db: Database, pipeline: Pipeline, add_item: Any, config: AppConfig, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process that merges changes its own index as it merges: no rebuild for its own fix."""
    monkeypatch.setattr(stories_module, "SYNC_SECONDS", 0.0)
    with db.session() as s:
        named, told = add_item(s, "elpitazo", NAMED).id, add_item(s, "efecto", TOLD).id
    pipeline.process_pending()
    kept, repeat = story_of(db, named), story_of(db, told)
    engine = db.engine
    index = stories_module._INDEXES[engine]
    with db.session() as s:
        stories_module.merge_stories(s, kept, repeat, operator="@ana")  # type: ignore[arg-type]
    with db.session() as s:
        again = add_item(s, "bbc", AGAIN).id
    pipeline.process_pending()
    assert stories_module._INDEXES[engine] is index and index.fixes_seen > 0
    assert story_of(db, again) == kept


async def test_a_story_after_a_merge_gets_its_alert(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    """The next story after a merge is a message of its own, never an edit of the merged-away
    story's (before migration 0013 SQLite gave it the merged-away story's number, and its alert
    found the old message by its outbox key)."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED), ("efecto", TOLD))
    kept, repeat = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    [answer] = await ask(emulator, f"/merge {kept}", reply_to=alert_in(emulator, ADMIN, "Sigo sin creer"))
    assert answer.startswith(f"Story {repeat} (1 item) merged into story {kept}.")
    more = await publish(db, add_item, pipeline, config, runtime, ("bbc", OTHER))
    assert story_of(db, more[OTHER]) != kept
    tops = top_level(emulator, "@pp_channel")
    assert len(tops) == 3 and "Trasladan a Rodeo I" in tops[2]  # the new story's own alert
    assert not any("También: bbc" in m.text for m in emulator.messages("@pp_channel"))


async def test_a_merged_story_alert_not_yet_sent_is_never_sent(
    db, emulator, bot, add_item, pipeline, config, runtime, db_url,
) -> None:
    """Merged before the delivery worker reached its alert (an operator quick on the admin
    chat, or an item that merges two stories started seconds apart): the channel has the
    kept story's message, so the merged story's is not sent at all."""
    import io

    from alerts.delivery import DeliveryWorker
    from storage.models import Alert

    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED))
    with db.session() as s:
        told = add_item(s, "efecto", TOLD).id
    pipeline.process_pending()  # its alert is queued, not delivered
    kept, repeat = story_of(db, ids[NAMED]), story_of(db, told)
    assert kept is not None and repeat is not None and kept != repeat
    assert main(["stories", "--db", db_url, "--merge", str(repeat), str(kept)]) == 0
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        await worker.deliver_pending()
    assert top_level(emulator, "@pp_channel") == [m.text for m in emulator.messages("@pp_channel")]
    assert len(top_level(emulator, "@pp_channel")) == 1 and "Luis Ochoa" in top_level(emulator, "@pp_channel")[0]
    with db.session() as s:
        statuses = {a.channel: a.status for a in s.scalars(
            select(Alert).where(Alert.dedupe_key.startswith(f"new:pp:{repeat}:merged:")))}
    assert statuses == {"pp": "merged"}


async def test_the_merged_away_alert_still_answers_split_and_undoes_the_merge_for_its_item(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """After a merge the repeated story's message stays in the chat, tied to no story: it
    stands for the item it told (/wrong), in the kept story (/merge), and a /split in reply
    to it takes that item back out of the kept story, with the message: the item's next report
    edits it instead of sending the headline again."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED), ("efecto", TOLD))
    kept, repeat = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    old_alert = alert_in(emulator, ADMIN, "Sigo sin creer")
    [merged] = await ask(emulator, f"/merge {kept}", reply_to=old_alert)
    assert merged.startswith(f"Story {repeat} (1 item) merged into story {kept}.")
    [near] = await ask(emulator, "/merge", reply_to=old_alert)  # it stands for the kept story now
    assert near.startswith(f"Story {kept} ")
    [wrong] = await ask(emulator, "/wrong", reply_to=old_alert)  # the item it told, not the kept story's
    assert wrong.startswith("Thanks — recorded as wrong for political_prisoners")
    with db.session() as s:
        assert [f.item_id for f in s.scalars(select(Feedback).where(Feedback.kind == "wrong"))] == [ids[TOLD]]
    [split] = await ask(emulator, "/split", reply_to=old_alert)
    assert split.startswith(f"Item {ids[TOLD]} moved out of story {kept} into a new story"), split
    assert story_of(db, ids[TOLD]) not in (kept, None) and story_of(db, ids[NAMED]) == kept
    more = await publish(db, add_item, pipeline, config, runtime, ("bbc", AGAIN))
    assert story_of(db, more[AGAIN]) == story_of(db, ids[TOLD])
    first, told = top_level(emulator, "@pp_channel")
    assert "Sigo sin creer" in told and "También: bbc" in told and "bbc" not in first


async def test_a_link_to_a_merged_away_alert_names_the_story_its_item_is_in_now(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """The link of a channel message whose story was merged into another stands, as a reply to it
    does, for the item it told in the story that item is in now."""
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED), ("efecto", TOLD), ("bbc", OTHER))
    kept, repeat, other = (story_of(db, ids[t]) for t in (NAMED, TOLD, OTHER))
    assert len({kept, repeat, other}) == 3
    [merged] = await ask(emulator, f"/merge {kept}", reply_to=alert_in(emulator, ADMIN, "Sigo sin creer"))
    assert merged.startswith(f"Story {repeat} (1 item) merged into story {kept}.")
    told = alert_in(emulator, "@pp_channel", "Sigo sin creer")
    [answer] = await ask(emulator, f"/merge https://t.me/pp_channel/{told}",
                         reply_to=alert_in(emulator, ADMIN, "Trasladan a Rodeo I"))
    assert answer.startswith(f"Story {other} (1 item) merged into story {kept}."), answer
    assert story_of(db, ids[OTHER]) == kept


async def test_a_merge_into_a_story_whose_message_failed_keeps_the_other_story_message(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """The kept story's message never reached a channel (Telegram refused it for good) while the
    merged story's did: that message is the event's there, so the next report edits it rather
    than sending the kept story's headline as a second message of the event."""
    emulator.fail_next(1, "400", chat_id="@pp_channel")
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", NAMED))
    ids |= await publish(db, add_item, pipeline, config, runtime, ("efecto", TOLD))
    kept = story_of(db, ids[NAMED])
    assert len(top_level(emulator, "@pp_channel")) == 1  # the first story's message failed there
    [merged] = await ask(emulator, f"/merge {kept}", reply_to=alert_in(emulator, ADMIN, "Sigo sin creer"))
    assert merged.endswith("the merge is recorded as feedback.")
    more = await publish(db, add_item, pipeline, config, runtime, ("bbc", AGAIN))
    assert story_of(db, more[AGAIN]) == kept
    [told] = emulator.messages("@pp_channel")
    assert "Sigo sin creer" in told.text and "También: El Pitazo, bbc" in told.text


async def test_a_story_retold_after_a_failure_then_merged_with_a_later_story_is_told_once(
    db, emulator, add_item, pipeline, config, runtime, db_url, monkeypatch,
) -> None:
    """The older story's message failed for good; a later story's message was sent; the older
    story's next report, retold as its message (`outbox.retell_in`), waits on a 5xx back-off when
    the later story is merged into the older. Before, the retold message went out after the merge:
    a second message of the event beside the later story's. Now the channel's message of the
    event is that one, and the next report edits it."""
    import io

    from alerts.delivery import DeliveryWorker
    from storage.models import Alert

    monkeypatch.setattr(stories_module, "SYNC_SECONDS", 0.0)  # the CLI's merge reaches the index at once
    chat = "@pp_channel"
    with db.session() as s:
        ids = {t: add_item(s, o, t).id for o, t in (("elpitazo", NAMED), ("efecto", TOLD), ("bbc", NAMED))}
    pipeline.process_pending()
    older, later = story_of(db, ids[NAMED]), story_of(db, ids[TOLD])
    assert older is not None and later is not None and older < later
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        emulator.fail_next(1, "400", chat_id=chat)
        await worker.deliver_pending(max_batch=2)  # the older story's message fails for good
        await worker.deliver_pending(max_batch=2)  # the later story's is sent
        emulator.fail_next(1, "500", chat_id=chat)
        await worker.deliver_pending(max_batch=2)  # the older story's edit, retold, meets a 5xx
    assert top_level(emulator, chat) == [m for m in top_level(emulator, chat) if "Sigo sin creer" in m]
    with db.session() as s:
        retold = s.scalar(select(Alert).where(Alert.dedupe_key == f"new:pp:{older}"))
        assert retold is not None and retold.status == "pending" and retold.payload.get("retells_alert_id")
    assert main(["stories", "--db", db_url, "--merge", str(later), str(older)]) == 0
    await publish(db, add_item, pipeline, config, runtime)  # a worker's start: the back-off is over
    tops = top_level(emulator, chat)
    assert len(tops) == 1 and "Sigo sin creer" in tops[0], tops
    more = await publish(db, add_item, pipeline, config, runtime, ("cocuyo", TOLD))
    assert story_of(db, more[TOLD]) == older
    [told] = emulator.messages(chat)
    assert "Sigo sin creer" in told.text and "También: El Pitazo, bbc, Efecto Cocuyo" in told.text, told.text


def test_a_story_merged_away_is_named_as_merged_when_asked_for_again(
    db: Database, pipeline: Pipeline, add_item: Any, config: AppConfig, capsys: Any, db_url: str,
) -> None:
    """A merge given twice (the first answer lost, or typed again), or `--near`/`/merge` with
    the number of a story merged earlier, answered "No story N (retention may have deleted
    it)": retention deletes no story, and the operator could not tell where its items went.
    Now it names the merge and the story that holds its first item."""
    named, told, kept, repeat = two_stories_told_apart(db, pipeline, add_item)
    assert main(["stories", "--db", db_url, "--merge", str(repeat), str(kept)]) == 0
    capsys.readouterr()
    for command in (["--merge", str(repeat), str(kept)], ["--near", str(repeat)]):
        assert main(["stories", "--db", db_url, *command]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: No story {repeat}: it was merged into story {kept} by cli:"), err
        assert "retention" not in err
    # its item split off again: the answer says where that item is now
    assert main(["stories", "--db", db_url, "--split", str(told)]) == 0
    capsys.readouterr()
    assert main(["stories", "--db", db_url, "--near", str(repeat)]) == 2
    now = story_of(db, told)
    assert f"its first item {told} is in story {now} now" in capsys.readouterr().err
    assert main(["stories", "--db", db_url, "--near", "999999"]) == 2
    assert capsys.readouterr().err == "error: No story 999999.\n"
