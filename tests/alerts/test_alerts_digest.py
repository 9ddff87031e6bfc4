"""Digest channels: schedule, roundup content, delivery through the emulator."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts_helpers import Cls
from sqlalchemy import func, select

from alerts.delivery import DeliveryWorker
from alerts.digest import due_digests, enqueue_digest, enqueue_due_digests, latest_slot
from alerts.outbox import enqueue_for_item
from devtools.tghtml import parse_html
from storage.models import Alert, Channel, Item

# 12:05 UTC is 08:05 in Caracas
NOW = datetime(2026, 3, 14, 12, 5, tzinfo=UTC)
# the roundups these tests queue (at made-up times, some left unsent) stand for ones sent on time:
# never folded as unsent through an outage (catch_up_after off)
ON_TIME = timedelta(0)
DIGEST = {"name": "daily", "chat_id": "@daily_digest", "topics": ["political_prisoners", "us_actions"],
          "mode": "digest", "schedule": ["08:00", "20:00"]}


def test_due_digests_follow_the_local_schedule(make_config) -> None:
    config = make_config([DIGEST, {"name": "inst", "chat_id": "console", "topics": ["us_actions"]}])
    assert due_digests(config, NOW, {"daily": None}) == ["daily"]
    assert due_digests(config, NOW, {"daily": NOW - timedelta(minutes=10)}) == ["daily"]  # 07:55 < 08:00
    assert due_digests(config, NOW, {"daily": NOW - timedelta(minutes=4)}) == []  # 08:01 ran already
    evening = datetime(2026, 3, 15, 0, 30, tzinfo=UTC)  # 20:30 local, still the 14th
    assert due_digests(config, evening, {"daily": NOW}) == ["daily"]


def _runs(config, start: datetime, hours: int, last: datetime) -> list[datetime]:
    """The minutes at which a per-minute tick queues the digest, from `start` for `hours`."""
    runs = []
    for minute in range(hours * 60):
        now = start + timedelta(minutes=minute)
        if due_digests(config, now, {"dg": last}):
            runs.append(now)
            last = now
    return runs


def test_a_schedule_time_the_clocks_skip_or_repeat_is_due_once(make_config) -> None:
    def config(at: str):
        return make_config([{"name": "dg", "chat_id": "@digest_chan", "topics": ["political_prisoners"],
                             "mode": "digest", "schedule": [at]}], timezone="America/New_York")

    # 8 March 2026: New York's clocks jump from 02:00 EST to 03:00 EDT; 02:30 is never shown.
    # It falls at 07:30 UTC (02:30 EST, 03:30 EDT), once, not every minute from 03:00 EDT.
    day_before = datetime(2026, 3, 7, 7, 30, tzinfo=UTC)
    spring = config("02:30")
    assert _runs(spring, datetime(2026, 3, 8, 0, 0, tzinfo=UTC), 12, day_before) == [
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC)]
    assert latest_slot(spring.channel("dg"), datetime(2026, 3, 8, 7, 10, tzinfo=UTC), spring) == day_before
    # 1 November 2026: 01:30 is shown twice (EDT, then EST); due at the first only
    fall = config("01:30")
    assert _runs(fall, datetime(2026, 11, 1, 0, 0, tzinfo=UTC), 12, datetime(2026, 10, 31, 5, 30, tzinfo=UTC)) == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]


async def test_digest_roundup_is_grouped_split_and_delivered(db, emulator, runtime, make_config, add_item, out) -> None:
    config = make_config([DIGEST], catch_up_after=ON_TIME)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        for i in range(30):
            words = " ".join(hashlib.sha256(f"{i}-{j}".encode()).hexdigest()[:9] for j in range(15))
            item = add_item(s, "reuters", f"US sanctions step {i} & <more> {words}", lang="en")
            assert enqueue_for_item(s, item, Cls(["us_actions"], "normal"), config, now=NOW - timedelta(hours=1)) == []
        item = add_item(s, "elpitazo", "Detienen a defensora de DDHH")
        enqueue_for_item(s, item, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=2))
        old = add_item(s, "elpitazo", "Noticia vieja")
        enqueue_for_item(s, old, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=13))
    with db.session() as s:
        queued = enqueue_due_digests(s, config, now=NOW)
        assert len(queued) >= 2 and all(a.kind == "digest" for a in queued)
    with db.session() as s:
        assert enqueue_due_digests(s, config, now=NOW + timedelta(minutes=1)) == []  # slot taken
        assert enqueue_digest(s, config, "daily", now=NOW + timedelta(minutes=2)) == []  # nothing new
    async with DeliveryWorker(config, runtime, db, out=out) as worker:
        stats = await worker.deliver_pending()
    msgs = emulator.messages("@daily_digest")
    assert stats.sent == len(msgs) == len(queued)
    shown = "\n".join(parse_html(m.raw) for m in msgs)
    assert shown.index("Detienen a defensora") < shown.index("US sanctions step 0")  # most urgent first
    assert all(f"US sanctions step {i} & <more>" in shown for i in range(30))
    assert "Noticia vieja" not in shown  # before the last digest
    with db.session() as s:
        assert s.scalar(select(Channel.last_digest_at).where(Channel.name == "daily")) == NOW + timedelta(minutes=2)
        assert all(a.status == "sent" for a in s.scalars(select(Alert)))


async def test_a_story_without_a_title_is_told_by_its_summary(db, emulator, runtime, make_config, add_item, out) -> None:
    """Feeds without titles (a Mastodon account's RSS) give items of a summary alone: the roundup
    showed "🔴  — El Pitazo · 06:05", an empty link, nothing to read or tap."""
    config = make_config([DIGEST])
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        item = add_item(s, "elpitazo", "", summary="Foro Penal verificó 12 excarcelaciones de presos políticos en Tocorón.",
                        url="https://elpitazo.net/nota-12")
        enqueue_for_item(s, item, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=1))
        assert enqueue_digest(s, config, "daily", now=NOW)
    async with DeliveryWorker(config, runtime, db, out=out) as worker:
        await worker.deliver_pending()
    [msg] = emulator.messages("@daily_digest")
    assert '<a href="https://elpitazo.net/nota-12">Foro Penal verificó 12 excarcelaciones' in msg.raw


async def test_every_story_of_a_long_roundup_keeps_its_link(db, emulator, runtime, make_config, add_item, out) -> None:
    """Telegram keeps the first 100 formatting entities of a message and drops the rest: a
    roundup of 80 short headlines (a link and an italic line each, 118 entities in its first message
    under 4,096 characters) went out with its last stories neither linked nor in italics."""
    config = make_config([DIGEST])
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        for i in range(80):
            item = add_item(s, "elpitazo", f"Liberan a preso {i}", url=f"https://elpitazo.net/{i}")
            enqueue_for_item(s, item, Cls(["political_prisoners"], "normal"), config, now=NOW - timedelta(hours=1))
        assert enqueue_digest(s, config, "daily", now=NOW)
    async with DeliveryWorker(config, runtime, db, out=out) as worker:
        stats = await worker.deliver_pending()
    msgs = emulator.messages("@daily_digest")
    assert stats.sent == len(msgs) and stats.failed == 0
    links = [url for m in msgs for url in m.links()]
    assert sorted(links) == sorted(f"https://elpitazo.net/{i}" for i in range(80))
    assert all(len(m.entities) == m.raw.count("</") for m in msgs)  # no tag lost


async def test_a_story_its_outlet_retitled_is_told_by_the_latest_headline(
    db, emulator, runtime, make_config, add_item, out
) -> None:
    """El Pitazo's "Ascienden a 8…" retitled "Ascienden a 16…" in the morning (a revision,
    items.revision_of): the evening roundup tells the article as its outlet titles it now, as
    the instant channels' update reply did. Before, it showed the 8 under a link to a page
    that said 16."""
    config = make_config([DIGEST])
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        first = add_item(s, "elpitazo", "Ascienden a 8 las excarcelaciones de presos políticos, según Foro Penal",
                         summary="La ONG confirmó las excarcelaciones.", url="https://elpitazo.net/nota-8")
        enqueue_for_item(s, first, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=3))
        revised = add_item(s, "elpitazo", "Ascienden a 16 las excarcelaciones de presos políticos, según Foro Penal",
                           summary="La ONG actualizó su balance.", url="https://elpitazo.net/nota-8")
        revised.revision_of = first.id
        enqueue_for_item(s, revised, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=2))
        assert revised.story_id == first.story_id
        assert enqueue_digest(s, config, "daily", now=NOW)
    async with DeliveryWorker(config, runtime, db, out=out) as worker:
        await worker.deliver_pending()
    [msg] = emulator.messages("@daily_digest")
    assert "Ascienden a 16" in msg.text and "Ascienden a 8" not in msg.text, msg.text
    assert msg.links() == ["https://elpitazo.net/nota-8"]


async def test_a_roundup_tells_a_story_by_its_first_report_as_the_instant_channel_does(
    db, emulator, runtime, make_config, add_item, out
) -> None:
    """9 January replayed (w0498, w0505): one poll stored Caracol's "El emotivo abrazo…" (08:52)
    before El Nacional's "[VIDEO] Primeras excarcelaciones…" (07:26) and placed El Nacional's
    first, the story's first report, as the instant channel told it. The roundup listed the
    story by the lowest item id: Caracol's headline at 08:52, the event's time an hour and a
    half late; 13 of the 248 stories of 3-11 January were listed by another report."""
    instant = {"name": "presos", "chat_id": "@presos_now", "topics": ["political_prisoners"]}
    config = make_config([DIGEST, instant], catch_up_after=ON_TIME)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        later = add_item(s, "caracol", "El emotivo abrazo de presos políticos Enrique Márquez y Biagio Pilieri tras "
                         "liberación en Venezuela", published=datetime(2026, 3, 14, 10, 52, tzinfo=UTC))
        first = add_item(s, "elnacional", "[VIDEO] Primeras excarcelaciones de presos políticos: Enrique Márquez y "
                         "Biagio Pilieri se reúnen con sus familiares", published=datetime(2026, 3, 14, 9, 26, tzinfo=UTC))
        for item in (first, later):
            enqueue_for_item(s, item, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=1))
        assert later.story_id == first.story_id
        assert enqueue_digest(s, config, "daily", now=NOW)
    async with DeliveryWorker(config, runtime, db, out=out) as worker:
        await worker.deliver_pending()
    [told] = emulator.messages("@presos_now")
    [roundup] = emulator.messages("@daily_digest")
    assert "Primeras excarcelaciones" in told.text
    assert "Primeras excarcelaciones" in roundup.text and "emotivo abrazo" not in roundup.text, roundup.text
    assert "· 05:26" in roundup.text, roundup.text  # 09:26 UTC in Caracas


def test_a_story_marked_wrong_for_a_topic_is_left_out_of_that_topic_s_roundup(db, make_config, add_item) -> None:
    """An item an operator marked wrong for political_prisoners (/wrong to its alert in an
    instant channel) was listed in the next roundup under that topic all the same."""
    from storage.feedback import add_feedback

    config = make_config([DIGEST, {"name": "inst", "chat_id": "@inst", "topics": ["political_prisoners", "us_actions"]}])
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        wrong = add_item(s, "elpitazo", "Detienen a un concejal por deudas en Zulia")
        enqueue_for_item(s, wrong, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=2))
        both = add_item(s, "elpitazo", "EE. UU. sanciona al juez que condenó a presos políticos")
        enqueue_for_item(s, both, Cls(["political_prisoners", "us_actions"]), config, now=NOW - timedelta(hours=1))
        for item in (wrong, both):
            add_feedback(s, kind="wrong", item_id=item.id, url=item.url, title=item.title, summary="",
                         topic="political_prisoners", operator="@ana")
    with db.session() as s:
        [roundup] = enqueue_digest(s, config, "daily", now=NOW)
        text = roundup.payload["text"]
    assert "concejal" not in text
    assert "EE. UU. sanciona al juez" in text and "Presos políticos" not in text


def test_a_first_roundup_whose_time_passed_with_no_leader_is_queued_by_the_missed_digests_tick(
    db, make_config, add_item,
) -> None:
    """The 08:00 CronTrigger fired on replicas that did not lead (the leader frozen or killed,
    the next one not leading yet): a channel that had a roundup before got it from the next
    leader's missed-digests tick, a channel on its first roundup never (measured: two replicas,
    the leader SIGSTOPped across the slot). It is queued when the channel was configured before
    that time; a channel configured after it still waits for its next time."""
    from alerts.digest import enqueue_missed_digests

    late = {**DIGEST, "name": "late", "chat_id": "@late_digest"}
    config = make_config([DIGEST, late])
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, created_at=NOW - timedelta(hours=1)))
        s.add(Channel(name="late", chat_id="@late_digest", disabled=False, created_at=NOW - timedelta(minutes=2)))
        item = add_item(s, "elpitazo", "Excarcelan a 20 presos políticos en Caracas")
        enqueue_for_item(s, item, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(minutes=30))
    with db.session() as s:
        queued = enqueue_missed_digests(s, config, now=NOW)  # 08:05, the slot 08:00 missed
    assert [a.channel for a in queued] == ["daily"]
    assert "Excarcelan a 20 presos" in queued[0].payload["text"]
    with db.session() as s:
        assert enqueue_missed_digests(s, config, now=NOW + timedelta(minutes=1)) == []  # once


def test_a_clock_set_back_a_day_loses_no_story_from_the_digests_and_tells_none_twice(
    db, make_config, add_item
) -> None:
    """Set back a day after the 08:00 digest, the channel's last digest time stood a day ahead:
    the stories told that (new) day fell before it, in no roundup ever. Told by the new clock's
    slots, the ones the 08:00 digest had already told must not come again."""
    config = make_config([DIGEST], catch_up_after=ON_TIME)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        told = add_item(s, "elpitazo", "Detienen a defensora de DDHH en Caracas")
        enqueue_for_item(s, told, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=1))
        [first] = enqueue_due_digests(s, config, now=NOW)
        assert "Detienen a defensora" in first.payload["text"]
    back = NOW - timedelta(days=1) + timedelta(minutes=1)  # 08:06 of the day before, by the new clock
    with db.session() as s:
        new = add_item(s, "elpitazo", "Excarcelan a 40 presos políticos en Tocorón")
        enqueue_for_item(s, new, Cls(["political_prisoners"], "high"), config, now=back + timedelta(hours=2))
    digests: list[str] = []
    for minute in range(0, 2 * 24 * 60, 5):  # a tick every 5 minutes for two days of the new clock
        with db.session() as s:
            digests += [a.payload["text"] for a in enqueue_due_digests(s, config, now=back + timedelta(minutes=minute))]
    shown = "\n".join(digests)
    assert shown.count("Excarcelan a 40 presos") == 1  # before: 0, never in a roundup
    assert "Detienen a defensora" not in shown  # told by the 08:00 digest already


def _release_and_arrest(s, config, add_item, *, before: datetime) -> tuple[Any, Any]:
    """A named release queued 3 h `before`, a named arrest 2 h before: two stories of one digest."""
    release = add_item(s, "elpitazo", "Excarcelan a Rocío San Miguel tras casi dos años presa en El Helicoide")
    enqueue_for_item(s, release, Cls(["political_prisoners"], "high"), config, now=before - timedelta(hours=3))
    arrest = add_item(s, "efecto", "Detienen al dirigente sindical Pedro Ochoa en Barquisimeto")
    enqueue_for_item(s, arrest, Cls(["political_prisoners"], "high"), config, now=before - timedelta(hours=2))
    return release, arrest


def test_a_story_split_off_after_a_merge_is_not_listed_again_unless_its_item_was_in_no_roundup(
    db, make_config, add_item,
) -> None:
    """An operator merged two stories by mistake and undid it with a split: the story the split
    made counted as told at the split, and the next roundup listed it again although the 08:00
    one had. Its item counts as told when it first was; an item that came after the 08:00
    roundup (joined to the story by mistake, then split off) was in none and is listed."""
    from alerts.stories.assign import merge_stories, split_item

    config = make_config([DIGEST], catch_up_after=ON_TIME)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        release, arrest = _release_and_arrest(s, config, add_item, before=NOW)
        stories = (release.story_id, arrest.story_id)
        assert stories[0] != stories[1]
        [roundup] = enqueue_digest(s, config, "daily", now=NOW)
        assert "Pedro Ochoa" in roundup.payload["text"] and "Rocío San Miguel" in roundup.payload["text"]
    with db.session() as s:
        merge_stories(s, *stories, operator="@ana", now=NOW + timedelta(hours=1))
        late = add_item(s, "cocuyo", "Rocío San Miguel llega a su casa tras ser excarcelada")
        enqueue_for_item(s, late, Cls(["political_prisoners"], "high"), config, now=NOW + timedelta(hours=2))
        assert late.story_id == stories[0]
        late_id = late.story_id, late.id
        split_item(s, arrest.id, operator="@ana", now=NOW + timedelta(hours=3))
    with db.session() as s:
        assert enqueue_digest(s, config, "daily", now=NOW + timedelta(hours=12)) == []  # before: Pedro Ochoa again
    with db.session() as s:
        split_item(s, late_id[1], operator="@ana", now=NOW + timedelta(hours=13))
        [evening] = enqueue_digest(s, config, "daily", now=NOW + timedelta(hours=24))
    assert "llega a su casa" in evening.payload["text"]  # came after the 08:00 roundup, in none
    assert "Pedro Ochoa" not in evening.payload["text"] and "Excarcelan a Rocío" not in evening.payload["text"]


def test_a_story_the_matcher_merged_then_split_off_is_not_listed_again(db, make_config, add_item) -> None:
    """The team's arrival was listed in a roundup as a story of its own; then an item telling
    both it and the embassy's plans (told in an earlier roundup) made the matcher merge the two,
    and an operator split the team's item off again. The matcher's merge kept no record of the
    story the item left (an operator's does: `was`), so the item read as in the plans' story all
    along, never listed, and the next roundup listed the team's arrival a second time."""
    from alerts.stories.assign import split_item
    from monitor.match import build_classifier

    config = make_config([DIGEST], catch_up_after=ON_TIME)
    classifier = build_classifier(config.topics, config.entities)
    start = NOW - timedelta(hours=22)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=start - timedelta(hours=1)))

    def put(feed: str, title: str, at: datetime) -> int:
        with db.session() as s:
            item = add_item(s, feed, title, published=at)
            enqueue_for_item(s, item, classifier.classify(title=title, lang="es"), config, now=at)
            return item.id

    def roundup(at: datetime) -> list[str]:
        with db.session() as s:
            return [a.payload["text"] for a in enqueue_digest(s, config, "daily", now=at)]

    put("elpitazo", "Estados Unidos avanza con los planes para reabrir su embajada en Caracas", start)
    assert ["reabrir su embajada" in t for t in roundup(start + timedelta(hours=1))] == [True]
    team = put("cocuyo", "Equipo del Departamento de Estado de EE. UU. llega a Venezuela", start + timedelta(hours=20))
    [listed] = roundup(start + timedelta(hours=20, minutes=30))
    assert "llega a Venezuela" in listed and "reabrir su embajada" not in listed
    both = put("bbcmundo", "Diplomáticos de EE. UU. aterrizan en Caracas para evaluar la reapertura de la embajada",
               start + timedelta(hours=21))
    with db.session() as s:
        from storage.models import Item

        moved, linking = s.get(Item, team), s.get(Item, both)
        assert moved is not None and linking is not None and moved.story_id == linking.story_id  # merged
        split_item(s, team, operator="@ana", now=start + timedelta(hours=22))
    assert roundup(start + timedelta(hours=23)) == []  # before: the team's arrival listed again


