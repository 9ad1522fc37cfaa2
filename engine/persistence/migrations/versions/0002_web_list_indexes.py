"""indexes for the admin's list pages (100,000 petitions, ≤ 200 ms)

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "by deadline" lists and the overdue filter: running clocks in due-date order.
    op.create_index('ix_clocks_status_due_petition', 'clocks', ['status', 'due_date', 'petition_id'])
    # Department work list and department filters.
    op.create_index('ix_petitions_department_state', 'petitions', ['department_id', 'state'])
    # Default list order (newest first) within a scope.
    op.create_index('ix_petitions_received_id', 'petitions', ['received_on', 'id'])


def downgrade() -> None:
    op.drop_index('ix_petitions_received_id', table_name='petitions')
    op.drop_index('ix_petitions_department_state', table_name='petitions')
    op.drop_index('ix_clocks_status_due_petition', table_name='clocks')
