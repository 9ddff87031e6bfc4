from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.config import Selectors
from devtools.samples import SampleItem, atom, json_feed, rss
from monitor.parse import parse_any, parse_date, read_date
from monitor.parse.feeds import cut_entries
from monitor.parse.page import parse_page

WHEN = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def items(n: int = 3) -> list[SampleItem]:
    return [
        SampleItem(f"Título {i}", f"https://ex.org/n/{i}", f"<p>Resumen {i}</p>", guid=f"g{i}",
                   published=WHEN)
        for i in range(n)
    ]


def test_rss_entries() -> None:
    parsed = parse_any(rss(items()), {"content-type": "application/rss+xml"}, "https://ex.org/f")
    assert not parsed.fatal and parsed.problems == []
    assert [e.guid for e in parsed.entries] == ["g0", "g1", "g2"]
    first = parsed.entries[0]
    assert first.title == "Título 0" and first.link == "https://ex.org/n/0"
    assert first.published == WHEN
    assert "Resumen 0" in first.summary


def test_atom_entries() -> None:
    parsed = parse_any(atom(items(2)), {}, "https://ex.org/f")
    assert parsed.format == "atom10"
    assert [e.link for e in parsed.entries] == ["https://ex.org/n/0", "https://ex.org/n/1"]
    assert parsed.entries[0].published == WHEN


def test_item_language_only_when_item_says_so() -> None:
    body = rss(items(1), language="en-us")
    parsed = parse_any(body, {}, "https://ex.org/f")
    assert parsed.entries[0].language is None
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es">'
        b"<title>x</title><id>x</id><entry xml:lang=\"en\"><title>Hi</title><id>1</id>"
        b'<link href="https://ex.org/1"/></entry><entry><title>Hola</title><id>2</id></entry></feed>'
    )
    parsed = parse_any(body, {}, "https://ex.org/f")
    assert [e.language for e in parsed.entries] == ["en", None]


def test_json_feed_with_url_version_and_bare_versions() -> None:
    for version, fmt in [("https://jsonfeed.org/version/1.1", "json11"), ("1.0", "json10"),
                         ("1.1", "json11"), ("https://jsonfeed.org/version/1", "json10")]:
        parsed = parse_any(json_feed(items(2), version=version), {}, "https://ex.org/f")
        assert parsed.format == fmt, version
        assert [e.guid for e in parsed.entries] == ["g0", "g1"]
        assert parsed.entries[0].published == WHEN


def test_invalid_json_is_fatal_not_raised() -> None:
    parsed = parse_any(b'{"version": "1.1", "items": [', {}, "https://ex.org/f")
    assert parsed.fatal and "invalid JSON" in (parsed.problem or "")


def test_bozo_feed_keeps_entries_and_reports() -> None:
    body = rss(items(2)).replace(b"</channel></rss>", b"<item><title>broken & bad</title>")
    parsed = parse_any(body, {}, "https://ex.org/f")
    assert len(parsed.entries) >= 2
    assert not parsed.fatal
    assert parsed.problem


def test_html_served_as_feed_is_fatal() -> None:
    body = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>hi</p></body></html>"
    parsed = parse_any(body, {"content-type": "text/html"}, "https://ex.org/f")
    assert parsed.fatal and "not a feed" in (parsed.problem or "")
    # what the operator does about it is said where the error is read (status, the admin chat)
    assert "monitor feeds add URL" in (parsed.problem or "") and "type: page" in (parsed.problem or "")


def test_empty_body_is_fatal() -> None:
    assert parse_any(b"", {}, "https://ex.org/f").fatal
    assert parse_any(b"  \n", {}, "https://ex.org/f").fatal


def test_latin1_served_as_utf8() -> None:
    body = rss([SampleItem("Liberación en Caracas", "https://ex.org/1", "Año nuevo")],
               encoding="iso-8859-1").replace(b'encoding="iso-8859-1"', b'encoding="utf-8"')
    parsed = parse_any(body, {"content-type": "application/rss+xml; charset=utf-8"},
                       "https://ex.org/f")
    assert parsed.entries[0].title == "Liberación en Caracas"
    assert parsed.problem  # the mismatch is recorded


