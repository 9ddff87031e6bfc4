"""Article text: the main text of an item's web page, extracted with trafilatura.

Fetched through the shared `Fetcher` (robots.txt, limits, User-Agent and the
outbound policy apply: an item link is an address taken from content, checked
after DNS resolution); extraction runs in its own thread (READS) because it is CPU-bound,
one page at a time: trafilatura parses every page with one lxml parser of its module, and
two threads parsing with it at once abort the process (libxml2, "Fatal Python error: Aborted",
seen in the suite with three articles of one poll read in the default thread pool).
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from core.config import FeedConfig, Settings
from core.text import fold
from core.urls import canonical_url, redact_userinfo, same_document
from monitor.fetch.client import PAGE_ACCEPT, Fetcher
from monitor.ingest.blockpage import block_page, challenge_header
from monitor.ingest.normalize import NormalizedItem, strip_controls
from monitor.parse import floods
from monitor.parse.charset import decode_html

log = logging.getLogger("monitor.ingest.article")

MAX_TEXT_CHARS = 100_000
# What one article page may cost (docs/INGESTION.md, "Hostile markup"): trafilatura walks the
# tree in Python, 30-140 us an element and worse than linear on some shapes (125,000 unclosed
# <p>, 500 KB, took 17 s; 10 MB of <br> about a minute), and an element's attributes are read
# in quadratic time (55,000 on one element: 4.3 s). A news article has a few thousand elements.
MAX_ARTICLE_ELEMENTS = 20_000
"""A page of more elements gives no text (the item keeps the feed's)."""
MAX_ELEMENT_ATTRIBUTES = 256
"""An element of more attributes is read without them: libxml2's HTML parser compares each
attribute with every one before it (40,000 on one element: 1.6 s, in C), so a tag that could
hold more (over ATTRIBUTE_SCAN_CHARS) has its attributes counted before the page is parsed."""
ATTRIBUTE_SCAN_CHARS = 512


def without_attribute_floods(body: bytes) -> bytes:
    """The page with the attributes of elements of over MAX_ELEMENT_ATTRIBUTES removed."""
    return floods.without_attribute_floods(body, most=MAX_ELEMENT_ATTRIBUTES, scan_chars=ATTRIBUTE_SCAN_CHARS,
                                           text=floods.HTML_TEXT)[0]


# Article pages are read here, one at a time (the module's docstring), and not in the default
# thread pool, which the service's database steps (housekeeping, reloads) share: a poll of
# thirty long articles held every thread of it.
READS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="article-read")
_ONE_AT_A_TIME = threading.Lock()  # for callers of read_article in other threads (bench, tools)

LITTLE_TEXT = 400  # an item with less text than this is worth fetching in `auto` mode

# What an outlet writes before a link to another of its articles ("Lee también:", "RELATED:"),
# folded (accents and case) and without punctuation.
_POINTER_CUE = (
    r"(?:lee|lea|leer|lean|vea|ver|mira|read|see)(?: tambien| mas| also| more)?|also read|"
    r"(?:tambien )?(?:te|le) (?:puede|podria) interesar|(?:tambien )?puede interesarte|"
    r"(?:te|le) recomendamos|recomendad[oa]s?|mas informacion|"
    r"(?:(?:noticias?|notas?|articulos?) )?relacionad[oa]s?|"
    r"related(?: stories| articles| coverage| news)?|more"
)
_CUE_ONLY = re.compile(rf"(?:{_POINTER_CUE})?")
_CUE_FIRST = re.compile(rf"[^\w]*(?:{_POINTER_CUE})\s*[:|»>\-–—]")
_NOT_WORDS = re.compile(r"[\W_]+")


@dataclass
class Article:
    """The main text of an item's page, or why there is none."""

    text: str | None
    problem: str | None = None
    refused: str | None = None  # the host the outbound policy refused


def extract_text(
    body: bytes, headers: dict[str, str] | None = None, url: str | None = None
) -> str | None:
    """The main text of an HTML document, or None when nothing readable was found."""
    return read_article(body, headers, url).text


def read_article(
    body: bytes, headers: dict[str, str] | None = None, url: str | None = None
) -> Article:
    """The main text of an HTML document (None when nothing readable was found), or why
    there is none when the page is over MAX_ARTICLE_ELEMENTS.

    The bytes are decoded by the charset the response or the page declares, as page feeds
    are: trafilatura's own guess read short windows-1252 pages as cp1250 ("liberaciˇn")."""
    if not body.strip():
        return Article(None)
    with _ONE_AT_A_TIME:
        return _read(body, headers, url)


