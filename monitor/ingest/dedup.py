"""Dedup and store: an item is known when the same feed already has its GUID, when any feed
has its canonical URL, or when the same feed has an item with the same title and text
(content_hash; republished with a new GUID and URL). The hash is not compared across feeds:
two outlets running the same wire copy are two reports of one story, which the story
clustering downstream wants to see.

An item of this feed already stored under its GUID or canonical URL whose title now states a
number its latest stored version did not state ("Ascienden a 8…" retitled "Ascienden a
16…", or back to "8…") is a revision (`revisions`): stored again as a new item pointing to its
first version, at most MAX_REVISIONS times, and a title at most twice. Any other change of a
stored item (its summary, its words) is ignored.

Inside one document (`within_document`), a GUID or a canonical link that several items with
different content share says nothing about those items (a generator that gives every item
the homepage as guid or link, live-blog posts told apart by #fragment only): they are told
apart by the next key, and the parse problem says so."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from core.urls import redact_userinfo, with_fragment
from monitor.ingest.normalize import NormalizedItem, too_long_a_key
from monitor.match.counts.numbers import numbers_in
from storage.items import insert_items, stored_keys, stored_under, versions_of
from storage.models import Item

log = logging.getLogger("monitor.ingest")

SHOWN_KEY_CHARS = 120
MAX_REVISIONS = 5  # per item: a live blog retitled every hour must not flood its story
CAPPED_KEPT = 10_000  # items whose capped revisions were logged, remembered for the process
_capped: set[tuple[str, str]] = set()  # (feed, first version's GUID)


def within_document(items: list[NormalizedItem]) -> tuple[list[NormalizedItem], list[str]]:
    """The items of one document without its duplicates (the same item listed twice: the
    first is kept), and the problems met: keys shared by items with different content."""
    problems = _split_shared_guids(items) + _split_shared_links(items)
    out: list[NormalizedItem] = []
    guids: set[str] = set()
    urls: set[str] = set()
    for item in items:
        if item.guid in guids or (item.canonical_url and item.canonical_url in urls):
            continue
        guids.add(item.guid)
        if item.canonical_url:
            urls.add(item.canonical_url)
        out.append(item)
    return out, problems


def _groups(items: list[NormalizedItem], key: Callable[[NormalizedItem], str | None]
            ) -> list[tuple[str, list[NormalizedItem]]]:
    """Items grouped by `key`, only the groups of several items with different content."""
    groups: dict[str, list[NormalizedItem]] = {}
    for item in items:
        if (value := key(item)) is not None:
            groups.setdefault(value, []).append(item)
    return [(value, members) for value, members in groups.items()
            if len({m.content_hash for m in members}) > 1]


def _tells_apart(members: list[NormalizedItem], keys: list[str | None]) -> bool:
    """Whether `keys` differ wherever content does (the same content may share a key: the
    same item listed twice)."""
    content: dict[str, str] = {}
    for member, key in zip(members, keys, strict=True):
        if key is None or content.setdefault(key, member.content_hash) != member.content_hash:
            return False
    return True


def _with_fragment(item: NormalizedItem) -> str | None:
    """The canonical link with the link's #fragment kept (live-blog posts)."""
    if not item.canonical_url or not item.url:
        return None
    keyed = with_fragment(item.canonical_url, item.url)
    return None if too_long_a_key(keyed) else keyed


def _count(members: list[NormalizedItem]) -> int:
    """How many different items (an item listed twice is one)."""
    return len({m.content_hash for m in members})


def _shown(key: str) -> str:
    key = redact_userinfo(key)
    return repr(key if len(key) <= SHOWN_KEY_CHARS else key[:SHOWN_KEY_CHARS] + "…")


