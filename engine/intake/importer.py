"""Importing a register file: read it, validate every row, then write — all or nothing
unless asked to skip invalid rows. The template and its columns are documented in
`engine.intake.columns`."""
from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date
from engine.intake.columns import HEADERS, PROGRESS, ImportRejected, ImportResult, RowSet
from engine.intake.reading import read_rows
from engine.intake.validation import row_ref, validate_row
from engine.intake.writing import BulkWriter, existing_refs, replay_petition
from engine.language.errors import DomainError, ValidationError
from engine.persistence.models import OrgUnit, Petition, ReceptionSession


def import_file(session: Session, ctx, rows: RowSet | str | Path, by: str | None = None, skip_invalid: bool = False,
                progress=None, lang: str = "vi") -> ImportResult:
    """Validate every row, then write sessions and petitions: in bulk where a row carries
    no progress, through the workflow services where it does (see "Speed" above).

    All or nothing unless `skip_invalid`: on any rejected row `ImportRejected` is raised
    (carrying `.rejected`, a list of (line, reason)) and the caller's transaction rolls
    back. `progress(n)` is called as rows are processed."""
    if not isinstance(rows, RowSet):
        rows = read_rows(rows)
    res = ImportResult(ignored_columns=rows.ignored_columns)
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    today = local_date(ctx.instant())
    good: list[tuple[int, dict]] = []
    for line, raw in rows.rows:
        try:
            rec = validate_row(raw, units, today)
            if rec["record"] == "petition" and not by and any(rec[k] for k in PROGRESS):
                raise ValidationError("import_needs_by", field="by")
            good.append((line, rec))
        except DomainError as exc:
            res.rejected.append((line, exc.message(lang)))
    if res.rejected and not skip_invalid:
        raise ImportRejected(rows.file, res.rejected)

    # Rows already present (an earlier import) or repeated in this file are skipped.
    present = existing_refs(session, ReceptionSession, [r["ref"] for _, r in good if r["record"] == "session"])
    present |= existing_refs(session, Petition, [r["ref"] for _, r in good if r["record"] == "petition"])
    seen: set[str] = set()
    fresh: list[tuple[int, dict]] = []
    for line, rec in sorted(good, key=lambda x: (x[1]["record"] != "session", x[0])):
        if rec["ref"] in present or (rec["record"], rec["ref"]) in seen:
            res.duplicates += 1
            continue
        seen.add((rec["record"], rec["ref"]))
        fresh.append((line, rec))

    def refuse(line: int, exc: DomainError) -> None:
        res.rejected.append((line, exc.message(lang)))
        if not skip_invalid:
            raise ImportRejected(rows.file, sorted(res.rejected)) from None

    bulk = BulkWriter(session, ctx, units)
    # Sessions first, so that petitions can point at a session anywhere in the file.
    new_sessions = [rec for _, rec in fresh if rec["record"] == "session"]
    bulk.write_sessions(new_sessions)
    res.sessions += len(new_sessions)
    done = res.duplicates + len(new_sessions)
    if progress is not None and done:
        progress(done)

    plain, replayed = [], []
    for line, rec in fresh:
        if rec["record"] != "petition":
            continue
        if any(rec[k] for k in PROGRESS):
            replayed.append((line, rec))
            continue
        try:
            plain.append(bulk.prepare(rec))
        except DomainError as exc:
            res.rejected.append((line, exc.message(lang)))
    if res.rejected and not skip_invalid:
        raise ImportRejected(rows.file, sorted(res.rejected))
    bulk.write_petitions(plain)
    res.petitions += len(plain)
    if progress is not None and plain:
        progress(len(plain))

    # Rows with progress replay through the workflow, one by one. With --skip-invalid each
    # runs in a savepoint so that a refused row leaves no trace; all or nothing needs none
    # (the first refusal rolls the whole file back).
    session_ids = {ref: v[0] for ref, v in bulk.sessions.items()}
    for i, (line, rec) in enumerate(replayed, start=1):
        try:
            with (session.begin_nested() if skip_invalid else nullcontext()):
                replay_petition(session, ctx, rec, by, session_ids)
            res.petitions += 1
        except DomainError as exc:
            refuse(line, exc)
        if progress is not None and i % 200 == 0:
            progress(200)
    if progress is not None and len(replayed) % 200:
        progress(len(replayed) % 200)
    res.rejected.sort()
    if res.rejected and not skip_invalid:
        raise ImportRejected(rows.file, res.rejected)
    return res


__all__ = ["HEADERS", "ImportRejected", "ImportResult", "RowSet", "import_file", "read_rows", "validate_row", "row_ref"]

