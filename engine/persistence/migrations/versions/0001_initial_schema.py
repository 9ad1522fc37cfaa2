"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 08:54:18.995442
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', engine.persistence.db.NFCString(length=255), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['org_units.id'], name=op.f('fk_org_units_parent_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_units')),
    sa.UniqueConstraint('code', name=op.f('uq_org_units_code'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('tick_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tick_runs'))
    )
    with op.batch_alter_table('tick_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tick_runs_finished_at'), ['finished_at'], unique=False)

    op.create_table('petition_counters',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_petition_counters_unit_id_org_units')),
    sa.PrimaryKeyConstraint('unit_id', 'year', name=op.f('pk_petition_counters'))
    )
    op.create_table('reception_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('chair', engine.persistence.db.NFCString(length=255), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('groups', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('note', engine.persistence.db.NFCText(), nullable=False),
    sa.Column('external_ref', sa.String(length=128), nullable=True),
    sa.Column('created_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_reception_sessions_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_sessions')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_reception_sessions_external_ref'))
    )
    with op.batch_alter_table('reception_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_sessions_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_reception_sessions_unit_id'), ['unit_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', engine.persistence.db.NFCString(length=255), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('notify_mode', sa.String(length=16), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('created_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_users_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_unit_id'), ['unit_id'], unique=False)

    op.create_table('petitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('received_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', engine.persistence.db.NFCText(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('is_group', sa.Boolean(), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('complex_prolonged', sa.Boolean(), nullable=False),
    sa.Column('incited', sa.Boolean(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('notice_no', engine.persistence.db.NFCString(length=64), nullable=True),
    sa.Column('notice_on', sa.Date(), nullable=True),
    sa.Column('document_no', engine.persistence.db.NFCString(length=64), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('outcome', engine.persistence.db.NFCText(), nullable=True),
    sa.Column('referred_agency', engine.persistence.db.NFCString(length=255), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('escalated_from_id', sa.Integer(), nullable=True),
    sa.Column('escalated_to_id', sa.Integer(), nullable=True),
    sa.Column('search_text', engine.persistence.db.NFCText(), nullable=False),
    sa.Column('external_ref', sa.String(length=128), nullable=True),
    sa.Column('created_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['org_units.id'], name=op.f('fk_petitions_department_id_org_units')),
    sa.ForeignKeyConstraint(['escalated_from_id'], ['petitions.id'], name=op.f('fk_petitions_escalated_from_id_petitions')),
    sa.ForeignKeyConstraint(['escalated_to_id'], ['petitions.id'], name=op.f('fk_petitions_escalated_to_id_petitions')),
    sa.ForeignKeyConstraint(['session_id'], ['reception_sessions.id'], name=op.f('fk_petitions_session_id_reception_sessions')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_petitions_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petitions')),
    sa.UniqueConstraint('code', name=op.f('uq_petitions_code')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_petitions_external_ref'))
    )
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petitions_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_petitions_unit_state', ['unit_id', 'state'], unique=False)

    op.create_table('sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_ins_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins'))
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_ins_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_ins_username'), ['username'], unique=False)

    op.create_table('clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('rule_days', sa.Integer(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('rule_source', engine.persistence.db.NFCText(), nullable=False),
    sa.Column('trigger_on', sa.Date(), nullable=False),
    sa.Column('trigger_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('deadline_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('original_due_date', sa.Date(), nullable=False),
    sa.Column('extended_due_date', sa.Date(), nullable=True),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stopped_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stopped_on', sa.Date(), nullable=True),
    sa.Column('stopped_by_action', sa.String(length=32), nullable=True),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('calendar_version', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('next_rung_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_rung', sa.String(length=16), nullable=True),
    sa.Column('created_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_clocks_petition_id_petitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clocks'))
    )
    with op.batch_alter_table('clocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clocks_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_clocks_next_rung_at'), ['next_rung_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_clocks_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clocks_status'), ['status'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', engine.persistence.db.NFCString(length=64), nullable=False),
    sa.Column('at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_events_actor_id_users')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_events_petition_id_petitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('petition_id', 'seq', name='uq_events_petition_seq')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_petition_id'), ['petition_id'], unique=False)

    op.create_table('petitioners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('name', engine.persistence.db.NFCString(length=255), nullable=False),
    sa.Column('address', engine.persistence.db.NFCString(length=255), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petitioners_petition_id_petitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petitioners'))
    )
    with op.batch_alter_table('petitioners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petitioners_petition_id'), ['petition_id'], unique=False)

    op.create_table('clock_journal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clock_id', sa.Integer(), nullable=False),
    sa.Column('at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('old_due', sa.Date(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=False),
    sa.Column('cause', sa.String(length=32), nullable=False),
    sa.Column('detail', engine.persistence.db.NFCText(), nullable=False),
    sa.Column('calendar_version', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['clock_id'], ['clocks.id'], name=op.f('fk_clock_journal_clock_id_clocks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_journal'))
    )
    with op.batch_alter_table('clock_journal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_journal_clock_id'), ['clock_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('to_email', sa.String(length=255), nullable=True),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('clock_id', sa.Integer(), nullable=True),
    sa.Column('rung', sa.String(length=16), nullable=True),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', engine.persistence.db.NFCText(), nullable=True),
    sa.Column('created_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['clock_id'], ['clocks.id'], name=op.f('fk_outbox_clock_id_clocks')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_outbox_petition_id_petitions')),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_outbox_recipient_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_clock_id'), ['clock_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_recipient_user_id'), ['recipient_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_status'), ['status'], unique=False)

    op.create_table('inbox_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', engine.persistence.db.NFCText(), nullable=False),
    sa.Column('body', engine.persistence.db.NFCText(), nullable=False),
    sa.Column('created_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', engine.persistence.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_inbox_items_outbox_id_outbox')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_inbox_items_petition_id_petitions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inbox_items_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_items')),
    sa.UniqueConstraint('outbox_id', name=op.f('uq_inbox_items_outbox_id'))
    )
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_items_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('inbox_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_items_user_id'))

    op.drop_table('inbox_items')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_recipient_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_petition_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_created_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_clock_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('clock_journal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clock_journal_clock_id'))

    op.drop_table('clock_journal')
    with op.batch_alter_table('petitioners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petitioners_petition_id'))

    op.drop_table('petitioners')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_petition_id'))

    op.drop_table('events')
    with op.batch_alter_table('clocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clocks_status'))
        batch_op.drop_index(batch_op.f('ix_clocks_petition_id'))
        batch_op.drop_index(batch_op.f('ix_clocks_next_rung_at'))
        batch_op.drop_index(batch_op.f('ix_clocks_due_date'))

    op.drop_table('clocks')
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_ins_username'))
        batch_op.drop_index(batch_op.f('ix_sign_ins_at'))

    op.drop_table('sign_ins')
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_index('ix_petitions_unit_state')
        batch_op.drop_index(batch_op.f('ix_petitions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_petitions_state'))
        batch_op.drop_index(batch_op.f('ix_petitions_session_id'))
        batch_op.drop_index(batch_op.f('ix_petitions_received_on'))
        batch_op.drop_index(batch_op.f('ix_petitions_department_id'))

    op.drop_table('petitions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit_id'))

    op.drop_table('users')
    with op.batch_alter_table('reception_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_sessions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_reception_sessions_held_on'))

    op.drop_table('reception_sessions')
    op.drop_table('petition_counters')
    with op.batch_alter_table('tick_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tick_runs_finished_at'))

    op.drop_table('tick_runs')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_units_parent_id'))

    op.drop_table('org_units')
