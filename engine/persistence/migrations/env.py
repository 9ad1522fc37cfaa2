"""Alembic environment: the URL comes from the caller (engine.persistence.migrate), never from a file."""
from alembic import context

from engine.persistence.db import Base, make_engine
import engine.persistence.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = Base.metadata


def include_name(name, type_, parent_names):
    """Search objects that live outside the models (migration 0003): the SQLite FTS5 table
    (and its shadow tables) and the pg_trgm index are not autogenerate's to drop."""
    if type_ == "table" and name.startswith("petitions_fts"):
        return False
    if type_ == "index" and name == "ix_petitions_search_trgm":
        return False
    return True


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)


def _run(connection):
    # batch mode lets later migrations alter SQLite tables (it has no ALTER COLUMN)
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
