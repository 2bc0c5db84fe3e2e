"""Bring a database to the current audit schema with the Alembic migrations shipped in this package."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Connection

__all__ = ["MIGRATIONS", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")


def upgrade(connection: Connection) -> None:
    """Run every migration not yet applied (Alembic's ``upgrade head``) on ``connection``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
