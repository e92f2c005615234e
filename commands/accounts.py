"""Account commands for site admins on the server: create-admin, unlock-user, reset-2fa."""

from __future__ import annotations

import csv
import re
import sqlite3
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from domain.security import password_policy
from domain.security.passwords import hash_password
from models import audit, organisations, users
from models.db import transaction
from web.database import get_db
from web.passwords import app_hasher

LA_CODES_FILE = Path(__file__).resolve().parent.parent / "data" / "la_codes.tsv"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def la_name(la_code: str, path: Path = LA_CODES_FILE) -> str:
    """Return the LA's name from ``data/la_codes.tsv`` (columns la_code, la_name), else ``LA <code>``."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if (row.get("la_code") or "").strip() == la_code and (row.get("la_name") or "").strip():
                    return row["la_name"].strip()
    except OSError:
        pass
    return f"LA {la_code}"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


def _find_user(email: str) -> dict:
    user = users.get_by_email(get_db(), email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    return user


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="The admin's full name (default: the part of EMAIL before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line from standard input.")
@with_appcontext
def create_admin_command(email: str, name: str | None, password_stdin: bool) -> None:
    """Create a site admin at the LA (setting LA_CODE) who signs in with EMAIL.

    Asks for the password twice without showing it, or reads one line from standard
    input with --password-stdin. The password policy applies. The admin sets up
    two-step verification at their first sign-in.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise click.ClickException(f"{email!r} is not an email address.")
    db = get_db()
    if users.get_by_email(db, email):
        raise click.ClickException(f"There is already an account for {email}.")
    password = _read_password(password_stdin)
    problems = password_policy.problems(password, email=email)
    if problems:
        raise click.ClickException(problems[0] + ".")
    encoded = hash_password(app_hasher(), password)
    la_code = str(current_app.config["LA_CODE"])
    la = organisations.ensure_la(db, la_code, la_name(la_code))
    try:
        with transaction(db):
            user = users.create(db, email=email, name=(name or email.split("@")[0]).strip(), organisation_id=la["id"],
                                is_site_admin=True, password_hash=encoded)
            audit.record(db, "user_created", organisation_id=la["id"], target=email,
                         detail={"site_admin": True, "via": "create-admin command"})
    except sqlite3.IntegrityError:
        raise click.ClickException(f"There is already an account for {email}.") from None
    click.echo(f"Created site admin {user['email']} at {la['name']} ({la_code}).")
    click.echo("They set up two-step verification when they first sign in.")


@click.command("unlock-user")
@click.argument("email")
@with_appcontext
def unlock_user_command(email: str) -> None:
    """Unlock the account of EMAIL after too many failed sign-ins."""
    user = _find_user(email)
    if users.unlock(get_db(), user["id"], detail={"via": "unlock-user command"}):
        click.echo(f"Unlocked {user['email']}.")
    else:
        click.echo(f"{user['email']} was not locked.")


@click.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_two_factor_command(email: str) -> None:
    """Remove the authenticator and recovery codes of EMAIL (they set it up again at sign-in)."""
    user = _find_user(email)
    if users.reset_totp(get_db(), user["id"]):
        click.echo(f"Two-step verification reset for {user['email']}.")
    else:
        click.echo(f"{user['email']} had no two-step verification set up.")


COMMANDS = [create_admin_command, unlock_user_command, reset_two_factor_command]