def test_an_item_listed_as_part_of_a_merged_story_is_not_listed_again_when_split_off(
    db, make_config, add_item,
) -> None:
    """Merged before the 20:00 roundup, the arrest was listed in it as part of the release's
    story; split off the next morning, it is not listed again at 08:00."""
    from alerts.stories.assign import merge_stories, split_item

    config = make_config([DIGEST], catch_up_after=ON_TIME)
    evening = NOW - timedelta(hours=12)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=evening - timedelta(hours=12)))
    with db.session() as s:
        release, arrest = _release_and_arrest(s, config, add_item, before=evening)
        merge_stories(s, release.story_id, arrest.story_id, operator="@ana", now=evening - timedelta(hours=1))
        [roundup] = enqueue_digest(s, config, "daily", now=evening)
        assert roundup.payload["stories"] == 1
    with db.session() as s:
        split_item(s, arrest.id, operator="@ana", now=NOW - timedelta(hours=2))
        assert enqueue_digest(s, config, "daily", now=NOW) == []  # before: Pedro Ochoa again


def test_a_story_committed_after_the_roundup_that_its_time_falls_before_is_in_the_next_one(
    db, make_config, add_item
) -> None:
    """A story is told at the time its item's classification began (`Story.told_at`), and its
    transaction commits later (a backlog's batch, the placement lock's wait on PostgreSQL, a
    replica's clock behind the leader's). Committed after the roundup its time fell before, it
    was in no roundup: that one could not see it, the next one's period began after it."""
    t1 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # 08:00 in Caracas
    config, tell = _a_day_with_a_story(db, make_config, add_item, t1)
    with db.session() as s:
        enqueue_digest(s, config, "daily", now=t1)
    tell(t1 - timedelta(seconds=0.5))  # its classification began half a second before the roundup
    with db.session() as s:
        enqueue_digest(s, config, "daily", now=t1 + timedelta(hours=12))
    with db.session() as s:
        texts = [a.payload["text"] for a in s.scalars(select(Alert).where(Alert.kind == "digest").order_by(Alert.id))]
    assert len(texts) == 2
    assert "defensora" in texts[0] and "Luis Ochoa" not in texts[0]
    assert "Luis Ochoa" in texts[1] and "defensora" not in texts[1]  # each story in one roundup


