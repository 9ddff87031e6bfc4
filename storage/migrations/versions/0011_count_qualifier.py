"""How exactly a figure was stated (counts.qualifier): "más de 400" is "more than", "al menos
711" "at least"; alerts and the tally quote it.

Existing counts have none (shown as bare numbers, as before).

Revision ID: 0011_count_qualifier
Revises: 0010_count_part
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_count_qualifier"
down_revision = "0010_count_part"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counts") as batch:
        batch.add_column(sa.Column("qualifier", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counts") as batch:
        batch.drop_column("qualifier")
