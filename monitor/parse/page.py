"""`page` feeds: an HTML page read with the CSS selectors of feeds.yaml.

A selector may end in `@attr` to take an attribute instead of the text
(`a@href`, `time@datetime`); a bare `@attr` reads the item element itself.
Links are resolved against the page URL (or its <base href>).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.builder import LXMLTreeBuilder, ParserRejectedMarkup
from lxml import etree

from core.config import Selectors
from monitor.parse import (
    PAGE_TEXT_CHARS,
    ParsedEntry,
    ParsedFeed,
    numeric_date_order,
    read_date,
    read_relative_date,
)
from monitor.parse.charset import decode_html
from monitor.parse.nesting import close_deep

# What one page may cost (docs/INGESTION.md, "Hostile markup"). BeautifulSoup builds a Python
# object for every element, 15-20 us each on this machine: 10 MB of "<p>x" (2.5 million
# elements) held a poll for 51 s. libxml2 looks for each unmatched end tag through every open
# element: 40,000 open <div> and 40,000 </span> took 3.6 s, quadratically. Items nested inside
# items were read each with the whole of its nest: 4,000 nested <div class="views-row"> (100 KB)
# took 79 s.
MAX_TAGS = 150_000
"""Markup (`<`) read from a page: the page is cut before the next one."""
MAX_DEPTH = 512
"""Elements open at once (browsers stop nesting at 512 too): the page is cut at the next one."""
NEST_LIMIT, NEST_KEEP = 256, 64
"""A page cut at MAX_DEPTH is read again with its innermost elements closed down to NEST_KEEP
where it reaches NEST_LIMIT: room for an item's own nesting (news pages nest 20-60 deep), and
items no deeper than that (soupsieve walks from an item up to the root at each selector: 17,500
items 400 deep took 14.7 s, 3.8 times an ordinary page's)."""
MAX_ITEM_NODES = 200_000
"""Nodes (elements and texts) inside the items read, summed over the items; the others are not read."""


class _TooDeep(Exception):
    """Raised in the parser's callback to stop libxml2 where the page nests too deep."""


class _BoundedBuilder(LXMLTreeBuilder):
    """BeautifulSoup's lxml builder that stops the parse at MAX_DEPTH open elements; the tree
    built up to there stands (`cut_at` is the number of elements read then). The page is given
    to libxml2 in chunks of CHUNK characters: an exception in a callback stops the events, not
    libxml2, which went on through the rest of what it was given."""

    CHUNK = 65_536

    def __init__(self) -> None:
        super().__init__()
        self.elements = 0
        self.cut_at: int | None = None

    def start(self, tag: Any, attrib: Any, nsmap: Any = {}) -> None:  # noqa: B006 - lxml's signature
        assert self.soup is not None
        if len(self.soup.tagStack) > MAX_DEPTH:
            self.cut_at = self.elements
            raise _TooDeep
        self.elements += 1
        super().start(tag, attrib, nsmap)

    def feed(self, markup: Any) -> None:
        assert self.soup is not None and isinstance(markup, str)
        self.parser = self.parser_for(self.soup.original_encoding)
        try:
            for at in range(0, max(len(markup), 1), self.CHUNK):
                self.parser.feed(markup[at:at + self.CHUNK])
            self.parser.close()
        except _TooDeep:
            return
        except (UnicodeDecodeError, LookupError, etree.ParserError) as exc:
            raise ParserRejectedMarkup(exc) from exc


def _bounded(text: str) -> tuple[str, str | None]:
    """The page cut before its MAX_TAGS-th `<`, and the problem that says so (None when whole)."""
    if text.count("<") <= MAX_TAGS:
        return text, None
    at = -1
    for _ in range(MAX_TAGS + 1):  # the first `<` not read
        at = text.find("<", at + 1)
    return text[:at], (f"page cut after {MAX_TAGS:,} tags ({_mb(at)} of {_mb(len(text))} read): "
                       "items after that point are not read")


def _mb(chars: int) -> str:
    return f"{chars / 1e6:.1f} MB" if chars >= 100_000 else f"{chars / 1e3:.0f} KB"


def _soup(text: str) -> tuple[BeautifulSoup, list[str], list[str]]:
    """The page's tree, within MAX_TAGS and MAX_DEPTH; the problems met, and those of them
    that lost items. A page nested past MAX_DEPTH is read again with its innermost elements
    closed where it reaches NEST_LIMIT (monitor/parse/nesting.py), counted by its end tags,
    then without them; cut only where neither was enough."""
    text, cut = _bounded(text)
    problems, lost = ([cut], [cut]) if cut else ([], [])
    soup, cut_at = _parsed(text)
    for ends in (True, False):  # end tags read as libxml2 reads them, else not at all
        if cut_at is None:
            break
        closed_text, closed = close_deep(text, limit=NEST_LIMIT, keep=NEST_KEEP, ends=ends)
        if closed:
            soup, cut_at = _parsed(closed_text)
        if closed and cut_at is None:
            problems.append(f"page nested over {NEST_LIMIT} elements deep (markup left open): "
                            f"{closed:,} elements closed there to read on, as browsers do")
    if cut_at is not None:
        lost.append(f"page cut at {MAX_DEPTH} nested elements, after {cut_at:,} elements: "
                    "items after that point are not read")
        problems.append(lost[-1])
    return soup, problems, lost


def _parsed(text: str) -> tuple[BeautifulSoup, int | None]:
    """The tree of `text` up to MAX_DEPTH open elements, and the elements read when it stopped
    there (None when read whole)."""
    builder = _BoundedBuilder()
    return BeautifulSoup(text, builder=builder), builder.cut_at


def _affordable(nodes: list[Tag]) -> tuple[list[Tag], str | None]:
    """The items whose nodes, summed in page order, stay within MAX_ITEM_NODES, and the problem
    naming the others: each item is read through all of its nodes, so items nested in items
    cost the square of the nest."""
    budget = MAX_ITEM_NODES
    for index, node in enumerate(nodes):
        for _ in node.descendants:
            budget -= 1
            if budget < 0:
                return nodes[:index], (
                    f"{len(nodes) - index:,} of {len(nodes):,} items not read: the items before them "
                    f"hold {MAX_ITEM_NODES:,} nodes (items nested in items?)")
    return nodes, None


def _pick(node: Tag, selector: str | None, *, lines: bool = False) -> str | None:
    """The text (or attribute) `selector` finds in `node`; with `lines`, on lines as shown."""
    if not selector:
        return None
    css, _, attr = selector.partition("@")
    css = css.strip()
    found = node.select_one(css) if css else node
    if found is None:
        return None
    if attr:
        value: Any = found.get(attr.strip())
        if isinstance(value, list):
            value = " ".join(value)
        return str(value).strip() if value else None
    return (_shown_lines(found) if lines else found.get_text(" ", strip=True)) or None


# elements that start a line of their own: a text after or before one is on another line
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})


