"""When the worker takes failures for an outage of the Bot API, and when for one chat's."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts.api_health import ApiHealth


def test_failures_in_two_channels_with_no_send_between_are_an_outage() -> None:
    health = ApiHealth()
    for channel in ("pp", "us", "pp"):
        health.failed(channel)
    assert health.in_outage
    assert health.answered() is True  # the first send after it ends it
    assert health.answered() is False and not health.in_outage


def test_one_chat_failing_alone_is_no_outage() -> None:
    health = ApiHealth()
    for _ in range(10):
        health.failed("pp")
    assert not health.in_outage and health.answered() is False


def test_a_send_between_failures_starts_the_count_again() -> None:
    health = ApiHealth()
    health.failed("pp")
    health.failed("us")
    assert health.answered() is False
    health.failed("pp")
    assert not health.in_outage


def test_the_status_says_since_when_sends_fail() -> None:
    health = ApiHealth()
    first, later = datetime(2026, 12, 2, 3, 0, tzinfo=UTC), datetime(2026, 12, 2, 3, 1, tzinfo=UTC)
    health.failed("pp", first)
    health.failed("us", later)
    health.failed("pp", later)
    assert health.status() == {"outage": True, "failures_in_a_row": 3, "failing_since": first.isoformat()}
    health.answered()
    assert health.status() == {"outage": False, "failures_in_a_row": 0, "failing_since": None}