def test_a_roundup_in_the_minute_of_an_earlier_one_lists_its_stories(db, make_config, add_item) -> None:
    """The clock stepped back 90 s just after the 08:00 roundup: the next tick finds the last
    roundup ahead (an empty period), then 08:00 due again at 08:00:30. That roundup's keys, by
    the minute, were the earlier one's: it claimed its slot and queued nothing, and the story
    told in between waited for (before the look back, missed) the evening's."""
    from alerts.digest import enqueue_due_digests, enqueue_missed_digests

    slot = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    config, tell = _a_day_with_a_story(db, make_config, add_item, slot)
    with db.session() as s:
        assert enqueue_due_digests(s, config, now=slot + timedelta(seconds=10))
    with db.session() as s:  # the clock set back 90 s: the last roundup is ahead, the period empty
        assert enqueue_missed_digests(s, config, now=slot - timedelta(seconds=70)) == []
    tell(slot - timedelta(seconds=40))
    with db.session() as s:
        again = enqueue_missed_digests(s, config, now=slot + timedelta(seconds=30))
    assert len(again) == 1 and "Luis Ochoa" in again[0].payload["text"]
    assert "defensora" not in again[0].payload["text"]


def _a_day_with_a_story(db: Any, make_config: Any, add_item: Any, slot: datetime) -> tuple[Any, Any]:
    """The digest channel's last roundup 12 h before `slot`, a story told 2 h before it; and
    `tell(at)`, which tells the next story (Luis Ochoa's release) at `at`."""
    config = make_config([DIGEST], catch_up_after=ON_TIME)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=slot - timedelta(hours=12)))
    with db.session() as s:
        enqueue_for_item(s, add_item(s, "elpitazo", "Detienen a defensora de DDHH en Caracas"),
                         Cls(["political_prisoners"], "high"), config, now=slot - timedelta(hours=2))

    def tell(at: datetime) -> None:
        with db.session() as s:
            enqueue_for_item(s, add_item(s, "bbcmundo", "Excarcelan al periodista Luis Ochoa tras seis meses en Tocorón"),
                             Cls(["political_prisoners"], "high"), config, now=at)

    return config, tell


