"""Privacy notices: the notice a citizen acknowledged ("Ho letto l'informativa …") is stored
once per version, like form definitions, and each submission names the version it was shown.

Submissions stored before keep what they had: their answers (an old consent box's tick stays
in ``data`` under its field id, readable as before) and no notice version (NULL: stored before
notices were versioned; which text was shown then is the ``privacy`` of their form definition).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_notices",
        sa.Column("version", sa.String(80), primary_key=True),
        sa.Column("notice", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("privacy_notice", sa.String(80), nullable=True))
        batch.create_foreign_key("fk_submissions_privacy_notice", "privacy_notices",
                                 ["privacy_notice"], ["version"])


def downgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("fk_submissions_privacy_notice", type_="foreignkey")
        batch.drop_column("privacy_notice")
    op.drop_table("privacy_notices")
