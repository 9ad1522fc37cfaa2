"""substring search index and the leader's backlog indexes

Search (Petition.search_text, already accent-folded and lower-case):
- SQLite: an external-content FTS5 table `petitions_fts` with the trigram tokenizer
  (SQLite >= 3.34), kept in step with `petitions` by triggers, so every write path -
  the service, the importer's Core inserts, a hand-written UPDATE - is indexed in the
  same transaction. Existing rows are indexed here ('rebuild').
- PostgreSQL: a pg_trgm GIN index on search_text, which answers LIKE '%word%'. When the
  extension cannot be created (not installed, no privilege) the migration goes on without
  it: search still works, by scanning.

Backlog ("by deadline" lists of open petitions within a scope): partial indexes of the
running clocks, by petition and by due date.

NB: SQLite batch migrations ("move and copy") recreate a table without its triggers. A
later migration that batch-alters `petitions` must call `create_sqlite_search()` again.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

FTS = 'petitions_fts'
TRIGGERS = ('petitions_fts_ai', 'petitions_fts_ad', 'petitions_fts_au')
RUNNING = "status IN ('running', 'paused')"


def create_sqlite_search() -> None:
    """The FTS5 table, its triggers, and every existing row indexed."""
    import sqlite3
    if sqlite3.sqlite_version_info < (3, 34, 0):  # no trigram tokenizer: search keeps scanning
        import logging
        logging.getLogger("alembic.runtime.migration").warning(
            "SQLite %s has no trigram tokenizer (3.34+): search will scan petitions.search_text",
            sqlite3.sqlite_version)
        return
    op.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
               "search_text, content='petitions', content_rowid='id', tokenize='trigram')")
    op.execute(f"CREATE TRIGGER IF NOT EXISTS petitions_fts_ai AFTER INSERT ON petitions BEGIN "
               f"INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END")
    op.execute(f"CREATE TRIGGER IF NOT EXISTS petitions_fts_ad AFTER DELETE ON petitions BEGIN "
               f"INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END")
    op.execute(f"CREATE TRIGGER IF NOT EXISTS petitions_fts_au AFTER UPDATE OF id, search_text ON petitions BEGIN "
               f"INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
               f"INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END")
    op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def drop_sqlite_search() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {FTS}")


def _create_pg_trgm_index() -> None:
    bind = op.get_bind()
    has = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
    if not has:
        # A failed CREATE EXTENSION aborts the transaction: try it under a savepoint.
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except sa.exc.DBAPIError as exc:
            import logging
            logging.getLogger("alembic.runtime.migration").warning(
                "pg_trgm unavailable (%s): search will scan petitions.search_text", exc.orig)
            return
    op.execute("CREATE INDEX IF NOT EXISTS ix_petitions_search_trgm ON petitions "
               "USING gin (search_text gin_trgm_ops)")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        create_sqlite_search()
    elif dialect == 'postgresql':
        _create_pg_trgm_index()

    # Backlog and deadline lists: running clocks only (met/late/cancelled ones, most of the
    # table over time, are left out). By petition, carrying the due date, for a narrow scope
    # (a commune's petitions joined to their running clock without touching the table) ...
    op.create_index('ix_clocks_running_petition_due', 'clocks', ['petition_id', 'due_date'],
                    sqlite_where=sa.text(RUNNING), postgresql_where=sa.text(RUNNING))
    # ... and by due date, for the every-unit scope walking deadlines in order (and the
    # overdue count: running clocks due before a day).
    op.create_index('ix_clocks_running_due_petition', 'clocks', ['due_date', 'petition_id'],
                    sqlite_where=sa.text(RUNNING), postgresql_where=sa.text(RUNNING))


def downgrade() -> None:
    op.drop_index('ix_clocks_running_due_petition', table_name='clocks')
    op.drop_index('ix_clocks_running_petition_due', table_name='clocks')
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        drop_sqlite_search()
    elif dialect == 'postgresql':
        # The extension may be used by others: only the index goes.
        op.execute("DROP INDEX IF EXISTS ix_petitions_search_trgm")
