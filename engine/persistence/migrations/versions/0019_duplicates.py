"""a case can be marked as a duplicate of another (đơn trùng): petitions.duplicate_of_id

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
    with op.batch_alter_table("petitions") as t:
        t.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        t.create_foreign_key("fk_petitions_duplicate_of", "petitions", ["duplicate_of_id"], ["id"])
        t.create_index("ix_petitions_duplicate_of_id", ["duplicate_of_id"])


def downgrade() -> None:
    with op.batch_alter_table("petitions") as t:
        t.drop_index("ix_petitions_duplicate_of_id")
        t.drop_constraint("fk_petitions_duplicate_of", type_="foreignkey")
        t.drop_column("duplicate_of_id")
