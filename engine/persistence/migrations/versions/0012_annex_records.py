"""Phụ lục 1 and 3 (issue 16): outreach activities (conferences, training sessions) the office
enters, inspections and supervisions auditors record, and the log of who changed them

Revision ID: 0012
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outreach_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("materials", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_outreach_activities_unit_id_org_units")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_outreach_activities_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_activities")),
    )
    op.create_index(op.f("ix_outreach_activities_unit_id"), "outreach_activities", ["unit_id"])
    op.create_index(op.f("ix_outreach_activities_held_on"), "outreach_activities", ["held_on"])
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("bodies", sa.Integer(), nullable=False),
        sa.Column("heads_disciplined", sa.Integer(), nullable=False),
        sa.Column("heads_violating", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_inspections_unit_id_org_units")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_inspections_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index(op.f("ix_inspections_unit_id"), "inspections", ["unit_id"])
    op.create_index(op.f("ix_inspections_held_on"), "inspections", ["held_on"])
    op.create_table(
        "annex_record_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_annex_record_log_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annex_record_log")),
    )
    op.create_index(op.f("ix_annex_record_log_record_id"), "annex_record_log", ["record_id"])


def downgrade() -> None:
    op.drop_table("annex_record_log")
    op.drop_table("inspections")
    op.drop_table("outreach_activities")
