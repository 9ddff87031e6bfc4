"""An item that tells the event of two stories at once merges them (alerts/stories/assign.py `_merge`):
a day of feeds read at once can start one event twice before the item that links them comes.
Titles written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from alerts.outbox import enqueue_for_item
from alerts.stories.match import bridges
from alerts.stories.report import why
from monitor.match import build_classifier
from storage.models import Alert, Item, Story

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
CHANNELS = [{"name": "all", "chat_id": "@all_channel", "topics": ["political_prisoners", "us_actions"]}]


@pytest.fixture
def put(db: Any, make_config: Any, add_item: Any) -> Any:
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)

    def put(feed: str, title: str, *, at: datetime = NOW) -> tuple[list[str], Item]:
        with db.session() as s:
            item = add_item(s, feed, title, published=at)
            c = classifier.classify(title=title, lang="es")
            assert c.topics, f"not relevant: {title}"
            kinds = [a.kind for a in enqueue_for_item(s, item, c, config, now=at)]
            s.expunge(item)
            return kinds, item

    return put


def test_an_item_telling_two_stories_events_merges_them_into_the_older(put: Any, db: Any) -> None:
    plans = put("elpitazo", "Estados Unidos avanza con los planes para reabrir su embajada en Caracas")
    team = put("cocuyo", "Equipo del Departamento de Estado de EE. UU. llega a Venezuela", at=NOW + timedelta(hours=20))
    assert team[1].story_id != plans[1].story_id  # nothing in common with the plans yet
    both = put("efecto", "Diplomáticos de EE. UU. aterrizan en Caracas para evaluar la reapertura de la embajada",
               at=NOW + timedelta(hours=21))
    assert both[1].story_id == plans[1].story_id  # the older story is kept
    merges = both[1].story_match["merges"]
    assert len(merges) == 1 and merges[0]["story"] in {plans[1].story_id, team[1].story_id}
    assert len(merges[0]["frame"]["classes"]) == 2  # the same two kinds of event
    assert "merged story" in why(both[1].story_match)
    with db.session() as s:
        moved = s.get(Item, team[1].id)
        assert moved is not None and moved.story_id == plans[1].story_id  # the earlier item moved
        # with the story it left, as an operator's merge records it (the digests read it)
        record = moved.story_match
        assert (record["decision"], record["from_story"], record["by_item"]) == ("merged", team[1].story_id, both[1].id)
        assert record["was"]["decision"] == "new" and record["operator"] is None
        assert why(record) == f"merged with its story {team[1].story_id} by the matcher (item {both[1].id} told both)"
        assert s.get(Story, team[1].story_id) is None
        # the team's story's alert is tied to no story, under a key of its own (SQLite may give
        # the team's story number to the next story), and never sent: it was still pending,
        # and the channel has the plans' message
        gone = s.scalars(select(Alert).where(Alert.dedupe_key.startswith(f"new:all:{team[1].story_id}:merged:"))).one()
        assert gone.story_id is None and gone.dedupe_key == f"new:all:{team[1].story_id}:merged:{gone.id}"
        assert gone.status == "merged"
        assert s.scalars(select(Alert).where(Alert.dedupe_key == f"new:all:{team[1].story_id}")).first() is None
    # the next telling is the merged story's, and no new alert
    later = put("bbcmundo", "Funcionarios del Departamento de Estado llegaron a Caracas", at=NOW + timedelta(hours=22))
    assert later[1].story_id == plans[1].story_id and "new" not in later[0]


def test_a_channel_that_heard_only_the_merged_away_story_keeps_its_one_message(
    put: Any, db: Any, make_config: Any, add_item: Any,
) -> None:
    """The older story was backfill (told to no channel): after the merge, the message the
    channel has is the event's, so the next reports edit it rather than send a second one."""
    from alerts.stories.assign import assign_story

    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)
    title = "Estados Unidos avanza con los planes para reabrir su embajada en Caracas"
    with db.session() as s:
        plans = add_item(s, "elpitazo", title, published=NOW)
        backfill = assign_story(s, plans, classifier.classify(title=title, lang="es"),
                                window=config.settings.story_window, now=NOW, told=False)
        old_story = backfill.story.id
    team = put("cocuyo", "Equipo del Departamento de Estado de EE. UU. llega a Venezuela", at=NOW + timedelta(hours=20))
    assert team[0] == ["new"] and team[1].story_id != old_story
    both = put("efecto", "Diplomáticos de EE. UU. aterrizan en Caracas para evaluar la reapertura de la embajada",
               at=NOW + timedelta(hours=21))
    assert both[1].story_id == old_story and both[0] == ["edit"]  # the channel's one message, edited
    later = put("bbcmundo", "Funcionarios del Departamento de Estado llegaron a Caracas", at=NOW + timedelta(hours=22))
    assert later[0] == ["edit"]
    with db.session() as s:
        rows = s.scalars(select(Alert).order_by(Alert.id)).all()
        assert [(a.kind, a.story_id) for a in rows] == [("new", old_story), ("edit", old_story), ("edit", old_story)]
        assert rows[0].dedupe_key == f"new:all:{old_story}"
        assert {a.payload["target_alert_id"] for a in rows[1:]} == {rows[0].id}