PAGE = """<html><head><meta charset="utf-8"><title>Press</title></head><body>
<ul>
 <li class="r"><a class="t" href="/press/1?utm_source=x">Statement on Venezuela</a>
   <time datetime="2026-01-05T10:30:00Z">Jan 5</time><p class="s">Summary one</p></li>
 <li class="r"><a class="t" href="https://other.org/2">Second</a>
   <span class="d">3 de enero de 2026</span></li>
 <li class="r"><span>no link nor title</span></li>
</ul></body></html>"""


def test_page_selectors() -> None:
    sel = Selectors(item="li.r", title="a.t", link="a.t@href", date="time@datetime",
                    summary="p.s")
    parsed = parse_page(PAGE.encode(), {"content-type": "text/html"}, "https://gov.example/p/",
                        sel)
    assert [e.link for e in parsed.entries] == [
        "https://gov.example/press/1?utm_source=x", "https://other.org/2"]
    assert parsed.entries[0].title == "Statement on Venezuela"
    assert parsed.entries[0].published == WHEN
    assert parsed.entries[0].summary == "Summary one"
    assert parsed.problem and "1 of 3" in parsed.problem
    sel = Selectors(item="li.r", title="a.t", link="a.t", date="span.d")
    parsed = parse_page(PAGE.encode(), {}, "https://gov.example/p/", sel)
    assert parsed.entries[1].published == datetime(2026, 1, 3, tzinfo=UTC)
    assert parsed.entries[0].link == "https://gov.example/press/1?utm_source=x"


def test_page_selector_matching_nothing_is_fatal() -> None:
    sel = Selectors(item="div.nothing", title="a", link="a@href")
    parsed = parse_page(PAGE.encode(), {}, "https://gov.example/", sel)
    assert parsed.fatal and "matched nothing" in (parsed.problem or "")


def test_page_latin1_with_wrong_header() -> None:
    body = PAGE.replace('<meta charset="utf-8">', "").replace("Second", "Liberación").encode(
        "latin-1")
    sel = Selectors(item="li.r", title="a.t", link="a.t@href")
    parsed = parse_page(body, {"content-type": "text/html; charset=utf-8"}, "https://g.ex/", sel)
    assert parsed.entries[1].title == "Liberación"


def test_parse_date_formats() -> None:
    assert parse_date("2026-01-05T10:30:00Z") == WHEN
    assert parse_date("Mon, 05 Jan 2026 10:30:00 GMT") == WHEN
    assert parse_date("January 5, 2026") == datetime(2026, 1, 5, tzinfo=UTC)
    assert parse_date("5 de enero de 2026") == datetime(2026, 1, 5, tzinfo=UTC)
    assert parse_date("not a date") is None
    assert parse_date("") is None


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("Mié, 03 Dic 2025 10:00:00 -0400", datetime(2025, 12, 3, 14, 0, tzinfo=UTC)),
        ("mie, 03 dic 2025 10:00:00 GMT", datetime(2025, 12, 3, 10, 0, tzinfo=UTC)),
        ("Sáb, 06 Sept 2025 23:30 -0400", datetime(2025, 9, 7, 3, 30, tzinfo=UTC)),
        ("lun, 05 ene 2026 10:30:00 +0000", WHEN),
        ("Mar, 04 Mar 2025 08:00:00 GMT", datetime(2025, 3, 4, 8, 0, tzinfo=UTC)),
        ("Dom, 07 Dic 2025 10:00:00 -0400", datetime(2025, 12, 7, 14, 0, tzinfo=UTC)),
        ("vie, 15 ago 2025 10:00:00 +0200", datetime(2025, 8, 15, 8, 0, tzinfo=UTC)),
        ("jue, 1 abr 2027 00:00:00 GMT", datetime(2027, 4, 1, tzinfo=UTC)),
    ],
)
def test_rfc822_with_spanish_names_keeps_time_and_offset(text: str, utc: datetime) -> None:
    assert read_date(text) == (utc, False)


