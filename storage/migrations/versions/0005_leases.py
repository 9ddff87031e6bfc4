"""Leases shared by replicas: the leader and who polls each feed (storage/leases.py).

Revision ID: 0005_leases
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_leases"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leases")
