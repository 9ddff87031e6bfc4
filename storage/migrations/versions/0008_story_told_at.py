"""When a story was first told (stories.told_at): the time its first item that is not backfill
joined it. Backfilled items now join stories too, without alerts; a digest lists the stories
first told in its period, so a story of backfill alone (never told) is in none.

Existing stories were all told when they were created.

Revision ID: 0008_story_told_at
Revises: 0007_items_pending_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_story_told_at"
down_revision = "0007_items_pending_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("told_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text("UPDATE stories SET told_at = created_at"))
    op.create_index("ix_stories_told_at", "stories", ["told_at"])


def downgrade() -> None:
    op.drop_index("ix_stories_told_at", table_name="stories")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("told_at")
