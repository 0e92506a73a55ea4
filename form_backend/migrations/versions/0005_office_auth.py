"""Office authentication: server-side sessions, per-account lockout and second factor, audit log.

``operator_auth`` holds what sign-in needs beside ``users`` (second factor, failure count,
health-data permission); ``office_sessions`` the signed-in browsers (token hashes only);
``office_log`` sign-ins, downloads, exports and account changes.  Operators who existed before
keep seeing health data, so they get ``health_access`` and enrol a second factor at their next
login; the old signed-cookie sessions open nothing any more.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "operator_auth",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("health_access", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "office_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("stage", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("pending_totp", sa.LargeBinary(), nullable=True),
    )
    op.create_table(
        "office_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("user", sa.String(80), nullable=True, index=True),
        sa.Column("action", sa.String(40), nullable=False, index=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.execute("INSERT INTO operator_auth (user_id, health_access, failed_count) "
               "SELECT id, TRUE, 0 FROM users")


def downgrade():
    op.drop_table("office_log")
    op.drop_table("office_sessions")
    op.drop_table("operator_auth")
