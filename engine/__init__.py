"""The domain core, in rooms. Arrows point down this list and never up (the import
contract in `pyproject.toml`, checked in CI; the picture is in `docs/architecture.md`):

    cli            the `petitions` command (outermost)
    intake         registers imported from spreadsheets; the demo data
    reports        on-time rates, Phụ lục 2, exports, charts
    scheduler      the tick, relay, digest, health, the Celery app and its thin tasks
    services       use cases: one transaction each (petitions, sessions, units, users, clocks)
    persistence    the database: models, migrations, the event log, the outbox, read scope
    deadlines      working days, clock rules and the reminder ladder          (pure)
    workflow       the workflow vocabulary and the role policy                (pure)
    language       domain errors, Vietnamese/English messages, text folding   (pure)
    observability  the one log format

The engine never imports Flask, `web`, `notifications` or `workflows`.
"""
