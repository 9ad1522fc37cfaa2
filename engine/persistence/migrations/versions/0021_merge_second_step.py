"""join the branches added side by side for the second step: documents (0010, 0011), the
annexes' records (0012), several workflows (0013), units and users (0014), lists, calendar
decisions and unit parameters (0015), the public face (0016), the API's rate window (0018),
duplicates (0019) and the denouncer's named handlers (0020)

Revision ID: 0021
Revises: 0010, 0011, 0012, 0013, 0014, 0015, 0016, 0018, 0019, 0020
"""
revision = "0021"
down_revision = ("0010", "0011", "0012", "0013", "0014", "0015", "0016", "0018", "0019", "0020")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
