"""Leases shared by replicas on one database (table `leases`).

A lease is a name, a holder and an expiry. `take` is one atomic conditional write, safe on
PostgreSQL under concurrency and on SQLite: an UPDATE that succeeds only when the lease is
the caller's already or has expired, else an INSERT … ON CONFLICT DO NOTHING for a lease
never taken. Exactly one of several replicas racing for a free lease sees rowcount 1.
A replica that dies (kill -9) stops renewing; its leases are free once they expire.

On PostgreSQL a lease is stamped and judged by the database's clock (`clock_timestamp()`, in
the statement that takes it), the one clock every replica shares: each replica's own clock
made a host two minutes ahead see every other replica's lease as expired (the leader's
taken from it at each renewal, every feed polled twice). SQLite has one process and its clock.
`now=` judges by the time given instead (tests of the lease rules).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Lease

LEADER = "leader"


def poll_lease(feed: str) -> str:
    return f"poll:{feed}"


def shares_clock(session: Session) -> bool:
    """Whether leases and claims are stamped by the database's clock (PostgreSQL: replicas)."""
    return session.get_bind().dialect.name == "postgresql"


def lease_clock(session: Session, now: datetime | None = None) -> ColumnElement[datetime] | datetime:
    """The time a lease or claim is stamped and judged by: `now` when given, else the database's
    clock on PostgreSQL (an SQL expression, evaluated in the statement) and this host's on SQLite."""
    if now is not None:
        return now
    if shares_clock(session):
        return func.clock_timestamp(type_=DateTime(timezone=True))
    return datetime.now(UTC)


def lease_now(session: Session, now: datetime | None = None) -> datetime:
    """`lease_clock` read now, as a time."""
    clock = lease_clock(session, now)
    return clock if isinstance(clock, datetime) else session.execute(select(clock)).scalar_one()


def take(session: Session, name: str, holder: str, ttl: timedelta, *,
         now: datetime | None = None) -> bool:
    """Take or renew `name` for `holder` until now + ttl; False when another holder has it."""
    clock = lease_clock(session, now)
    until = clock + ttl
    renewed = session.execute(
        update(Lease)
        .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at < clock))
        .values(holder=holder, expires_at=until)
        .execution_options(synchronize_session=False)
    )
    if renewed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = session.execute(
        insert(Lease)
        .values(name=name, holder=holder, expires_at=until, acquired_at=clock)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(Lease.name)
    )
    return created.first() is not None  # (an ORM insert's rowcount is -1 on psycopg)


def take_or_expiry(session: Session, name: str, holder: str, ttl: timedelta, *,
                   now: datetime | None = None) -> tuple[bool, datetime]:
    """`take`, and when another holder has the lease, when it ends (by this host's clock, or
    by `now`'s: a lease stamped by the database's clock is read as the time left on it)."""
    local = now or datetime.now(UTC)
    if take(session, name, holder, ttl, now=now):
        return True, local + ttl
    ends = session.execute(select(Lease.expires_at).where(Lease.name == name)).scalar_one_or_none()
    if ends is None:
        return False, local
    return False, local + (ends - lease_now(session, now))


def release(session: Session, name: str, holder: str) -> bool:
    """Give `name` up at once (a clean stop), if `holder` has it."""
    result = session.execute(
        delete(Lease).where(Lease.name == name, Lease.holder == holder)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def holder_of(session: Session, name: str, *, now: datetime | None = None) -> str | None:
    """Who holds `name` now (None when free or expired)."""
    row = session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name)).first()
    if row is None or row.expires_at < lease_now(session, now):
        return None
    return str(row.holder)



DONE = "done"  # the holder of a claim whose work is finished


def update_lease(update_id: int) -> str:
    return f"update:{update_id}"


def claim_work(session: Session, name: str, holder: str, ttl: timedelta, *,
               now: datetime | None = None) -> str:
    """Claim one piece of work done once across replicas (an admin update): "mine" (do it,
    then `finish_work`), "done" (finished by someone), or "busy" (in progress elsewhere until
    its claim ends: ask again later; a holder that died leaves it to the next one). Claims
    of the same kind ("update:") that ended are deleted first."""
    kind = name.split(":", 1)[0] + ":"
    session.execute(
        delete(Lease).where(Lease.name.startswith(kind), Lease.expires_at < lease_clock(session, now))
        .execution_options(synchronize_session=False)
    )
    if take(session, name, holder, ttl, now=now):
        return "mine"
    current = session.execute(select(Lease.holder).where(Lease.name == name)).scalar_one_or_none()
    return "done" if current == DONE else "busy"


def finish_work(session: Session, name: str, holder: str, keep: timedelta, *,
                now: datetime | None = None) -> None:
    """Mark claimed work finished, remembered for `keep`."""
    session.execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder)
        .values(holder=DONE, expires_at=lease_clock(session, now) + keep)
        .execution_options(synchronize_session=False)
    )


# Not a lease: the chat whose scope holds the admin chat's command menu (alerts/admin_menu.py), in
# `holder`, so that a start without that chat as the admin chat deletes the menu there.
MENU = "menu:admin-chat"
_KEPT = datetime(9999, 1, 1, tzinfo=UTC)  # never expires


def menu_chat(session: Session) -> str | None:
    """The chat a run registered the admin chat's command menu in, if any."""
    return session.execute(select(Lease.holder).where(Lease.name == MENU)).scalar_one_or_none()


def remember_menu_chat(session: Session, chat: str | None) -> None:
    session.execute(delete(Lease).where(Lease.name == MENU).execution_options(synchronize_session=False))
    if chat is not None:
        session.add(Lease(name=MENU, holder=chat, expires_at=_KEPT, acquired_at=datetime.now(UTC)))
