"""A task that does nothing but count itself: the baseline of bench_scheduler."""
from functools import lru_cache

from engine.scheduler.celery_app import app


@lru_cache(maxsize=1)
def _client(url):
    import redis
    return redis.Redis.from_url(url)  # one connection per worker, so the baseline is not slowed


@app.task(name="bench.noop")
def noop(redis_url):
    _client(redis_url).incr("bench:noop")