def test_a_date_without_a_time_of_day_is_said_so() -> None:
    midnight = datetime(2025, 12, 3, tzinfo=UTC)
    for text in ("2025-12-03", "3 de diciembre de 2025", "Wed, 03 Dec 2025", "December 3, 2025"):
        assert read_date(text) == (midnight, True), text
    for text in ("2025-12-03T00:00:00Z", "Wed, 03 Dec 2025 00:00:00 GMT", "2025-12-03 00:00"):
        assert read_date(text) == (midnight, False), text


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("December 3, 2025 10:30 PM", (2025, 12, 3, 22, 30)),
        ("Dec 3, 2025 10:30 pm", (2025, 12, 3, 22, 30)),
        ("Wed, 03 Dec 2025 10:30 PM", (2025, 12, 3, 22, 30)),
        ("03 Dic 2025 10:30 p. m.", (2025, 12, 3, 22, 30)),
        ("2025-12-03 10:30 p.m.", (2025, 12, 3, 22, 30)),
        ("December 3, 2025 12:15 AM", (2025, 12, 3, 0, 15)),
        ("December 3, 2025 12:15 PM", (2025, 12, 3, 12, 15)),
        ("3 Dec 2025 9:05 am", (2025, 12, 3, 9, 5)),
    ],
)
def test_a_time_with_am_or_pm_keeps_its_half_of_the_day(text: str, local: tuple[int, ...]) -> None:
    """"December 3, 2025 10:30 PM" was read as 10:30 (the RFC 822 reader took "PM" for an
    unknown zone), and "12:15 AM" as noon: items 12 h early or late."""
    caracas = ZoneInfo("America/Caracas")
    assert read_date(text, caracas) == (datetime(*local, tzinfo=caracas).astimezone(UTC), False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2:45 PM, January 14, 2026", datetime(2026, 1, 14, 14, 45, tzinfo=ZoneInfo("America/Caracas"))),
        ("10:30 - 14 de enero de 2026", datetime(2026, 1, 14, 10, 30, tzinfo=ZoneInfo("America/Caracas"))),
        ("14 de enero de 2026, 10:30 p. m.", datetime(2026, 1, 14, 22, 30, tzinfo=ZoneInfo("America/Caracas"))),
        ("Publicado el 14 de enero de 2026 a las 9:05", datetime(2026, 1, 14, 9, 5, tzinfo=ZoneInfo("America/Caracas"))),
        ("Updated 2:45 PM EST, Wed January 14, 2026", datetime(2026, 1, 14, 19, 45, tzinfo=UTC)),
        ("January 14, 2026 14:45:00 -0500", datetime(2026, 1, 14, 19, 45, tzinfo=UTC)),
        ("14:45 GMT, 14 January 2026", datetime(2026, 1, 14, 14, 45, tzinfo=UTC)),
    ],
)
def test_a_time_written_before_or_after_a_written_date_is_read(text: str, expected: datetime) -> None:
    """feedparser read "2:45 PM, January 14, 2026" and "10:30 - 14 de enero de 2026" as TODAY at
    that time (the year matched the current one): a January item stored as news of the day and
    alerted. A time after a Spanish written date, or before an English one, was dropped."""
    assert read_date(text, ZoneInfo("America/Caracas")) == (expected.astimezone(UTC), False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14-ene-2026", (datetime(2026, 1, 14, tzinfo=UTC), True)),
        ("14/Ene/2026 09:30", (datetime(2026, 1, 14, 13, 30, tzinfo=UTC), False)),
        ("ENERO 12 DE 2026", (datetime(2026, 1, 12, tzinfo=UTC), True)),
        ("Enero 12 de 2026 - 10:30 a. m.", (datetime(2026, 1, 12, 14, 30, tzinfo=UTC), False)),
    ],
)
def test_a_month_name_between_hyphens_or_before_the_day_with_de_is_read(
    text: str, expected: tuple[datetime, bool],
) -> None:
    """"14-ene-2026" and Colombia's "Enero 12 de 2026" (Caracol Noticias writes its dates so)
    were no date: each item of such a page took its fetch time, and a page's old notes listed
    again were alerted as news."""
    assert read_date(text, ZoneInfo("America/Caracas")) == expected


