"""The matcher's time is when an item was published, not when it was polled
(alerts.stories.assign.story_time): a backlog classified at once keeps its hours apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerts.outbox import enqueue_for_item
from alerts.stories.assign import story_time
from monitor.match import build_classifier
from monitor.pipeline import store_classification

NOW = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
CHANNELS = [{"name": "all", "chat_id": "@all_channel", "topics": ["political_prisoners", "us_actions"]}]


def test_story_time_is_the_publication_time_never_in_the_future():
    assert story_time(NOW - timedelta(hours=5), NOW) == NOW - timedelta(hours=5)
    assert story_time(NOW + timedelta(hours=1), NOW) == NOW  # a date in the future: now
    assert story_time(NOW - timedelta(days=9), NOW) == NOW - timedelta(days=9)  # older than the window too
    assert story_time(None, NOW) == NOW
    naive = (NOW - timedelta(hours=2)).replace(tzinfo=None)  # an item built in code
    assert story_time(naive, NOW) == NOW - timedelta(hours=2)


def test_items_classified_together_keep_the_hours_between_their_publications(
    db: Any, make_config: Any, add_item: Any
) -> None:
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)
    titles = [
        ("elpitazo", "Foro Penal contabiliza 21 presos políticos excarcelados", timedelta(hours=20)),
        ("cocuyo", "Foro Penal suma 23 presos políticos excarcelados", timedelta(hours=2)),
    ]
    with db.session() as s:
        for feed, title, age in titles:  # both polled and classified at NOW
            item = add_item(s, feed, title, published=NOW - age)
            enqueue_for_item(s, item, classifier.classify(title=title, lang="es"), config, now=NOW)
        second = item
        assert second.story_match["decision"] == "joined"
        assert second.story_match["hours"] == 18.0  # publication hours apart, not 0


def test_a_slow_feeds_older_tally_names_its_outlet_but_makes_no_reply(
    db: Any, make_config: Any, add_item: Any
) -> None:
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)

    def put(feed: str, title: str, published: datetime, now: datetime) -> list[str]:
        with db.session() as s:  # as the pipeline does: the item's counts stored, then its alerts
            item = add_item(s, feed, title, published=published)
            c = classifier.classify(title=title, lang="es")
            store_classification(s, item, c, now)
            return [a.kind for a in enqueue_for_item(s, item, c, config, now=now)]

    assert put("elpitazo", "Foro Penal suma 15 presos políticos excarcelados", NOW, NOW) == ["new"]
    # published an hour before the alert's figure, polled 20 minutes after it
    older = put("cocuyo", "Foro Penal suma 14 presos políticos excarcelados",
                NOW - timedelta(hours=1), NOW + timedelta(minutes=20))
    assert older == ["edit"]  # the outlet is named; "14" is not told as news after "15"
    newer = put("efecto", "Foro Penal suma 16 presos políticos excarcelados",
                NOW + timedelta(minutes=30), NOW + timedelta(minutes=31))
    assert newer == ["update"]
    # a rival source's figure published earlier is still its own news
    rival = put("bbc", "Gobierno dice que excarceló a 40 presos políticos",
                NOW - timedelta(hours=2), NOW + timedelta(minutes=40))
    assert "update" in rival or rival == ["new"]


def test_a_live_title_reused_on_another_day_stays_apart_in_a_backlog(
    db: Any, make_config: Any, add_item: Any
) -> None:
    """An outlet reuses its live-blog title each day; both pages polled in one pass (a first
    poll, a restart) are still two days' coverage, by their publication times."""
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)
    title = "EN VIVO | Minuto a minuto de la excarcelación de presos políticos en Venezuela"
    polled = NOW + timedelta(hours=27)
    stories = []
    with db.session() as s:
        for published in [NOW, NOW + timedelta(hours=26)]:
            item = add_item(s, "bbcmundo", title, published=published)
            c = classifier.classify(title=title, lang="es")
            store_classification(s, item, c, polled)
            enqueue_for_item(s, item, c, config, now=polled)
            stories.append(item.story_id)
    assert stories[0] != stories[1]


def _place(db: Any, config: Any, add_item: Any, rows: list[tuple[str, str, datetime]], now: datetime) -> list[Any]:
    """Classify and place `rows` (feed, title, published) in publication order at `now`."""
    classifier = build_classifier(config.topics, config.entities)
    placed = []
    with db.session() as s:
        for feed, title, published in sorted(rows, key=lambda r: r[2]):
            item = add_item(s, feed, title, published=published)
            c = classifier.classify(title=title, lang="es")
            store_classification(s, item, c, now)
            enqueue_for_item(s, item, c, config, now=now)
            placed.append((item.story_id, dict(item.story_match or {})))
    return placed


@pytest.mark.parametrize(("gap", "joined"), [(timedelta(hours=18), True), (timedelta(days=4), False)])
def test_days_replayed_long_after_keep_their_hours(
    db: Any, make_config: Any, add_item: Any, gap: timedelta, joined: bool
) -> None:
    """Days older than the story window, classified in one pass (an operator's replay with a
    long backfill window, an outside check): the matcher goes by their publication hours, not
    by one instant at the window's edge. Tallies 18 hours apart are one story, 18 hours apart;
    four days apart, the first story has left the window, as it would have live."""
    config = make_config(CHANNELS, backfill_window=timedelta(days=365))
    then = NOW - timedelta(days=40)
    placed = _place(db, config, add_item, [
        ("elpitazo", "Foro Penal contabiliza 21 presos políticos excarcelados", then),
        ("cocuyo", "Foro Penal suma 23 presos políticos excarcelados", then + gap),
    ], NOW)
    assert (placed[1][0] == placed[0][0]) is joined
    if joined:
        assert placed[1][1]["hours"] == 18.0
    else:
        assert placed[1][1]["decision"] == "new"


def test_people_on_top_of_a_tally_are_a_plus_and_supersede_no_total(
    db: Any, make_config: Any, add_item: Any
) -> None:
    """"liberó a otros tres" adds to Foro Penal's total: the reply says +3, and a slow feed's
    "suma 14" published before it is still the newest total (not older news)."""
    config = make_config(CHANNELS)
    classifier = build_classifier(config.topics, config.entities)

    def put(feed: str, title: str, published: datetime, now: datetime) -> list[Any]:
        with db.session() as s:
            item = add_item(s, feed, title, published=published)
            c = classifier.classify(title=title, lang="es")
            store_classification(s, item, c, now)
            return [(a.kind, a.payload.get("text", "")) for a in enqueue_for_item(s, item, c, config, now=now)]

    assert [k for k, _ in put("elpitazo", "Foro Penal suma 12 presos políticos excarcelados", NOW, NOW)] == ["new"]
    more = put("infobae", "El Foro Penal informó que el régimen liberó a otros tres presos políticos",
               NOW + timedelta(hours=2), NOW + timedelta(hours=2))
    assert [k for k, _ in more] == ["update"]
    assert "+3 verificados por Foro Penal" in more[0][1]
    slow = put("cocuyo", "Foro Penal suma 14 presos políticos excarcelados",
               NOW + timedelta(hours=1), NOW + timedelta(hours=3))
    assert "update" in [k for k, _ in slow]
    assert any("14 verificados por Foro Penal" in text and "+14" not in text for _, text in slow)
