from datetime import UTC, datetime, timedelta

import pytest

from core.urls import canonical_url
from monitor.ingest.normalize import clean_text, content_hash, normalize_entry
from monitor.parse import ParsedEntry

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.ORG/a/b?utm_source=x&id=3#top", "https://example.org/a/b?id=3"),
        ("http://example.org:80/x?fbclid=1&gclid=2", "http://example.org/x"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org:8443/x?b=2&a=1", "https://example.org:8443/x?b=2&a=1"),
        ("https://example.org/x?utm_medium=rss&utm_campaign=y", "https://example.org/x"),
        ("mailto:someone@example.org", None),
        ("", None),
        ("https://[::1", None),
        # an internationalized host in IDNA, as it is fetched: both spellings are one item
        ("https://Ñandú.example/a?utm_source=rss", "https://xn--and-6ma2c.example/a"),
        ("https://xn--and-6ma2c.example:8443/a", "https://xn--and-6ma2c.example:8443/a"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    ],
)
def test_canonical_url(url: str, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_keeps_path_case() -> None:
    assert canonical_url("https://EX.org/Noticias/Caso") == "https://ex.org/Noticias/Caso"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Hola&nbsp;<b>mundo</b></p><p>dos</p>", "Hola mundo dos"),
        ("Tom &amp; Jerry &eacute;l", "Tom & Jerry él"),
        ("&lt;p&gt;escaped&lt;/p&gt;", "escaped"),
        ("a<script>alert(1)</script>b", "a b"),
        ("  many \n\t spaces  ", "many spaces"),
        (
            "<p>Texto real.</p><p>The post <a href='x'>Title</a> appeared first on "
            "<a href='y'>Site</a>.</p>",
            "Texto real.",
        ),
        ("Texto. La entrada Algo se publicó primero en El Pitazo.", "Texto."),
        ("Resumen de la nota [&#8230;]", "Resumen de la nota"),
        (None, ""),
    ],
)
def test_clean_text(raw: str | None, expected: str) -> None:
    assert clean_text(raw) == expected


def test_content_hash_ignores_case_and_punctuation() -> None:
    a = content_hash("Liberan a 10 presos políticos", "Foro Penal confirmó...")
    b = content_hash("liberan a 10 presos políticos!", "Foro Penal confirmó")
    assert a == b
    assert a != content_hash("Liberan a 11 presos políticos", "Foro Penal confirmó")


def test_normalize_guid_falls_back_to_canonical_link() -> None:
    item = normalize_entry(
        ParsedEntry(link="/nota?utm_source=rss", title="<b>T</b>"),
        base_url="https://Ex.org/feed", language="es", fetched_at=NOW,
    )
    assert item is not None
    assert item.guid == "https://ex.org/nota"
    assert item.url == "https://Ex.org/nota?utm_source=rss"
    assert item.title == "T"


def test_normalize_dates_and_language() -> None:
    future = NOW + timedelta(days=3)
    item = normalize_entry(
        ParsedEntry(guid="g", title="t", published=future, language="en-US"),
        base_url="https://ex.org/", language="es", fetched_at=NOW,
    )
    assert item is not None
    assert item.published_at == NOW  # clamped
    assert item.language == "en"
    updated = NOW - timedelta(hours=2)
    item = normalize_entry(
        ParsedEntry(guid="g", title="t", updated=updated),
        base_url="https://ex.org/", language="es", fetched_at=NOW,
    )
    assert item is not None and item.published_at == updated and item.dated
    assert item.language == "es"
    item = normalize_entry(ParsedEntry(guid="g", title="t"), base_url="", language="es",
                           fetched_at=NOW)
    assert item is not None and item.published_at == NOW and not item.dated


def test_normalize_drops_empty_entries() -> None:
    assert normalize_entry(ParsedEntry(), base_url="", language="es", fetched_at=NOW) is None


def test_control_characters_are_removed_so_postgresql_accepts_the_text():
    from monitor.ingest.normalize import clean_text

    assert clean_text("Excarcelan\x00 a 87\x07 presos") == "Excarcelan a 87 presos"
    assert clean_text("<p>Foro&#x1f; Penal\x0b verificó</p>") == "Foro Penal verificó"
    assert clean_text("línea\nnueva\tcon tab") == "línea nueva con tab"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Comida, baños, traslados: los costos de esperar\nPOLÍTICA", "Comida, baños, traslados: los costos de esperar"),
        ("Rubio habla de Venezuela\n  EE UU  ", "Rubio habla de Venezuela"),
        ("Trump dice que Venezuela libera presos\nNOTICIAS", "Trump dice que Venezuela libera presos"),
        ("Machado:\nVenezuela será libre", "Machado: Venezuela será libre"),  # the title's own line
        ("TRUMP DICE:\nLIBERTAD", "TRUMP DICE: LIBERTAD"),  # a title in capitals has no label to tell
        ("POLÍTICA", "POLÍTICA"),  # a title that is only a label stays what it is
        ("Ofensiva de cinco meses:\n35 lanchas", "Ofensiva de cinco meses: 35 lanchas"),
        ("Presos políticos excarcelados en enero\n1.200", "Presos políticos excarcelados en enero 1.200"),
        ("Ataque en el Caribe POLÍTICA", "Ataque en el Caribe POLÍTICA"),  # on the same line: the words
    ],
)
def test_a_section_label_on_the_titles_last_line_is_not_stored(raw: str, expected: str) -> None:
    """The outlet's section ("…\nPOLÍTICA") is not the headline: the story matcher and the
    alerts read the title as stored, and once stored its line break is gone."""
    item = normalize_entry(ParsedEntry(link="https://ex.org/n", title=raw), base_url="https://ex.org/feed",
                           language="es", fetched_at=NOW)
    assert item is not None and item.title == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("UPDATE 2-Venezuela releases 41 political prisoners -rights group",
         "Venezuela releases 41 political prisoners -rights group"),
        ("REFILE-UPDATE 1-U.S. seizes oil tanker off Venezuela", "U.S. seizes oil tanker off Venezuela"),
        ("CORRECTED-WRAPUP 3-Venezuela frees Americans", "Venezuela frees Americans"),
        ("RPT-Venezuela's Machado to meet Trump", "Venezuela's Machado to meet Trump"),
        ("ACTUALIZA 2-Venezuela excarcela a 41 presos políticos", "Venezuela excarcela a 41 presos políticos"),
        ("EXCLUSIVE-US weighs easing Venezuela oil sanctions", "EXCLUSIVE-US weighs easing Venezuela oil sanctions"),
        ("Update 2-day vigil outside El Helicoide", "Update 2-day vigil outside El Helicoide"),  # not a wire mark
        ("UPDATE 2-", "UPDATE 2-"),  # nothing after it: kept as it is
    ],
)
def test_a_wire_version_mark_is_not_stored_with_the_title(raw: str, expected: str) -> None:
    """Reuters numbers each version of a story in its title ("UPDATE 1-", "UPDATE 2-"): as words
    it made every new version a revision of the item (its number was new) until the item's
    revisions were used up, and it showed in the alert."""
    item = normalize_entry(ParsedEntry(link="https://ex.org/n", title=raw), base_url="https://ex.org/feed",
                           language="en", fetched_at=NOW)
    assert item is not None and item.title == expected