def test_an_rss_date_with_pm_keeps_its_half_of_the_day() -> None:
    body = (b'<rss version="2.0"><channel><title>t</title><item><title>x</title><guid>g</guid>'
            b"<pubDate>Wed, 03 Dec 2025 10:30 PM -0400</pubDate></item></channel></rss>")
    entry = parse_any(body, {}, "https://ex.org/").entries[0]
    assert entry.published == datetime(2025, 12, 4, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-12-03 22:30:00 UTC", datetime(2025, 12, 3, 22, 30, tzinfo=UTC)),  # Ruby's Time#to_s
        ("2025-12-03 22:30 GMT", datetime(2025, 12, 3, 22, 30, tzinfo=UTC)),
        ("2025-12-03T22:30:00.123 UTC", datetime(2025, 12, 3, 22, 30, tzinfo=UTC)),
        ("2025-12-03 22:30:00 EST", datetime(2025, 12, 4, 3, 30, tzinfo=UTC)),
        ("2025-12-03 22:30:00 VET", datetime(2025, 12, 4, 2, 30, tzinfo=UTC)),  # Venezuela's name
    ],
)
def test_an_iso_time_with_a_zone_name_keeps_its_time(text: str, utc: datetime) -> None:
    """feedparser read "2025-12-03 22:30:00 UTC" as 00:00 of that day (and said it had a
    time): the item 22.5 h early."""
    assert read_date(text, ZoneInfo("America/Caracas")) == (utc, False)
    body = ('<rss version="2.0"><channel><title>t</title><item><title>x</title><guid>g</guid>'
            f"<pubDate>{text}</pubDate></item></channel></rss>").encode()
    assert parse_any(body, {}, "https://ex.org/").entries[0].published == utc


def test_feed_entries_say_when_their_date_has_no_time() -> None:
    def rss_dated(date: str) -> bytes:
        return (f'<rss version="2.0"><channel><title>t</title><item><title>x</title>'
                f"<guid>g</guid><pubDate>{date}</pubDate></item></channel></rss>").encode()

    entry = parse_any(rss_dated("Wed, 03 Dec 2025"), {}, "https://ex.org/").entries[0]
    assert entry.published == datetime(2025, 12, 3, tzinfo=UTC) and entry.date_only
    entry = parse_any(rss_dated("Wed, 03 Dec 2025 10:00:00 GMT"), {}, "https://ex.org/").entries[0]
    assert not entry.date_only
    # feedparser cannot read Spanish names: the text is read again
    entry = parse_any(rss_dated("Mié, 03 Dic 2025 10:00:00 -0400"), {}, "https://ex.org/").entries[0]
    assert entry.published == datetime(2025, 12, 3, 14, tzinfo=UTC) and not entry.date_only


def test_cut_entries_keeps_the_first_entries_and_the_document_whole() -> None:
    items = [SampleItem(f"Nota {n}", f"https://news.example/{n}", "texto") for n in range(50)]
    for document in (rss(items), atom(items)):
        cut, total = cut_entries(document, 10)
        assert total == 50 and len(cut) < len(document)
        parsed = parse_any(cut, {"content-type": "application/xml"}, "https://news.example/feed")
        assert [e.title for e in parsed.entries] == [f"Nota {n}" for n in range(10)]
        assert not parsed.problems  # the document's own closing tags were kept
        assert cut_entries(document, 50) == (document, 50)  # nothing to cut


