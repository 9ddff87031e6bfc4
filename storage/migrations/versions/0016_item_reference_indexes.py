"""Indexes on the columns that name an item without being its matches or counts:
watched_people.source_item_id and feedback.item_id. Deleting an item sets them to NULL, and
without an index the database read both tables whole for each item a retention pass deleted
(100,000 items, 3,000 learned people and 3,000 feedback rows: 44 s in one write transaction on
SQLite, which every other writer waited on).

Revision ID: 0016_item_reference_indexes
Revises: 0015_item_revisions
"""

from __future__ import annotations

from alembic import op

revision = "0016_item_reference_indexes"
down_revision = "0015_item_revisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_watched_people_source_item_id", "watched_people", ["source_item_id"])
    op.create_index("ix_feedback_item_id", "feedback", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_feedback_item_id", table_name="feedback")
    op.drop_index("ix_watched_people_source_item_id", table_name="watched_people")
