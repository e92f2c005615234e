"""Each app's bounded pool of validation threads (setting VALIDATION_WORKERS).

The pool is created on first use and kept in ``app.extensions``. It remembers which jobs it
holds, so a job left ``queued`` or ``running`` by a server that stopped can be recognised
(:func:`is_in_flight`) and ended. With VALIDATION_SYNC the job runs inline, in the request.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from flask import Flask

from background.validation_pool import storage
from background.validation_pool.worker import run_job

logger = logging.getLogger(__name__)

EXTENSION = "gatehouse_validation_pool"
CONFIG_KEYS = ("DATABASE", "FILES_DIR", "MAX_UPLOAD_MB")
STALE_TEMP_SECONDS = 24 * 3600
_create_lock = threading.Lock()


class ValidationPool:
    """A ThreadPoolExecutor plus the set of job ids it has not finished."""

    def __init__(self, workers: int, config: dict):
        self.config = config
        self.executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="gatehouse-validation")
        self._lock = threading.Lock()
        self._in_flight: set[int] = set()

    def submit(self, job_id: int) -> Future:
        with self._lock:
            self._in_flight.add(job_id)
        return self.executor.submit(self._run, job_id)

    def _run(self, job_id: int) -> str:
        try:
            return run_job(self.config, job_id)
        except Exception:
            logger.exception("validation job %s stopped unexpectedly", job_id)
            return "failed"
        finally:
            with self._lock:
                self._in_flight.discard(job_id)

    def in_flight(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._in_flight


def config_for(app: Flask) -> dict:
    """The settings a job needs, copied (a worker never touches ``app.config``)."""
    return {key: app.config[key] for key in CONFIG_KEYS}


def remove_stale_temp_files(files_dir: str | Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Delete temporary uploads older than ``older_than`` seconds (left by a crash); return how many."""
    removed = 0
    cutoff = time.time() - older_than
    for path in storage.temp_dir(files_dir).glob(f"*{storage.TEMP_SUFFIX}"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def get_pool(app: Flask) -> ValidationPool:
    """The app's pool, created on first use (and then stale temporary files are swept)."""
    with _create_lock:
        pool = app.extensions.get(EXTENSION)
        if pool is None:
            pool = ValidationPool(int(app.config["VALIDATION_WORKERS"]), config_for(app))
            app.extensions[EXTENSION] = pool
            remove_stale_temp_files(app.config["FILES_DIR"])
    return pool


def submit(app: Flask, job_id: int) -> Future | None:
    """Start job ``job_id``: in the pool, or right now when VALIDATION_SYNC is on (returns None then)."""
    if app.config["VALIDATION_SYNC"]:
        run_job(config_for(app), job_id)
        return None
    return get_pool(app).submit(job_id)


def is_in_flight(app: Flask, job_id: int) -> bool:
    """True when this app's pool holds the job (queued or running in this process)."""
    pool = app.extensions.get(EXTENSION)
    return pool is not None and pool.in_flight(job_id)


def shutdown(app: Flask, wait: bool = True, cancel_queued: bool = False) -> None:
    """Stop the app's pool (tests, and a server stopping). ``cancel_queued`` drops jobs not yet started (the next
    start ends them with a message to upload again, as after a crash); a running job finishes when ``wait``."""
    pool = app.extensions.pop(EXTENSION, None)
    if pool is not None:
        pool.executor.shutdown(wait=wait, cancel_futures=cancel_queued)
