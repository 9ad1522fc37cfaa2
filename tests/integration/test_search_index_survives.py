"""Every migration keeps the petitions' full-text index alive on SQLite (migration 0003's
triggers keep petitions_fts in step with petitions.search_text). A later migration that
alters `petitions` through batch_alter_table recreates the table and silently drops those
triggers: search then finds nothing for new or changed cases. Found when a migration did it."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.persistence.db import transaction
from engine.services import petitions as svc

TRIGGERS = {"petitions_fts_ai", "petitions_fts_ad", "petitions_fts_au"}


def test_the_triggers_exist_after_every_migration(sqlite_db):
    with sqlite_db.connect() as c:
        found = {r[0] for r in c.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
    assert TRIGGERS <= found, f"missing: {TRIGGERS - found}"


def test_a_new_case_is_found_by_search(org, ctx):
    if org.dialect.name != "sqlite":
        pytest.skip("PostgreSQL searches search_text itself (pg_trgm): there is no side table to keep")
    with transaction(org) as s:
        code = svc.add_petition(s, ctx, "C1", "Phản ánh ô nhiễm tiếng ồn", received_on="2026-11-16",
                                petitioners=[{"name": "Nguyễn Văn Tìm"}]).code
    with transaction(org) as s:
        rows = s.execute(text("SELECT p.code FROM petitions_fts f JOIN petitions p ON p.id = f.rowid "
                              "WHERE petitions_fts MATCH :q"), {"q": '"tim"'}).scalars().all()
    assert code in rows
