"""the calendar version each tick ran with, so a calendar change re-projects running clocks

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tick_runs") as batch_op:
        batch_op.add_column(sa.Column("calendar_version", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tick_runs") as batch_op:
        batch_op.drop_column("calendar_version")
