"""documents (issue 15, rendering): each unit's heading data for its official documents
(issuing body, parent body, place, series abbreviation, signer, signing form, format
party|state) and the templates an office uploads for a kind of document

Revision ID: 0011
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0009"  # 0010 (documents and their register) is a parallel branch; `upgrade` applies every head
branch_labels = None
depends_on = None

# Every heading column may be empty: engine/documents/heading.py derives a value from the
# unit's name and level, so existing units need no data step.
HEADING_COLUMNS = (
    ("doc_format", sa.String(8)),
    ("doc_issuing_body", sa.String(255)),
    ("doc_parent_body", sa.String(255)),
    ("doc_place", sa.String(128)),
    ("doc_issuer_abbr", sa.String(32)),
    ("doc_signer_name", sa.String(255)),
    ("doc_signer_title", sa.String(128)),
    ("doc_signing_form", sa.String(8)),
    ("doc_signing_for", sa.String(255)),
)


def upgrade() -> None:
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        for name, type_ in HEADING_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    op.create_table(
        "document_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("fmt", sa.String(8), nullable=False),
        sa.Column("docx", sa.LargeBinary(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_document_templates_unit_id_org_units")),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], name=op.f("fk_document_templates_uploaded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_templates")),
    )
    op.create_index("ix_document_templates_unit_kind_fmt", "document_templates", ["unit_id", "kind", "fmt"])


def downgrade() -> None:
    op.drop_index("ix_document_templates_unit_kind_fmt", table_name="document_templates")
    op.drop_table("document_templates")
    _drop_columns("org_units", [name for name, _ in reversed(HEADING_COLUMNS)])


def _drop_columns(table: str, names) -> None:
    """On SQLite a batch drop recreates the table, which foreign keys pointing at it refuse
    (and which would drop the triggers on petitions): SQLite ≥ 3.35 drops a column in place."""
    for name in names:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
        else:
            op.drop_column(table, name)
