"""Group commit: the submissions waiting in one process share one transaction and one fsync.

A durable commit (SQLite ``synchronous=FULL``, PostgreSQL's WAL flush) costs milliseconds of
disk wait, and the protocol counter makes every submission queue behind the one before it.  So
each process has one writer thread: request threads hand it their work and wait; it runs every
job that is waiting in one transaction, commits once, and only then answers each request.  A
request is still acknowledged only after the commit that holds its record.

If a batch fails because of one job (a constraint, a bug), the jobs are run again one per
transaction, so one bad submission never takes the others with it.  If the database itself is
unreachable, every waiting request gets that error (the app answers 503 with Retry-After).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger("carta.writer")

Job = Callable[[Connection], Any]


class StorageTimeout(Exception):
    """The writer did not answer in time: the request is answered 503, and a retry with the
    same idempotency key finds the record if it was stored after all."""


class GroupWriter:
    """One writer thread per process for ``engine`` (started lazily, so after a fork).

    Jobs get a Core connection (plain SQL, no ORM unit of work: this is the hot path)."""

    def __init__(self, engine: Engine, max_batch: int = 64, timeout: float = 60.0) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.timeout = timeout
        self._queue: queue.SimpleQueue[tuple[Job, Future]] = queue.SimpleQueue()
        self._pid: int | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # transactions committed
        self.jobs = 0  # jobs committed
        self.largest = 0  # most jobs tried in one transaction

    def run(self, job: Job) -> Any:
        """Run ``job(connection)`` in a committed transaction and return its result."""
        self._ensure_thread()
        future: Future = Future()
        self._queue.put((job, future))
        try:
            return future.result(timeout=self.timeout)
        except TimeoutError as exc:
            raise StorageTimeout("the database did not answer in time") from exc

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._start_lock:
            if self._pid != os.getpid():
                self._queue = queue.SimpleQueue()  # a forked child starts with its own queue
                threading.Thread(target=self._loop, name="carta-writer", daemon=True).start()
                self._pid = os.getpid()

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            batch = [(job, fut) for job, fut in batch if fut.set_running_or_notify_cancel()]
            try:
                self._commit(batch)
            except BaseException as exc:  # pragma: no cover - the loop must never die
                log.error("writer failed", exc_info=exc)
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)

    def _commit(self, batch: list[tuple[Job, Future]]) -> None:
        self.largest = max(self.largest, len(batch))
        try:
            with self.engine.begin() as connection:
                results = [job(connection) for job, _ in batch]
        except Exception as exc:
            if len(batch) == 1 or _unreachable(exc):
                for _, fut in batch:
                    fut.set_exception(exc)
                return
            for job, fut in batch:  # find the culprit: one transaction each
                try:
                    with self.engine.begin() as connection:
                        result = job(connection)
                except Exception as one:
                    fut.set_exception(one)
                else:
                    self.batches += 1
                    self.jobs += 1
                    fut.set_result(result)
            return
        self.batches += 1
        self.jobs += len(batch)
        for (_, fut), result in zip(batch, results, strict=True):
            fut.set_result(result)


def _unreachable(exc: Exception) -> bool:
    """The database is down or the disk refuses writes: retrying job by job cannot help."""
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)
