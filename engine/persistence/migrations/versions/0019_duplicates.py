"""a case can be marked as a duplicate of another (đơn trùng): petitions.duplicate_of_id

Not through batch_alter_table: on SQLite a batch operation recreates the table, which drops
the triggers that keep the petitions' full-text index (migration 0003) in step. SQLite adds a
nullable column with a REFERENCES clause in place.

Revision ID: 0019
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0019"
down_revision = "0009"  # parallel branches from 0009 are joined by a merge revision
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE petitions ADD COLUMN duplicate_of_id INTEGER REFERENCES petitions (id)")
    else:
        op.add_column("petitions", sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_petitions_duplicate_of", "petitions", "petitions", ["duplicate_of_id"], ["id"])
    op.create_index("ix_petitions_duplicate_of_id", "petitions", ["duplicate_of_id"])


def downgrade() -> None:
    op.drop_index("ix_petitions_duplicate_of_id", "petitions")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE petitions DROP COLUMN duplicate_of_id")
    else:
        op.drop_constraint("fk_petitions_duplicate_of", "petitions", type_="foreignkey")
        op.drop_column("petitions", "duplicate_of_id")
