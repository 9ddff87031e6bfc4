"""Small feed documents for tests, the bench and the demo: RSS 2.0, Atom 1.0, JSON Feed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass
class SampleItem:
    title: str
    link: str
    summary: str = ""
    guid: str | None = None
    published: datetime | None = None
    content: str | None = None


def rss(items: Sequence[SampleItem], *, title: str = "Sample", encoding: str = "utf-8",
        language: str | None = None) -> bytes:
    """An RSS 2.0 document, encoded (and declared) as `encoding`."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>https://example.org/</link>",
        "<description>sample</description>",
    ]
    if language:
        parts.append(f"<language>{language}</language>")
    for it in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(it.title)}</title><link>{escape(it.link)}</link>")
        if it.guid:
            parts.append(f'<guid isPermaLink="false">{escape(it.guid)}</guid>')
        if it.summary:
            parts.append(f"<description>{escape(it.summary)}</description>")
        if it.content:
            parts.append(f"<content:encoded><![CDATA[{it.content}]]></content:encoded>")
        if it.published:
            parts.append(f"<pubDate>{format_datetime(it.published.astimezone(UTC), usegmt=True)}"
                         "</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding, errors="xmlcharrefreplace")


def atom(items: Sequence[SampleItem], *, title: str = "Sample") -> bytes:
    now = datetime.now(UTC).isoformat()
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:sample</id><updated>{now}</updated>",
    ]
    for i, it in enumerate(items):
        parts.append("<entry>")
        parts.append(f"<title>{escape(it.title)}</title>")
        parts.append(f'<link rel="alternate" href="{escape(it.link)}"/>')
        parts.append(f"<id>{escape(it.guid or f'urn:sample:{i}')}</id>")
        when = (it.published or datetime.now(UTC)).isoformat()
        parts.append(f"<published>{when}</published><updated>{when}</updated>")
        if it.summary:
            parts.append(f'<summary type="html">{escape(it.summary)}</summary>')
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def json_feed(items: Sequence[SampleItem], *, title: str = "Sample",
              version: str = "https://jsonfeed.org/version/1.1") -> bytes:
    doc = {
        "version": version,
        "title": title,
        "items": [
            {
                "id": it.guid or it.link,
                "url": it.link,
                "title": it.title,
                "content_html": it.content or it.summary,
                "summary": it.summary,
                **({"date_published": it.published.isoformat()} if it.published else {}),
            }
            for it in items
        ],
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
