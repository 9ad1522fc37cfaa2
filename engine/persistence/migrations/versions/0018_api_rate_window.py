"""the API's rate limit as a counter taken atomically: the start of the token's current
minute and how many requests it has served in it (api_tokens.rate_window_start, rate_count)

Counting the use log afterwards let concurrent requests all pass before any of them was
recorded; one conditional UPDATE per request cannot be raced past.

Revision ID: 0018
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0018"
down_revision = "0009"  # parallel branches from 0009 are joined by a merge revision
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as t:
        t.add_column(sa.Column("rate_window_start", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("rate_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    _drop_columns("api_tokens", ["rate_count", "rate_window_start"])


def _drop_columns(table: str, names) -> None:
    """On SQLite a batch drop recreates the table, which foreign keys pointing at it refuse
    (and which would drop the triggers on petitions): SQLite ≥ 3.35 drops a column in place."""
    for name in names:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
        else:
            op.drop_column(table, name)