def _shown_lines(found: Tag) -> str:
    """`found`'s text as get_text(" ", strip=True) gives it, but with a line break where a
    block element or a <br> comes between two texts, as a browser shows them: a title's section
    label ("…<br>POLÍTICA", "<h3>…</h3><span>EE UU</span>") is then a last line of its own,
    which normalization drops as it does an RSS title's. One pass over the nodes."""
    parts: list[str] = []
    broken = False  # a block began or ended since the last text
    stack: list[tuple[bool, Iterator[PageElement]]] = [(False, iter(found.children))]
    while stack:
        child = next(stack[-1][1], None)
        if child is None:
            ended_block, _ = stack.pop()
            broken = broken or ended_block
        elif isinstance(child, Tag):
            block = child.name in _BLOCKS
            broken = broken or block
            stack.append((block, iter(child.children)))
        elif type(child) is NavigableString and (text := child.strip()):
            parts += [("\n" if broken else " "), text] if parts else [text]
            broken = False
    return "".join(parts)


# the text of a link element without href stands for the link only when it is an address,
# not a headline (an <a onclick=…> would have given "…/news/Liberan a veinte presos")
_WRITTEN_URL = re.compile(r"(?:https?://|/)\S+$", re.I)


def _link(node: Tag, selector: str) -> str | None:
    css, _, attr = selector.partition("@")
    if attr:
        return _pick(node, selector)
    found = node.select_one(css.strip()) if css.strip() else node
    if found is None:
        return None
    href = found.get("href")
    if not href and found.name != "a":
        inner = found.find("a", href=True)
        href = inner.get("href") if isinstance(inner, Tag) else None
    if href:
        return str(href).strip()
    text = found.get_text(strip=True)  # an address written out: "https://…", "/n/7"
    return text if _WRITTEN_URL.match(text) else None


def _resolve(link: str, base_url: str, page_url: str) -> str | None:
    """`link` made absolute; None when it is no web page (`javascript:`, `mailto:`, `tel:`).
    A link that is only a fragment (`#`, `#nota-4`) points into this page, whatever its
    <base href> says."""
    try:
        resolved = urljoin(page_url if link.startswith("#") else base_url, link)
        return resolved if urlsplit(resolved).scheme.lower() in ("http", "https") else None
    except ValueError:  # "http://[::1/n/2": an unclosed IPv6 host; the poll failed on it
        return None