def _split_shared_guids(items: list[NormalizedItem]) -> list[str]:
    """Items sharing a GUID with different content get the next key as their GUID: their
    canonical link, else that link with its fragment, else `hash:<content hash>`; the GUID
    they shared is kept in `shared_guid` (dedup against what an earlier poll stored)."""
    problems: list[str] = []
    for guid, members in _groups(items, lambda i: i.guid):
        how, keys = "content", [f"hash:{m.content_hash}" for m in members]
        for name, key in (("link", lambda m: m.canonical_url), ("link fragment", _with_fragment)):
            candidate = [key(m) for m in members]
            if _tells_apart(members, candidate):
                how, keys = name, candidate
                break
        for member, key in zip(members, keys, strict=True):
            member.shared_guid, member.guid = guid, str(key)
        problems.append(f"{_count(members)} items share guid {_shown(guid)}: told apart by {how}")
    return problems


def _split_shared_links(items: list[NormalizedItem]) -> list[str]:
    """Items sharing a canonical link with different content: their link with its fragment
    stands for the canonical URL when that tells them apart, else they have none (their GUIDs,
    distinct once `_split_shared_guids` ran, tell them apart)."""
    problems: list[str] = []
    for url, members in _groups(items, lambda i: i.canonical_url):
        keys = [_with_fragment(m) for m in members]
        if _tells_apart(members, keys):
            how = "link fragment"
        else:
            how, keys = "guid", [None] * len(members)
        for member, key in zip(members, keys, strict=True):
            member.canonical_url = key
        problems.append(f"{_count(members)} items share link {_shown(url)}: told apart by {how}")
    return problems


def unknown(session: Session, feed_id: int, items: list[NormalizedItem]) -> list[NormalizedItem]:
    """The items not stored yet (same feed+GUID, any feed+URL, same feed+content hash, or,
    for items whose document shares their GUID, same feed+that GUID+content hash)."""
    if not items:
        return []
    guids, urls, hashes = stored_keys(
        session, feed_id,
        [i.guid for i in items],
        [i.canonical_url for i in items if i.canonical_url],
        [i.content_hash for i in items if i.hashable],
    )
    shared = _stored_with_shared_guid(session, feed_id, items)
    fresh: list[NormalizedItem] = []
    for item in items:
        if item.revision_of is not None:  # found by an earlier look (a poll's recheck): its own key
            if item.guid not in guids:
                fresh.append(item)
            continue
        if item.guid in guids or (item.canonical_url and item.canonical_url in urls):
            continue
        if (item.shared_guid, item.content_hash) in shared:  # stored under the shared GUID
            continue
        if item.hashable and item.content_hash in hashes:
            continue
        if item.hashable:
            hashes.add(item.content_hash)  # a duplicate later in the same document
        fresh.append(item)
    return fresh


def revisions(
    session: Session, feed: str, feed_id: int, known: list[NormalizedItem], now: datetime,
    last_success: datetime | None = None,
) -> list[NormalizedItem]:
    """The revisions among `known` (items `unknown` left out): an item this feed stored under
    its GUID or canonical URL, whose title states a number the latest of its stored versions
    did not state (a title it had before once more at most: `_revision`). Each comes back as a
    new item for its first version (`revision_of`), under that version's GUID + "#rev" + a hash
    of its title (+ "-2" for a title's second time), published
    at its entry's updated time when that is later than the first version's and than the feed's
    previous successful poll (`last_success`, which still saw the old title: an older updated
    time is stale), else now (news now, not backfill for the first version's date)."""
    keyed = [i for i in known if i.revision_of is None and i.shared_guid is None]
    if not keyed:
        return []
    rows = stored_under(session, feed_id, [i.guid for i in keyed], [i.canonical_url for i in keyed if i.canonical_url])
    by_guid = {r.guid: r for r in rows}
    by_url: dict[str, list[Row[Any]]] = {}
    latest: dict[int, str] = {}  # first version's id -> the title of the item's latest version
    own: dict[int, set[str]] = {}  # first version's id -> its versions' content hashes
    for r in sorted(rows, key=lambda r: r.id):
        latest[r.revision_of or r.id] = r.title
        own.setdefault(r.revision_of or r.id, set()).add(r.content_hash)
        if r.canonical_url:
            by_url.setdefault(r.canonical_url, []).append(r)
    retitled: list[tuple[NormalizedItem, int]] = []
    for item in keyed:
        matched = [by_guid[item.guid]] if item.guid in by_guid else by_url.get(item.canonical_url or "", [])
        if matched and all(latest[r.revision_of or r.id] != item.title for r in matched):  # most polls: the same
            retitled.append((item, min(r.revision_of or r.id for r in matched)))
    if not retitled:
        return []
    # one stored as an item of its own (a generator that gave it another item's GUID) is that
    # item; one with a version's content is that version's title back
    _, _, hashes = stored_keys(session, feed_id, [], [], [i.content_hash for i, _ in retitled])
    retitled = [(i, first) for i, first in retitled if i.content_hash not in hashes - own[first]]
    if not retitled:
        return []
    versions: dict[int, list[Row[Any]]] = {}
    for r in versions_of(session, sorted({first for _, first in retitled})):
        versions.setdefault(r.revision_of or r.id, []).append(r)
    out: list[NormalizedItem] = []
    for item, first_id in retitled:
        stored = versions.pop(first_id, [])  # popped: one revision of an item per poll
        revision = _revision(feed, item, stored, now, last_success)
        if revision is not None:
            out.append(revision)
    return out