GAP_CHAT = "@dg_roundups"
GAP_START = datetime(2026, 2, 2, 11, 30, tzinfo=UTC)  # Monday 07:30 in Caracas


def _gap_channel(db: Any, make_synced_config: Any, start: datetime = GAP_START, **settings: Any) -> Any:
    """A twice-daily roundup channel whose last roundup went out the evening before `start`."""
    config = make_synced_config([{"name": "dg", "chat_id": GAP_CHAT, "topics": ["political_prisoners"],
                                  "mode": "digest", "schedule": ["08:00", "20:00"], "tally_chart": False}],
                                **settings)
    with db.session() as s:
        s.scalar(select(Channel).where(Channel.name == "dg")).last_digest_at = start - timedelta(hours=11)
    return config


async def _a_story_an_hour(db: Any, add_item: Any, config: Any, worker: DeliveryWorker, clock: Any,
                           hours: int) -> list[str]:
    """A story told each hour for `hours`, each followed by the service's minute tick and a
    delivery round; the stories' titles."""
    from alerts.digest import enqueue_missed_digests

    titles = []
    for _ in range(hours):
        titles.append(f"Detienen al periodista Pérez {clock.now():%d%H} en Caracas")
        with db.session() as s:
            item = add_item(s, "elpitazo", titles[-1], url=f"https://elpitazo.net/{clock.now():%d%H}",
                            published=clock.now())
            enqueue_for_item(s, item, Cls(["political_prisoners"], "high"), config, now=clock.now())
        with db.session() as s:
            enqueue_missed_digests(s, config, now=clock.now())
        await worker.deliver_pending()
        clock.advance(3600)
    return titles


