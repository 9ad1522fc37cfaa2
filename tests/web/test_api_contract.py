"""The API's contract, tested against the spec it serves (issue 19): schemathesis loads
/api/v1/openapi.json from the app in-process (WSGI) and, for a token of each role, sends
generated requests to every operation; every answer must be no 5xx, a documented status
and content type, and valid against its schema (schemathesis' default checks).

Bounded so that it runs with the suite: MAX_EXAMPLES generated requests per operation and
role, on SQLite and on PostgreSQL (the first PostgreSQL run found a NUL character reaching
the database as a 500)."""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from hypothesis import HealthCheck, given, settings

from tests.web.test_api import make_token

ROLES = {"clerk": "clerk1", "department": "dept1", "leader": "leader1", "auditor": "auditor", "admin": "admin"}
UNIT_OF = {"clerk1": "C1", "dept1": "C1-D1", "leader1": "C1", "auditor": "P", "admin": "C2"}
MAX_EXAMPLES = 15


@pytest.mark.parametrize("role", list(ROLES))
def test_every_operation_keeps_the_contract(app, org, data, role, monkeypatch):
    import web.api
    monkeypatch.setattr(web.api, "RATE_LIMIT", 10_000)  # the limit has its own test; here every answer is judged
    secret = make_token(org, ROLES[role])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    seen: dict[str, set[int]] = {}
    real = [data[k] for k in ("R", "A1", "A2", "B")]
    turn = iter(range(10**6))
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            # half the time, a case that exists (in scope or not) and the token user's unit, so
            # that generated requests get past "not found" into reads, refusals and writes
            n = next(turn)
            if n % 2 and "code" in (case.path_parameters or {}):
                case.path_parameters["code"] = real[n // 2 % len(real)]
            if n % 2 and isinstance(case.body, dict) and "unit" in case.body:
                case.body["unit"] = UNIT_OF[ROLES[role]]
            resp = case.call_and_validate(headers={"Authorization": f"Bearer {secret}"},
                                         excluded_checks=[positive_data_acceptance])
            assert resp.status_code < 500, (op.label, resp.status_code, resp.text[:500])
            seen.setdefault(op.label, set()).add(resp.status_code)
        check()
    assert set(seen) == {op.label for op in operations}
    # the run reached past the token and the role check: every role read cases and the org tree
    assert 200 in seen["GET /api/v1/cases"] and 200 in seen["GET /api/v1/units"], seen
    assert 200 in seen["GET /api/v1/cases/{code}"], seen
