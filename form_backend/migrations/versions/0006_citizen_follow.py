"""Citizen journey after the receipt: messages to the citizen, saved drafts, ease of use.

``citizen_messages`` (what the office writes to the citizen with a status change),
``draft_saves`` (hashed save-and-return tokens), ``ease_ratings`` and ``ease_given`` (the
ease-of-use question, without personal data); the outbox gains ``draft_id`` and its
``submission_id`` may be empty (the save-and-return e-mail belongs to a draft).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "citizen_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(),
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("status", sa.String(30), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_table(
        "draft_saves",
        sa.Column("draft_id", sa.String(64), sa.ForeignKey("drafts.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("saved_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_table(
        "ease_ratings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("form", sa.String(80), nullable=False, index=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
    )
    op.create_table(
        "ease_given",
        sa.Column("submission_id", sa.Integer(),
                  sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("submission_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("draft_id", sa.String(64),
                                   sa.ForeignKey("drafts.id", ondelete="CASCADE",
                                                 name="fk_outbox_draft"),
                                   nullable=True))
        batch.create_index("ix_outbox_draft_id", ["draft_id"])


def downgrade():
    op.execute("DELETE FROM outbox WHERE submission_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_draft_id")
        batch.drop_constraint("fk_outbox_draft", type_="foreignkey")
        batch.drop_column("draft_id")
        batch.alter_column("submission_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("ease_given")
    op.drop_table("ease_ratings")
    op.drop_table("draft_saves")
    op.drop_table("citizen_messages")