async def test_a_roundup_channel_enabled_again_after_three_days_gets_one_roundup_of_the_gap(
    db, emulator, make_synced_config, make_worker, add_item,
) -> None:
    """Telegram refused the 08:00 roundup (the bot removed): the channel was disabled, and each
    slot of the 3 days after it queued a roundup of its own. Enabled again, the channel got them
    all at once: 7 roundups, 74 hours old to 2. Now the slots wait while the channel cannot be
    sent to, and the enable gets one roundup of the whole gap: the refused one, queued more than
    catch_up_after before, is folded into it (until December 2026 it went out first: 2)."""
    from alerts.digest import enqueue_missed_digests
    from core.clock import ManualClock
    from storage.alerts import enable_channel

    config = _gap_channel(db, make_synced_config)
    clock = ManualClock(GAP_START)
    worker = await make_worker(config, clock=clock)
    emulator.forbid(GAP_CHAT)
    titles = await _a_story_an_hour(db, add_item, config, worker, clock, 3 * 24 + 3)  # to Thursday 10:30
    with db.session() as s:
        assert s.scalar(select(Channel.disabled).where(Channel.name == "dg"))
        queued = list(s.scalars(select(Alert).where(Alert.status == "pending")))
    assert [a.kind for a in queued] == ["digest"]  # the refused roundup alone (7 before)

    emulator.forbid(GAP_CHAT, False)
    with db.session() as s:
        assert enable_channel(s, "dg") == 1
    enabled = clock.now()
    for _ in range(6):  # the worker's rounds and the minute's tick
        await worker.deliver_pending()
        with db.session() as s:
            enqueue_missed_digests(s, config, now=clock.now())
        clock.advance(20)
    msgs = emulator.messages(GAP_CHAT)
    headings = [m.text.splitlines()[0] for m in msgs if m.text.startswith("🗞")]
    assert [h for h in headings if not h.endswith("(continuación)")] == [
        f"🗞 Resumen · 05/02/2026 {enabled - timedelta(hours=4):%H:%M}"]
    told = "\n".join(m.text for m in msgs)
    assert [told.count(t) for t in titles] == [1] * len(titles)  # every story of the gap, once
    with db.session() as s:
        rows = list(s.scalars(select(Alert).order_by(Alert.id)))
    last = rows[-1].created_at
    assert [a.status for a in rows] == ["folded"] + ["sent"] * len(msgs)
    assert (last if last.tzinfo else last.replace(tzinfo=UTC)) >= enabled


def test_a_disabled_roundup_channel_leaves_its_slots_to_one_roundup_once_enabled(db, make_config, add_item) -> None:
    """The head Telegram refused was no roundup (the tally's chart, a /test): no roundup was
    pending to hold the slots, and each queued its own while the channel was disabled."""
    from storage.alerts import enable_channel

    config = make_config([DIGEST])
    last = NOW - timedelta(hours=12)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=True, last_digest_at=last))
    with db.session() as s:
        for k, hours in enumerate((1, -11, -23)):
            item = add_item(s, "elpitazo", f"Detienen a la defensora {k}", url=f"https://elpitazo.net/d{k}")
            enqueue_for_item(s, item, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=hours))
    for later in (0, 12, 24):
        with db.session() as s:
            assert enqueue_due_digests(s, config, now=NOW + timedelta(hours=later)) == []
    with db.session() as s:
        assert s.scalar(select(Channel.last_digest_at).where(Channel.name == "daily")) == last
        enable_channel(s, "daily")
    with db.session() as s:
        [roundup] = enqueue_due_digests(s, config, now=NOW + timedelta(hours=24, minutes=1))
        assert roundup.payload["stories"] == 3 and all(f"defensora {k}" in roundup.payload["text"] for k in range(3))


