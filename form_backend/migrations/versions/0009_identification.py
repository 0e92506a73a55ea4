"""Identification: a submission made after logging in at the district's identity provider
(OpenID Connect, form_backend.oidc) records the provider's issuer; NULL for every other one,
those stored before included.  No token, subject or claim is stored here.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("identified_by", sa.String(300), nullable=True))


def downgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("identified_by")