def _revision(
    feed: str, item: NormalizedItem, stored: list[Row[Any]], now: datetime, last_success: datetime | None,
) -> NormalizedItem | None:
    """`item` as a revision of `stored` (its first version, then its revisions), or None.

    A title the item had before is a revision once more (the outlet put its earlier figure
    back: 8, 16, then 8 again), not twice: a feed alternating two titles stops there."""
    if not stored or stored[-1].title == item.title:
        return None
    first, latest = stored[0], stored[-1]
    if not numbers_in(item.title) - numbers_in(latest.title):
        return None  # the same figures reworded, or one dropped: nothing new to tell
    taken = {r.guid for r in stored}
    base = f"{first.guid}#rev{hashlib.sha256(item.title.encode()).hexdigest()[:8]}"
    guid = next((g for g in (base, f"{base}-2") if g not in taken), None)
    if guid is None or sum(r.title == item.title for r in stored) >= 2:
        return None
    if len(stored) > MAX_REVISIONS:
        if (feed, first.guid) not in _capped:
            if len(_capped) >= CAPPED_KEPT:
                _capped.clear()
            _capped.add((feed, first.guid))
            log.info("%s: item %d retitled again (%r) after %d revisions; this and later ones are ignored",
                     feed, first.id, item.title[:120], MAX_REVISIONS)
        return None
    after = max(first.published_at, last_success or first.published_at)
    updated = item.updated_at is not None and item.updated_at > after
    return replace(item, guid=guid, revision_of=first.id, published_at=item.updated_at if updated else now,
                   dated=updated, date_only=False)


def _stored_with_shared_guid(
    session: Session, feed_id: int, items: list[NormalizedItem]
) -> set[tuple[str, str]]:
    """(GUID, content hash) of this feed's stored items under the GUIDs that items of this
    document share (`within_document`): one listed alone before was stored under it."""
    shared = sorted({i.shared_guid for i in items if i.shared_guid})
    if not shared:
        return set()
    stmt = select(Item.guid, Item.content_hash).where(
        Item.feed_id == feed_id, Item.guid.in_(shared))
    return {(guid, digest) for guid, digest in session.execute(stmt)}


def insert_new(
    session: Session, feed_id: int, rows: list[tuple[NormalizedItem, bool]], now: datetime
) -> list[int]:
    """Store new items (with their backfill flag); their ids, in the same order."""
    values = [
        {
            "feed_id": feed_id,
            "guid": i.guid,
            "url": i.url,
            "canonical_url": i.canonical_url,
            "title": i.title,
            "summary": i.summary,
            "text": i.text,
            "language": i.language,
            "published_at": i.published_at,
            "date_only": i.date_only,
            "fetched_at": now,
            "content_hash": i.content_hash,
            "backfill": backfill,
            "entities": [],
            "revision_of": i.revision_of,
        }
        for i, backfill in rows
    ]
    return insert_items(session, feed_id, values)
