"""Leases (storage/leases.py) on SQLite and PostgreSQL: one holder at a time, renewal,
take-over after expiry, release, and one winner when replicas race for a free lease."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.leases import (
    LEADER,
    claim_work,
    holder_of,
    menu_chat,
    poll_lease,
    release,
    remember_menu_chat,
    take,
    update_lease,
)

TTL = timedelta(seconds=10)


def test_one_holder_renewal_and_take_over_after_expiry(any_db: Database) -> None:
    t0 = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    with any_db.session() as s:
        assert take(s, LEADER, "a", TTL, now=t0)
    with any_db.session() as s:
        assert not take(s, LEADER, "b", TTL, now=t0 + timedelta(seconds=5))
        assert take(s, LEADER, "a", TTL, now=t0 + timedelta(seconds=8))  # renewed to 18 s
    with any_db.session() as s:
        assert not take(s, LEADER, "b", TTL, now=t0 + timedelta(seconds=15))
        assert holder_of(s, LEADER, now=t0 + timedelta(seconds=15)) == "a"
    with any_db.session() as s:  # a stopped renewing (killed): b takes over once it expires
        assert holder_of(s, LEADER, now=t0 + timedelta(seconds=19)) is None
        assert take(s, LEADER, "b", TTL, now=t0 + timedelta(seconds=19))
        assert not take(s, LEADER, "a", TTL, now=t0 + timedelta(seconds=20))
    with any_db.session() as s:
        assert not release(s, LEADER, "a")
        assert release(s, LEADER, "b")
        assert take(s, LEADER, "a", TTL, now=t0 + timedelta(seconds=21))


def test_feed_leases_are_independent(any_db: Database) -> None:
    with any_db.session() as s:
        assert take(s, poll_lease("f1"), "a", TTL)
        assert take(s, poll_lease("f2"), "b", TTL)
        assert not take(s, poll_lease("f1"), "b", TTL)


def test_one_winner_when_replicas_race(any_db: Database) -> None:
    for round_ in range(5):
        name = poll_lease(f"race{round_}")
        barrier = threading.Barrier(4)
        won: list[str] = []

        def replica(me: str, name: str = name, barrier: threading.Barrier = barrier,
                    won: list[str] = won) -> None:
            barrier.wait()
            with any_db.session() as s:
                if take(s, name, me, TTL):
                    won.append(me)

        threads = [threading.Thread(target=replica, args=(f"r{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert len(won) == 1, won


def test_the_menus_chat_is_remembered_apart_from_the_leases(any_db: Database) -> None:
    """`menu:admin-chat` (alerts/admin_menu.py) names the chat holding the command menu across
    starts: never expired, untouched by the claims' clean-up and the leader's lease."""
    with any_db.session() as s:
        assert menu_chat(s) is None
        remember_menu_chat(s, "-1001234567890")
    with any_db.session() as s:
        assert claim_work(s, update_lease(1), "a", TTL) == "mine"  # deletes ended claims
        assert take(s, LEADER, "a", TTL)
        assert menu_chat(s) == "-1001234567890"
        remember_menu_chat(s, "4242")
    with any_db.session() as s:
        assert menu_chat(s) == "4242"
        remember_menu_chat(s, None)
    with any_db.session() as s:
        assert menu_chat(s) is None
