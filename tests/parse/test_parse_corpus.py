"""Every file of ../shared/corpus through the parser as bytes: none may raise."""

from pathlib import Path

import pytest

from monitor.ingest.normalize import normalize_entry
from monitor.parse import parse_any

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def _files() -> list[Path]:
    return sorted(
        p for p in CORPUS.rglob("*")
        if p.is_file() and p.name not in ("LICENSE", "README.md")
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_corpus_never_raises() -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    files = _files()
    assert len(files) > 100
    entries = fatal = json_entries = 0
    for path in files:
        body = path.read_bytes()
        parsed = parse_any(body, {}, "https://example.org/feed")
        if parsed.fatal:
            assert parsed.problem, path  # nothing readable is reported, not raised
            fatal += 1
        for entry in parsed.entries:
            normalize_entry(entry, base_url="https://example.org/", language="en", fetched_at=now)
        entries += len(parsed.entries)
        if path.suffix == ".json":
            json_entries += len(parsed.entries)
    assert entries > 1000
    assert json_entries > 0  # the JSON Feed path read the gofeed/feedparser JSON files


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_captured_feeds_have_entries() -> None:
    for folder in ("rss-parser", "miniflux/parser/testdata"):
        for path in sorted((CORPUS / folder).glob("*")):
            if path.name == "LICENSE" or path.name.startswith("unrecognized"):
                continue
            parsed = parse_any(path.read_bytes(), {}, "https://example.org/feed")
            if path.stat().st_size > 2000:
                assert parsed.entries or parsed.problem, path
