"""Backup and restore commands: ``backup DEST`` (while Gatehouse runs) and ``restore SRC``."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from background import transfer_store
from backup import archive, create, restore
from migrations import MIGRATION_SETS
from models import audit_key

_progress = functools.partial(click.progressbar, file=sys.stderr, show_pos=False, show_percent=True)


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


def _files(manifest: dict) -> str:
    count = manifest["file_count"]
    return f"{count} file" if count == 1 else f"{count} files"


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--zip", "as_zip", is_flag=True, help="Write one .zip file at DEST instead of a directory.")
@with_appcontext
def backup_command(dest: Path, as_zip: bool) -> None:
    """Copy the database, audit and transfers keys and stored files to DEST (a new or empty directory), safely while
    Gatehouse runs."""
    cfg = current_app.config
    try:
        manifest = create.create_backup(cfg["DATABASE"], cfg["FILES_DIR"], dest, as_zip=as_zip, progress=_progress)
    except archive.BackupError as error:
        raise click.ClickException(str(error)) from None
    key = ", the audit key" if manifest.get("audit_key") else ""
    key += ", the transfers key" if manifest.get("transfers_key") else ""
    click.echo(
        f"Backup written to {dest}: database {_size(manifest['database']['size'])} "
        f"(integrity_check ok, foreign_key_check ok){key} and {_files(manifest)}."
    )


def _known_migrations() -> set[str]:
    return {f"{s.name}:{m.name}" for s in MIGRATION_SETS for m in s._migrations}


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--check", "check_only", is_flag=True, help="Only verify the backup against its manifest; change nothing."
)
@with_appcontext
def restore_command(src: Path, check_only: bool) -> None:
    """Restore the backup SRC (directory or .zip) into this EMPTY instance; stop Gatehouse first.

    Refuses when the configured database has any organisation or user, or the files directory
    holds any file. Every SHA-256 in the manifest is checked before anything is changed.
    """
    cfg = current_app.config
    try:
        if check_only:
            manifest = restore.verify_backup(src, progress=_progress)
            click.echo(f"Backup {src} is complete: the database and {_files(manifest)} match the manifest.")
            return
        manifest = restore.restore_backup(
            src, cfg["DATABASE"], cfg["FILES_DIR"], known_migrations=_known_migrations(), progress=_progress
        )
    except archive.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored the backup of {manifest['created_at']} into {cfg['DATABASE']} "
        f"({_files(manifest)} in {cfg['FILES_DIR']}); integrity_check ok, foreign_key_check ok."
    )
    if manifest.get("audit_key"):
        click.echo(f"The audit log's key is in {audit_key.key_file_for(cfg['DATABASE'])}.")
    if manifest.get("transfers_key"):
        click.echo(f"The transfers key is in {transfer_store.key_file_for(cfg['DATABASE'])}.")
    pending = sorted(_known_migrations() - set(manifest.get("migrations") or ()))
    if pending:
        click.echo(f"The backup predates {len(pending)} migrations: run `flask --app app migrate` next.")


COMMANDS = [backup_command, restore_command]
