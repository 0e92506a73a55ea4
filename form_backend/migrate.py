"""Run the Alembic migrations programmatically (``carta db upgrade`` and app start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

HERE = Path(__file__).resolve().parent


def _run(engine: Engine, step, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(HERE / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision``."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database behind ``engine`` back to ``revision`` (data kept where the
    migrations can put it back)."""
    _run(engine, command.downgrade, revision)
