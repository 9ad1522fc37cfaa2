"""the audit log is keyed: per-petition head records and chained checkpoints, both under
an HMAC with PETITIONS_AUDIT_KEY (never stored here); existing plain SHA-256 chains are
sealed as they are at the upgrade ("verified at upgrade", `legacy_upto`), see
engine/persistence/eventlog.py and docs/audit-log.md

Revision ID: 0006
Revises: 0005
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_heads",
        sa.Column("petition_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("legacy_upto", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("sealed", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("petition_id", name=op.f("pk_event_heads")),
        sa.UniqueConstraint("code", name=op.f("uq_event_heads_code")),
    )
    op.create_index(op.f("ix_event_heads_unit_id"), "event_heads", ["unit_id"])
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("prev_mac", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_checkpoints_seq")),
    )
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT COUNT(*) FROM petitions")).scalar():
        # Seal what the previous release wrote, with the key (refused in production without one).
        from engine.persistence import eventlog
        key = eventlog.current_key()
        now = datetime.now(timezone.utc)
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM petitions ORDER BY id"))]
        eventlog.seal(conn, ids, at=now, legacy=True, key=key)
        eventlog.checkpoint(conn, now, key=key)


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_index(op.f("ix_event_heads_unit_id"), table_name="event_heads")
    op.drop_table("event_heads")
