"""Watched people in the database: list, add, remove, learn, seed.

Rows are found by the folded key the caller computes (`core.people`, which names and
keys every person: "Rocío San Miguel" and "ROCIO SAN MIGUEL" are one person). A removed person keeps its row (with
`removed`), so the news never teaches it again; only an operator's add brings it back.
Inserts run in a savepoint, so two replicas learning the same name at once leave one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import NAME_CHARS, WatchedPerson


@dataclass(frozen=True)
class PersonRow:
    """A watched person as shown to operators (detached from the session)."""

    name: str
    key: str
    origin: str
    source_title: str | None
    source_url: str | None
    added_by: str | None
    created_at: datetime
    removed: bool


def _row(p: WatchedPerson) -> PersonRow:
    return PersonRow(p.name, p.key, p.origin, p.source_title, p.source_url, p.added_by,
                     p.created_at, p.removed)


def _fits(display: str, key: str) -> bool:
    """Whether the name fits its columns: PostgreSQL refuses a longer one, and the error
    would fail the transaction of the item that taught it."""
    return len(display) <= NAME_CHARS and len(key) <= NAME_CHARS


def _get(session: Session, key: str) -> WatchedPerson | None:
    return session.scalar(select(WatchedPerson).where(WatchedPerson.key == key))


def list_people(session: Session, *, include_removed: bool = False) -> list[PersonRow]:
    """Watched people, oldest first."""
    stmt = select(WatchedPerson).order_by(WatchedPerson.created_at, WatchedPerson.id)
    if not include_removed:
        stmt = stmt.where(WatchedPerson.removed.is_(False))
    return [_row(p) for p in session.scalars(stmt)]


def watched_names(session: Session) -> list[str]:
    """The display names of everyone watched now (what the matcher loads)."""
    stmt = select(WatchedPerson.name).where(WatchedPerson.removed.is_(False)).order_by(WatchedPerson.id)
    return list(session.scalars(stmt))


def _insert(session: Session, person: WatchedPerson) -> bool:
    try:
        with session.begin_nested():
            session.add(person)
            session.flush()
    except IntegrityError:  # another process added the same key first
        return False
    return True


def watch(
    session: Session, display: str, key: str, *, added_by: str | None = None,
    now: datetime | None = None,
) -> tuple[str, bool]:
    """An operator adds a person: (display name, True when it was not watched before).

    A removed person is watched again. Raises ValueError for a name too long to store."""
    if not _fits(display, key):
        raise ValueError(f"a name of {len(display)} characters is too long (at most {NAME_CHARS})")
    existing = _get(session, key)
    if existing is not None:
        if not existing.removed:
            return existing.name, False
        existing.removed, existing.removed_by, existing.removed_at = False, None, None
        existing.origin, existing.added_by = "operator", added_by
        return existing.name, True
    ok = _insert(session, WatchedPerson(
        name=display, key=key, origin="operator", added_by=added_by,
        created_at=now or datetime.now(UTC), removed=False,
    ))
    return display, ok


def unwatch(
    session: Session, key: str, *, removed_by: str | None = None, now: datetime | None = None
) -> str | None:
    """Stop watching the person `key`; the display name, or None when nobody is watched by it.

    The row stays (removed) so the news never teaches the name again."""
    existing = _get(session, key)
    if existing is None or existing.removed:
        return None
    existing.removed, existing.removed_by = True, removed_by
    existing.removed_at = now or datetime.now(UTC)
    return existing.name


def record_learned(
    session: Session, display: str, key: str, *, item_id: int | None, url: str | None,
    title: str | None, now: datetime | None = None,
) -> bool:
    """Record a name the news taught (with the item that taught it); True when it is new.

    Known names (watched or removed) are left as they are."""
    if not key or not _fits(display, key) or _get(session, key) is not None:
        return False
    return _insert(session, WatchedPerson(
        name=display, key=key, origin="learned", source_item_id=item_id, source_url=url,
        source_title=title, created_at=now or datetime.now(UTC), removed=False,
    ))


def insert_seed(
    session: Session, people: list[tuple[str, str]], *, now: datetime | None = None
) -> int:
    """Insert the (display, key) seed names the database does not know yet; return how many."""
    known = set(session.scalars(select(WatchedPerson.key)))
    added = 0
    for display, key in people:
        if not key or key in known or not _fits(display, key):
            continue
        known.add(key)
        added += _insert(session, WatchedPerson(
            name=display, key=key, origin="seed", created_at=now or datetime.now(UTC), removed=False,
        ))
    return added
