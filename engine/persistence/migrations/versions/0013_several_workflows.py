"""several workflows in one engine (issue 17): every case records its workflow (existing
cases are Regulation 11's), case flags (complex, second instance, several places…), the
remote-area flag of a unit, the rule variant of a clock, clock suspensions with their ledger, and the
letters register with its classification and the link to the case a letter opened

Revision ID: 0013
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain added columns (no constraint), so SQLite needs no table rebuild
    op.add_column("petitions", sa.Column("workflow", sa.String(32), nullable=False, server_default="regulation11"))
    op.add_column("petitions", sa.Column("flags", sa.JSON(), nullable=True))
    op.add_column("petitions", sa.Column("contested_on", sa.Date(), nullable=True))
    op.create_index("ix_petitions_workflow", "petitions", ["workflow"])
    op.add_column("org_units", sa.Column("remote_area", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("clocks", sa.Column("variant", sa.String(64), nullable=True))
    op.create_table(
        "clock_suspensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clock_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("from_on", sa.Date(), nullable=False),
        sa.Column("to_on", sa.Date(), nullable=True),
        sa.Column("resume_document", sa.String(64), nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("due_before", sa.Date(), nullable=False),
        sa.Column("due_after", sa.Date(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clock_id"], ["clocks.id"], ondelete="CASCADE",
                                name=op.f("fk_clock_suspensions_clock_id_clocks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clock_suspensions")),
    )
    op.create_index(op.f("ix_clock_suspensions_clock_id"), "clock_suspensions", ["clock_id"])
    op.create_table(
        "letters",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("transferred_from", sa.String(255), nullable=False, server_default=""),
        sa.Column("signers", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("content", sa.String(16), nullable=True),
        sa.Column("condition", sa.String(24), nullable=True),
        sa.Column("competent", sa.Boolean(), nullable=True),
        sa.Column("classified_on", sa.Date(), nullable=True),
        sa.Column("result", sa.String(16), nullable=True),
        sa.Column("result_on", sa.Date(), nullable=True),
        sa.Column("transferred_to", sa.String(255), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE",
                                name=op.f("fk_letters_petition_id_petitions")),
        sa.ForeignKeyConstraint(["case_id"], ["petitions.id"], name=op.f("fk_letters_case_id_petitions")),
        sa.PrimaryKeyConstraint("petition_id", name=op.f("pk_letters")),
    )
    op.create_index(op.f("ix_letters_case_id"), "letters", ["case_id"], unique=True)


def downgrade() -> None:
    op.drop_table("letters")
    op.drop_table("clock_suspensions")
    _drop_columns("clocks", ["variant"])
    _drop_columns("org_units", ["remote_area"])
    op.drop_index("ix_petitions_workflow", table_name="petitions")
    _drop_columns("petitions", ["contested_on", "flags", "workflow"])


def _drop_columns(table: str, names) -> None:
    """On SQLite a batch drop recreates the table, which foreign keys pointing at it refuse
    (and which would drop the triggers on petitions): SQLite ≥ 3.35 drops a column in place."""
    for name in names:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
        else:
            op.drop_column(table, name)