def test_cut_entries_on_namespaced_and_odd_input() -> None:
    rdf = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           b'xmlns:rss="http://purl.org/rss/1.0/">'
           + b"".join(b"<rss:item><rss:title>t%d</rss:title></rss:item>" % n for n in range(5))
           + b"</rdf:RDF>")
    cut, total = cut_entries(rdf, 2)
    assert total == 5 and cut.endswith(b"</rss:item></rdf:RDF>") and cut.count(b"</rss:item>") == 2
    assert cut_entries(b"", 3) == (b"", 0)
    assert cut_entries(b"</item></item>", 0) == (b"</item></item>", 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03-12-2025", (datetime(2025, 12, 3, tzinfo=UTC), True)),
        ("15-12-2025", (datetime(2025, 12, 15, tzinfo=UTC), True)),
        ("3/12/2025", (datetime(2025, 12, 3, tzinfo=UTC), True)),
        ("03.12.2025", (datetime(2025, 12, 3, tzinfo=UTC), True)),
        ("Publicado: 03-12-2025 | 10:30", (datetime(2025, 12, 3, 10, 30, tzinfo=UTC), False)),
        ("03/12/2025 10:30 p. m.", (datetime(2025, 12, 3, 22, 30, tzinfo=UTC), False)),
        ("12/25/2025", (datetime(2025, 12, 25, tzinfo=UTC), True)),  # only month first is valid
        ("2025/12/03", (datetime(2025, 12, 3, tzinfo=UTC), True)),
        ("31/31/2025", None),
        # feedparser's guesses whose year the text does not write are refused
        ("03-12-20", None),  # 2003-12-20
        ("12-2025", None),  # 2012-07-20
        ("03122025", None),  # the year 312
    ],
)
def test_numeric_dates_are_read_day_first(
    text: str, expected: tuple[datetime, bool] | None
) -> None:
    assert read_date(text) == expected


# 12 January 2026 at 20:00 UTC: the fetch two-digit years are read near
FETCH = datetime(2026, 1, 12, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.01.26", (datetime(2026, 1, 12, tzinfo=UTC), True)),
        ("12/01/26", (datetime(2026, 1, 12, tzinfo=UTC), True)),
        ("12-01-26", (datetime(2026, 1, 12, tzinfo=UTC), True)),
        ("2/1/26", (datetime(2026, 1, 2, tzinfo=UTC), True)),
        ("12.01.26 10:30", (datetime(2026, 1, 12, 14, 30, tzinfo=UTC), False)),  # Caracas, UTC-4
        ("12/01/26 - 9:30 a. m.", (datetime(2026, 1, 12, 13, 30, tzinfo=UTC), False)),
        ("Publicado: 12.01.26 | 10:30 p. m.", (datetime(2026, 1, 13, 2, 30, tzinfo=UTC), False)),
        ("9:30 - 12/01/26", (datetime(2026, 1, 12, 13, 30, tzinfo=UTC), False)),
        ("25/12/25", (datetime(2025, 12, 25, tzinfo=UTC), True)),  # last Christmas
        ("12/25/25", (datetime(2025, 12, 25, tzinfo=UTC), True)),  # only month first is valid
        ("13.01.26", (datetime(2026, 1, 13, tzinfo=UTC), True)),  # tomorrow's date, UTC: the ingest's rule decides
        ("12.01.2026", (datetime(2026, 1, 12, tzinfo=UTC), True)),
    ],
)
def test_a_two_digit_year_is_read_near_the_fetch(text: str, expected: tuple[datetime, bool]) -> None:
    """Spanish outlets write "12.01.26": it was no date (feedparser's reading, if any, had a
    year the text does not write), and the item took its fetch time."""
    assert read_date(text, ZoneInfo("America/Caracas"), now=FETCH) == expected


@pytest.mark.parametrize(
    "text",
    [
        "12.01.99",  # 2099: ahead of the fetch
        "03-12-20",  # 2020: over a year before it
        "15.01.26",  # three days ahead
        "1.2.26", "v1.12.25", "versión 2.10.25",  # a version's shape: dots need two digits each,
        "1.200", "1.200.300", "2-1", "3-1-0",  # a figure, a score
        "10.12.26.4", "12.01.26.5", "192.168.1.10",  # an address, a longer number
        "12.13.26", "32/01/26",  # no such month or day either way
        "12.01.26h",
    ],
)
def test_strings_that_are_no_two_digit_year_date(text: str) -> None:
    assert read_date(text, ZoneInfo("America/Caracas"), now=FETCH) is None


