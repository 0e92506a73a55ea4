"""Data at rest: the content digest stops being an unkeyed SHA-256 of the answers.

Until now ``content_sha256`` was SHA-256 over the clear answers *and* the special-category
(health, disability) answers, stored in clear beside the encrypted ones: whoever could read
the database could test guesses of the health answers against it.  The new digest is an
HMAC keyed from the encryption key (``form_backend.store.keyed_digest``), which this migration
cannot compute: it has the database, not the key.  So it clears every old digest (the column
stays, empty meaning "to be keyed"), and the app keys them at its next start-up
(``form_backend.store.rehash_digests``, run by ``create_app`` right after the migrations, by
``carta serve``, the WSGI entry and every ``carta`` command that opens the app).  The content
is unchanged, so the keyed digest is exactly the one the record would have had.

Downgrade cannot bring the unkeyed digests back without the key, and should not: it leaves
the keyed ones (same length, same column).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    submissions = sa.table("submissions", sa.column("content_sha256", sa.String(64)))
    op.execute(submissions.update().values(content_sha256=""))


def downgrade():
    pass