def _read(body: bytes, headers: dict[str, str] | None, url: str | None) -> Article:
    import trafilatura  # here: a tenth of a second at every command's start, for feeds that never ask
    from trafilatura.utils import load_html

    try:
        tree = load_html(decode_html(without_attribute_floods(body), headers or {}))
        if tree is None:
            return Article(None)
        # trafilatura drops an <svg> whole, its elements unread: an icon sprite or a map of
        # thousands of paths is no cost (removed here in libxml2, and not counted)
        etree.strip_elements(tree, "svg", with_tail=False)
        elements = int(tree.xpath("count(//*)"))  # counted in libxml2, not in Python
        if elements > MAX_ARTICLE_ELEMENTS:
            return Article(None, f"a page of {elements:,} elements, not read (at most "
                                 f"{MAX_ARTICLE_ELEMENTS:,})")
        drop_pointers(tree)
        text = trafilatura.extract(
            tree, url=url, include_comments=False, include_tables=False, fast=True,
        )
    except Exception as exc:  # trafilatura on hostile markup: report, never crash a poll
        log.debug("extraction failed for %s: %s", url, exc)
        return Article(None)
    if not text or not text.strip():
        return Article(None)
    return Article(strip_controls(text).strip()[:MAX_TEXT_CHARS])


def drop_pointers(tree: HtmlElement) -> None:
    """Remove the paragraphs of a page that only point to another article: a link alone
    (`<p><a>…</a></p>`, a WordPress embed), a link after "Lee también:", "RELATED:" or "»",
    or a line "Lee también: <headline>". trafilatura keeps them as the article's text, so a
    football report linking "Foro Penal: excarcelan a 40 presos políticos" matched as a
    release of 40."""
    pointers = [el for el in tree.iter("p", "blockquote") if _is_pointer(el)]
    for el in pointers:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the text after it


def _is_pointer(el: HtmlElement) -> bool:
    if _CUE_FIRST.match(fold(el.text_content()[:200], country=False)):
        return True
    if not any(a.get("href") for a in el.iter("a")):
        return False
    outside = _NOT_WORDS.sub(" ", fold(_outside_links(el), country=False)).strip()
    return _CUE_ONLY.fullmatch(outside) is not None


def _outside_links(el: HtmlElement) -> str:
    """The text of `el` that is not inside a link."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not (child.tag == "a" and child.get("href")):
            parts.append(_outside_links(child))
        parts.append(child.tail or "")
    return " ".join(parts)


async def fetch_article(fetcher: Fetcher, url: str, document_url: str = "") -> Article:
    result = await fetcher.fetch(url, accept=PAGE_ACCEPT, check_robots=True)
    challenge = challenge_header(result.headers)
    if not result.ok:
        why = f"{result.error} (a bot check: {challenge})" if challenge else result.error
        return Article(None, why, result.refused)
    if challenge:
        return Article(None, f"a bot check ({challenge}), not the article")
    if _not_an_article(result.final_url, document_url):
        return Article(None, f"redirected to {redact_userinfo(result.final_url)}, not an article")
    ctype = result.headers.get("content-type", "").lower()
    if ctype and "html" not in ctype and "xml" not in ctype:
        return Article(None, f"not an HTML page ({ctype.split(';')[0]})")
    read = await asyncio.get_running_loop().run_in_executor(
        READS, read_article, result.body, result.headers, result.final_url
    )
    text = read.text
    if not text:
        return Article(None, read.problem or "no article text found")
    if wall := block_page(text):  # the item keeps what the feed gave
        return Article(None, f"{wall}, not the article")
    return Article(text)


def _not_an_article(url: str, document_url: str) -> bool:
    """Whether `url` is a site's home page or the feed's own document (a link into it, `#nota-4`):
    their text is every headline they list, which would match as the item's own."""
    canon = canonical_url(url)
    if canon is None:
        return False
    parts = urlsplit(canon)
    return (parts.path == "/" and not parts.query) or same_document(url, document_url)


def _wants_article(feed: FeedConfig, item: NormalizedItem, document_url: str) -> bool:
    if not item.url or feed.fetch_article == "never" or _not_an_article(item.url, document_url):
        return False
    if feed.fetch_article == "always" or feed.type == "page":
        return True
    return len(item.text or "") + len(item.summary) < LITTLE_TEXT


async def fetch_articles(
    feed: FeedConfig,
    settings: Settings,
    fetcher: Fetcher,
    items: list[NormalizedItem],
    backfill: list[bool],
    refused: list[str],
    document_url: str = "",
) -> int | None:
    """Fill `text` of up to article_fetch_limit new, alertable items; returns how many,
    or None when none was attempted (nothing was awaited). Hosts the outbound policy
    refused are added to `refused`. `document_url`: the feed or page the items came from
    (its final URL), never fetched as an item's article."""
    todo = [
        i for i, b in zip(items, backfill, strict=True)
        if not b and _wants_article(feed, i, document_url)
    ][: settings.article_fetch_limit]
    if not todo:
        return None
    results = await asyncio.gather(
        *(fetch_article(fetcher, i.url or "", document_url) for i in todo), return_exceptions=True
    )
    done = 0
    for item, outcome in zip(todo, results, strict=True):
        shown = redact_userinfo(item.url or "")
        if isinstance(outcome, BaseException):
            log.warning("%s: article %s: %s", feed.name, shown, redact_userinfo(str(outcome)))
            continue
        if outcome.refused and outcome.refused not in refused:
            refused.append(outcome.refused)
        if outcome.text:
            item.text = outcome.text
            done += 1
        else:
            log.info("%s: no article text for %s: %s", feed.name, shown, outcome.problem)
    return done
