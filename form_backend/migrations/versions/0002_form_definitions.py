"""Form definitions stored once per version instead of once per submission.

Every submission keeps its ``form_version``, now a reference to ``form_definitions``; the
definitions already stored with submissions are copied there before the column goes.

Revision ID: 0002
Revises: 0001
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    definitions = op.create_table(
        "form_definitions",
        sa.Column("version", sa.String(80), primary_key=True),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    bind = op.get_bind()
    submissions = sa.table("submissions", sa.column("form_version", sa.String),
                           sa.column("definition", sa.JSON), sa.column("id", sa.Integer))
    seen: dict[str, object] = {}
    for version, definition in bind.execute(
            sa.select(submissions.c.form_version, submissions.c.definition)
            .order_by(submissions.c.id)):
        seen.setdefault(version, definition)
    if seen:
        now = dt.datetime.now(dt.UTC)
        op.bulk_insert(definitions, [{"version": v, "definition": d, "created_at": now}
                                     for v, d in seen.items()])
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("definition")
        batch.create_foreign_key("fk_submissions_form_version", "form_definitions",
                                 ["form_version"], ["version"])


def downgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("fk_submissions_form_version", type_="foreignkey")
        batch.add_column(sa.Column("definition", sa.JSON))
    bind = op.get_bind()
    definitions = sa.table("form_definitions", sa.column("version", sa.String),
                           sa.column("definition", sa.JSON))
    submissions = sa.table("submissions", sa.column("form_version", sa.String),
                           sa.column("definition", sa.JSON))
    for version, definition in bind.execute(sa.select(definitions)):
        bind.execute(sa.update(submissions).where(submissions.c.form_version == version)
                     .values(definition=definition))
    op.drop_table("form_definitions")
