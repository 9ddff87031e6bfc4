"""Revisions: an item its outlet retitled in place with another figure (the same GUID or link)
is stored again, pointing to its first version (items.revision_of). A first version deleted by
retention leaves its revisions as items of their own (ON DELETE SET NULL).

SQLite adds a foreign key only by rebuilding the table (batch mode; rows, ids and indexes kept).

Revision ID: 0015_item_revisions
Revises: 0014_story_clock
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_item_revisions"
down_revision = "0014_story_clock"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("revision_of", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_items_revision_of", "items", ["revision_of"], ["id"], ondelete="SET NULL")
    op.create_index("ix_items_revision_of", "items", ["revision_of"])


def downgrade() -> None:
    op.drop_index("ix_items_revision_of", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_constraint("fk_items_revision_of", type_="foreignkey")
        batch.drop_column("revision_of")
