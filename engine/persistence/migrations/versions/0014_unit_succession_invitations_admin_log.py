"""administration in the browser (issue 18): unit successions (which unit succeeded which,
from what date: a merge, a split, the 2025 reform), one-time invitation links (only their
SHA-256 is kept) and the keyed audit log of administrators' changes to units and users

Revision ID: 0014
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_successions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["predecessor_id"], ["org_units.id"], name=op.f("fk_unit_successions_predecessor_id_org_units")),
        sa.ForeignKeyConstraint(["successor_id"], ["org_units.id"], name=op.f("fk_unit_successions_successor_id_org_units")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_unit_successions_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_successions")),
        sa.UniqueConstraint("predecessor_id", "successor_id", name=op.f("uq_unit_successions_predecessor_id")),
    )
    op.create_index(op.f("ix_unit_successions_successor_id"), "unit_successions", ["successor_id"])
    op.create_table(
        "user_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False, server_default="invite"),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_invitations_user_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_user_invitations_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_invitations_token_hash")),
    )
    op.create_index(op.f("ix_user_invitations_user_id"), "user_invitations", ["user_id"])
    op.create_table(
        "admin_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False, server_default=""),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(64), nullable=False, server_default=""),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("prev_mac", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_admin_events_actor_id_users")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_admin_events_unit_id_org_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_admin_events_seq")),
    )


def downgrade() -> None:
    op.drop_table("admin_events")
    op.drop_index(op.f("ix_user_invitations_user_id"), table_name="user_invitations")
    op.drop_table("user_invitations")
    op.drop_index(op.f("ix_unit_successions_successor_id"), table_name="unit_successions")
    op.drop_table("unit_successions")
