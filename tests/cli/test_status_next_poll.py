"""The "next poll" column of `monitor status` and the status page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.status import next_poll

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_a_poll_to_come_says_when():
    assert next_poll(NOW + timedelta(minutes=4), NOW) == "in 4m"


def test_a_poll_whose_time_has_come_is_due_not_0s_ago():
    assert next_poll(NOW, NOW) == "due"
    assert next_poll(NOW - timedelta(seconds=59), NOW) == "due"


def test_a_poll_long_past_its_time_is_overdue():
    """A stopped service, or polls held up: the operator sees how late, not "12m ago"."""
    assert next_poll(NOW - timedelta(minutes=12), NOW) == "overdue 12m"


def test_no_poll_planned_is_a_dash():
    assert next_poll(None, NOW) == "-"
