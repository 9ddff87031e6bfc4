"""Items stored with a zero date take their fetch time: a date before 1900 (Go's and .NET's zero
time, 0001-01-01T00:00:00Z, written by feeds for a missing date) or the Unix epoch. Ingest has
treated such a date as no date since December 2026 (monitor/ingest/normalize.py, `EARLIEST`);
rows stored before kept it, and a year-1 item's classification failed at every round (an
OverflowError placing it in a story 48 h before year 1, a traceback each time) until retention
took it. Their `backfill` flag is left as it was: nothing months old is alerted by an upgrade.
The downgrade leaves the dates as they are (the zero dates were no information).

Revision ID: 0027_item_no_zero_dates
Revises: 0026_alert_claimed_key
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0027_item_no_zero_dates"
down_revision = "0026_alert_claimed_key"
branch_labels = None
depends_on = None

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    bind = op.get_bind()
    # as storage.models.UTCDateTime binds a time: SQLite keeps naive UTC text, PostgreSQL a timestamptz
    naive = bind.dialect.name == "sqlite"
    earliest, epoch = ((t.replace(tzinfo=None) if naive else t) for t in (EARLIEST, EPOCH))
    items = sa.table("items", sa.column("published_at", sa.DateTime(timezone=True)),
                     sa.column("fetched_at", sa.DateTime(timezone=True)), sa.column("date_only", sa.Boolean()))
    bind.execute(
        items.update()
        .where(sa.or_(items.c.published_at < earliest, items.c.published_at == epoch))
        .values(published_at=items.c.fetched_at, date_only=False)
    )


def downgrade() -> None:
    """The zero dates were no information: nothing to put back."""
