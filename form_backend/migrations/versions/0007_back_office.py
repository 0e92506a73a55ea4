"""Back-office: roles and scopes of operators, a case beside each submission (assignment, next
deadline, the office a complaint names), search terms, internal notes.

Operators who existed before keep what they could do: role ``operator`` on the whole district
(empty scopes).  Submissions stored before are indexed at the next start-up
(:func:`form_backend.cases.backfill`, which needs the charter's form roles).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TERM = sa.String(80).with_variant(sa.String(80, collation="C"), "postgresql")


def upgrade():
    with op.batch_alter_table("operator_auth") as batch:
        batch.add_column(sa.Column("role", sa.String(20), nullable=False,
                                   server_default="operator"))
        batch.add_column(sa.Column("services", sa.String(2000), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("offices", sa.String(2000), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("totp_required", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "office_cases",
        sa.Column("submission_id", sa.Integer(),
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("assigned_to", sa.String(80), nullable=True, index=True),
        sa.Column("due", sa.String(10), nullable=True, index=True),
        sa.Column("office", sa.String(80), nullable=True, index=True),
        sa.Column("applicant", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "office_search_terms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(),
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("term", TERM, nullable=False),
    )
    op.create_index("ix_office_search_terms_term", "office_search_terms",
                    ["term", "submission_id"])
    op.create_table(
        "office_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(),
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    # the list's usual order and filters: newest first within a service or a status
    op.create_index("ix_submissions_service_created", "submissions", ["service", "created_at"])
    op.create_index("ix_submissions_status_created", "submissions", ["status", "created_at"])


def downgrade():
    op.drop_index("ix_submissions_status_created", "submissions")
    op.drop_index("ix_submissions_service_created", "submissions")
    op.drop_table("office_notes")
    op.drop_index("ix_office_search_terms_term", "office_search_terms")
    op.drop_table("office_search_terms")
    op.drop_table("office_cases")
    with op.batch_alter_table("operator_auth") as batch:
        batch.drop_column("totp_required")
        batch.drop_column("offices")
        batch.drop_column("services")
        batch.drop_column("role")