async def test_a_bot_api_outage_of_three_days_ends_in_one_roundup_of_the_gap(
    db, emulator, make_synced_config, make_worker, add_item,
) -> None:
    """The Bot API down from Monday 07:30 to Thursday 10:30 on a twice-daily schedule: each slot
    queued a roundup of its own, and when it answered again the channel got all 7 at once, 74
    to 2 hours old, one after another. Now each slot folds the roundups still unsent after
    `catch_up_after` into its own: one roundup of the gap (2 messages), every story once, dated."""
    config = _gap_channel(db, make_synced_config)
    from core.clock import ManualClock

    clock = ManualClock(GAP_START)
    worker = await make_worker(config, clock=clock)
    emulator.set_down(True, "502")
    titles = await _a_story_an_hour(db, add_item, config, worker, clock, 3 * 24 + 3)  # to Thursday 10:30
    emulator.set_down(False)
    for _ in range(4):
        await worker.deliver_pending()
        clock.advance(20)
    msgs = emulator.messages(GAP_CHAT)
    # queued by the tick of 08:30, the roundup of 08:00 (its period ends there)
    assert [m.text.splitlines()[0] for m in msgs if m.text.startswith("🗞")
            and not m.text.splitlines()[0].endswith("(continuación)")] == ["🗞 Resumen · 05/02/2026 08:00"]
    told = "\n".join(m.text for m in msgs)
    # all but those told after 08:00 (at 08:30, before the tick, and 09:30), once
    assert [told.count(t) for t in titles] == [1] * 73 + [0, 0]
    assert "El Pitazo · 02/02 07:30" in told  # the gap's lines dated
    with db.session() as s:
        rows = list(s.scalars(select(Alert).order_by(Alert.id)))
    sent = [a for a in rows if a.status == "sent"]
    assert len(sent) == len(msgs) == 2 and {a.created_at for a in sent} == {rows[-1].created_at}
    assert all(f"its stories are in roundup #{sent[0].id}" in (a.last_error or "") for a in rows
               if a.created_at == rows[-3].created_at)  # the 20:30 roundup's parts, folded at 08:30
    assert [a.status for a in rows[:-2]] == ["folded"] * (len(rows) - 2)


ADMIN = 4242


async def test_the_admin_chat_is_told_once_of_the_roundups_an_outage_folded(
    db, emulator, runtime, make_synced_config, make_worker, add_item,
) -> None:
    """The roundups an outage folded were told in the log alone (`roundup of dg: N unsent
    roundup message(s) … folded`), where a catch-up of instant alerts is told in the admin chat
    too: one line for the whole outage (each slot folded the roundup before it), not one a slot."""
    from zoneinfo import ZoneInfo

    from alerts_helpers import IdleControls

    from alerts.admin import AdminBot
    from core.clock import ManualClock

    # GAP_START's outage, ending today (the admin chat is told of the last day's folds)
    start = datetime.now(UTC).replace(hour=11, minute=30, second=0, microsecond=0) - timedelta(days=3)
    config = _gap_channel(db, make_synced_config, start, admin_chat_id=ADMIN)
    clock = ManualClock(start)
    worker = await make_worker(config, clock=clock)
    admin = AdminBot(config, runtime, db, IdleControls(), poll_timeout=1, request_timeout=10.0)
    emulator.set_down(True, "502")
    await _a_story_an_hour(db, add_item, config, worker, clock, 3 * 24 + 3)  # to Thursday 10:30
    assert await admin.notify_problems() == 0  # the admin chat is down too: told once it answers
    emulator.set_down(False)
    for _ in range(4):
        await worker.deliver_pending()
        clock.advance(20)
    caracas = ZoneInfo("America/Caracas")
    since, until = start - timedelta(hours=11, minutes=30), start + timedelta(days=3, hours=1)
    assert [m.text.splitlines()[0] for m in emulator.messages(GAP_CHAT)][:1] == [
        f"🗞 Resumen · {(until - timedelta(minutes=30)).astimezone(caracas):%d/%m/%Y %H:%M}"]  # its slot, 08:00
    assert (await admin.notify_problems(), await admin.notify_problems()) == (1, 0)
    assert [m.text for m in emulator.messages(ADMIN)] == [
        f"⏪ roundups: 7 roundups of channel dg, unsent through an outage, folded into one covering "
        f"{since.astimezone(caracas):%d/%m %H:%M} – {until.astimezone(caracas):%d/%m %H:%M} (America/Caracas): "
        f"roundup #{_roundup_id(db)} (settings.catch_up_after)"]


async def test_a_channel_outage_the_admin_chat_hears_through_is_one_notice_not_one_a_slot(
    db, emulator, runtime, make_synced_config, make_worker, add_item,
) -> None:
    """The roundup channel's chat failing for 3 days while the admin chat answers: each slot (and
    each retry of the worker's) folds the roundup before it; the admin chat hears of the first
    fold, not of each one after it, and nothing more once its roundup is sent; without an admin
    chat, nothing at all."""
    from alerts_helpers import IdleControls

    from alerts.admin import AdminBot
    from core.clock import ManualClock

    # today (the admin chat is told of the last day's folds, by the real clock)
    start = datetime.now(UTC).replace(hour=11, minute=30, second=0, microsecond=0)
    config = _gap_channel(db, make_synced_config, start, admin_chat_id=ADMIN)
    clock = ManualClock(start)
    worker = await make_worker(config, clock=clock)
    admin = AdminBot(config, runtime, db, IdleControls(), poll_timeout=1, request_timeout=10.0)
    silent = AdminBot(config.model_copy(update={"settings": config.settings.model_copy(
        update={"admin_chat_id": None})}), runtime, db, IdleControls(), poll_timeout=1, request_timeout=10.0)
    emulator.fail_next(100_000, "502", GAP_CHAT)
    told = 0
    for _ in range(3 * 24 + 3):  # 3 days, the admin chat looked at each hour
        await _a_story_an_hour(db, add_item, config, worker, clock, 1)
        told += await admin.notify_problems()
        assert await silent.notify_problems() == 0
    notices = [m.text for m in emulator.messages(ADMIN)]
    emulator.reset()  # (the chat's faults, and the messages)
    for _ in range(4):
        await worker.deliver_pending()
        clock.advance(20)
    told += await admin.notify_problems()
    assert emulator.messages(GAP_CHAT)  # the roundup of the gap went out
    with db.session() as s:
        folds = s.scalar(select(func.count()).select_from(Alert).where(Alert.status == "folded"))
    assert folds >= 10  # messages of roundups folded (7 slots, and the worker's retries between them)
    assert told == 1 and len(notices) == 1 and not emulator.messages(ADMIN)
    assert notices[0].startswith("⏪ roundups: 1 roundup of channel dg, unsent through an outage, folded into one")


def _roundup_id(db: Any) -> int:
    """The id of the last roundup queued."""
    with db.session() as s:
        return s.scalar(select(Alert.id).where(Alert.kind == "digest", Alert.dedupe_key.like("%:0"))
                        .order_by(Alert.id.desc()).limit(1))


