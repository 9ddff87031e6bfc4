"""`feeds.item_counts`: the items a `page` feed's usual polls read (monitor/ingest/item_counts.py).
After a redesign the item selector matched one stray element, the poll read 1 item where it
read 20-25, and the feed stayed `ok` with no parse problem: the counts were not kept.

Revision ID: 0029_feed_item_counts
Revises: 0028_alert_story_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_feed_item_counts"
down_revision = "0028_alert_story_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("item_counts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("item_counts")
