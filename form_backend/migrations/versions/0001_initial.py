"""Initial schema: submissions, attachments, drafts, outbox, audit, users, counters.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table("protocol_counters",
                    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("last", sa.Integer, nullable=False))
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("protocol", sa.String(20), nullable=False, unique=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False, index=True),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("service", sa.String(80), index=True),
        sa.Column("comune", sa.String(80)),
        sa.Column("status", sa.String(30), nullable=False, index=True),
        sa.Column("charter_hash", sa.String(64), nullable=False),
        sa.Column("form_version", sa.String(80), nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("sensitive", sa.LargeBinary),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("points", sa.Integer),
        sa.Column("band", sa.String(40)),
        sa.Column("deadlines", sa.JSON, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("year", "seq", name="uq_submission_year_seq"),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("service", sa.String(80)),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("sensitive", sa.LargeBinary),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer,
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True),
        sa.Column("draft_id", sa.String(64), sa.ForeignKey("drafts.id", ondelete="CASCADE"),
                  index=True),
        sa.Column("document", sa.String(80), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer,
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False, index=True),
        sa.Column("sent_at", TZ, index=True),
        sa.Column("last_error", sa.String(500)),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer,
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("user", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_status", sa.String(30)),
        sa.Column("to_status", sa.String(30)),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )


def downgrade():
    for table in ("users", "audit", "outbox", "attachments", "drafts", "submissions",
                  "protocol_counters"):
        op.drop_table(table)
