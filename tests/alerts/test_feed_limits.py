"""Alerts per feed and channel per hour (alerts/feed_limits.py) on a real database: the
limit, the per-feed override, held alerts waiting for the next hour's fold, and the
admin notice told once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts_helpers import Cls
from sqlalchemy import select

from alerts.feed_limits import fold_held, fold_notices, mark_notified
from alerts.outbox import enqueue_for_item
from storage.models import Alert

PP = ["political_prisoners"]
T0 = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)
PLACES = ["Tocorón", "Tocuyito", "Rodeo I", "Yare", "Ramo Verde", "El Helicoide", "Zona 7", "Uribana"]
NAMES = ["Luis", "Ana", "Pedro", "María", "José", "Carmen", "Jesús", "Rosa", "Juan", "Elena"]


def publish(s, add_item, config, feed: str, n: int, now: datetime, start: int = 0) -> None:
    for k in range(start, start + n):
        item = add_item(
            s, feed, f"Detienen a {NAMES[k % 10]} {k} en {PLACES[k % 8]} por protestar", url=f"https://{feed}.example/{k}",
            published=now,
        )
        enqueue_for_item(s, item, Cls(PP, "high", {"political_prisoners": ["detienen"]}), config, now=now)


def statuses(s, channel: str = "pp") -> dict[str, int]:
    out: dict[str, int] = {}
    for status in s.scalars(select(Alert.status).where(Alert.channel == channel)):
        out[status] = out.get(status, 0) + 1
    return out


def test_the_limit_holds_folds_once_an_hour_and_tells_the_operators_once(db, make_config, add_item):
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    with db.session() as s:
        publish(s, add_item, config, "elpitazo", 25, T0)
        assert statuses(s) == {"pending": 20, "held": 5}
        [fold] = fold_held(s, config, now=T0)
        assert fold.payload["folded"] == 5 and fold.payload["notify"] is True
        assert fold.payload["text"].startswith("➕ Y 5 más de El Pitazo en la última hora (límite: 20 por hora)")
        assert statuses(s) == {"pending": 21, "folded": 5}

        publish(s, add_item, config, "elpitazo", 3, T0 + timedelta(minutes=10), start=25)
        assert fold_held(s, config, now=T0 + timedelta(minutes=10)) == []  # one fold an hour
        assert statuses(s)["held"] == 3
        [later] = fold_held(s, config, now=T0 + timedelta(minutes=61))
        assert later.payload["folded"] == 3 and later.payload["notify"] is False  # told once a day

        # another feed has its own count; an hour later the first one may alert again
        publish(s, add_item, config, "bbcmundo", 2, T0 + timedelta(minutes=62), start=100)
        publish(s, add_item, config, "elpitazo", 1, T0 + timedelta(minutes=75), start=200)
        assert statuses(s) == {"pending": 25, "folded": 8}

        [(alert_id, notice)] = fold_notices(s, T0 + timedelta(minutes=62))
        assert alert_id == fold.id and "went over its limit of 20 alerts an hour in channel pp" in notice
        mark_notified(s, alert_id)
        assert fold_notices(s, T0 + timedelta(minutes=62)) == []


def test_a_feed_override_applies_to_that_feed_only(db, make_config, add_item):
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    feeds = [f.model_copy(update={"max_alerts_per_hour": 2}) if f.name == "cocuyo" else f for f in config.feeds]
    config = config.model_copy(update={"feeds": feeds})
    with db.session() as s:
        publish(s, add_item, config, "cocuyo", 6, T0)
        publish(s, add_item, config, "elpitazo", 6, T0, start=50)
        assert statuses(s) == {"pending": 8, "held": 4}
        [fold] = fold_held(s, config, now=T0)
        assert "➕ Y 4 más de Efecto Cocuyo" in fold.payload["text"] and "(límite: 2 por hora)" in fold.payload["text"]


def test_a_new_figure_for_a_story_whose_message_was_held_is_told_in_a_message_of_its_own(db, make_config, add_item):
    """A story first told by a feed over its limit is only a title in the fold: a later
    report with a figure the story lacked, from a feed under its limit, must reach the
    channel (before, it was dropped as a reply to a message that was never sent)."""
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    feeds = [f.model_copy(update={"max_alerts_per_hour": 1}) if f.name == "elpitazo" else f for f in config.feeds]
    config = config.model_copy(update={"feeds": feeds})
    ents = [{"name": "Foro Penal", "type": "org"}, {"name": "Caracas", "type": "place"}]

    def released(n: int) -> dict[str, object]:
        return {"number": n, "event": "released", "confident": True, "source": "Foro Penal", "phrase": f"{n} excarcelados"}

    with db.session() as s:
        publish(s, add_item, config, "elpitazo", 1, T0)  # uses up El Pitazo's hour
        title = "Foro Penal confirma 14 excarcelaciones de presos políticos en Caracas"
        held = enqueue_for_item(s, add_item(s, "elpitazo", title, url="https://elpitazo.example/fp", published=T0),
                                Cls(PP, "high", {"political_prisoners": ["excarcelaciones"]}, entities=ents,
                                    counts=[released(14)]), config, now=T0)
        assert [(a.kind, a.status) for a in held] == [("new", "held")]
        story_id = held[0].story_id
        [fold] = fold_held(s, config, now=T0 + timedelta(minutes=1))

        later = T0 + timedelta(minutes=30)
        told = enqueue_for_item(
            s, add_item(s, "bbcmundo", "Foro Penal confirma 15 excarcelaciones de presos políticos en Caracas",
                        url="https://bbc.example/fp", published=later),
            Cls(PP, "high", {"political_prisoners": ["excarcelaciones"]}, entities=ents,
                counts=[released(15)]), config, now=later,
        )
        assert [(a.kind, a.status, a.story_id) for a in told] == [("new", "pending", story_id)]
        assert "15" in told[0].payload["text"] and "BBC Mundo" in told[0].payload["text"]
        folded = s.get(Alert, held[0].id)
        assert folded.status == "folded" and folded.story_id is None and f"#{fold.id}" in folded.last_error  # stays in its fold, out of the story

        # the same outlets again with no new figure: nothing more
        again = enqueue_for_item(
            s, add_item(s, "cocuyo", "Foro Penal confirma 15 excarcelaciones de presos políticos en Caracas",
                        url="https://cocuyo.example/fp", published=later),
            Cls(PP, "high", {"political_prisoners": ["excarcelaciones"]}, entities=ents,
                counts=[released(15)]), config, now=later,
        )
        assert [a.kind for a in again] == ["edit"]


def test_a_clock_set_back_a_day_does_not_hold_a_busy_feed_for_that_day(db, make_config, add_item):
    """Set back a day, the hour before the new now held the day of messages stamped after it:
    every alert of a feed that had reached its limit was held, and its fold waited behind one
    stamped a day ahead, so nothing of that feed reached the channel for a day. The hour
    counts what was queued in it by the new clock."""
    config = make_config([{"name": "pp", "chat_id": "@pp_channel", "topics": PP}])
    with db.session() as s:
        publish(s, add_item, config, "elpitazo", 25, T0)
        assert len(fold_held(s, config, now=T0)) == 1
        back = T0 - timedelta(days=1) + timedelta(minutes=5)
        publish(s, add_item, config, "elpitazo", 3, back, start=30)
        assert statuses(s) == {"pending": 24, "folded": 5}  # 20 + the fold + the 3 new ones
        publish(s, add_item, config, "elpitazo", 20, back + timedelta(minutes=1), start=40)
        assert statuses(s)["held"] == 3  # the limit still applies within the new hour
        assert len(fold_held(s, config, now=back + timedelta(minutes=2))) == 1
