"""The tally's confident figures and the pinned live figure of a channel (docs/TALLY.md).

`counts.confident`: whether the rule that read a count is trusted (core/count.py); counts
stored before this revision were not marked and count as confident, as alerts showed them.
`tally_pins`: per channel with `pin_tally: true`, the live figures' message (its id, text,
when it was last edited, whether it is pinned, and whether a refusal to pin was told to the
operator).

Revision ID: 0006_tally_pins
Revises: 0005_leases
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_tally_pins"
down_revision = "0005_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counts") as batch:
        batch.add_column(sa.Column("confident", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "tally_pins",
        sa.Column("channel", sa.String(200), primary_key=True),
        sa.Column("chat_id", sa.String(100), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False, server_default=""),
        sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("pin_refused", sa.Text(), nullable=True),
        sa.Column("refusal_reported", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("tally_pins")
    with op.batch_alter_table("counts") as batch:
        batch.drop_column("confident")
