"""join the two branches added side by side: session planning (0007) and API tokens (0008)

Revision ID: 0009
Revises: 0007, 0008
"""
revision = "0009"
down_revision = ("0007", "0008")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
