"""An index on stories.updated_at: the story index loads the stories changed since a time, on
its first use and, with several replicas on PostgreSQL, every second to learn of the items other
replicas placed (alerts/stories/assign.py).

Revision ID: 0012_story_updated_index
Revises: 0011_count_qualifier
"""

from __future__ import annotations

from alembic import op

revision = "0012_story_updated_index"
down_revision = "0011_count_qualifier"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_stories_updated_at", "stories", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_stories_updated_at", table_name="stories")
