"""The outbox key an alert was claimed under: `alerts.claimed_key`. The worker journals a send
under the key its row had when claimed (core/restore_marks.py); a `/merge` or `/split` that
re-keys the row while its message is on its way (`new:pp:R` → `new:pp:R:merged:ID`, or
`new:pp:K`) left the journal's line under a key the row no longer had, and a kill before the
record had the next start send the message again. Rows claimed before are NULL: their key is
looked up as before.

Revision ID: 0026_alert_claimed_key
Revises: 0025_item_retention_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_alert_claimed_key"
down_revision = "0025_item_retention_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("claimed_key", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("claimed_key")
