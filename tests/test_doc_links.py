"""Links between the project's Markdown pages resolve: the file exists and, for `page.md#anchor`,
the page has a heading with that anchor (GitHub's rules). The docs are moved and split between
reference pages and their history; a link left pointing at a renamed heading lands a reader at
the top of a 150 KB page."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: its text without markup, lower-cased, punctuation other than
    '-' and '_' dropped, each space a '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = text.replace("`", "").replace("*", "")
    text = "".join(c for c in text.lower()
                   if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return text.replace(" ", "-")


def prose_lines(path: Path) -> list[tuple[int, str]]:
    """The page's lines outside fenced code blocks, with their numbers."""
    lines, fenced = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, line in prose_lines(path):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def local_links(path: Path) -> list[tuple[int, str]]:
    links = []
    for number, line in prose_lines(path):
        for match in LINK.finditer(re.sub(r"`[^`]*`", "", line)):
            target = match.group(1)
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # not http:, mailto:, …
                links.append((number, target))
    return links


def test_the_slug_follows_github_s_rules() -> None:
    assert slug("Digests: what the scheduler calls") == "digests-what-the-scheduler-calls"
    assert slug("Article text (`monitor.ingest.article`)") == "article-text-monitoringestarticle"
    assert slug("Después de una caída: ¿qué?") == "después-de-una-caída-qué"


def test_a_broken_anchor_is_found(tmp_path: Path) -> None:
    page = tmp_path / "a.md"
    page.write_text("# One\n\n## Two things\n\nSee [two](#two-things) and [three](#three).\n"
                    "```\n[not a link](#nowhere)\n```\n", encoding="utf-8")
    assert anchors(page) == {"one", "two-things"}
    assert [target for _, target in local_links(page)] == ["#two-things", "#three"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_between_the_pages_resolves(page: Path) -> None:
    broken = []
    for number, target in local_links(page):
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        if not dest.exists():
            broken.append(f"{page.name}:{number}: {target} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{page.name}:{number}: {target} (no heading with that anchor)")
    assert not broken, "\n".join(broken)
