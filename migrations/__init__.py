"""Schema migrations, applied in order by ``flask --app app migrate`` (idempotent).

Each area of Gatehouse keeps its own ``sqlite_utils.Migrations`` set in a module here; the
sets are applied in the order of ``MIGRATION_SETS``. Migrations are numbered, raw DDL, and
never edited once landed: change the schema with a new migration.
"""

from __future__ import annotations

from sqlite_utils import Database

from migrations import accounts as accounts_migrations
from migrations import audit as audit_migrations
from migrations import auth as auth_migrations
from migrations import deadlines as deadlines_migrations
from migrations import duplicates as duplicates_migrations
from migrations import foundation, services
from migrations import jobs as jobs_migrations
from migrations import local_returns as local_returns_migrations
from migrations import messages as messages_migrations
from migrations import organisations as organisations_migrations
from migrations import pride as pride_migrations
from migrations import returns as returns_migrations
from migrations import transfers as transfers_migrations
from migrations import upns as upns_migrations

MIGRATION_SETS = [
    foundation.migrations,
    organisations_migrations.migrations,
    services.migrations,
    auth_migrations.migrations,
    jobs_migrations.migrations,
    deadlines_migrations.migrations,
    audit_migrations.migrations,
    accounts_migrations.migrations,
    returns_migrations.migrations,
    upns_migrations.migrations,
    pride_migrations.migrations,
    messages_migrations.migrations,
    local_returns_migrations.migrations,
    transfers_migrations.migrations,
    duplicates_migrations.migrations,
]


def apply_all(db: Database) -> list[str]:
    """Apply every pending migration of every set; return the names applied (may be empty)."""
    applied = []
    for migration_set in MIGRATION_SETS:
        pending = [m.name for m in migration_set.pending(db)]
        migration_set.apply(db)
        applied.extend(f"{migration_set.name}:{name}" for name in pending)
    return applied
