"""Search is answered by an index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL) and must
still match accent-insensitively, by substring and by code, whatever wrote the petition."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from alembic import command
from sqlalchemy import delete, insert, select, text, update

from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import alembic_config, upgrade
from engine.persistence.models import OrgUnit, Petition, Petitioner
from engine.language.text import fold


def found(browser, q) -> str:
    r = browser.get("/petitions", query_string={"q": q})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def fts_consistent(engine) -> None:
    """SQLite: the external-content FTS index agrees with petitions.search_text."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO petitions_fts(petitions_fts, rank) VALUES ('integrity-check', 1)"))


def test_accent_insensitive_substring_and_code(as_user, data, org):
    b = as_user("clerk1")
    for q in ("nguyen van duc", "Nguyễn Văn Đức", "NGUYỄN", "đức", "DUC", "guye", "van d",
              "duong lien", "Đường liên thôn", "sua duong", "uc", "d"):
        assert data["R"] in found(b, q), q
    for q in ("ranh gioi", "tranh chap", "bich"):
        body = found(b, q)
        assert data["A1"] in body and data["R"] not in body, q
    for q in ("nguyen thi", "zzzz", "duc zz", "o nhiem"):  # the last is C2's, out of scope
        assert data["R"] not in found(b, q) and data["B"] not in found(b, q), q
    assert data["R"] in found(b, data["R"]) and data["A1"] not in found(b, data["R"])
    assert data["R"] in found(b, data["R"].lower())  # a code typed in lower case
    assert data["R"] in found(b, data["R"][3:12])  # part of a code: substring search
    assert data["B"] in found(as_user("auditor"), "o nhiem tieng on")
    for q in ('"quoted"', "50%", "a_b", "x\\y", "AND", "NEAR(", "*"):  # no query syntax leaks
        assert found(b, q) is not None
    fts_consistent(org)


def test_core_insert_as_bulk_importer_is_found(as_user, data, org):
    """Rows written with Core inserts (the importer's bulk path, benchmarks) are indexed by
    the database itself, in the same transaction."""
    with transaction(org) as s:
        unit = s.scalar(select(OrgUnit).where(OrgUnit.code == "C1"))
        code = "KN-C1-2026-900001"
        summary = "Phản ánh cống thoát nước bị tắc"
        pid = s.execute(insert(Petition).returning(Petition.id), [dict(
            code=code, unit_id=unit.id, received_on=date(2026, 11, 4),
            received_at=datetime(2026, 11, 3, 17, tzinfo=timezone.utc), summary=summary, category="other",
            kind="petition", is_group=False, group_size=1, complex_prolonged=False, incited=False,
            state="received", version=1, reopen_count=0,
            search_text=fold(f"{code} {summary} Đặng Thị Huệ {unit.name}"))]).scalar_one()
        s.execute(insert(Petitioner), [dict(petition_id=pid, name="Đặng Thị Huệ")])
    b = as_user("clerk1")
    for q in ("cong thoat nuoc", "Cống thoát", "dang thi hue", "hue", code, "900001"):
        assert code in found(b, q), q
    assert data["R"] not in found(b, "thoat nuoc")
    fts_consistent(org)


def test_updated_summary_is_reindexed(as_user, data, org, ctx):
    b = as_user("clerk1")
    with transaction(org) as s:  # through the ORM: search_text follows the summary
        p = s.scalar(select(Petition).where(Petition.code == data["R"]))
        p.summary = "Đề nghị lắp đèn chiếu sáng ngõ xóm"
    assert data["R"] in found(b, "den chieu sang")
    assert data["R"] not in found(b, "sua duong lien thon")
    assert data["R"] in found(b, "nguyen van duc")  # the rest is still there
    with transaction(org) as s:  # a petitioner added through the ORM
        p = s.scalar(select(Petition).where(Petition.code == data["R"]))
        p.petitioners.append(Petitioner(name="Lý Thị Hoà"))
    assert data["R"] in found(b, "ly thi hoa")
    with org.begin() as conn:  # a plain SQL update of the column: the triggers re-index it
        conn.execute(update(Petition).where(Petition.code == data["R"])
                     .values(search_text=fold(f"{data['R']} Kênh mương nội đồng")))
    assert data["R"] in found(b, "kenh muong") and data["R"] not in found(b, "den chieu sang")
    with org.begin() as conn:  # a deleted row leaves the index too
        conn.execute(delete(Petitioner).where(Petitioner.petition_id == select(Petition.id).where(
            Petition.code == data["R"]).scalar_subquery()))
        conn.execute(text("DELETE FROM clocks WHERE petition_id = (SELECT id FROM petitions WHERE code = :c)"),
                     {"c": data["R"]})
        conn.execute(text("DELETE FROM events WHERE petition_id = (SELECT id FROM petitions WHERE code = :c)"),
                     {"c": data["R"]})
        conn.execute(text("DELETE FROM outbox WHERE petition_id = (SELECT id FROM petitions WHERE code = :c)"),
                     {"c": data["R"]})
        conn.execute(delete(Petition).where(Petition.code == data["R"]))
    assert data["R"] not in found(b, "kenh muong")
    fts_consistent(org)


