"""The citizens' satisfaction questionnaire: anonymous answers and who has answered.

``satisfaction_answers`` holds one row per question answered: a random id, the form (a
scheda's slug, ``reclamo``), the month, the question and the score; no submission, no time of
day, no person.  ``satisfaction_given`` only remembers which submissions have answered (so a
closed case is asked once), never what they answered.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satisfaction_answers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("form", sa.String(80), nullable=False, index=True),
        sa.Column("month", sa.String(7), nullable=False, index=True),
        sa.Column("question", sa.String(80), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
    )
    op.create_table(
        "satisfaction_given",
        sa.Column("submission_id", sa.Integer(),
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
    )


def downgrade():
    op.drop_table("satisfaction_given")
    op.drop_index("ix_satisfaction_answers_month", "satisfaction_answers")
    op.drop_index("ix_satisfaction_answers_form", "satisfaction_answers")
    op.drop_table("satisfaction_answers")
