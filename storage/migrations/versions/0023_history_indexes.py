"""Indexes for a year of history. The outbox keeps every alert ever sent (a story's later reports
edit or reply to its message) and the feedback every operator's correction; reads of the last
hour or day, and the tally's check of each figure against the operators' /wrong, read that
whole history. On a year of 2,000 matched items a day (bench/year_db.py: 838,000 alerts, 374
/wrong, 110,000 counts; 4.5 GB):

- alerts (channel, created_at): the hourly limit's count before each alert queued (0.68 s), a
  digest's reads (0.66 s); alerts (kind, created_at): the folds the admin chat reads every 30 s
  on the event loop (2.0 s, every poll waiting meanwhile);
- feedback (kind, item_id): the tally read every /wrong for each figure: `monitor tally` 9.6 s,
  the pinned figures' refresh 17 s, the status page 14 s, growing with counts × /wrong;
- alerts (channel, status): the delivery worker's read of each channel's queue head, twice a
  round every 2 s, went through all of the channel's alerts (0.35 s a channel): the worker used
  52 % of a core with nothing to send, and each alert waited that much longer; 0 % with it. And
  the queue's counts per channel and status (`monitor status`, the status page every minute, the
  admin chat's /status) read every alert's row, payload and all (2.0 s); from this index, 0.2 s.

Revision ID: 0023_history_indexes
Revises: 0022_count_range_ends
"""

from __future__ import annotations

from alembic import op

revision = "0023_history_indexes"
down_revision = "0022_count_range_ends"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_channel_created", "alerts", ["channel", "created_at"])
    op.create_index("ix_alerts_kind_created", "alerts", ["kind", "created_at"])
    op.create_index("ix_feedback_kind_item", "feedback", ["kind", "item_id"])
    op.create_index("ix_alerts_channel_status", "alerts", ["channel", "status"])


def downgrade() -> None:
    op.drop_index("ix_alerts_channel_status", table_name="alerts")
    op.drop_index("ix_feedback_kind_item", table_name="feedback")
    op.drop_index("ix_alerts_kind_created", table_name="alerts")
    op.drop_index("ix_alerts_channel_created", table_name="alerts")