def _a_roundup_unsent(db: Any, make_config: Any, add_item: Any) -> tuple[Any, Any]:
    """The 08:00 roundup of a story told at 06:05 and one at 07:05, queued and not sent (the
    Bot API down); `later(**kw)`: a story told at 18:05, then the 20:00 roundup, queued then."""
    config = make_config([DIGEST])
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False, last_digest_at=NOW - timedelta(hours=12)))
    with db.session() as s:
        for k, title in enumerate(("Detienen a un concejal por deudas en Zulia", "Excarcelan a la periodista Ana Gómez")):
            item = add_item(s, "elpitazo", title, url=f"https://elpitazo.net/u{k}")
            enqueue_for_item(s, item, Cls(["political_prisoners"], "high"), config, now=NOW - timedelta(hours=2 - k))
    with db.session() as s:
        [first] = enqueue_due_digests(s, config, now=NOW)
        assert "concejal" in first.payload["text"] and "Ana Gómez" in first.payload["text"]

    def later(**kw: Any) -> list[Alert]:
        evening = NOW + timedelta(hours=12)
        with db.session() as s:
            item = add_item(s, "bbcmundo", "Detienen al sindicalista Luis Mora en Guayana", url="https://bbc.example/m")
            enqueue_for_item(s, item, Cls(["political_prisoners"], "high"), config, now=evening - timedelta(hours=2))
        with db.session() as s:
            enqueue_due_digests(s, config, now=evening, **kw)
        with db.session() as s:
            return list(s.scalars(select(Alert).where(Alert.kind == "digest").order_by(Alert.id)))

    return first, later


def test_a_story_marked_wrong_during_an_outage_is_not_in_the_roundup_sent_after_it(db, make_config, add_item) -> None:
    """/wrong to the concejal's story at 09:00, the 08:00 roundup that lists it unsent (the Bot
    API down): it went out listing it. Now the 20:00 roundup folds it and lists the others."""
    from storage.feedback import add_feedback

    _, later = _a_roundup_unsent(db, make_config, add_item)
    with db.session() as s:
        wrong = s.scalar(select(Item).where(Item.title.like("%concejal%")))
        add_feedback(s, kind="wrong", item_id=wrong.id, url=wrong.url, title=wrong.title, summary="",
                     topic="political_prisoners", operator="@ana")
    roundups = later()
    to_send = "\n".join(a.payload["text"] for a in roundups if a.status == "pending")
    assert "concejal" not in to_send
    assert to_send.count("Ana Gómez") == 1 and to_send.count("Luis Mora") == 1
    assert [a.status for a in roundups] == ["folded", "pending"]


def test_a_roundup_the_journal_says_was_sent_is_not_folded_after_a_restored_backup(db, make_config, add_item) -> None:
    """The database restored from a backup taken while the 08:00 roundup was queued; the journal
    of sends has it sent after the backup. Folded, its stories were told a second time."""
    from core.restore_marks import SentMark, load_sent, marks_path, payload_fingerprint, record_sent

    first, later = _a_roundup_unsent(db, make_config, add_item)
    record_sent(marks_path(db.marks_base), first.dedupe_key,
                SentMark(NOW + timedelta(minutes=1), 55, "@daily_digest", payload_fingerprint(first.payload)))
    roundups = later(journals=(load_sent(marks_path(db.marks_base)),))
    assert [a.status for a in roundups] == ["pending", "pending"]  # the first: its claim marks it sent
    assert "Luis Mora" in roundups[1].payload["text"]
    assert "Ana Gómez" not in roundups[1].payload["text"] and "concejal" not in roundups[1].payload["text"]


def test_a_roundup_partly_sent_is_not_folded(db, make_config, add_item) -> None:
    """A roundup of two messages, the first sent and the second not when the next slot comes:
    left to its send (folded, the stories of its first message were told twice)."""
    first, later = _a_roundup_unsent(db, make_config, add_item)
    with db.session() as s:
        s.get(Alert, first.id).status = "sent"
        s.add(Alert(channel="daily", kind="digest", dedupe_key=first.dedupe_key[:-1] + "1", status="pending",
                    attempts=3, payload={"html": "…", "text": "…"}, next_attempt_at=NOW, created_at=first.created_at))
    roundups = later()
    assert [a.status for a in roundups] == ["sent", "pending", "pending"]
    assert "Ana Gómez" not in roundups[2].payload["text"] and "Luis Mora" in roundups[2].payload["text"]


