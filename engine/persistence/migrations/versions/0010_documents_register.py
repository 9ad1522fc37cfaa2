"""official documents and the register of outgoing documents (issue 15): documents, their
lines (document_items), the gapless number series (document_counters) and their keyed event
chain (document_events)

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"  # 0011 (document headings and templates) is a parallel branch; `upgrade` applies every head
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("doc_type", sa.String(16), nullable=False),
        sa.Column("fmt", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("number_text", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("signer_name", sa.String(255), nullable=False),
        sa.Column("signer_title", sa.String(255), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("mime", sa.String(100), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("petition_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_documents_unit_id_org_units")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_documents_created_by_users")),
        sa.ForeignKeyConstraint(["issued_by"], ["users.id"], name=op.f("fk_documents_issued_by_users")),
        sa.ForeignKeyConstraint(["corrects_id"], ["documents.id"], name=op.f("fk_documents_corrects_id_documents")),
        sa.ForeignKeyConstraint(["session_id"], ["reception_sessions.id"],
                                name=op.f("fk_documents_session_id_reception_sessions")),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], name=op.f("fk_documents_petition_id_petitions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("unit_id", "year", "fmt", "doc_type", "number", name="uq_documents_number"),
    )
    op.create_index(op.f("ix_documents_unit_id"), "documents", ["unit_id"])
    op.create_index(op.f("ix_documents_status"), "documents", ["status"])
    op.create_index(op.f("ix_documents_issued_on"), "documents", ["issued_on"])
    op.create_index(op.f("ix_documents_session_id"), "documents", ["session_id"])
    op.create_index(op.f("ix_documents_petition_id"), "documents", ["petition_id"])
    op.create_index("ix_documents_unit_year_type", "documents", ["unit_id", "year", "doc_type"])
    op.create_table(
        "document_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name=op.f("fk_document_items_document_id_documents")),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], name=op.f("fk_document_items_petition_id_petitions")),
        sa.ForeignKeyConstraint(["department_id"], ["org_units.id"],
                                name=op.f("fk_document_items_department_id_org_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_items")),
    )
    op.create_index(op.f("ix_document_items_document_id"), "document_items", ["document_id"])
    op.create_index(op.f("ix_document_items_petition_id"), "document_items", ["petition_id"])
    op.create_table(
        "document_counters",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fmt", sa.String(8), nullable=False),
        sa.Column("doc_type", sa.String(16), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_document_counters_unit_id_org_units")),
        sa.PrimaryKeyConstraint("unit_id", "year", "fmt", "doc_type", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "document_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name=op.f("fk_document_events_document_id_documents")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_document_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_events")),
        sa.UniqueConstraint("document_id", "seq", name="uq_document_events_seq"),
    )
    op.create_index(op.f("ix_document_events_document_id"), "document_events", ["document_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_document_events_document_id"), table_name="document_events")
    op.drop_table("document_events")
    op.drop_table("document_counters")
    op.drop_index(op.f("ix_document_items_petition_id"), table_name="document_items")
    op.drop_index(op.f("ix_document_items_document_id"), table_name="document_items")
    op.drop_table("document_items")
    for ix in ("ix_documents_unit_year_type",):
        op.drop_index(ix, table_name="documents")
    for col in ("petition_id", "session_id", "issued_on", "status", "unit_id"):
        op.drop_index(op.f(f"ix_documents_{col}"), table_name="documents")
    op.drop_table("documents")
