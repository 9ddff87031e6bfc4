"""Article text: the main text of an item's web page, extracted with trafilatura.

Fetched through the shared `Fetcher` (robots.txt, limits, User-Agent and the
outbound policy apply: an item link is an address taken from content, checked
after DNS resolution); extraction runs in a worker thread because it is CPU-bound.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import trafilatura

from core.config import FeedConfig, Settings
from monitor.fetch.client import PAGE_ACCEPT, Fetcher
from monitor.fetch.redact import redact_userinfo
from monitor.ingest.normalize import NormalizedItem, strip_controls
from monitor.parse.page import decode_html

log = logging.getLogger("monitor.ingest.article")

MAX_TEXT_CHARS = 100_000
LITTLE_TEXT = 400  # an item with less text than this is worth fetching in `auto` mode


def extract_text(
    body: bytes, headers: dict[str, str] | None = None, url: str | None = None
) -> str | None:
    """The main text of an HTML document, or None when nothing readable was found.

    The bytes are decoded by the charset the response or the page declares, as page feeds
    are: trafilatura's own guess read short windows-1252 pages as cp1250 ("liberaciˇn")."""
    if not body.strip():
        return None
    try:
        text = trafilatura.extract(
            decode_html(body, headers or {}), url=url, include_comments=False, include_tables=False, fast=True,
        )
    except Exception as exc:  # trafilatura on hostile markup: report, never crash a poll
        log.debug("extraction failed for %s: %s", url, exc)
        return None
    if not text or not text.strip():
        return None
    return strip_controls(text).strip()[:MAX_TEXT_CHARS]


@dataclass
class Article:
    """The main text of an item's page, or why there is none."""

    text: str | None
    problem: str | None = None
    refused: str | None = None  # the host the outbound policy refused


async def fetch_article(fetcher: Fetcher, url: str) -> Article:
    result = await fetcher.fetch(url, accept=PAGE_ACCEPT, check_robots=True)
    if not result.ok:
        return Article(None, result.error, result.refused)
    ctype = result.headers.get("content-type", "").lower()
    if ctype and "html" not in ctype and "xml" not in ctype:
        return Article(None, f"not an HTML page ({ctype.split(';')[0]})")
    text = await asyncio.to_thread(extract_text, result.body, result.headers, result.final_url)
    return Article(text, None if text else "no article text found")


def _wants_article(feed: FeedConfig, item: NormalizedItem) -> bool:
    if not item.url or feed.fetch_article == "never":
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
) -> int | None:
    """Fill `text` of up to article_fetch_limit new, alertable items; returns how many,
    or None when none was attempted (nothing was awaited). Hosts the outbound policy
    refused are added to `refused`."""
    todo = [
        i for i, b in zip(items, backfill, strict=True) if not b and _wants_article(feed, i)
    ][: settings.article_fetch_limit]
    if not todo:
        return None
    results = await asyncio.gather(
        *(fetch_article(fetcher, i.url or "") for i in todo), return_exceptions=True
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
