"""A feed's polls of one pass told as one result (`PollResult.then`, monitor/service/polls.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.ingest import PollResult

T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)


def poll(status: str, new: list[int], *, held: int = 0, at: datetime = T0, **kw: object) -> PollResult:
    return PollResult(feed="archivo", status=status, new_item_ids=new, stored=len(new), held=held,  # type: ignore[arg-type]
                      polled_at=at, next_poll_at=at + timedelta(minutes=10), duration=1.5, **kw)  # type: ignore[arg-type]


def test_two_polls_add_up_and_keep_the_later_state() -> None:
    first = poll("new", [1, 2], held=3, skipped=4, refused=["10.0.0.1"])
    later = poll("new", [3, 4, 5], at=T0 + timedelta(seconds=2), skipped=6, refused=["10.0.0.1", "10.0.0.2"])
    both = first.then(later)
    assert (both.status, both.new_item_ids, both.stored, both.held, both.polls) == ("new", [1, 2, 3, 4, 5], 5, 0, 2)
    assert both.polled_at == T0 and both.next_poll_at == later.next_poll_at and both.duration == 3.0
    assert both.skipped == 4  # the later poll's "already stored" are the first poll's items
    assert both.refused == ["10.0.0.1", "10.0.0.2"]
    assert both.summary_line() == (
        "archivo: 5 new (links refused: 10.0.0.1, 10.0.0.2; stored over 2 polls (max_new_items_per_poll))")


def test_a_later_poll_that_stores_nothing_leaves_the_pass_new_and_a_failed_one_its_error() -> None:
    first = poll("new", [1, 2], held=3)
    assert first.then(poll("unchanged", [])).status == "new"
    failed = first.then(poll("error", [], error="HTTP 500", consecutive_failures=1))
    assert failed.status == "error" and failed.new_item_ids == [1, 2]
    assert failed.summary_line().startswith("archivo: error: HTTP 500 (1 failure in a row")


def test_a_failed_later_poll_still_tells_what_the_earlier_ones_stored() -> None:
    first = poll("new", [1, 2], held=3, backfilled=4)
    second = poll("new", [3], held=1, at=T0 + timedelta(seconds=2))
    failed = first.then(second).then(poll("error", [], error="HTTP 500", consecutive_failures=1))
    assert failed.summary_line() == (
        "archivo: error: HTTP 500 (1 failure in a row, next try in 10m); before it, 3 new, "
        "4 older stored without alerts by its first 2 polls")
    once = first.then(poll("error", [], error="timed out", consecutive_failures=2))
    assert once.summary_line().endswith("; before it, 2 new, 4 older stored without alerts by its first poll")
    alone = poll("error", [], error="HTTP 500", consecutive_failures=1)
    assert alone.summary_line() == "archivo: error: HTTP 500 (1 failure in a row, next try in 10m)"
