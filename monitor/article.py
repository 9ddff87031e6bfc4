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

from monitor.fetch.client import PAGE_ACCEPT, Fetcher
from monitor.normalize import strip_controls

log = logging.getLogger("monitor.article")

MAX_TEXT_CHARS = 100_000
LITTLE_TEXT = 400  # an item with less text than this is worth fetching in `auto` mode


def extract_text(body: bytes, url: str | None = None) -> str | None:
    """The main text of an HTML document, or None when nothing readable was found."""
    if not body.strip():
        return None
    try:
        text = trafilatura.extract(
            body, url=url, include_comments=False, include_tables=False, fast=True,
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
    text = await asyncio.to_thread(extract_text, result.body, result.final_url)
    return Article(text, None if text else "no article text found")
