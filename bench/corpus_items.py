"""What the parsers read from the real-world corpus, as one digest: run it before and after a
change to the parsers, and the digests must match (docs/INGESTION.md, "Hostile markup").

    python bench/corpus_items.py [--list]

Every file of ../shared/corpus (2,712 feeds, HTML pages served in their place, broken
documents) goes through `parse_any` and `normalize_entry` as a poll reads it, and through
`parse_page` with four selector sets (each file read as a page; the HTML files of tests/data
too). Each item's GUID, URL, canonical URL, title, summary, text, content hash, dates and the
parse problems are hashed.
Prints the counts and the digest; `--list` prints one line per file instead.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.config import Selectors  # noqa: E402
from monitor.ingest.normalize import normalize_entry  # noqa: E402
from monitor.parse import ParsedFeed, parse_any  # noqa: E402
from monitor.parse.page import parse_page  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
SELECTORS = (
    Selectors(item="item, entry", title="title", link="link"),
    Selectors(item="a", title="@title", link="@href"),
    Selectors(item="div, li, p", title="a", link="a@href", date="time@datetime", summary="p"),
    Selectors(item="body *", title="h1, h2, h3, a", link="a@href"),
)


def _files() -> list[tuple[str, Path]]:
    """(a name that does not depend on where the tree is, the file), in the names' order."""
    files = [(f"corpus/{p.relative_to(CORPUS)}", p) for p in CORPUS.rglob("*")
             if p.is_file() and p.name not in ("LICENSE", "README.md")]
    files += [(str(p.relative_to(ROOT)), p) for p in (ROOT / "tests" / "data").rglob("*.htm*")]
    return sorted(files)


def _lines(parsed: ParsedFeed) -> list[str]:
    out = [f"problem {parsed.problem} fatal {parsed.fatal} {parsed.format} {parsed.title}"]
    for entry in parsed.entries:
        item = normalize_entry(entry, base_url="https://example.org/", language="es", fetched_at=NOW)
        if item is None:
            out.append("none")
            continue
        out.append("\t".join(str(v) for v in (
            item.guid, item.url, item.canonical_url, item.title, item.summary, item.text,
            item.content_hash, item.published_at, item.dated, item.date_only, item.updated_at)))
    return out


def main() -> int:
    digest = hashlib.sha256()
    files = entries = 0
    for name, path in _files():
        body = path.read_bytes()
        lines = _lines(parse_any(body, {}, "https://example.org/feed", now=NOW))  # NOW: not the clock
        for selectors in SELECTORS:
            lines += _lines(parse_page(body, {}, "https://example.org/", selectors, now=NOW))
        file_digest = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()
        if "--list" in sys.argv:
            print(file_digest[:16], name)
        digest.update(file_digest.encode())
        files += 1
        entries += sum(1 for line in lines if not line.startswith("problem "))
    print(f"- corpus: {files} files, {entries} items read (as feeds and as pages), "
          f"digest {digest.hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
