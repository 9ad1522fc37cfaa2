"""Importing a register file: read it, validate every row, then write — all or nothing
unless asked to skip invalid rows. The template and its columns are documented in
`engine.intake.columns`."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date
from engine.intake.columns import HEADERS, PROGRESS, ImportRejected, ImportResult, RowSet
from engine.intake.chairs import ChairRoles
from engine.intake.history import Chain, Replayer, Step, StepRefused, already_taken, find_petition, shorthand_steps
from engine.intake.reading import read_rows
from engine.intake.validation import row_ref, validate_row
from engine.intake.writing import BulkWriter, existing_refs
from engine.language.errors import DomainError, ValidationError
from engine.persistence.models import OrgUnit, Petition, ReceptionSession


def import_file(session: Session, ctx, rows: RowSet | str | Path, by: str | None = None, skip_invalid: bool = False,
                progress=None, lang: str = "vi") -> ImportResult:
    """Validate every row, then write sessions and petitions: in bulk where a petition
    carries no history, through the workflow services where it does (see "Speed" above and
    `engine.intake.history`).

    All or nothing unless `skip_invalid`: on any rejected row `ImportRejected` is raised
    (carrying `.rejected`, a list of (line, reason)) and the caller's transaction rolls
    back — the whole file is the caller's one transaction. `progress(n)` is called as rows
    are processed."""
    if not isinstance(rows, RowSet):
        rows = read_rows(rows)
    res = ImportResult(ignored_columns=rows.ignored_columns)
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    today = local_date(ctx.instant())
    chairs = ChairRoles.load(session)
    good: list[tuple[int, dict]] = []
    for line, raw in rows.rows:
        try:
            rec = validate_row(raw, units, today, chairs=chairs, workflow=ctx.workflow)
            if not by and (rec["record"] == "history" or (rec["record"] == "petition" and any(rec[k] for k in PROGRESS))):
                raise ValidationError("import_needs_by", field="by")
            good.append((line, rec))
        except DomainError as exc:
            res.rejected.append((line, exc.message(lang)))

    def refuse(line: int, exc: DomainError) -> None:
        res.rejected.append((line, exc.message(lang)))

    def stop_if_refused() -> None:
        if res.rejected and not skip_invalid:
            raise ImportRejected(rows.file, sorted(res.rejected))

    stop_if_refused()

    # Rows already present (an earlier import) or repeated in this file are skipped.
    records = [(line, rec) for line, rec in good if rec["record"] != "history"]
    history = [(line, rec) for line, rec in good if rec["record"] == "history"]
    present = existing_refs(session, ReceptionSession, [r["ref"] for _, r in records if r["record"] == "session"])
    present |= existing_refs(session, Petition, [r["ref"] for _, r in records if r["record"] == "petition"])
    seen: set[str] = set()
    fresh: list[tuple[int, dict]] = []
    for line, rec in sorted(records, key=lambda x: (x[1]["record"] != "session", x[0])):
        if rec["ref"] in present or (rec["record"], rec["ref"]) in seen:
            res.duplicates += 1
            continue
        seen.add((rec["record"], rec["ref"]))
        fresh.append((line, rec))

    # History rows find their petition (in this file, or loaded before) and, for an
    # escalation, the parent unit's case; checked here so that every such error is listed.
    chains: dict[str, Chain] = {}      # petition ref -> its chain
    for line, rec in fresh:
        if rec["record"] == "petition":
            chains[rec["ref"]] = Chain(line, rec, steps=shorthand_steps(rec, line))
    file_refs = {rec["ref"] for _, rec in records if rec["record"] == "petition"}
    targets: dict[str, Chain] = {}
    target_line: dict[str, int] = {}
    for line, h in history:
        try:
            chain = _chain_for(session, chains, h["petition_ref"])
            received = chain.rec["date"] if chain.rec else chain.petition.received_on
            if h["date"] < received:
                raise ValidationError("import_history_before_receipt", field="date", date=h["date"].strftime("%d/%m/%Y"),
                                      received=received.strftime("%d/%m/%Y"))
            ref = h["escalated_ref"]
            if ref is not None and ref in chains:
                if ref in target_line:
                    raise ValidationError("import_escalated_twice", field="escalated_ref", ref=ref, other=target_line[ref])
                source_unit = units[chain.rec["unit"]] if chain.rec else chain.petition.unit
                tgt = chains[ref].rec
                if units[tgt["unit"]].id != source_unit.parent_id:
                    parent = next((u.code for u in units.values() if u.id == source_unit.parent_id), "—")
                    raise ValidationError("escalate_target_unit", field="escalated_ref", target=ref, unit=tgt["unit"],
                                          parent=parent, code=h["petition_ref"])
                if tgt["date"] < h["date"]:
                    raise ValidationError("escalate_target_date", field="escalated_ref", target=ref,
                                          received=tgt["date"].strftime("%d/%m/%Y"), date=h["date"].strftime("%d/%m/%Y"))
                target_line[ref] = line
            elif ref is not None and ref not in file_refs and find_petition(session, ref) is None:
                raise ValidationError("import_unknown_petition_ref", field="escalated_ref", ref=ref)
            if chain.petition is not None and already_taken(session, chain.petition.id, h["action"], h["date"]):
                res.duplicates += 1
                continue
            chain.steps.append(Step(h["date"], h["action"], h["params"], line, 0, h["escalated_ref"]))
        except DomainError as exc:
            refuse(line, exc)
    for ref in target_line:
        targets[ref] = chains.pop(ref)
    stop_if_refused()
    if progress is not None and (history or targets):
        progress(len(history) + len(targets))  # rows replayed within their petition's chain

    bulk = BulkWriter(session, ctx, units)
    # Sessions first, so that petitions can point at a session anywhere in the file.
    new_sessions = [rec for _, rec in fresh if rec["record"] == "session"]
    bulk.write_sessions(new_sessions)
    res.sessions += len(new_sessions)
    done = res.duplicates + len(new_sessions)
    if progress is not None and done:
        progress(done)

    plain, replayed = [], []
    for chain in chains.values():
        if chain.steps or chain.petition is not None:
            replayed.append(chain)
            continue
        try:
            plain.append(bulk.prepare(chain.rec))
        except DomainError as exc:
            refuse(chain.line, exc)
    stop_if_refused()
    bulk.write_petitions(plain)
    res.petitions += len(plain)
    if progress is not None and plain:
        progress(len(plain))

    # Petitions with history replay through the workflow, one chain (a petition and the
    # cases it was escalated to) at a time, each in a savepoint: a refused chain leaves no
    # trace, and the others still run so that every refusal of the file is listed.
    replayer = Replayer(session, ctx, by, {ref: v[0] for ref, v in bulk.sessions.items()}, targets, lang)
    reached: set[str] = set()
    replayed.sort(key=lambda c: c.line)
    for i, chain in enumerate(replayed, start=1):
        work = [chain]
        counted = (replayer.created, replayer.applied)
        try:
            with session.begin_nested():
                while work:
                    link = work.pop(0)
                    followers = replayer.run(link)
                    reached.update(c.rec["ref"] for c in followers)
                    work.extend(followers)
        except StepRefused as exc:
            replayer.created, replayer.applied = counted  # rolled back with the savepoint
            refuse(exc.line, exc.error)
            if skip_invalid:  # the rest of the chain is not loaded either: say so, line by line
                for other in sorted(_chain_lines(chain, targets) - {exc.line}):
                    refuse(other, ValidationError("import_not_loaded", field="line", other=exc.line))
        if progress is not None and i % 200 == 0:
            progress(200)
    if progress is not None and len(replayed) % 200:
        progress(len(replayed) % 200)
    refused_lines = {line for line, _ in res.rejected}
    for ref, chain in targets.items():
        if (ref not in reached or chain.petition is None) and chain.line not in refused_lines:
            refuse(chain.line, ValidationError("import_not_reached", field="escalated_ref", other=target_line[ref]))
    res.petitions += replayer.created
    res.history = replayer.applied
    res.rejected.sort()
    stop_if_refused()
    return res


def _chain_lines(chain: Chain, targets: dict[str, Chain]) -> set[int]:
    """The lines of a chain: its petition row, its steps, and those of the cases it escalates to."""
    lines = {chain.line} if chain.rec is not None else set()
    for st in chain.steps:
        lines.add(st.line)
        if st.escalated_ref in targets:
            lines |= _chain_lines(targets[st.escalated_ref], targets)
    return lines


def _chain_for(session: Session, chains: dict[str, Chain], ref: str) -> Chain:
    """The chain a history row belongs to: a fresh petition of this file, or one already in
    the database (a duplicate row of this file, an earlier import, a petition code)."""
    chain = chains.get(ref)
    if chain is not None:
        return chain
    p = find_petition(session, ref)
    if p is None:
        raise ValidationError("import_unknown_petition_ref", field="petition_ref", ref=ref)
    key = f"db:{p.id}"
    chain = chains.get(key)
    if chain is None:
        chain = chains[key] = Chain(0, None, petition=p)
    return chain


__all__ = ["HEADERS", "ImportRejected", "ImportResult", "RowSet", "import_file", "read_rows", "validate_row", "row_ref"]

