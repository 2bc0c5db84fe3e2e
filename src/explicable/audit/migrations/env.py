"""Alembic environment of the audit store: runs on the connection that ``open_store`` passes in."""

from __future__ import annotations

from typing import Any

from alembic import context

from explicable.audit._schema import metadata


def _run(config: Any) -> None:
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


# Alembic sets ``context.config`` only while it runs this file; pytest's --doctest-modules also imports it.
_config = getattr(context, "config", None)
if _config is not None:
    _run(_config)
