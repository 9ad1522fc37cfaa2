"""The database: SQLAlchemy 2 models, the engine and `transaction()`, Alembic migrations,
the keyed event log (HMAC chain, per-petition heads, checkpoints; its key in `auditkey`), writing outbox rows (insert-or-ignore on a unique key, so a
decision taken twice yields one row), and read scope (the org tree below a unit and the
WHERE clauses that limit what a user reads).

May import `deadlines`, `workflow`, `language` and `config`; never services or above.
"""
