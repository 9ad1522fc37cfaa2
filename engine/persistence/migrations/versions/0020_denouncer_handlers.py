"""who handles a denunciation, by name (case_handlers), and every time a denouncer's identity
was shown to one of them (identity_reveals): Luật Tố cáo 2018 art. 47–48 — the denouncer's
identity is kept secret, known only to those handling the case

Revision ID: 0020
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0020"
down_revision = "0009"  # parallel branches from 0009 are joined by a merge revision
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_handlers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("petition_id", sa.Integer(), sa.ForeignKey("petitions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("added_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_case_handlers_petition", "case_handlers", ["petition_id"])
    op.create_index("ix_case_handlers_user", "case_handlers", ["user_id"])
    op.create_table(
        "identity_reveals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("petition_id", sa.Integer(), sa.ForeignKey("petitions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("path", sa.String(255), nullable=False, server_default=""),
    )
    op.create_index("ix_identity_reveals_petition_at", "identity_reveals", ["petition_id", "at"])


def downgrade() -> None:
    op.drop_table("identity_reveals")
    op.drop_table("case_handlers")