def test_two_replicas_at_one_slot_fold_an_unsent_roundup_once(db, db_url, make_config, add_item) -> None:
    """Both replicas' ticks at 20:00, the 08:00 roundup unsent: one claims the slot and folds it."""
    import threading

    from storage.db import open_database

    _a_roundup_unsent(db, make_config, add_item)
    config = make_config([DIGEST])
    other = open_database(db_url)
    start = threading.Barrier(2)
    queued: list[int] = []
    errors: list[BaseException] = []

    def tick(database: Any) -> None:
        start.wait()
        try:
            with database.session() as s:
                queued.append(len(enqueue_due_digests(s, config, now=NOW + timedelta(hours=12))))
        except BaseException as exc:  # a thread's error is otherwise only a warning
            errors.append(exc)

    try:
        threads = [threading.Thread(target=tick, args=(d,)) for d in (db, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.dispose()
    assert not errors, f"a replica's tick failed: {errors!r}"
    assert sorted(queued) == [0, 1]
    with db.session() as s:
        roundups = list(s.scalars(select(Alert).where(Alert.kind == "digest").order_by(Alert.id)))
    assert [a.status for a in roundups] == ["folded", "pending"]
    assert roundups[1].payload["text"].count("Ana Gómez") == 1


def test_a_replica_that_read_the_slot_due_before_the_other_claimed_it_queues_nothing(
    db, db_url, make_config, add_item,
) -> None:
    """Both replicas' ticks at 20:00, the 08:00 roundup unsent; one reads the channels' last
    roundup times (20:00 due), the other queues 20:00's roundup and commits, then the first reads
    the channel's row: 20:00 claimed. It claimed again from 20:00 to now (its claim only asks that
    the time is the one it read), folded the other's roundup and queued its own: two folds and
    two roundups, or, at one tick time (their keys taken), none left to send. It queues nothing."""
    from sqlalchemy import event

    from storage.db import open_database

    _a_roundup_unsent(db, make_config, add_item)
    config = make_config([DIGEST])
    evening = NOW + timedelta(hours=12)
    other = open_database(db_url)
    others: list[int] = []

    def the_other_ticks(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not others and statement.lstrip().startswith("SELECT channels.id") and "channels.name =" in statement:
            with other.session() as s:  # between the first's two reads, before it writes
                others.append(len(enqueue_due_digests(s, config, now=evening)))

    event.listen(db.engine, "before_cursor_execute", the_other_ticks)
    try:
        with db.session() as s:
            first = len(enqueue_due_digests(s, config, now=evening + timedelta(seconds=1)))
    finally:
        event.remove(db.engine, "before_cursor_execute", the_other_ticks)
        other.dispose()
    assert others == [1] and first == 0
    with db.session() as s:
        roundups = list(s.scalars(select(Alert).where(Alert.kind == "digest").order_by(Alert.id)))
    assert [a.status for a in roundups] == ["folded", "pending"]
    assert roundups[1].payload["text"].count("Ana Gómez") == 1


async def test_a_roundup_unsent_past_catch_up_after_is_rebuilt_before_it_goes_out(
    db, emulator, make_synced_config, make_worker, add_item,
) -> None:
    """The Bot API down from Monday 07:30 to 19:30, no schedule time after 08:00's meanwhile; the
    07:30 story marked /wrong at 09:30. Before, the 08:00 roundup went out at 19:30 as queued,
    11 hours old, the /wrong story in it. Now the worker, about to retry a roundup queued more
    than catch_up_after ago, folds it into one queued then (its hourly retry at 15:30): /wrong applied."""
    from core.clock import ManualClock
    from storage.feedback import add_feedback

    config = _gap_channel(db, make_synced_config)
    clock = ManualClock(GAP_START)
    worker = await make_worker(config, clock=clock)
    emulator.set_down(True, "502")
    titles = await _a_story_an_hour(db, add_item, config, worker, clock, 2)  # the 08:00 roundup queued at 08:30
    with db.session() as s:
        wrong = s.scalar(select(Item).where(Item.title == titles[0]))
        add_feedback(s, kind="wrong", item_id=wrong.id, url=wrong.url, title=wrong.title, summary="",
                     topic="political_prisoners", operator="@ana")
    titles += await _a_story_an_hour(db, add_item, config, worker, clock, 10)  # to 19:30
    emulator.set_down(False)
    for _ in range(4):
        await worker.deliver_pending()
        clock.advance(20)
    [msg] = emulator.messages(GAP_CHAT)
    assert msg.text.startswith("🗞 Resumen · 02/02/2026 15:30")
    assert titles[0] not in msg.text  # before: listed, 11 hours after /wrong
    assert [msg.text.count(t) for t in titles[1:]] == [1] * 8 + [0] * 3  # the rest at 20:00


def test_the_worker_folds_nothing_behind_a_roundup_it_cannot_fold(db, make_config, add_item) -> None:
    """The worker's head is the second message of a roundup whose first went out (it cannot be
    folded), and a younger roundup waits behind it past catch_up_after: folding that one into a
    roundup queued then left the same head, and the next round folded the new one again, a new
    roundup at every round. Nothing is folded while the head stays."""
    from alerts.digest import fold_unsent_roundups

    first, later = _a_roundup_unsent(db, make_config, add_item)
    config = make_config([DIGEST])
    with db.session() as s:
        s.get(Alert, first.id).status = "sent"
        second = Alert(channel="daily", kind="digest", dedupe_key=first.dedupe_key[:-1] + "1", status="pending",
                       attempts=3, payload={"html": "…", "text": "…"}, next_attempt_at=NOW, created_at=first.created_at)
        s.add(second)
        s.flush()
        head = second.id
    later()  # the 20:00 roundup, queued behind it
    for hours in (19, 19.01):
        assert fold_unsent_roundups(db.session, config, config.channel("daily"), head,
                                    now=NOW + timedelta(hours=hours)) == 0
    with db.session() as s:
        assert [a.status for a in s.scalars(select(Alert).where(Alert.kind == "digest").order_by(Alert.id))] == [
            "sent", "pending", "pending"]


def test_a_midnight_roundup_queued_late_tells_its_day_and_leaves_the_next_day_s_stories(
    db, make_config, add_item,
) -> None:
    """A roundup at 00:00 in Caracas (04:00 UTC) that the CronTrigger did not queue on time (the
    database busy at 00:00, a leader frozen across it: the missed-digests tick queues it up to a
    minute later, or at a start) ended its period at the tick, not at 00:00: the story told at
    00:01 was listed in the day before's roundup, under its heading "00:02", and not in its own
    day's."""
    midnight = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 00:00 of 7 December in Caracas
    config = make_config([{**DIGEST, "schedule": ["00:00"]}], catch_up_after=ON_TIME)
    with db.session() as s:
        s.add(Channel(name="daily", chat_id="@daily_digest", disabled=False,
                      last_digest_at=midnight - timedelta(days=1)))
    with db.session() as s:
        enqueue_for_item(s, add_item(s, "elpitazo", "Detienen a defensora de DDHH en Caracas"),
                         Cls(["political_prisoners"], "high"), config, now=midnight - timedelta(minutes=1))
        enqueue_for_item(s, add_item(s, "bbcmundo", "Excarcelan al periodista Luis Ochoa tras seis meses en Tocorón"),
                         Cls(["political_prisoners"], "high"), config, now=midnight + timedelta(minutes=1))
    with db.session() as s:
        [late] = enqueue_due_digests(s, config, now=midnight + timedelta(minutes=2))  # the tick of 00:02
    assert "defensora" in late.payload["text"] and "Luis Ochoa" not in late.payload["text"]
    assert late.payload["text"].splitlines()[0].endswith(" 00:00")  # the roundup of 00:00, not of 00:02
    with db.session() as s:
        assert enqueue_due_digests(s, config, now=midnight + timedelta(minutes=3)) == []  # once
        [next_day] = enqueue_due_digests(s, config, now=midnight + timedelta(days=1))
    assert "Luis Ochoa" in next_day.payload["text"] and "defensora" not in next_day.payload["text"]
