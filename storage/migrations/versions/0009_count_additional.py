"""Counts of people on top of a figure told before (counts.additional): "liberó a otros tres"
is not the source's running total, so the tally leaves it out and alerts show it as "+3".

Existing counts were all read as totals.

Revision ID: 0009_count_additional
Revises: 0008_story_told_at
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_count_additional"
down_revision = "0008_story_told_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counts") as batch:
        batch.add_column(sa.Column("additional", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("counts") as batch:
        batch.drop_column("additional")
