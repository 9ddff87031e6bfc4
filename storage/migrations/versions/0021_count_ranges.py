"""counts.upto: the upper end of the range a figure opens ("entre 56 y 76": 56 with upto 76;
76 is stored as a count of its own). The tally reads a range as one figure, its lower end, and
knows the upper end by this column; before it went by the order and size of an item's figures,
which would also have taken "16 hoy, 56 en total" for a range. Rows stored before it have none:
their ranges read as before this revision's tally (both ends). A partial index finds the
ranges' lower ends without reading every count.

Revision ID: 0021_count_ranges
Revises: 0020_canonical_hosts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_count_ranges"
down_revision = "0020_canonical_hosts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counts") as batch:
        batch.add_column(sa.Column("upto", sa.Integer(), nullable=True))
    op.create_index("ix_counts_ranges", "counts", ["item_id"], sqlite_where=sa.text("upto IS NOT NULL"),
                    postgresql_where=sa.text("upto IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_counts_ranges", table_name="counts")
    with op.batch_alter_table("counts") as batch:
        batch.drop_column("upto")
