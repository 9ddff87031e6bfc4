"""The pinned live figures of each channel with `pin_tally: true` (table `tally_pins`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import TallyPin


def pin_of(session: Session, channel: str) -> TallyPin | None:
    return session.get(TallyPin, channel)


def save_pin(session: Session, channel: str, chat_id: str, **values: Any) -> TallyPin:
    """Create or update the channel's row with `values`."""
    row = session.get(TallyPin, channel)
    if row is None:
        row = TallyPin(channel=channel, chat_id=chat_id, text="", pinned=False, refusal_reported=False)
        session.add(row)
    row.chat_id = chat_id
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    return row


def unreported_refusals(session: Session) -> list[TallyPin]:
    """Channels where pinning was refused and the operator was not told yet."""
    return list(session.scalars(
        select(TallyPin).where(TallyPin.pin_refused.is_not(None), TallyPin.refusal_reported.is_(False))
        .order_by(TallyPin.channel)
    ))


def mark_refusal_reported(session: Session, channel: str) -> None:
    row = session.get(TallyPin, channel)
    if row is not None:
        row.refusal_reported = True
