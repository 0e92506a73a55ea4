"""A sender's claim on an outbox row gets its own column.

Until now a sender claimed a row by moving ``next_attempt_at`` past its lease, the same column
the back-off uses: anyone who brought the retry time forward (an operator after fixing the
mail server) could hand a row that was being sent to a second sender.  ``claimed_until`` keeps
the two apart, so "retry now" can never cause a double send.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
