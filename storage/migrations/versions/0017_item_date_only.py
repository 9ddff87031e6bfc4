"""Items dated without a time of day: `items.date_only`, so a message shows such an item's
day alone instead of guessing it from a stored 00:00:00 UTC (an item published at 20:00:00
in Caracas is that instant too). Rows stored before are false: they show their time as before.

Revision ID: 0017_item_date_only
Revises: 0016_item_reference_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_item_date_only"
down_revision = "0016_item_reference_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("date_only", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("date_only")
