"""covering indexes for the as-of reports (issue 16): the replay of a petition's events and
the conclusion-notice verdicts read an index alone instead of the tables' rows

* ``ix_events_replay`` (petition_id, seq) + effective_on, action: the state of a petition at
  a period's end is one index-only probe per petition touched since (Phụ lục 2, rows 7–8);
* ``ix_clocks_report`` (name, trigger_on) + what a verdict reads: the clocks started in a
  period, read without their rows (the on-time report over a month or a year);
* ``ix_clocks_report_pid`` (name, petition_id) + the same, and ``ix_petitions_unit_cover``
  (id) + unit_id: the clock → unit join of a whole province becomes a merge join of two
  index-only scans in petition order (0.54 s for 1,000,000 clocks, against 0.9–1.1 s hashing
  the petitions).

PostgreSQL only (INCLUDE); the embedded SQLite database is the size of one office, where
the plain indexes it has are enough.

Revision ID: 0022
Revises: 0021
"""
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_events_replay", "events", ["petition_id", "seq"], ["effective_on", "action"]),
    ("ix_clocks_report", "clocks", ["name", "trigger_on"],
     ["petition_id", "id", "status", "stopped_on", "stopped_by_action", "version", "due_date"]),
    ("ix_clocks_report_pid", "clocks", ["name", "petition_id"],
     ["trigger_on", "id", "status", "stopped_on", "stopped_by_action", "version", "due_date"]),
    ("ix_petitions_unit_cover", "petitions", ["id"], ["unit_id"]),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, cols, include in INDEXES:
        op.create_index(name, table, cols, postgresql_include=include)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, _, _ in INDEXES:
        op.drop_index(name, table_name=table)