def _matches(engine, q):
    from sqlalchemy.orm import Session
    from web.queries import search_clauses
    with Session(engine) as s:
        return sorted(s.scalars(select(Petition.code).where(*search_clauses(s, fold(q).split()))))


def test_search_uses_the_index(org, data, monkeypatch):
    from sqlalchemy.orm import Session
    from web import queries as Q
    queries = ("nguyen van duc", "van", "an", "duc d", "thi", "zzzz", "KN-C1", "o nhiem tieng on")
    expected = {q: _matches(org, q) for q in queries}
    assert expected["van"] and expected["an"] and expected["thi"] and not expected["zzzz"]
    if org.dialect.name == "sqlite":
        with Session(org) as s:  # a rare word: filtered by the ids the FTS index gave, no LIKE scan
            sql = " ".join(str(c.compile(org)) for c in Q.search_clauses(s, ["nguyen", "van", "d"]))
        assert "petitions.id IN" in sql and sql.count("LIKE") == 1, sql
        monkeypatch.setattr(Q, "FTS_DENSE", 1)  # every word "common": the LIKE scan answers the same
        assert {q: _matches(org, q) for q in queries} == expected
    else:
        with org.connect() as conn:
            has_ext = conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))
            index = conn.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_petitions_search_trgm'"))
        assert not has_ext or "gin_trgm_ops" in index


def _insert_bare_petition(engine, code, summary):
    """A row as an older release wrote it: the tables as they are in the database (reflected),
    not as today's models would write them (they carry columns later migrations add)."""
    from sqlalchemy import MetaData, Table
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with engine.begin() as conn:
        units, petitions = (Table(n, MetaData(), autoload_with=conn) for n in ("org_units", "petitions"))
        uid = conn.execute(insert(units).returning(units.c.id), [dict(code="U" + code[-3:], name="Xã Cũ",
                                                                    level="commune", created_at=now)]).scalar_one()
        conn.execute(insert(petitions), [dict(created_at=now, updated_at=now,
            code=code, unit_id=uid, received_on=date(2026, 1, 5), received_at=datetime(2026, 1, 5, tzinfo=timezone.utc),
            summary=summary, category="other", kind="petition", is_group=False, group_size=1,
            complex_prolonged=False, incited=False, state="received", version=1, reopen_count=0,
            search_text=fold(f"{code} {summary}"))])


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def test_migration_backfills_and_downgrades(kind, tmp_path):
    """Rows written before 0003 are indexed by it; downgrade and re-upgrade both work."""
    from tests.conftest import fresh_pg_engine
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}") if kind == "sqlite" else fresh_pg_engine()
    try:
        upgrade(engine, "0002")
        _insert_bare_petition(engine, "KN-OLD-2025-000001", "Khiếu nại về bồi thường giải phóng mặt bằng")
        upgrade(engine)
        fts_consistent(engine)
        _assert_search(engine, "boi thuong giai phong", 1)
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.scalar(text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'petitions_fts%'")) == 0
            else:
                assert conn.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_petitions_search_trgm'")) == 0
        _insert_bare_petition(engine, "KN-OLD-2025-000002", "Bồi thường chậm")  # written while downgraded
        upgrade(engine)
        fts_consistent(engine)
        _assert_search(engine, "boi thuong", 2)
    finally:
        engine.dispose()


def _assert_search(engine, q, expected):
    assert len(_matches(engine, q)) == expected
