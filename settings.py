"""Gatehouse settings: every setting, its default, its type and what it does.

Settings are read, in order (later wins): the defaults below, ``instance/config.py`` (plain
Python assignments such as ``SMTP_HOST = "mail.example.gov.uk"``), then environment variables
named ``GATEHOUSE_<NAME>`` (e.g. ``GATEHOUSE_SMTP_HOST``). ``SECRET_KEY`` may also come from
``instance/secret_key``, which is generated on first run when no key is given.

README.md documents every setting listed here; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One documented setting: its name, default value and a sentence for the README."""

    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ENV", "development", "`production` turns on secure cookies and refuses to start without a persistent key."
    ),
    Setting("INSTANCE_PATH", None, "Folder for database, key, files and config.py. Default `instance/`. Env only."),
    Setting("SECRET_KEY", None, "Signs sessions and tokens. Generated into `instance/secret_key` when not given."),
    Setting("DATABASE", None, "Path of the SQLite database. Default `instance/gatehouse.db`. Keep it on a local disk."),
    Setting("FILES_DIR", None, "Where uploaded and stored files live. Default `instance/files`."),
    Setting(
        "BASE_URL",
        "",
        "The address people use, for links in emails and the calendar feed (https in production). "
        "Empty: the address Gatehouse serves on, `http://HOST:PORT`.",
    ),
    Setting("HOST", "127.0.0.1", "Address waitress listens on (`flask --app app serve`)."),
    Setting("PORT", 5000, "Port waitress listens on."),
    Setting("THREADS", 8, "Waitress worker threads."),
    Setting("LA_CODE", "873", "The LA this installation serves (3-digit code); demo data and branding use it."),
    Setting("SERVICE_NAME", "Gatehouse", "Service name shown in the header and emails."),
    Setting("SMTP_HOST", "", "SMTP server. Empty: mail goes to the outbox that site admins can read."),
    Setting("SMTP_PORT", 25, "SMTP port."),
    Setting("SMTP_SECURITY", "none", "`none`, `starttls` or `tls`."),
    Setting("SMTP_USERNAME", "", "SMTP user name (optional)."),
    Setting("SMTP_PASSWORD", "", "SMTP password (optional)."),
    Setting("SMTP_TIMEOUT", 10, "Seconds to wait for the SMTP server."),
    Setting("MAIL_FROM", "gatehouse@localhost", "From address of Gatehouse emails."),
    Setting("LOCKOUT_THRESHOLD", 3, "Consecutive failed sign-ins that lock an account."),
    Setting("LOCKOUT_MINUTES", 30, "How long a locked account stays locked."),
    Setting("SIGNIN_IP_LIMIT", 20, "Failed sign-ins allowed from one IP address per window before it is throttled."),
    Setting("SIGNIN_IP_WINDOW_MINUTES", 15, "The window for `SIGNIN_IP_LIMIT`."),
    Setting("IDLE_TIMEOUT_MINUTES", 30, "A session ends after this long without a request."),
    Setting("ABSOLUTE_TIMEOUT_HOURS", 12, "A session ends this long after sign-in, whatever happens."),
    Setting("PASSWORD_EXPIRY_DAYS", 0, "Force a password change after this many days; 0 (default) never."),
    Setting("PASSWORD_RESET_MINUTES", 30, "How long an emailed password-reset link stays valid."),
    Setting(
        "PASSWORD_RESET_EMAIL_LIMIT", 3,
        "Reset links sent to one email address per `PASSWORD_RESET_WINDOW_MINUTES`; more requests get the "
        "same answer but no email.",
    ),
    Setting(
        "PASSWORD_RESET_IP_LIMIT", 10,
        "Password-reset requests allowed from one IP address per window before it is throttled.",
    ),
    Setting("PASSWORD_RESET_WINDOW_MINUTES", 60, "The window for the two password-reset limits."),
    Setting("ARGON2_TIME_COST", 3, "argon2id iterations."),
    Setting("ARGON2_MEMORY_KIB", 65536, "argon2id memory in KiB (64 MiB)."),
    Setting("ARGON2_PARALLELISM", 4, "argon2id lanes."),
    Setting("MAX_UPLOAD_MB", 200, "Largest upload accepted, in megabytes."),
    Setting("VALIDATION_WORKERS", 2, "Uploaded files validated at the same time (threads); more wait their turn."),
    Setting(
        "VALIDATION_SYNC", False, "Validate uploads inside the upload request instead of the worker threads (tests)."
    ),
    Setting(
        "TRUSTED_PROXIES", 0, "Number of reverse proxies in front of Gatehouse whose X-Forwarded-* headers to trust."
    ),
    Setting(
        "REMINDER_DAYS_BEFORE",
        "7,1",
        "Deadline reminder digests go this many days before a due date (comma-separated; empty: none).",
    ),
    Setting("REMINDER_ON_OVERDUE", True, "Also remind schools on the first working day a return is overdue."),
    Setting(
        "DUE_DATE_SHIFT",
        "previous",
        "A due date on a weekend or bank holiday moves to the `previous` or `next` working day, or `none`.",
    ),
    Setting("BANK_HOLIDAY_REGION", "ENG", "Whose bank holidays count for due dates: `ENG` (England) or `WLS` (Wales)."),
    Setting("APPROVER_CAP", 2, "Approvers a school may have (active and invited); an organisation may override it."),
    Setting("END_USER_CAP", 7, "End users a school may have (active and invited); an organisation may override it."),
    Setting("INVITATION_DAYS", 14, "How long an emailed invitation (or approved request) link stays valid."),
    Setting(
        "BLOCKED_EMAIL_DOMAINS",
        "gmail.com, googlemail.com, hotmail.com, hotmail.co.uk, outlook.com, live.com, live.co.uk, yahoo.com,"
        " yahoo.co.uk, icloud.com, me.com, aol.com, btinternet.com, sky.com, virginmedia.com, protonmail.com,"
        " proton.me, gmx.com, mail.com",
        "Email domains (comma-separated) that cannot be invited or ask for an account: personal email services.",
    ),
    Setting(
        "ALLOWED_EMAIL_DOMAINS", "",
        "When set (comma-separated), only addresses at these domains or their subdomains can be used. Empty: any.",
    ),
    Setting(
        "REQUEST_DUE_WORKING_DAYS", 5,
        "Working days approvers have to decide an account request before it is overdue and goes to the LA.",
    ),
    Setting(
        "REQUEST_CLOSE_DAYS", 90, "Days after which an undecided account request is closed and the requester told."
    ),
    Setting("CLAIM_CODE_DAYS", 30, "How long an approver claim code stays valid."),
    Setting(
        "REQUIRE_2FA_FOR_LA_STAFF", True,
        "Everyone at the LA itself must use two-step verification, not only approvers and site admins.",
    ),
    Setting("REVIEW_UNUSED_DAYS", 90, "The termly review prompt lists accounts not used for this many days."),
    Setting(
        "ACCESS_IP_LIMIT", 10,
        "Account requests and wrong claim codes or invitation links allowed from one IP address per window.",
    ),
    Setting("ACCESS_IP_WINDOW_MINUTES", 60, "The window for `ACCESS_IP_LIMIT`."),
    Setting(
        "MESSAGE_CONFIRM_CHASE_SCHOOL_DAYS", 5,
        "School days after which an unconfirmed 'please confirm receipt' message is chased (recipient and LA told).",
    ),
    Setting(
        "MESSAGE_RETENTION_DAYS", 730,
        "Days after a conversation's last message that its content is deleted (the record stays, marked expired).",
    ),
    Setting("MESSAGE_EXPIRY_WARNING_DAYS", 7, "Days before deleting a conversation that both sides are warned."),
    Setting(
        "MESSAGE_DIGEST_MINUTES", 60,
        "At most one 'new secure messages' email per person in this many minutes; a burst waits for the next.",
    ),
    Setting(
        "JOBS_IN_PROCESS",
        True,
        "`flask --app app serve` runs scheduled jobs in a background thread. Turn off when cron runs `jobs run`.",
    ),
    Setting("TRANSFER_CTF_DAYS", 60, "Days a CTF sent through Transfers is kept before its file is deleted."),
    Setting("TRANSFER_FILE_DAYS", 30, "Days any other file sent through Transfers is kept before it is deleted."),
    Setting(
        "TRANSFER_MAX_MB", 100,
        "Largest upload of other files through Transfers, in megabytes (all the files chosen at once together); "
        "refused before it is read when the browser says its size.",
    ),
    Setting(
        "TRANSFER_BLOCKED_EXTENSIONS",
        "exe, msi, msp, com, scr, pif, cpl, dll, sys, bat, cmd, ps1, psm1, vbs, vbe, js, jse, wsf, wsh, hta, jar,"
        " sh, lnk, reg, app, dmg, iso, img",
        "File types (comma-separated extensions) that cannot be sent through Transfers: programs and scripts.",
    ),
    Setting(
        "LOST_PUPIL_WAIT_SCHOOL_DAYS", 20,
        "School days after a pupil left before a school sends a lost-pupil (XXXXXXX) CTF; shown to senders.",
    ),
)

SETTING_NAMES = frozenset(s.name for s in SETTINGS)


def served_address(host: str, port: int) -> str:
    """``http://host:port``, the address a server listening on ``host``/``port`` answers at.

    A wildcard host (``0.0.0.0``, ``::`` or empty) answers on every address, so the machine's own
    name stands in for it; an IPv6 address is bracketed. Never raises.
    """
    if host in ("", "0.0.0.0", "::"):  # nosec B104 # a comparison: names the wildcard, binds nothing
        import socket

        host = socket.getfqdn()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def defaults() -> dict[str, object]:
    """Return a fresh dict of every setting's default value."""
    return {s.name: s.default for s in SETTINGS}


def coerce(name: str, raw: str) -> object:
    """Convert an environment variable's text to the type of the setting's default.

    Raises ValueError when the text does not fit (e.g. ``PORT=abc``).
    """
    default = next(s.default for s in SETTINGS if s.name == name)
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"GATEHOUSE_{name} must be a whole number, not {raw!r}") from None
    return raw