def _base_url(soup: BeautifulSoup, url: str) -> str:
    """The page's <base href> made absolute, else the page's URL (also for a base urllib cannot
    read: urljoin raised on it, and the whole page was unreadable)."""
    base = soup.find("base", href=True)
    if not isinstance(base, Tag):
        return url
    try:
        return urljoin(url, str(base["href"]))
    except ValueError:
        return url


def _merged(first: ParsedEntry, entry: ParsedEntry) -> bool:
    """Whether `entry` is `first` listed again (a page shows one article as a photo, in the
    lead and under "most read", all linking to it): no title, summary or date of theirs
    differ, but for a title cut short with an ellipsis ("Foro Penal confirma la
    excarcelación de 20 presos…"). `first` then takes what only `entry` gives, and the
    whole title."""
    titles = " ".join(first.title.split()), " ".join(entry.title.split())
    pairs = ((" ".join(first.summary.split()), " ".join(entry.summary.split())),
             (first.published, entry.published))
    if any(a and b and a != b for a, b in pairs) or not _one_title(*titles):
        return False
    first.title = max(first.title, entry.title, key=lambda t: (_cut_short(t) is None, len(t)))
    first.summary = first.summary or entry.summary
    if first.published is None:
        first.published, first.date_only = entry.published, entry.date_only
    return True


# from the first blank before the ellipsis (`(?<!\s)`), where the first match starts anyway: tried
# at every blank of a run, each reading the run to its end, a title of two listings of one link
# holding 64,000 spaces took 26 s to parse
_ELLIPSIS = re.compile(r"(?<!\s)\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])$")


def _cut_short(title: str) -> str | None:
    """`title` without the ellipsis a listing cut it short with, None when it has none."""
    cut = _ELLIPSIS.sub("", title)
    return cut if cut != title and cut else None


def _one_title(a: str, b: str) -> bool:
    """Whether titles `a` and `b` (white space collapsed) are one: the same, either missing,
    or one the other cut short ("…presos…" of "…presos políticos en Caracas")."""
    if not a or not b or a == b:
        return True
    return any((cut := _cut_short(short)) is not None and whole.startswith(cut)
               for short, whole in ((a, b), (b, a)))


def _one_per_article(
    entries: list[ParsedEntry], by_link: dict[str, list[ParsedEntry]], node_of: dict[int, Tag],
    nodes: list[Tag], own: set[str],
) -> list[ParsedEntry]:
    """`entries` with one article listed under two headlines made one entry: a page shows it
    in a lead box with a short headline and in its list with the whole one. Two entries of one
    link, with titles `_merged` could not make one, are one article when they stand in
    different places of the page (`_place`); the other entry is kept from the better headline
    (`_better`), and takes what only the other gives (summary, date). Entries of one link in
    the same place (articles whose link selector found a section's link), three or more
    headlines of one link, and links to the page itself stay apart (told apart at ingestion).
    `by_link`: the entries of each link, as `parse_page` kept them."""
    pairs = [pair for link, pair in by_link.items() if len(pair) == 2
             and urlsplit(link)._replace(fragment="").geturl() not in own
             and _place(node_of[id(pair[0])]) != _place(node_of[id(pair[1])])]
    if not pairs:
        return entries
    listed = _place_counts(nodes)
    dropped: set[int] = set()
    for a, b in pairs:
        kept = max((a, b), key=lambda e: _better(e, listed[_place(node_of[id(e)])]))  # a on a tie
        other = b if kept is a else a
        kept.summary = kept.summary or other.summary
        if kept.published is None:
            kept.published, kept.date_only = other.published, other.date_only
        dropped.add(id(other))
    return [e for e in entries if id(e) not in dropped]


def _own_pages(url: str, base_url: str) -> set[str]:
    """The page's own addresses and its site's root: a link to them names no one article
    (items linking to the homepage, or to `#`)."""
    own = {url, base_url}
    return own | {urlsplit(u)._replace(path="/", query="", fragment="").geturl() for u in own}


LISTINGS_COMPARED = 3
"""Entries of one link an entry is compared with (`_merged`): a link many items share (the
homepage) would cost the square of them, and beyond two headlines they stay apart anyway."""
PLACE_DEPTH = 6
"""Ancestors that make an item's place in the page (`_place`): a list's items share them."""


def _place(node: Tag) -> tuple[tuple[str, str], ...]:
    """Where `node` stands in the page: its own and its nearest ancestors' tags and classes
    (`section.lead > article` against `ul.list > li > article`)."""
    place: list[tuple[str, str]] = []
    at: Tag | None = node
    while at is not None and at.name != "[document]" and len(place) <= PLACE_DEPTH:
        classes = at.get("class")
        place.append((at.name, " ".join(sorted(classes)) if isinstance(classes, list) else str(classes or "")))
        at = at.parent
    return tuple(place)