def test_a_page_reads_its_two_digit_years_in_its_date_order() -> None:
    """"12/01/26" is 12 January read day first (as Spanish writes), 1 December on a page
    configured month first or whose dates show it (11/25/26)."""
    december = datetime(2026, 12, 3, 12, tzinfo=UTC)

    def first_date(body: bytes, **order: str) -> datetime | None:
        sel = Selectors(item="li", title="a", link="a@href", date="span.d", **order)  # type: ignore[arg-type]
        return parse_page(body, {}, "https://us.example/", sel, now=december).entries[0].published

    assert first_date(_dated_page("12/01/26")) == datetime(2026, 1, 12, tzinfo=UTC)
    assert first_date(_dated_page("12/01/26"), date_order="month_first") == datetime(2026, 12, 1, tzinfo=UTC)
    assert first_date(_dated_page("12/01/26", "11/25/26")) == datetime(2026, 12, 1, tzinfo=UTC)
    assert first_date(_dated_page("12/01/26", "25/11/26")) == datetime(2026, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("Mon, 12 Jan 2026 10:00:00 CET", datetime(2026, 1, 12, 9, 0, tzinfo=UTC)),
        ("Sun, 12 Jul 2026 10:00:00 CEST", datetime(2026, 7, 12, 8, 0, tzinfo=UTC)),
        ("Sun, 12 Jul 2026 10:00:00 BST", datetime(2026, 7, 12, 9, 0, tzinfo=UTC)),
        ("Mon, 12 Jan 2026 10:00:00 WET", datetime(2026, 1, 12, 10, 0, tzinfo=UTC)),
        ("Sun, 12 Jul 2026 10:00:00 WEST", datetime(2026, 7, 12, 9, 0, tzinfo=UTC)),
        ("Mon, 12 Jan 2026 10:00:00 EET", datetime(2026, 1, 12, 8, 0, tzinfo=UTC)),
        ("Sun, 12 Jul 2026 10:00:00 EEST", datetime(2026, 7, 12, 7, 0, tzinfo=UTC)),
        ("Mon, 12 Jan 2026 10:00:00 AST", datetime(2026, 1, 12, 14, 0, tzinfo=UTC)),  # Puerto Rico, UTC-4
        ("Mon, 12 Jan 2026 10:00:00 COT", datetime(2026, 1, 12, 15, 0, tzinfo=UTC)),
        ("Mon, 12 Jan 2026 10:00:00 ART", datetime(2026, 1, 12, 13, 0, tzinfo=UTC)),
        ("2026-01-12 10:00:00 CET", datetime(2026, 1, 12, 9, 0, tzinfo=UTC)),
        ("12 de enero de 2026, 10:30 a. m. (CET)", datetime(2026, 1, 12, 9, 30, tzinfo=UTC)),
        ("12/01/2026 10:30 CET", datetime(2026, 1, 12, 9, 30, tzinfo=UTC)),
        ("10:30 CET - 12/01/2026", datetime(2026, 1, 12, 9, 30, tzinfo=UTC)),
        ("12.01.26 10:30 CET", datetime(2026, 1, 12, 9, 30, tzinfo=UTC)),
        # "horas", "hrs", "h." between the time and the zone's name (were read in the feed's zone)
        ("12/01/2026 10:30 horas (CET)", datetime(2026, 1, 12, 9, 30, tzinfo=UTC)),
        ("12/01/2026 10:30 hrs CET", datetime(2026, 1, 12, 9, 30, tzinfo=UTC)),
        ("12 de enero de 2026, 10:30 h. (COT)", datetime(2026, 1, 12, 15, 30, tzinfo=UTC)),
        # Venezuela's legal time was UTC-04:30 from December 2007 to May 2016
        ("Thu, 12 Jan 2012 10:00:00 HLV", datetime(2012, 1, 12, 14, 30, tzinfo=UTC)),
        ("Mon, 12 Jan 2026 10:00:00 VET", datetime(2026, 1, 12, 14, 0, tzinfo=UTC)),
    ],
)
def test_a_time_with_a_zone_name_outlets_write_is_read_in_that_zone(text: str, utc: datetime) -> None:
    """A time followed by CET (an outlet in Madrid) was read in the feed's zone, Caracas: five
    hours late; feedparser read an RSS pubDate with it as UTC, an hour late. The names tzdata
    writes (CET/CEST, BST, WET/WEST, EET/EEST, AST) are read at the offset each names."""
    assert read_date(text, ZoneInfo("America/Caracas"), now=FETCH) == (utc, False)
    body = ('<rss version="2.0"><channel><title>t</title><item><title>x</title><guid>g</guid>'
            f"<pubDate>{text}</pubDate></item></channel></rss>").encode()
    assert parse_any(body, {}, "https://ex.org/", ZoneInfo("America/Caracas"), now=FETCH).entries[0].published == utc


