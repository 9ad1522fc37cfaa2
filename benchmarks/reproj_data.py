"""Running clocks for the re-projection benchmark, generated inside PostgreSQL.

A province with `communes` communes; `n` petitions, each with one running clock: 60 %
received (the conclusion clock, 10 working days from a reception between 06/11 and
20/11/2026), 40 % in resolution (a met conclusion clock and the resolution clock, 30
working days from a notice between 09/10 and 20/11/2026); 2 % of the resolution clocks
extended to a leader's date, 1 % counted on after a suspension ("continue"). Every petition
has its events and a head. Due dates and reminder rungs are those of `cal` at `at`, so a
clock moves only when the new calendar moves it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import text

from engine.deadlines.calendar import WorkingCalendar
from engine.deadlines.clocks import due_after
from engine.deadlines.ladder import next_rung
from engine.deadlines.params import Ladder

RECEIVED_FROM, NOTICE_FROM, LAST = date(2026, 11, 6), date(2026, 10, 9), date(2026, 11, 20)

GENERATE = """
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
VALUES (1, 'BP', 'Tỉnh Thử nghiệm', 'province', NULL, now());
INSERT INTO org_units (id, code, name, level, parent_id, created_at)
SELECT 10 + c, 'BX' || c, 'Xã ' || c, 'commune', 1, now() FROM generate_series(1, :communes) c;
INSERT INTO users (id, username, full_name, role, unit_id, active, notify_mode, lang, created_at)
VALUES (1, 'benchadmin', 'Bench', 'admin', 1, true, 'immediate', 'vi', now());

INSERT INTO petitions (id, code, unit_id, received_on, received_at, summary, category, kind, is_group, group_size,
                       complex_prolonged, incited, state, version, reopen_count, search_text, created_at, updated_at,
                       notice_no, notice_on)
SELECT i, 'KN-BX' || (11 + i % :communes - 10) || '-2026-' || lpad(i::text, 7, '0'), 11 + i % :communes,
       r, r::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', 'Kiến nghị ' || i, 'land', 'petition', false, 1,
       false, false, CASE WHEN i % 5 < 3 THEN 'received' ELSE 'in_resolution' END, 1, 0, '', now(), now(),
       CASE WHEN i % 5 >= 3 THEN 'TB-' || i END, CASE WHEN i % 5 >= 3 THEN n END
FROM (SELECT i, CASE WHEN i % 5 < 3 THEN CAST(:received_from AS date) + (i * 37) % :received_span
                     ELSE CAST(:notice_from AS date) + (i * 37) % :notice_span - 10 END AS r,
             CAST(:notice_from AS date) + (i * 37) % :notice_span AS n
      FROM generate_series(1, :n) i) g;

-- conclusion clocks: running for received petitions, met for those in resolution
INSERT INTO clocks (petition_id, name, rule_days, working, rule_source, trigger_on, due_date, deadline_at,
                    original_due_date, extensions, status, stopped_on, provisional, calendar_version, version,
                    next_rung, next_rung_at, created_at)
SELECT p.id, 'conclusion', 10, true, 'bench', p.received_on, m.due, m.deadline_at, m.due, 0,
       CASE WHEN p.state = 'received' THEN 'running' ELSE 'met' END,
       CASE WHEN p.state = 'received' THEN NULL ELSE p.notice_on END, m.provisional, :version, 1,
       CASE WHEN p.state = 'received' THEN m.rung END, CASE WHEN p.state = 'received' THEN m.rung_at END, now()
FROM petitions p JOIN bench_due m ON m.trigger_on = p.received_on AND m.days = 10;

INSERT INTO clocks (petition_id, name, rule_days, working, rule_source, trigger_on, due_date, deadline_at,
                    original_due_date, extended_due_date, extensions, status, provisional, calendar_version, version,
                    next_rung, next_rung_at, created_at)
SELECT p.id, 'resolution', 30, true, 'bench', p.notice_on,
       CASE WHEN p.id % 50 = 3 THEN date '2027-02-26' ELSE m.due END,
       CASE WHEN p.id % 50 = 3 THEN timestamptz '2027-02-26 23:59:59+07' ELSE m.deadline_at END,
       m.due, CASE WHEN p.id % 50 = 3 THEN date '2027-02-26' END, CASE WHEN p.id % 50 = 3 THEN 1 ELSE 0 END,
       'running', m.provisional, :version, CASE WHEN p.id % 50 = 3 THEN 2 ELSE 1 END,
       CASE WHEN p.id % 50 = 3 THEN 'T-3' ELSE m.rung END,
       CASE WHEN p.id % 50 = 3 THEN timestamptz '2027-02-23 07:30+07' ELSE m.rung_at END, now()
FROM petitions p JOIN bench_due m ON m.trigger_on = p.notice_on AND m.days = 30
WHERE p.state = 'in_resolution';