def _place_counts(nodes: list[Tag]) -> dict[tuple[tuple[str, str], ...], int]:
    """How many items stand in each place of the page: the page's main list has the most."""
    counts: dict[tuple[tuple[str, str], ...], int] = {}
    for node in nodes:
        place = _place(node)
        counts[place] = counts.get(place, 0) + 1
    return counts


def _better(entry: ParsedEntry, listed: int) -> tuple[bool, int, int]:
    """How good a headline of an article listed twice is: whole (not cut short with an
    ellipsis), then from the page's main list (where more items stand: a lead box's headline
    is often a short rewrite, and a lead box changes more often than the list), then longer."""
    title = " ".join(entry.title.split())
    return _cut_short(title) is None, listed, len(title)


def parse_page(
    body: bytes, headers: dict[str, str], url: str, selectors: Selectors, zone: tzinfo = UTC,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse an HTML page into entries with `selectors`; never raises. Times the page
    writes without an offset are read in `zone` (the feed's `timezone`); dates relative to
    the moment it is read ("hace 2 horas", "Ayer", "14:30") from `now` (the fetch)."""
    if not body.strip():
        return ParsedFeed(problems=["empty response"], fatal=True)
    try:
        soup, cuts, lost = _soup(decode_html(body, headers))
        base_url = _base_url(soup, url)
        found = soup.select(selectors.item)
    except Exception as exc:  # lxml/soupsieve on hostile markup
        return ParsedFeed(problems=[f"unreadable page: {type(exc).__name__}: {exc}"], fatal=True)
    nodes, unaffordable = _affordable(found)
    lost += [unaffordable] if unaffordable else []
    out = ParsedFeed(format="page", title=soup.title.get_text(strip=True) if soup.title else "",
                     problems=cuts + ([unaffordable] if unaffordable else []), lost=lost)
    missing = 0
    by_link: dict[str, list[ParsedEntry]] = {}
    node_of: dict[int, Tag] = {}  # id(entry) -> the item element it was read from
    unread: str | None = None  # the first date text found but not readable
    date_texts = [_pick(node, selectors.date) for node in nodes]
    month_first = _month_first(selectors, date_texts)
    now = now or datetime.now(UTC)
    for node, date_text in zip(nodes, date_texts, strict=True):
        title = _pick(node, selectors.title, lines=True)
        link = _link(node, selectors.link)
        link = _resolve(link, base_url, url) if link else None
        if not title and not link:
            missing += 1
            continue
        date = read_date(date_text, zone, month_first=month_first, now=now) or read_relative_date(date_text, zone, now)
        if date is None and date_text and unread is None:
            unread = date_text
        entry = ParsedEntry(
            guid=None,
            link=link,
            title=title or "",
            summary=_pick(node, selectors.summary) or "",
            published=date.when if date else None,
            date_only=date.date_only if date else False,
        )
        listed = by_link.setdefault(link, []) if link else []
        if not any(_merged(first, entry) for first in listed[:LISTINGS_COMPARED]):
            out.entries.append(entry)
            node_of[id(entry)] = node
            listed.append(entry)
    out.entries = _one_per_article(out.entries, by_link, node_of, nodes, _own_pages(url, base_url))
    if not found:
        out.problems.append(f"selector {selectors.item!r} matched nothing")
        out.fatal = True
        out.text = (soup.body or soup).get_text("\n", strip=True)[:PAGE_TEXT_CHARS]
    elif missing:
        out.problems.append(f"{missing} of {len(nodes)} items had no title or link")
    out.problems += _selector_problems(out.entries, selectors, unread)
    return out


def _month_first(selectors: Selectors, date_texts: list[str | None]) -> bool:
    """Whether the page writes numeric dates month first: as configured, else as its own
    dates show (one 12/25/2026 among them), else not (day first, as Spanish pages write)."""
    if selectors.date_order is not None:
        return selectors.date_order == "month_first"
    return bool(numeric_date_order(date_texts))


def _selector_problems(
    entries: list[ParsedEntry], selectors: Selectors, unread: str | None
) -> list[str]:
    """Items the title, link or date selector found nothing readable in: after a site's
    redesign, every item would be stored without a headline, without a link or dated at the
    fetch time, unsaid."""
    problems: list[str] = []
    if untitled := sum(1 for e in entries if not e.title):
        problems.append(
            f"{untitled} of {len(entries)} items had no title (selector {selectors.title!r})")
    if unlinked := sum(1 for e in entries if not e.link):
        problems.append(
            f"{unlinked} of {len(entries)} items had no link (selector {selectors.link!r})")
    if selectors.date and (undated := sum(1 for e in entries if e.published is None)):
        read = f", read: {unread[:40]!r}" if unread else ""
        problems.append(f"{undated} of {len(entries)} items had no readable date "
                        f"(selector {selectors.date!r}{read})")
    return problems