def test_an_unknown_zone_name_leaves_the_time_in_the_feeds_zone() -> None:
    caracas = ZoneInfo("America/Caracas")
    for text in ("Mon, 12 Jan 2026 10:00:00 XYZ", "Mon, 12 Jan 2026 10:00:00 IST", "2026-01-12 10:00:00 MSK"):
        assert read_date(text, caracas) == (datetime(2026, 1, 12, 14, 0, tzinfo=UTC), False), text
    # the US zones, UTC and GMT as before
    assert read_date("Mon, 12 Jan 2026 10:00:00 EST", caracas) == (datetime(2026, 1, 12, 15, 0, tzinfo=UTC), False)
    assert read_date("Mon, 12 Jan 2026 10:00:00 GMT", caracas) == (datetime(2026, 1, 12, 10, 0, tzinfo=UTC), False)


def _dated_page(*dates: str) -> bytes:
    rows = "".join(f'<li><a href="/n/{i}">Nota {i}</a><span class="d">{d}</span></li>'
                   for i, d in enumerate(dates))
    return f"<html><body><ul>{rows}</ul></body></html>".encode()


def _page_dates(body: bytes, **order: str) -> list[datetime | None]:
    sel = Selectors(item="li", title="a", link="a@href", date="span.d", **order)  # type: ignore[arg-type]
    return [e.published for e in parse_page(body, {}, "https://us.example/", sel).entries]


def test_a_page_whose_dates_show_the_month_first_is_read_month_first() -> None:
    """A US page listing 12/25/2026 writes 12/03/2026 for 3 December: read day first, the
    item stood in March, nine months old, and was never alerted."""
    body = _dated_page("12/03/2026", "11/25/2026")
    assert _page_dates(body) == [datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)]
    # a day-first page keeps its reading; a page that cannot tell is read day first
    assert _page_dates(_dated_page("03/12/2026", "25/11/2026"))[0] == datetime(2026, 12, 3, tzinfo=UTC)
    assert _page_dates(_dated_page("12/03/2026"))[0] == datetime(2026, 3, 12, tzinfo=UTC)


def test_date_order_in_the_selectors_decides_what_the_page_cannot() -> None:
    body = _dated_page("12/03/2026 9:15", "12/02/2026")
    assert _page_dates(body, date_order="month_first")[:2] == [
        datetime(2026, 12, 3, 9, 15, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)]
    assert _page_dates(body, date_order="day_first")[1] == datetime(2026, 2, 12, tzinfo=UTC)
    # configured order wins over the page's evidence; an impossible reading still falls back
    assert _page_dates(_dated_page("25/11/2026"), date_order="month_first") == [
        datetime(2026, 11, 25, tzinfo=UTC)]


_BASED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" %s>
  <title>t</title>
  <entry><title>Uno</title><id>nota/1</id><link href="nota/1"/><updated>2026-01-05T10:30:00Z</updated></entry>
  <entry xml:base="/es/"><title>Dos</title><id>tag:ex.org,2026:2</id><link href="nota/2"/>
    <updated>2026-01-05T10:30:00Z</updated></entry>
  <entry xml:base="https://otro.example/x/"><title>Tres</title><id>tag:ex.org,2026:3</id>
    <link href="nota/3"/><updated>2026-01-05T10:30:00Z</updated></entry>