def test_only_a_class_frame_without_a_shared_entity_or_conflictbridges_two_stories() -> None:
    """One person in two stories is not evidence that their events are one (Maduro's capture,
    transfer and arrival all name him), nor is a frame of one person's event or statement."""
    frame = {"frame": {"classes": ["diplomat", "llega"]}, "entities": []}
    assert bridges(frame)
    assert not bridges({**frame, "entities": ["nicolas maduro"]})
    assert not bridges({**frame, "conflicts": ["vessels"]})
    assert not bridges({"frame": {"person": ["maduro"], "event": ["llega"]}, "entities": []})
    assert not bridges({"frame": {"speaker": ["trump"]}, "entities": []})
    assert not bridges({"entities": []})  # words alone


def test_a_merge_rolled_back_leaves_both_stories_and_an_index_rebuilt_from_the_database(
    put: Any, db: Any, make_config: Any, add_item: Any,
) -> None:
    import alerts.stories.assign as stories_module

    plans = put("elpitazo", "Estados Unidos avanza con los planes para reabrir su embajada en Caracas")
    team = put("cocuyo", "Equipo del Departamento de Estado de EE. UU. llega a Venezuela", at=NOW + timedelta(hours=20))
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)
    title = "Diplomáticos de EE. UU. aterrizan en Caracas para evaluar la reapertura de la embajada"
    with pytest.raises(RuntimeError), db.session() as s:
        item = add_item(s, "efecto", title, published=NOW + timedelta(hours=21))
        enqueue_for_item(s, item, classifier.classify(title=title, lang="es"), config, now=NOW + timedelta(hours=21))
        assert item.story_match.get("merges")
        raise RuntimeError("the poll fails after the merge")
    assert db.engine not in stories_module._INDEXES  # forgotten: the next call rebuilds it from the database
    with db.session() as s:
        assert s.get(Story, plans[1].story_id) is not None and s.get(Story, team[1].story_id) is not None
        assert s.get(Item, team[1].id).story_id == team[1].story_id
    again = put("efecto", title, at=NOW + timedelta(hours=21))
    assert again[1].story_match.get("merges")  # the same decision, now kept


def test_an_alert_moved_to_the_kept_story_is_rekeyed_by_its_story_id_only() -> None:
    from storage.stories import _rekeyed

    def alert(kind: str, key: str) -> Alert:
        return Alert(kind=kind, channel="all", dedupe_key=key)

    assert _rekeyed(alert("new", "new:all:1"), 1, 7) == "new:all:7"
    assert _rekeyed(alert("edit", "edit:all:1:57"), 1, 7) == "edit:all:7:57"
    assert _rekeyed(alert("new", "new:all:12"), 1, 7) == "new:all:12"  # story 12's, not story 1's
    assert _rekeyed(alert("digest", "digest:all:2026-03-14:0"), 1, 7) == "digest:all:2026-03-14:0"


def test_a_merged_away_alert_is_withheld_only_while_it_would_tell_the_event_again() -> None:
    from storage.stories import _unsent_telling

    def alert(kind: str, status: str, *, reply_to: int | None = None, target: int | None = None) -> Alert:
        return Alert(kind=kind, channel="all", status=status, reply_to_alert_id=reply_to,
                     payload={"target_alert_id": target} if target else {})

    unsent = {11}  # the merged-away story's own message, withheld
    assert _unsent_telling(alert("new", "pending"), unsent)
    assert not _unsent_telling(alert("new", "sent"), unsent)
    assert not _unsent_telling(alert("new", "sending"), unsent)  # on its way: it goes as it went
    assert _unsent_telling(alert("update", "pending", reply_to=11), unsent)  # a reply to nothing
    assert _unsent_telling(alert("edit", "pending", target=11), unsent)  # an edit of nothing
    # the story's message was sent: its figure's reply and its edits still go to it
    assert not _unsent_telling(alert("update", "pending", reply_to=12), unsent)
    assert not _unsent_telling(alert("edit", "pending", target=12), unsent)


