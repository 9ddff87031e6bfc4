"""Remember the chat id each channel has in feeds.yaml, apart from the one in use.

A chat migration (a group upgraded to a supergroup) changes the chat id in use;
an operator's edit of feeds.yaml changes the configured one. Keeping both lets
the service tell the two apart.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("configured_chat_id", sa.String(length=100), nullable=True))
    op.execute("UPDATE channels SET configured_chat_id = chat_id")


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("configured_chat_id")
