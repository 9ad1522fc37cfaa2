"""the public face for citizens (issue 18): tracking slips (hashed secrets), online
submissions and their attachments, and the attempts counted by the public rate limits

Revision ID: 0016
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0009"  # other features branch from 0009 too; `upgrade` applies every head
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracking_slips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE",
                                name=op.f("fk_tracking_slips_petition_id_petitions")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_tracking_slips_issued_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_slips")),
    )
    op.create_index(op.f("ix_tracking_slips_petition_id"), "tracking_slips", ["petition_id"])
    op.create_table(
        "online_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("lang", sa.String(2), nullable=False, server_default="vi"),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE",
                                name=op.f("fk_online_submissions_petition_id_petitions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_submissions")),
        sa.UniqueConstraint("petition_id", name=op.f("uq_online_submissions_petition_id")),
    )
    op.create_index(op.f("ix_online_submissions_submitted_at"), "online_submissions", ["submitted_at"])
    op.create_table(
        "online_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["online_submissions.id"], ondelete="CASCADE",
                                name=op.f("fk_online_attachments_submission_id_online_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_attachments")),
    )
    op.create_index(op.f("ix_online_attachments_submission_id"), "online_attachments", ["submission_id"])
    op.create_table(
        "public_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(96), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_attempts")),
    )
    op.create_index("ix_public_attempts_kind_key_at", "public_attempts", ["kind", "key", "at"])


def downgrade() -> None:
    op.drop_index("ix_public_attempts_kind_key_at", table_name="public_attempts")
    op.drop_table("public_attempts")
    op.drop_index(op.f("ix_online_attachments_submission_id"), table_name="online_attachments")
    op.drop_table("online_attachments")
    op.drop_index(op.f("ix_online_submissions_submitted_at"), table_name="online_submissions")
    op.drop_table("online_submissions")
    op.drop_index(op.f("ix_tracking_slips_petition_id"), table_name="tracking_slips")
    op.drop_table("tracking_slips")
