"""Organisation commands: ``import-gias`` (schools from a GIAS extract) and ``demo-data``."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlite_utils import Database

from commands.deadlines import date_settings
from domain.dates import academic_year_label, academic_year_of, uk_today
from domain.deadline_rules import DEFAULT_CATALOGUE, Recurrence
from domain.gias.reader import Extract, GiasFileError, Record, open_extract, parse_la_codes
from domain.local_returns.examples import EXAMPLES
from domain.security.passwords import hash_password
from models import audit, deadline_instances, local_returns, organisations, pride, users
from models.db import transaction
from web.database import get_db
from web.passwords import app_hasher

DEMO_LA_CODE = "873"
DEMO_FILE = "demo_gias_873.csv"
DEMO_ADMIN_EMAIL = "admin@gatehouse.invalid"
PROGRESS_EVERY = 250


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def read_records(extract: Extract, la_codes: tuple[str, ...], label: str) -> list[Record]:
    """Read every record of ``extract``, drawing a progress bar on stderr. Raises GiasFileError."""
    records: list[Record] = []
    with click.progressbar(length=extract.size, label=label, file=sys.stderr, show_eta=False) as bar:
        done = 0
        for record in extract.records(la_codes):
            records.append(record)
            if len(records) % PROGRESS_EVERY == 0:
                bar.update(extract.position - done)
                done = extract.position
        bar.update(extract.size - done)
    return records


def run_gias_import(
    db: Database, path: Path, la_codes: tuple[str, ...], *, actor: dict | None = None, dry_run: bool = False
) -> organisations.ImportSummary:
    """Check, read and import the GIAS file at ``path`` (one transaction), with a progress bar.

    Raises GiasFileError (bad encoding, missing columns, unreadable CSV) or
    organisations.ImportRefused; in both cases nothing was changed.
    """
    data = path.read_bytes()
    extract = open_extract(data)
    records = read_records(extract, la_codes, f"Reading {path.name}")
    return organisations.import_gias(
        db, records, la_codes=la_codes, file_name=path.name, file_sha256=hashlib.sha256(data).hexdigest(),
        encoding=extract.encoding, notes=extract.notes, actor=actor, dry_run=dry_run,
    )  # fmt: skip


def summary_lines(summary: organisations.ImportSummary, file_name: str) -> Iterator[str]:
    """The lines ``import-gias`` prints when it finishes."""
    las = ", ".join(summary.la_codes)
    yield f"GIAS import of {file_name} for LA {las}{' (dry run: nothing was saved)' if summary.dry_run else ''}:"
    yield f"  {_plural(summary.added, 'school')} added"
    yield f"  {_plural(summary.updated, 'school')} updated"
    yield f"  {_plural(summary.closed, 'school')} closed"
    yield f"  {_plural(summary.unchanged, 'school')} unchanged"
    for reason, count in sorted(summary.skipped.items(), key=lambda item: (-item[1], item[0])):
        yield f"  {_plural(count, 'row')} skipped: {reason}"
    yield f"  {_plural(summary.rows_read, 'row')} read in all"
    if summary.las_created:
        which = ", ".join(summary.las_created)
        yield f"Created the LA organisation{'s' if len(summary.las_created) > 1 else ''} for {which}."
    for note in summary.notes:
        yield f"Note: {note}"


def _la_codes_option(values: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return parse_la_codes(values or (str(current_app.config["LA_CODE"]),))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--la") from None


@click.command("import-gias")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--la", "la", multiple=True, metavar="CODE",
    help="LA code(s) to import: --la 873 --la 855 or --la 873,855. Default: the LA_CODE setting.",
)  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Check and count everything, then save nothing.")
@with_appcontext
def import_gias_command(file: Path, la: tuple[str, ...], dry_run: bool) -> None:
    """Import or refresh schools from a GIAS "edubasealldata" CSV (Windows-1252).

    Keeps open schools (GIAS status 1 or 3) of the chosen LAs, updates known schools by URN,
    marks closed the schools GIAS lists as closed or no longer lists, and creates the LA
    organisation when missing. A file with the wrong encoding or missing columns is refused
    and nothing is changed.
    """
    la_codes = _la_codes_option(la)
    try:
        summary = run_gias_import(get_db(), file, la_codes, dry_run=dry_run)
    except (GiasFileError, organisations.ImportRefused) as error:
        raise click.ClickException(f"{file.name}: {error} Nothing was changed.") from None
    for line in summary_lines(summary, file.name):
        click.echo(line)


class _NotEmpty(Exception):
    """The database gained data between the check and the write."""


def _create_demo(db: Database, data: bytes, records: list[Record], extract: Extract, email: str, encoded: str):
    with transaction(db):
        if any(organisations.counts(db).values()):
            raise _NotEmpty
        summary = organisations.import_gias(
            db, records, la_codes=(DEMO_LA_CODE,), file_name=DEMO_FILE,
            file_sha256=hashlib.sha256(data).hexdigest(), encoding=extract.encoding, notes=extract.notes,
        )  # fmt: skip
        la = organisations.get_la(db, DEMO_LA_CODE)
        admin = users.create(
            db, email=email, name="Demo site administrator", organisation_id=la["id"], role="approver",
            is_site_admin=True, password_hash=encoded, must_change_password=True,
        )  # fmt: skip
        audit.record(
            db, "demo_data", organisation_id=la["id"], target=f"user:{admin['id']}",
            detail={"admin_email": admin["email"], "schools_added": summary.added, "file": DEMO_FILE},
        )  # fmt: skip
    return summary, admin, la


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="When the database already has data, say so and succeed.")
@click.option("--admin-email", default=DEMO_ADMIN_EMAIL, show_default=True, help="Email of the demo site admin.")
@with_appcontext
def demo_data_command(if_empty: bool, admin_email: str) -> None:
    """Load demo data into an EMPTY database: LA 873's schools, this year's deadlines and a site admin.

    The site admin's one-time password is printed once; it must be changed at first sign-in.
    """
    if "@" not in admin_email.strip()[1:-1]:
        raise click.BadParameter(f"{admin_email!r} is not an email address", param_hint="--admin-email")
    db = get_db()
    if any(organisations.counts(db).values()):
        _already_present(db, if_empty)
        return
    path = Path(current_app.root_path) / "data" / DEMO_FILE
    data = path.read_bytes()
    extract = open_extract(data)
    records = read_records(extract, (DEMO_LA_CODE,), "Loading demo schools")
    password = secrets.token_urlsafe(12)
    encoded = hash_password(app_hasher(), password)
    try:
        summary, admin, la = _create_demo(db, data, records, extract, admin_email, encoded)
    except _NotEmpty:
        _already_present(db, if_empty)
        return
    click.echo(f"Demo data loaded: {la['name']} (LA {DEMO_LA_CODE}) and {_plural(summary.added, 'school')}.")
    year = academic_year_of(uk_today())
    made = deadline_instances.generate(db, year, actor=admin, **date_settings(current_app.config))
    click.echo(f"Deadlines for {academic_year_label(year)}: {made.created} made from the return catalogue.")
    left_out = _start_weekly_returns_this_week(db, year, admin)
    if left_out:
        click.echo(f"Weekly returns start this week: {_plural(left_out, 'earlier week')} left out of the demo.")
    designed = local_returns.seed_examples(db, DEMO_LA_CODE, EXAMPLES, admin)
    if designed:
        click.echo(f"Local returns: {', '.join(r['title'] for r in designed)} (designed and published).")
    seeded = pride.seed_demo(db, DEMO_LA_CODE, admin)
    if seeded["incidents"]:
        click.echo(
            f"PRIDE: {_plural(seeded['incidents'], 'incident')}, {_plural(seeded['returns'], 'return')} made and "
            f"{seeded['history']} rows of imported history."
        )
    click.echo(f"Site admin: {admin['email']} (approver at {la['name']})")
    click.echo(f"One-time password: {password}")
    click.echo("This password is shown only now. You must change it when you first sign in.")


DEMO_WEEKLY_REASON = "Demo data: weekly returns start in the week the demo was loaded"


def _start_weekly_returns_this_week(db: Database, year: int, admin: dict) -> int:
    """Cancel the demo year's weekly deadlines due before this week (each with the reason), so a
    newcomer's schools do not meet every past week of meal numbers overdue on day one. Returns how many."""
    today = uk_today()
    monday = today - dt.timedelta(days=today.weekday())
    weekly = {entry.code for entry in DEFAULT_CATALOGUE if entry.rule.recurrence is Recurrence.WEEKLY}
    past = [i for i in deadline_instances.list_instances(db, academic_year=year, include_cancelled=False)
            if i["code"] in weekly and i["due_on"] < monday]  # fmt: skip
    for instance in past:
        deadline_instances.cancel_instance(db, instance["id"], reason=DEMO_WEEKLY_REASON, actor=admin)
    return len(past)


def _already_present(db: Database, if_empty: bool) -> None:
    if if_empty:
        click.echo("Demo data already present; nothing changed")
        return
    held = organisations.counts(db)
    raise click.ClickException(
        f"The database already holds {_plural(held['organisations'], 'organisation')} and "
        f"{_plural(held['users'], 'user')}: demo data goes only into an empty database. Nothing was changed. "
        "(Use --if-empty to succeed quietly in that case.)"
    )


COMMANDS = [import_gias_command, demo_data_command]
