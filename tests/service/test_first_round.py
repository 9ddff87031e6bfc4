"""The start-up round's bookkeeping (monitor/first_round.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.first_round import GRACE, LIMIT, FirstRound, Poll

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_classification_waits_until_every_feed_of_the_round_was_polled():
    r = FirstRound()
    r.start(["a", "b", "c"])
    assert r.polled("b") is Poll.WAITING
    assert r.polled("b") is Poll.WAITING  # polled twice: still waiting for a and c
    assert r.polled("a") is Poll.WAITING
    assert r.polled("c") is Poll.CLOSED  # the poll that ends the round classifies the backlog
    assert r.polled("a") is Poll.FREE  # afterwards each poll classifies its own items
    assert r.release() is False


def test_no_round_without_feeds_and_a_release_ends_it():
    r = FirstRound()
    r.start([])
    assert r.polled("a") is Poll.FREE
    r.start(["a", "b"])
    assert r.release() is True  # the deadline: classify what the feeds that answered brought
    assert r.polled("b") is Poll.FREE


def test_feeds_due_much_later_are_not_waited_for():
    r = FirstRound()
    due = {"soon": NOW + timedelta(seconds=40), "later": NOW + timedelta(minutes=3),
           "backoff": NOW + LIMIT + timedelta(minutes=45)}
    deadline = r.start_scheduled(due, NOW)
    assert deadline == NOW + timedelta(minutes=3) + GRACE
    assert r.waiting == {"soon", "later"}
    assert r.start_scheduled({"backoff": due["backoff"]}, NOW) is None
    assert r.waiting is None
