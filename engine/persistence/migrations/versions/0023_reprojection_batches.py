"""re-projection in committed batches (issue 20): reprojection_batches

One row per committed batch of a re-projection after calendar data changed: the calendar
version it counts with, the run's instant (a resumed run keeps it, so its journal and its
reminders are those of an uninterrupted run), the last clock id done and what the batch
moved. A run whose newest row is not `done` is continued from there.

Revision ID: 0023
Revises: 0022
"""
from alembic import op
import sqlalchemy as sa

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reprojection_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_version", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("last_clock_id", sa.Integer(), nullable=False),
        sa.Column("looked", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reprojection_batches")),
    )
    op.create_index(op.f("ix_reprojection_batches_calendar_version"), "reprojection_batches", ["calendar_version"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reprojection_batches_calendar_version"), table_name="reprojection_batches")
    op.drop_table("reprojection_batches")
