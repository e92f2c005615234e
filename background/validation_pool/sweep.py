"""The start-up sweep: what a server that stopped mid-upload left behind, cleared before the next one serves.

A server killed during an upload can leave three things: jobs still ``queued`` or ``running`` that no
thread will ever finish; temporary copies under ``FILES_DIR/tmp`` (an upload being received or waiting
for its check, or a transfer being encrypted); and a stored file under ``FILES_DIR/uploads`` that no upload
record points at (a validated file is moved into place just before the transaction that records it, and
the server died in between), or under ``FILES_DIR/transfers`` that no transfer or message attachment points
at (likewise).
:func:`sweep` ends those jobs (their page says to upload again) and deletes those files.

Only safe while no other process serves the same instance: ``flask --app app serve`` runs it once it
holds its port and before it answers a request (one process serves an instance, see README).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from background import transfer_store
from background.validation_pool import storage
from models import messages, transfers, uploads
from models.db import connection


@dataclass(frozen=True)
class SweepReport:
    """What :func:`sweep` cleared: jobs ended, temporary files and orphaned stored files deleted."""

    jobs_ended: int
    temp_files_removed: int
    orphans_removed: int

    def __bool__(self) -> bool:
        return bool(self.jobs_ended or self.temp_files_removed or self.orphans_removed)

    def summary(self) -> str:
        return (f"{self.jobs_ended} interrupted file checks ended, {self.temp_files_removed} temporary files and "
                f"{self.orphans_removed} orphaned stored files removed")


def sweep(database: str | Path, files_dir: str | Path) -> SweepReport:
    """End every unfinished validation job and delete every temporary upload and orphaned stored file.

    Call only when no process serves this instance (at start-up). Raises sqlite3.Error when the database
    cannot be read or written, and OSError when a file cannot be deleted.
    """
    with connection(database) as db:
        interrupted = [job["id"] for job in uploads.interrupted_jobs(db)]
        uploads.fail_interrupted(db, interrupted)
        temp = storage.temp_files(files_dir)
        for path in temp:
            path.unlink(missing_ok=True)
        kept = uploads.stored_paths(db)
        orphans = [relative for relative in storage.stored_files(files_dir) if relative not in kept]
        for relative in orphans:
            storage.remove_stored(files_dir, relative)
        held = transfers.stored_names(db) | messages.attachment_stored_names(db)  # the store holds both
        transfer_orphans = [name for name in transfer_store.store.stored_files(files_dir) if name not in held]
        for name in transfer_orphans:
            transfer_store.remove(files_dir, name)
    return SweepReport(len(interrupted), len(temp), len(orphans) + len(transfer_orphans))