def test_a_merge_into_a_story_whose_message_was_held_keeps_the_message_the_channel_has(
    put: Any, db: Any,
) -> None:
    """The kept story's message was held by its feed's hourly limit (folded into "and N more",
    never sent on its own) while the merged-away story's was sent: after the merge the sent one
    is the story's, so the event's next reports edit it and a new figure replies to it."""
    plans = put("elpitazo", "Estados Unidos avanza con los planes para reabrir su embajada en Caracas")
    with db.session() as s:
        held = s.scalars(select(Alert).where(Alert.dedupe_key == f"new:all:{plans[1].story_id}")).one()
        held.status = "held"  # over the feed's limit, as alerts/feed_limits.py stores it
    team = put("cocuyo", "Equipo del Departamento de Estado de EE. UU. llega a Venezuela", at=NOW + timedelta(hours=20))
    assert team[0] == ["new"]
    both = put("efecto", "Diplomáticos de EE. UU. aterrizan en Caracas para evaluar la reapertura de la embajada",
               at=NOW + timedelta(hours=21))
    assert both[1].story_id == plans[1].story_id and both[0] == ["edit"]  # the channel's message, edited
    with db.session() as s:
        message = s.scalars(select(Alert).where(Alert.dedupe_key == f"new:all:{plans[1].story_id}")).one()
        assert message.status == "pending" and message.payload["item_id"] == team[1].id  # the team's, re-keyed
        old = s.get(Alert, held.id)
        assert old.status == "held" and old.story_id is None  # still in its fold, out of the story
        edit = s.scalars(select(Alert).where(Alert.kind == "edit")).one()
        assert edit.payload["target_alert_id"] == message.id


def test_a_merge_into_a_story_whose_message_is_still_to_send_keeps_the_message_the_channel_has(
    put: Any, db: Any,
) -> None:
    """The kept story's message is still to send (its first message failed and a later report
    retells it, waiting on a back-off) while the merged-away story's was sent: before, the kept
    one went out after the merge, a second message of the event. It is withheld (`merged`), its
    queued edit too; its queued figure replies to the message the channel has, which is the story's."""
    plans = put("elpitazo", "Estados Unidos avanza con los planes para reabrir su embajada en Caracas")
    older = plans[1].story_id
    team = put("cocuyo", "Equipo del Departamento de Estado de EE. UU. llega a Venezuela", at=NOW + timedelta(hours=20))
    with db.session() as s:
        waiting = s.scalars(select(Alert).where(Alert.dedupe_key == f"new:all:{older}")).one()
        waiting.payload = {**waiting.payload, "retells_alert_id": 999}
        shown = s.scalars(select(Alert).where(Alert.dedupe_key == f"new:all:{team[1].story_id}")).one()
        shown.status, shown.telegram_message_id = "sent", 5
        s.add_all([
            Alert(channel="all", story_id=older, kind="update", dedupe_key=f"update:all:{older}:1", status="pending",
                  reply_to_alert_id=waiting.id, payload={"item_id": plans[1].id}, attempts=0, next_attempt_at=NOW,
                  created_at=NOW),
            Alert(channel="all", story_id=older, kind="edit", dedupe_key=f"edit:all:{older}:1", status="pending",
                  payload={"item_id": plans[1].id, "target_alert_id": waiting.id}, attempts=0, next_attempt_at=NOW,
                  created_at=NOW),
        ])
        waiting_id, shown_id = waiting.id, shown.id
    both = put("efecto", "Diplomáticos de EE. UU. aterrizan en Caracas para evaluar la reapertura de la embajada",
               at=NOW + timedelta(hours=21))
    assert both[1].story_id == older and both[0] == ["edit"]  # the sent message, edited
    with db.session() as s:
        assert s.scalars(select(Alert).where(Alert.dedupe_key == f"new:all:{older}")).one().id == shown_id
        withheld = s.get(Alert, waiting_id)
        assert (withheld.status, withheld.story_id) == ("merged", None)
        update = s.scalars(select(Alert).where(Alert.dedupe_key == f"update:all:{older}:1")).one()
        assert (update.status, update.reply_to_alert_id) == ("pending", shown_id)
        edit = s.scalars(select(Alert).where(Alert.dedupe_key == f"edit:all:{older}:1")).one()
        assert edit.status == "merged"
        [told] = [a for a in s.scalars(select(Alert).where(Alert.kind == "edit", Alert.status == "pending"))]
        assert told.payload["target_alert_id"] == shown_id
