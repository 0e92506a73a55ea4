"""Alembic environment: the URL and connection come from carta (see form_backend.migrate)."""

from alembic import context

from form_backend.db import Base

config = context.config
connection = config.attributes.get("connection")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
