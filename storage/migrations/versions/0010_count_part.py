"""The group a figure counts when it counts part of the people in the news (counts.part):
"entre ellos 180 militares" is no total, so the tally leaves it out and alerts name the group.

Existing counts were all read as totals (no part).

Revision ID: 0010_count_part
Revises: 0009_count_additional
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_count_part"
down_revision = "0009_count_additional"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counts") as batch:
        batch.add_column(sa.Column("part", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counts") as batch:
        batch.drop_column("part")