</feed>"""


@pytest.mark.parametrize("feed_base", [b"", b'xml:base="https://cdn.example/feeds/"'])
def test_relative_links_and_xml_base_resolve_per_document(feed_base: bytes) -> None:
    """feedparser's joins of a base and a link are remembered (monitor/parse/feeds.py): the
    same relative link in documents fetched from two sites, parsed in turn and again, resolves
    against each one's own URL and xml:base."""
    body = _BASED % feed_base
    for _ in range(2):
        for site in ("https://a.example/rss/feed.xml", "https://b.example/feed"):
            base = "https://cdn.example/feeds/feed.xml" if feed_base else site
            links = [e.link for e in parse_any(body, {"content-type": "application/atom+xml"}, site).entries]
            root = base.split("/", 3)
            assert links == [
                base.rsplit("/", 1)[0] + "/nota/1",
                f"{root[0]}//{root[2]}/es/nota/2",
                "https://otro.example/x/nota/3",
            ]


def test_a_remembered_rewording_is_the_rewording_and_a_long_text_is_not_kept() -> None:
    """A date's rewording is remembered (an entry's date is reworded twice as it is read, and a
    feed lists the same dates poll after poll): asked again, the same answer; a text longer
    than any date is reworded but not kept."""
    from monitor.parse import REMEMBERED_DATE_CHARS, _reworded, _rewording, reworded

    texts = ["Wed, 03 Dec 2025 10:30 PM -0400", "December 3rd, 2025 12:15 AM", "1º de enero de 2026",
             "2025-12-03 22:30:00 UTC", "03 Dic 2025 10:30 p. m.", "Sun, 06 Dec 2026 04:53:25 GMT"]
    for text in texts:
        assert reworded(text) == reworded(text) == _rewording(text)
    assert reworded("December 3rd, 2025 10:30 PM") == "December 3, 2025 22:30"
    assert reworded("2025-12-03 22:30:00 UTC") == "03 Dec 2025 22:30:00 UTC"
    before = _reworded.cache_info()
    long_text = "10:30 PM " * (REMEMBERED_DATE_CHARS // 9 + 1)
    assert reworded(long_text) == _rewording(long_text) == "22:30 " * (REMEMBERED_DATE_CHARS // 9) + "22:30 "
    after = _reworded.cache_info()
    assert (after.hits, after.misses, after.currsize) == (before.hits, before.misses, before.currsize)


def test_long_links_are_joined_and_read_but_not_remembered() -> None:
    # the joins of feedparser and our canonical URLs are remembered (a poll asks them of each
    # link several times); a feed's 30 KB links, new at each poll, were held alive by those
    # caches for the life of the process (282 MB after 15 polls of 300 such items)
    import feedparser.mixin

    from core.urls import _canonical, canonical_url

    def held() -> tuple[int, int, int]:
        return (feedparser.mixin._urljoin.cache_info().currsize,
                feedparser.mixin.make_safe_absolute_uri.cache_info().currsize, _canonical.cache_info().currsize)

    feedparser.mixin._urljoin.cache_clear()  # type: ignore[attr-defined]
    feedparser.mixin.make_safe_absolute_uri.cache_clear()  # type: ignore[attr-defined]
    _canonical.cache_clear()
    long_links = [SampleItem(f"Nota {i}", f"https://ex.org/{i}?q={'x' * 30_000}", "Texto") for i in range(3)]
    parse_any(rss([]), {}, "https://ex.org/feed.xml")  # the document's own joins: short, remembered
    before = held()
    parsed = parse_any(rss(long_links), {}, "https://ex.org/feed.xml")
    assert [len(e.link or "") for e in parsed.entries] == [len(i.link) for i in long_links]
    assert canonical_url(long_links[0].link) == long_links[0].link
    assert held() == before
    parse_any(rss([SampleItem(f"Nota {i}", f"https://ex.org/{i}", "Texto") for i in range(3)]), {},
              "https://ex.org/feed.xml")
    canonical_url("https://ex.org/1")
    after = held()
    assert after[0] > before[0] and after[2] > before[2]  # short links are remembered
