"""A poll's new items are stored in the order they were published (monitor/ingest/order.py);
where times tie, in the order the document implies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.ingest.normalize import NormalizedItem
from monitor.ingest.order import in_publication_order, lists_newest_first, sequence_numbers

DAY = datetime(2026, 2, 9, tzinfo=UTC)  # a feed that gives only dates: midnight


def item(name: str, published: datetime, *, dated: bool = True, guid: str | None = None,
         url: str | None = None) -> NormalizedItem:
    return NormalizedItem(guid=guid or name, url=url, canonical_url=url, title=name, summary="", text=None,
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


def post(name: str, day: datetime, number: int) -> NormalizedItem:
    return item(name, day, guid=f"https://elpitazo.example/?p={number}")


YESTERDAY = DAY - timedelta(days=1)


def test_a_feed_sorted_by_date_alone_is_read_by_its_ids_numbers():
    # the days newest first, each as it was listed, oldest first (a sort on the date alone):
    # read bottom-up, the day's follow-ups came before the reports they follow
    doc = [post("suma 14", DAY, 48213), post("suma 15", DAY, 48220), post("suma 16", DAY, 48231),
           post("ayer 1", YESTERDAY, 48102), post("ayer 2", YESTERDAY, 48150)]
    assert names(doc) == ["ayer 1", "ayer 2", "suma 14", "suma 15", "suma 16"]
    assert sequence_numbers(doc) == [48213, 48220, 48231, 48102, 48150]


def test_without_numbers_the_document_order_decides_as_before():
    doc = [item("suma 14", DAY, guid="tag:x,suma-catorce"), item("suma 15", DAY, guid="tag:x,suma-quince"),
           item("ayer", YESTERDAY, guid="tag:x,ayer")]
    assert sequence_numbers(doc) is None
    assert names(doc) == ["ayer", "suma 15", "suma 14"]  # bottom-up: a newest-first feed


def test_numbers_that_contradict_the_dates_are_not_trusted():
    # a post drafted before the others and published a day after them
    doc = [post("suma 16", DAY, 48231), post("suma 15", DAY, 48220), post("borrador", DAY, 47000),
           post("ayer", YESTERDAY, 48102)]
    assert sequence_numbers(doc) is None
    assert names(doc) == ["ayer", "borrador", "suma 15", "suma 16"]  # the document's order


def test_the_link_s_number_serves_when_the_ids_end_alike_or_are_ours():
    # ids that all end with the year, then our own id of an id-less entry (a hash)
    for guid in ("tag:elpitazo.example,2026:{}", "hash:9f{}e1"):
        doc = [item(n, d, guid=guid.format(n.replace(" ", "-")), url=f"https://elpitazo.example/nota/{k}")
               for n, d, k in [("suma 14", DAY, 812), ("suma 15", DAY, 815), ("ayer", YESTERDAY, 790)]]
        assert sequence_numbers(doc) == [812, 815, 790], guid
        assert names(doc) == ["ayer", "suma 14", "suma 15"]


def test_ids_ending_alike_are_no_sequence():
    # a day's date at the end of every link: the numbers tie, the document decides
    doc = [item(n, DAY, url=f"https://x.example/{n.replace(' ', '-')}/2026-02-09") for n in ("c", "b", "a")]
    assert sequence_numbers(doc) is None
    assert names(doc) == ["a", "b", "c"]


def test_one_date_for_all_numbers_that_run_one_way_give_the_order():
    # a page of one day's notes listed oldest first: newest first would be assumed without them
    doc = [post("primera", DAY, 101), post("segunda", DAY, 102), post("tercera", DAY, 109)]
    assert names(doc) == ["primera", "segunda", "tercera"]
    # numbers out of order on one date are not a sequence: the document decides (newest first)
    doc = [post("tercera", DAY, 105), post("segunda", DAY, 109), post("primera", DAY, 101)]
    assert sequence_numbers(doc) is None
    assert names(doc) == ["primera", "segunda", "tercera"]


def test_ids_ending_in_thousands_of_digits_are_no_sequence():
    # int() refuses a string of more than 4,300 digits: the poll failed on the event loop at
    # every try ("internal error: ValueError"), none of the document's items stored
    doc = [item(n, DAY, guid=f"https://elpitazo.example/?p={'9' * 5000}{k}") for n, k in [("c", 3), ("b", 2), ("a", 1)]]
    assert sequence_numbers(doc) is None
    assert names(doc) == ["a", "b", "c"]  # the document's order (newest first assumed)
    doc = [post(n, DAY, k) for n, k in [("primera", 10**29 + 1), ("segunda", 10**29 + 2), ("tercera", 10**29 + 3)]]
    assert sequence_numbers(doc) == [10**29 + 1, 10**29 + 2, 10**29 + 3]  # 30 digits still count


def test_two_entries_tell_nothing_by_their_numbers():
    doc = [post("primera", DAY, 101), post("segunda", DAY, 102)]
    assert sequence_numbers(doc) is None
    assert names(doc) == ["segunda", "primera"]  # newest first assumed, as before


def test_undated_entries_are_ordered_by_their_numbers_but_are_no_evidence():
    fetched = DAY + timedelta(hours=9)
    # the undated entries' numbers are below the dated ones': no contradiction counted, since
    # their time (the fetch's) says nothing
    doc = [item("u2", fetched, dated=False, guid="n/7"), item("u1", fetched, dated=False, guid="n/5"),
           item("b", DAY, guid="n/12"), item("a", YESTERDAY, guid="n/11")]
    assert sequence_numbers(doc) == [7, 5, 12, 11]
    assert names(doc) == ["a", "b", "u1", "u2"]


def test_a_note_drafted_before_the_others_keeps_its_place_in_the_document():
    # newest first; "tercera" was drafted first (the smallest number of the day) and published
    # third: the numbers say which way the day runs, the document where each note stands
    doc = [post("cuarta", DAY, 120), post("tercera", DAY, 90), post("segunda", DAY, 110),
           post("primera", DAY, 100), post("ayer", YESTERDAY, 80)]
    assert sequence_numbers(doc) is not None
    assert names(doc) == ["ayer", "primera", "segunda", "tercera", "cuarta"]
