"""Deadlines: the Vietnamese working-day calendar (the `holidays` baseline overlaid with the
decision files in `config/calendar/`), local time in Asia/Ho_Chi_Minh, the deadline rules
and reminder ladder of `config/workflow.toml` (each with its legal source and effective
date), and the clock rules that turn them into due dates, rungs and verdicts.

Pure: imports only `engine.language`, `config` and the standard library, `holidays` and
`pendulum` — no SQLAlchemy, Celery or Flask — so every rule is testable without a database.
"""
