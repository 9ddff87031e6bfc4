"""An index on alerts.sent_at: before each send the delivery worker reads its chat's sends of the
last window from the outbox (the window replicas share, alerts/delivery.py); without it that read
went through the whole outbox, which keeps every alert ever sent.

Revision ID: 0019_alert_sent_at_index
Revises: 0018_canonical_paths
"""

from __future__ import annotations

from alembic import op

revision = "0019_alert_sent_at_index"
down_revision = "0018_canonical_paths"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_sent_at", "alerts", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_alerts_sent_at", table_name="alerts")
