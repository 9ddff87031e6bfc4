"""Cleaning hostile markup: linear work, the same text as before for ordinary markup,
field limits applied before cleaning (issue 13, "quadratic cleaning on the event loop")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.markup import (
    MAX_TAG_CHARS,
    SUMMARY_CHARS,
    TEXT_CHARS,
    TITLE_CHARS,
    MarkupStats,
    cap,
    strip_markup,
)
from core.text import clean_field, strip_html
from monitor.ingest.normalize import clean_text, normalize_entry
from monitor.parse import ParsedEntry

HOSTILE = {
    "script": "<script>",
    "comment": "<!--",
    "style-close-missing": "<style>x",
    "open-angle": "<a",
    "open-angle-space": "<a href=",
    "cdata": "<![CDATA[",
    "closing": "</div",
}


def work(payload: str) -> tuple[int, int]:
    stats = MarkupStats()
    strip_markup(payload, stats=stats)
    return stats.tags, stats.scans


@pytest.mark.parametrize("unit", list(HOSTILE.values()), ids=list(HOSTILE))
def test_scans_grow_linearly_with_hostile_input(unit):
    # A scan is one str.find / regex search over the rest of the text; quadratic cleaning
    # would start one per `<`, each running to the end. Here the scans never outnumber the
    # tags plus a constant, so the characters read stay proportional to the input.
    small = work(unit * 5_000)
    large = work(unit * 10_000)
    for tags, scans in (small, large):
        assert scans <= tags + 8
    assert large[1] <= 2 * small[1] + 8


def test_scans_on_a_280_kb_script_flood_and_25000_escaped_comments():
    flood = "<script>" * 35_000  # 280 KB
    stats = MarkupStats()
    assert strip_markup(flood, stats=stats).strip() == ""
    assert stats.tags == 35_000 and stats.scans <= 35_010
    escaped = "&lt;!--" * 25_000
    # unescaped, they are 25,000 unclosed comments: text, searched for `-->` once
    stats = MarkupStats()
    assert strip_markup("<!--" * 25_000, stats=stats) == "<!--" * 25_000
    assert stats.scans == 1
    assert clean_text(escaped) == "<!--" * 25_000
    assert clean_field(clean_text(escaped)) == "<!--" * 25_000


def test_ordinary_markup_reads_as_before():
    html = (
        "<p>Excarcelan a <b>87</b> presos</p><script>var x = '<p>no</p>';</script>"
        "<style>p {}</style><!-- comentario --><div>en Tocorón</div>"
    )
    assert clean_text(html) == "Excarcelan a 87 presos en Tocorón"
    assert clean_text("<b>Excar</b>celan") == "Excarcelan"  # inline tags join
    assert strip_html("<b>Foro</b>Penal") == " Foro Penal"  # matching: every tag a space
    assert clean_text("<![CDATA[Liberan a 10]]>") == "Liberan a 10"
    assert clean_text("a < b y c > d") == "a < b y c > d"  # not tags
    assert clean_text("&lt;b&gt;doble&lt;/b&gt; codificado") == "doble codificado"
    assert clean_text("<SCRIPT type=x>alert(1)</Script >texto") == "texto"
    assert clean_text("<script>sin cierre <b>texto</b>") == "sin cierre texto"
    assert clean_text("Hola<br/>mundo") == "Hola mundo"
    far = "<a" + "x" * (MAX_TAG_CHARS + 10) + ">"
    assert strip_markup(far) == far  # too long to be a tag: text


NAMES = ["p", "P", "b", "br", "Span", "div", "h1", "tr", "script", "style", "svg", "xyz", "El", "o", "a1"]


@pytest.mark.parametrize("known_only", [False, True])
@pytest.mark.parametrize("tag_sep", ["", " "])
def test_a_tag_without_attributes_reads_as_the_general_walk_reads_it(known_only, tag_sep):
    # `<p>` and `</b>` take a shorter way than `<p >` and `</b >`: the same text out
    for name in NAMES:
        for text in (f"a<{name}>b</{name}>c", f"<{name}>x", f"x</{name}>", f"<{name}><{name}>y</{name}>z"):
            general = strip_markup(text.replace(">", " >"), known_only=known_only, tag_sep=tag_sep)
            assert strip_markup(text, known_only=known_only, tag_sep=tag_sep) == general.replace(
                " >", ">"), (text, known_only, tag_sep)  # a tag kept as text keeps its own space
    assert strip_markup("a<xyz>b", known_only=True) == "a<xyz>b"  # no element of HTML: text
    assert strip_markup("<El>Rodeo", known_only=True) == "<El>Rodeo"
    long_name = "<a" + "x" * MAX_TAG_CHARS + ">"
    assert strip_markup(long_name) == long_name  # past MAX_TAG_CHARS: text, as with attributes


def test_boilerplate_is_still_dropped_from_a_long_text():
    body = "palabra " * 30_000 + "The post Liberan presos appeared first on El Pitazo."
    assert clean_text(body).endswith("palabra")


def test_cap_never_leaves_half_a_tag():
    assert cap("abc", 10) == "abc"
    assert cap("hola <a href='x'>mundo</a>", 12) == "hola "
    assert len(cap("x" * 5000, 1000)) == 1000


def test_fields_are_cut_to_their_limits_before_cleaning():
    now = datetime(2026, 2, 1, tzinfo=UTC)
    entry = ParsedEntry(
        guid="g", link="https://example.org/a", title="T" * 1_000_000,
        summary="<script>" * 100_000, content="palabra " * 100_000,
    )
    item = normalize_entry(entry, base_url="https://example.org/", language="es", fetched_at=now)
    assert item is not None
    assert len(item.title) == TITLE_CHARS
    assert item.summary == clean_text(cap(entry.content, SUMMARY_CHARS))  # summary was empty
    assert len(item.summary) <= SUMMARY_CHARS
    assert item.text is not None and len(item.text) <= TEXT_CHARS
