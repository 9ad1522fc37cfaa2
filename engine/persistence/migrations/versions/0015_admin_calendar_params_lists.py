"""calendar decisions and per-unit workflow parameters entered in the browser; petition
categories become an admin-edited list (session_labels, list "category") seeded with the
built-in codes

Revision ID: 0015
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

from engine.persistence.db import NFCString, UTCDateTime

revision = "0015"
down_revision = "0009"
branch_labels = None
depends_on = None

CATEGORIES = [  # code, vi, en: the codes petitions carry today
    ("land", "Đất đai", "Land"), ("compensation", "Bồi thường", "Compensation"),
    ("resettlement", "Tái định cư", "Resettlement"), ("social_policy", "Chính sách xã hội", "Social policy"),
    ("infrastructure", "Hạ tầng", "Infrastructure"), ("party_building", "Xây dựng Đảng", "Party building"),
    ("cadre_degradation", "Suy thoái của cán bộ", "Cadre degradation"), ("other", "Khác", "Other"),
]


def upgrade() -> None:
    op.create_table(
        "calendar_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", NFCString(255), nullable=False),
        sa.Column("name_en", NFCString(255), nullable=False),
        sa.Column("source_no", NFCString(64), nullable=False),
        sa.Column("source_on", sa.Date(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_calendar_decisions_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_decisions")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_decisions_day")),
    )
    op.create_table(
        "unit_params",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source_no", NFCString(64), nullable=False),
        sa.Column("source_on", sa.Date(), nullable=False),
        sa.Column("source_title", NFCString(255), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_unit_params_unit_id_org_units")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_unit_params_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_params")),
        sa.UniqueConstraint("unit_id", "clock", "effective_from", name=op.f("uq_unit_params_unit_id")),
    )
    op.create_index(op.f("ix_unit_params_unit_id"), "unit_params", ["unit_id"])
    labels = sa.table("session_labels", sa.column("list", sa.String), sa.column("code", sa.String),
                      sa.column("label_vi", sa.String), sa.column("label_en", sa.String),
                      sa.column("position", sa.Integer), sa.column("active", sa.Boolean))
    op.bulk_insert(labels, [{"list": "category", "code": c, "label_vi": vi, "label_en": en, "position": (i + 1) * 10,
                             "active": True} for i, (c, vi, en) in enumerate(CATEGORIES)])


def downgrade() -> None:
    op.execute("DELETE FROM session_labels WHERE list = 'category'")
    op.drop_index(op.f("ix_unit_params_unit_id"), table_name="unit_params")
    op.drop_table("unit_params")
    op.drop_table("calendar_decisions")
