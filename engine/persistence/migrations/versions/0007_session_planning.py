"""reception sessions are planned, published, held or cancelled: status (existing rows are
held), plan date, hours, place, chair role, topic, attending bodies, invitation list; a
journal of changes (session_events); the lists an admin extends (session_labels, seeded with
the chair roles and attending bodies); what was published as the schedule of a month or a
year, and when (schedule_publications)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

import engine.persistence.db

revision = "0007"
down_revision = "0006"  # 0008 (API tokens) is a parallel branch; `upgrade` applies every head
branch_labels = None
depends_on = None

NFCString = engine.persistence.db.NFCString
NFCText = engine.persistence.db.NFCText
UTC = engine.persistence.db.UTCDateTime

# (list, code, vi, en, position)
LABELS = [
    ("chair_role", "party_secretary", "Bí thư cấp ủy", "Party committee secretary", 10),
    ("chair_role", "ubnd_chair", "Chủ tịch UBND", "People's Committee chair", 20),
    ("chair_role", "hdnd_chair", "Chủ tịch HĐND", "People's Council chair", 30),
    ("chair_role", "standing_team", "Tổ tiếp công dân thường xuyên", "Standing citizen reception team", 40),
    ("chair_role", "other", "Khác", "Other", 90),
    ("body", "mttq", "Ủy ban MTTQ Việt Nam", "Vietnam Fatherland Front committee", 10),
    ("body", "hdnd", "Hội đồng nhân dân", "People's Council", 20),
    ("body", "ubnd", "Ủy ban nhân dân", "People's Committee", 30),
    ("body", "departments", "Các phòng, ban chuyên môn", "Specialised departments", 40),
    ("body", "police", "Công an", "Police", 50),
    ("body", "womens_union", "Hội Liên hiệp Phụ nữ", "Women's Union", 60),
    ("body", "farmers_union", "Hội Nông dân", "Farmers' Union", 70),
    ("body", "veterans", "Hội Cựu chiến binh", "Veterans' Association", 80),
    ("body", "youth_union", "Đoàn Thanh niên", "Youth Union", 90),
    ("body", "hamlet_heads", "Trưởng thôn, tổ dân phố", "Hamlet and neighbourhood heads", 100),
]


def upgrade() -> None:
    with op.batch_alter_table("reception_sessions") as b:
        b.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="held"))
        b.add_column(sa.Column("planned_on", sa.Date(), nullable=True))
        b.add_column(sa.Column("starts_at", sa.Time(), nullable=True))
        b.add_column(sa.Column("ends_at", sa.Time(), nullable=True))
        b.add_column(sa.Column("place", NFCString(255), nullable=False, server_default=""))
        b.add_column(sa.Column("chair_role", sa.String(32), nullable=True))
        b.add_column(sa.Column("topic", NFCText(), nullable=False, server_default=""))
        b.add_column(sa.Column("bodies", sa.JSON(), nullable=True))
        b.add_column(sa.Column("invited", NFCText(), nullable=False, server_default=""))
        b.add_column(sa.Column("published_at", UTC(timezone=True), nullable=True))
        b.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        b.add_column(sa.Column("updated_at", UTC(timezone=True), nullable=True))
        b.create_index(b.f("ix_reception_sessions_status"), ["status"], unique=False)
    op.create_table(
        "session_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("reason", NFCText(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["reception_sessions.id"],
                                name=op.f("fk_session_events_session_id_reception_sessions")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_session_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_events")),
    )
    op.create_index(op.f("ix_session_events_session_id"), "session_events", ["session_id"])
    labels = op.create_table(
        "session_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list", sa.String(16), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("label_vi", NFCString(255), nullable=False),
        sa.Column("label_en", NFCString(255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_labels")),
        sa.UniqueConstraint("list", "code", name=op.f("uq_session_labels_list")),
    )
    op.bulk_insert(labels, [{"list": li, "code": c, "label_vi": vi, "label_en": en, "position": pos, "active": True}
                            for li, c, vi, en, pos in LABELS])
    op.create_table(
        "schedule_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("published_at", UTC(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", NFCText(), nullable=False),
        sa.Column("sessions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_schedule_publications_unit_id_org_units")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_schedule_publications_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_publications")),
        sa.UniqueConstraint("unit_id", "period", "revision", name=op.f("uq_schedule_publications_unit_id")),
    )
    op.create_index(op.f("ix_schedule_publications_unit_id"), "schedule_publications", ["unit_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_schedule_publications_unit_id"), table_name="schedule_publications")
    op.drop_table("schedule_publications")
    op.drop_table("session_labels")
    op.drop_index(op.f("ix_session_events_session_id"), table_name="session_events")
    op.drop_table("session_events")
    with op.batch_alter_table("reception_sessions") as b:
        b.drop_index(b.f("ix_reception_sessions_status"))
        for col in ("updated_at", "version", "published_at", "invited", "bodies", "topic", "chair_role", "place",
                    "ends_at", "starts_at", "planned_on", "status"):
            b.drop_column(col)
