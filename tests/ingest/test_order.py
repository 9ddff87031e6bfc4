"""A poll's new items are stored in the order they were published (monitor/ingest/order.py);
where times tie, in the order the document implies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.ingest.normalize import NormalizedItem
from monitor.ingest.order import in_publication_order, lists_newest_first

DAY = datetime(2026, 2, 9, tzinfo=UTC)  # a feed that gives only dates: midnight


def item(name: str, published: datetime, *, dated: bool = True) -> NormalizedItem:
    return NormalizedItem(guid=name, url=None, canonical_url=None, title=name, summary="", text=None,
                          language="es", published_at=published, dated=dated, content_hash=name)


def names(items: list[NormalizedItem]) -> list[str]:
    return in_publication_order(items, [i.title for i in items])


def test_a_newest_first_feed_of_dates_is_stored_bottom_up():
    # the day's three tallies listed newest first, yesterday's item last
    doc = [item("suma 16", DAY), item("suma 15", DAY), item("suma 14", DAY),
           item("ayer", DAY - timedelta(days=1))]
    assert lists_newest_first(doc)
    assert names(doc) == ["ayer", "suma 14", "suma 15", "suma 16"]


def test_an_oldest_first_document_is_stored_as_it_runs():
    doc = [item("ayer", DAY - timedelta(days=1)), item("suma 14", DAY), item("suma 15", DAY),
           item("suma 16", DAY)]
    assert not lists_newest_first(doc)
    assert names(doc) == ["ayer", "suma 14", "suma 15", "suma 16"]


def test_times_come_first_whatever_the_document_order():
    doc = [item("b", DAY + timedelta(hours=2)), item("c", DAY + timedelta(hours=5)), item("a", DAY)]
    assert names(doc) == ["a", "b", "c"]


@pytest.mark.parametrize("dated", [True, False])
def test_with_no_evidence_newest_first_is_assumed(dated: bool):
    # every entry at one time: a page of dates only, or undated entries (the fetch time)
    doc = [item("tercera", DAY, dated=dated), item("segunda", DAY, dated=dated),
           item("primera", DAY, dated=dated)]
    assert names(doc) == ["primera", "segunda", "tercera"]


def test_undated_entries_do_not_count_as_evidence():
    # the fetch time of an undated entry says nothing of the document's direction: the two
    # dated entries run oldest first (counting the undated one would make it a tie)
    fetched = DAY + timedelta(hours=9)
    doc = [item("x", fetched, dated=False), item("older", DAY - timedelta(days=3)),
           item("old", DAY - timedelta(days=2))]
    assert not lists_newest_first(doc)
    assert names(doc) == ["older", "old", "x"]


def test_rows_travel_with_their_items():
    doc = [item("b", DAY), item("a", DAY - timedelta(hours=1))]
    assert in_publication_order(doc, [("b", False), ("a", True)]) == [("a", True), ("b", False)]
