"""A partial index of the items not classified yet, in publication order.

The pipeline asks for the next pending items, oldest published first
(storage.items.unclassified_ids); without this index that is a scan of every stored item.

Revision ID: 0007_items_pending_index
Revises: 0006_tally_pins
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_items_pending_index"
down_revision = "0006_tally_pins"
branch_labels = None
depends_on = None

PENDING = sa.text("classified_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_items_pending", "items", ["published_at", "id"],
        sqlite_where=PENDING, postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_items_pending", table_name="items")
