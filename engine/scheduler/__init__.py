"""What runs on a schedule: `tick(now)` (claims due reminder rungs once and writes the
outbox), the relay (re-offers rows a dead broker or worker left), the daily digest, health
and metrics, and the one Celery app with its thin tasks (beat only triggers them).

The only room of the engine that imports Celery. May import services, persistence and the
pure rooms; never intake, reports or cli.
"""