-- counted on after a suspension: their due date is no longer trigger + period
INSERT INTO clock_suspensions (clock_id, reason, document, from_on, to_on, resume_document, mode, due_before,
                               due_after, at)
SELECT c.id, 'Chờ giám định', 'CV-' || c.id, c.trigger_on + 2, c.trigger_on + 5, 'CV-R-' || c.id, 'continue',
       c.due_date, c.due_date + 3, now()
FROM clocks c WHERE c.status = 'running' AND c.petition_id % 100 = 7;
UPDATE clocks c SET due_date = c.due_date + 3, original_due_date = c.due_date + 3, version = 2
FROM clock_suspensions s WHERE s.clock_id = c.id;

INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT p.id, 1, 'receive', 'clerk', p.received_at, p.received_on, '{}', '{"state": "received"}', '{}',
       repeat('0', 64), md5(p.code) || md5(p.code || 'x')
FROM petitions p;
INSERT INTO events (petition_id, seq, action, actor, at, effective_on, before, after, data, prev_hash, hash)
SELECT p.id, 2, 'conclude', 'clerk', p.notice_on::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', p.notice_on,
       '{"state": "received"}', '{"state": "in_resolution"}', json_build_object('notice_no', p.notice_no),
       md5(p.code) || md5(p.code || 'x'), md5(p.code || 'y') || md5(p.code || 'z')
FROM petitions p WHERE p.state = 'in_resolution';

-- heads as the application writes them (the MAC is the benchmark's own: only the cost matters)
INSERT INTO event_heads (petition_id, code, unit_id, seq, hash, legacy_upto, sealed, key_id, mac, sealed_at)
SELECT p.id, p.code, p.unit_id, e.seq, e.hash, 0,
       json_build_object('state', p.state, 'department_id', p.department_id, 'notice_no', p.notice_no,
                         'notice_on', p.notice_on, 'document_no', p.document_no, 'resolved_on', p.resolved_on,
                         'referred_agency', p.referred_agency, 'closed_on', p.closed_on,
                         'received_on', p.received_on, 'reopen_count', p.reopen_count,
                         'clocks', (SELECT json_agg(json_build_object('name', c.name, 'status', c.status,
                                    'trigger_on', c.trigger_on, 'due_date', c.due_date,
                                    'original_due_date', c.original_due_date,
                                    'extended_due_date', c.extended_due_date, 'stopped_on', c.stopped_on,
                                    'extensions', c.extensions) ORDER BY c.id) FROM clocks c
                                    WHERE c.petition_id = p.id)),
       'bench', md5(p.code || 'mac') || md5(p.code || 'mac2'), now()
FROM petitions p JOIN events e ON e.petition_id = p.id
     AND e.seq = CASE WHEN p.state = 'in_resolution' THEN 2 ELSE 1 END;

SELECT setval(pg_get_serial_sequence('org_units', 'id'), (SELECT max(id) FROM org_units));
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
SELECT setval(pg_get_serial_sequence('petitions', 'id'), (SELECT max(id) FROM petitions))
"""


def due_rows(cal: WorkingCalendar, ladder: Ladder, at: datetime, spans=None) -> list[dict]:
    """Due date, deadline and first rung after `at` of every trigger day the data uses:
    `spans` is [(working days, first trigger day, last trigger day)] (default: this data's)."""
    from engine.deadlines.timeutil import end_of_day
    out = []
    for days, first, last in spans or ((10, NOTICE_FROM - timedelta(days=10), LAST), (30, NOTICE_FROM, LAST)):
        day = first
        while day <= last:
            due = due_after(cal, day, days, True)
            rung, rung_at = next_rung(due, cal, ladder, at)
            out.append(dict(trigger_on=day, days=days, due=due, deadline_at=end_of_day(due), rung=rung.key,
                            rung_at=rung_at, provisional=bool(cal.provisional_years(day, due))))
            day += timedelta(days=1)
    return out


def generate(engine, n: int, communes: int, cal: WorkingCalendar, ladder: Ladder, at: datetime) -> None:
    params = {"n": n, "communes": communes, "version": cal.version,
              "received_from": RECEIVED_FROM.isoformat(), "received_span": (LAST - RECEIVED_FROM).days + 1,
              "notice_from": NOTICE_FROM.isoformat(), "notice_span": (LAST - NOTICE_FROM).days + 1}
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE bench_due (trigger_on date, days int, due date, deadline_at timestamptz,"
                          " rung varchar(16), rung_at timestamptz, provisional boolean)"))
        conn.execute(text("INSERT INTO bench_due VALUES (:trigger_on, :days, :due, :deadline_at, :rung, :rung_at,"
                          " :provisional)"), due_rows(cal, ladder, at))
        for stmt in [s.strip() for s in GENERATE.split(";\n") if s.strip()]:
            conn.execute(text(stmt), {k: v for k, v in params.items() if f":{k}" in stmt})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
