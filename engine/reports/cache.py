"""Report results kept between requests (issue 20), filed under the data version.

A province's on-time report or Phụ lục 2 reads hundreds of thousands of rows, and an office
asks for the same one again and again (the page, then its export, then the page in the
other language) while the data under it has not moved. Each result is kept in the process
under its question (the report and every argument that changes it) and the data version it
was computed with (engine/persistence/versions.py): a result is served only while the
number is the same, so a report is never older than the last committed write. The cost of a
hit is one indexed read of one row.

`max_age` bounds what a write made outside the application (psql, a restore) could leave
stale; `REPORT_CACHE_SECONDS=0` keeps nothing. Results are shared between requests: callers
must not change them (none does; the tests render every page twice and compare).
"""
from __future__ import annotations

import threading
import weakref
import time
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

from sqlalchemy.orm import Session

from engine.persistence.versions import data_version

T = TypeVar("T")


class ReportCache:
    def __init__(self, size: int = 128, max_age: float = 900.0):
        self.size, self.max_age = size, max_age
        self._entries: OrderedDict[Hashable, tuple[int, float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, session: Session, key: Hashable, build: Callable[[], T]) -> T:
        """The result of `build()` for `key`, computed now or kept from an earlier call made
        at the same data version. The version is read before computing: a write that commits
        meanwhile moves it, and the result filed under the old one is not asked for again."""
        if self.max_age <= 0 or self.size <= 0:
            return build()
        version = data_version(session)
        if version is None:
            return build()
        now = time.monotonic()
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None and kept[0] == version and now - kept[1] < self.max_age:
                self._entries.move_to_end(key)
                self.hits += 1
                return kept[2]  # type: ignore[return-value]
            self.misses += 1
        value = build()
        with self._lock:
            self._entries[key] = (version, now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


# One cache per engine: a process serves one database, but a test process opens many, each
# with its own versions counting from 1.
_caches: "weakref.WeakKeyDictionary[object, ReportCache]" = weakref.WeakKeyDictionary()


def cache_for(bind) -> ReportCache:
    """The process's cache for the database behind `bind`, sized from the settings
    (REPORT_CACHE_SECONDS, REPORT_CACHE_SIZE)."""
    cache = _caches.get(bind)
    if cache is None:
        from config import get_settings
        s = get_settings()
        cache = _caches[bind] = ReportCache(size=s.report_cache_size, max_age=s.report_cache_seconds)
    return cache


def kept(session: Session, key: Hashable, build: Callable[[], T]) -> T:
    """`build()` through the process's cache (see ReportCache.get)."""
    return cache_for(session.get_bind()).get(session, key, build)


# Arguments that are not part of the question: the working calendar is the database's decisions
# (under the data version) and the decision files of the settings (fixed for the process).
NOT_IN_KEY = frozenset({"cal"})


def kept_call(session: Session, report: Callable[..., T], *args, **kwargs) -> T:
    """`report(session, *args, **kwargs)` through the process's cache, filed under the report's
    name and every argument (they must be hashable: codes, dates, choices, the language)."""
    key = (report.__module__, report.__qualname__, args,
           tuple(sorted((k, v) for k, v in kwargs.items() if k not in NOT_IN_KEY)))
    return kept(session, key, lambda: report(session, *args, **kwargs))
