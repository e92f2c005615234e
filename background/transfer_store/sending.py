"""Sending a CTF: check its name, copy it aside, validate it, work out where it goes, encrypt it into the
store and record it, or refuse it with nothing kept.

No Flask here: the view hands in the settings, a connection, the sender, the file's stream and name,
and gets an :class:`Outcome` to show (and, when sent, to email the recipients about).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlite_utils import Database

from background.transfer_store import keys, store
from background.validation_pool import storage
from domain import clock
from domain.dates import uk_today
from domain.security import file_crypto
from domain.transfers import routing
from domain.transfers.file_names import BadFileName, blocked_extensions, blocked_reason, checked_file_name
from domain.validation import FileRefused, Finding, validate
from domain.validation.kinds import CTF
from models import organisations, transfers

KEY_FAULT = ("Gatehouse cannot store files at the moment because its transfers key is missing on the server. Nothing "
             "was sent: tell your LA's IT team, then send the file again.")
logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one uploaded file: ``sent`` (with ``transfer_id``) or refused (``reason``); ``findings``
    are the validator's errors and queries, shown either way."""

    name: str
    sent: bool = False
    reason: str = ""
    transfer_id: int | None = None
    route: str = ""
    recipient: dict | None = None
    errors: int = 0
    queries: int = 0
    findings: list[Finding] = field(default_factory=list)


def max_bytes(config: Mapping) -> int:
    """The size limit of a file sent, from MAX_UPLOAD_MB."""
    return int(config["MAX_UPLOAD_MB"]) * 1024 * 1024


def retention_days(config: Mapping, kind: str) -> int:
    """How many days a transfer of ``kind`` ("ctf" or "file") is kept (TRANSFER_CTF_DAYS, TRANSFER_FILE_DAYS)."""
    return int(config["TRANSFER_CTF_DAYS"] if kind == "ctf" else config["TRANSFER_FILE_DAYS"])


def _school_refusal(db: Database, destination: routing.Destination) -> tuple[dict | None, str]:
    """The destination school, or None and why it cannot receive (not in the register, or closed)."""
    school = organisations.get_school_by_dfe_number(db, destination.dfe_number)
    shown = routing.shown_dfe_number(destination.dfe_number)
    if school is None:
        return None, (f"This CTF is addressed to {shown}, and there is no school with that DfE number in Gatehouse. "
                      "Check the destination school in your MIS and create the CTF again, or ask your LA data team.")
    if school["status"] == "closed":
        successor = transfers.successor_of(db, school)
        then = (f" {successor['name']} ({routing.shown_dfe_number(successor['dfe_number'])}) took its place: "
                "create the CTF again for that DfE number." if successor else
                " Check where the pupil is going and create the CTF again, or ask your LA data team.")
        return None, f"This CTF is addressed to {school['name']} ({shown}), which is closed.{then}"
    return school, ""


def recipient_for(db: Database, sender: dict, destination: routing.Destination) -> tuple[dict | None, str]:
    """The organisation whose inbox or store receives a CTF for ``destination``, or None and the reason."""
    if destination.route == routing.SCHOOL:
        recipient, reason = _school_refusal(db, destination)
    else:
        recipient = organisations.get_la(db, sender["la_code"])
        reason = "" if recipient else "Your LA is not set up in Gatehouse yet. Ask your LA data team."
    if recipient is not None and recipient["id"] == sender["id"]:
        return None, (f"This CTF is addressed to {routing.shown_dfe_number(destination.dfe_number)}, which is you. "
                      "Check the destination in your MIS and create the CTF again.")
    return recipient, reason


def _master_key(db: Database, outcome: Outcome) -> bytes | None:
    """The store's master key (made on first use), or None with ``outcome.reason`` saying the key file is missing
    (logged for the LA's IT: a new key would open none of the stored files, so none is made)."""
    try:
        return keys.master_key_for_storing(db)
    except keys.StoreKeyError as error:
        logger.error("cannot store a transfer: %s", error)
        outcome.reason = KEY_FAULT
        return None


def _source_problem(sender: dict, report) -> str:
    """For an LA sender (which the validator cannot check): why the header's source is not this LA, or ""."""
    if sender["kind"] != "la":
        return ""
    source = report.header.get("SourceSchool/LEA", "") + report.header.get("SourceSchool/Estab", "")
    expected = sender["la_code"] + routing.LA_ESTAB
    if source.upper() == expected:
        return ""
    return (f"This CTF's source is {routing.shown_dfe_number(source) or 'blank'}, not your LA "
            f"({routing.shown_dfe_number(expected)}). Create it again as sent by the LA.")


def send_ctf(config: Mapping, db: Database, *, sender: dict, user: dict, stream: BinaryIO, raw_name: str | None,
             client: Mapping | None = None) -> Outcome:
    """Check, route, encrypt and record one uploaded CTF; never raises for a bad file.

    ``config`` needs FILES_DIR, MAX_UPLOAD_MB and TRANSFER_CTF_DAYS. On refusal nothing is kept:
    the temporary copy is deleted and no row or stored file remains (also when the store's key file
    is missing while files are stored: a fault for the LA's IT to fix, logged).
    """
    try:
        name = checked_file_name(raw_name)
    except BadFileName as bad:
        return Outcome(name=raw_name or "", reason=str(bad))
    outcome = Outcome(name=name)
    files_dir = config["FILES_DIR"]
    try:
        temp = storage.save_temp(stream, files_dir, max_bytes(config))
    except storage.TooLarge:
        outcome.reason = f"The file is larger than {config['MAX_UPLOAD_MB']} MB."
        return outcome
    try:
        return _check_and_store(config, db, outcome, temp, sender=sender, user=user, client=client or {})
    finally:
        storage.discard(files_dir, temp.name)


def _check_and_store(config: Mapping, db: Database, outcome: Outcome, temp: storage.TempUpload, *, sender: dict,
                     user: dict, client: Mapping) -> Outcome:
    files_dir = config["FILES_DIR"]
    records: list[dict] = []
    school = sender["dfe_number"] if sender["kind"] == "school" else None
    try:
        report = validate(storage.temp_path(files_dir, temp.name), CTF, filename=outcome.name, school=school,
                          max_bytes=max_bytes(config), today=uk_today(), on_pupil=records.append)
    except FileRefused as refused:
        outcome.reason = refused.reason
        return outcome
    outcome.findings, outcome.errors, outcome.queries = report.findings, report.errors, report.queries
    if report.errors:
        count = "1 error" if report.errors == 1 else f"{report.errors} errors"
        outcome.reason = f"This CTF has {count}: fix them in your MIS, create the CTF again and send it."
        return outcome
    outcome.reason = _source_problem(sender, report)
    if outcome.reason:
        return outcome
    destination = routing.destination_of(report.header.get("DestSchool/LEA", "")
                                         + report.header.get("DestSchool/Estab", ""), sender["la_code"])
    recipient, outcome.reason = recipient_for(db, sender, destination)
    if recipient is None:
        return outcome
    master = _master_key(db, outcome)
    if master is None:
        return outcome
    with open(storage.temp_path(files_dir, temp.name), "rb") as plain:
        stored_name, encrypted = store.save_encrypted(files_dir, plain, master)
    try:
        outcome.transfer_id = transfers.create(
            db, kind="ctf", route=destination.route, sender=sender, sent_by=user, recipient=recipient,
            destination=destination.dfe_number, original_name=outcome.name, size=temp.size, sha256=temp.sha256,
            stored_name=stored_name, wrapped_key=encrypted.wrapped_key, key_id=file_crypto.key_id(master),
            pupils=report.pupils, queries=report.queries,
            expires_at=clock.now() + dt.timedelta(days=retention_days(config, "ctf")),
            pupil_records=records, ip=client.get("ip"), user_agent=client.get("user_agent"),
        )  # fmt: skip
    except BaseException:
        store.remove(files_dir, stored_name)
        raise
    outcome.sent, outcome.route, outcome.recipient = True, destination.route, recipient
    return outcome


def release_lost_pupil(config: Mapping, db: Database, lost: dict, school: dict, user: dict,
                       client: Mapping | None = None) -> int:
    """Send a lost pupil's CTF from the LA's store to ``school``'s inbox: a new transfer from the LA holding the same
    bytes under a new key (the store keeps its own copy until it expires). Returns the new transfer's id.

    Raises transfers.TransferError when the file is no longer held, file_crypto.DecryptionError when its stored
    bytes fail their check, keys.StoreKeyError when the key file is missing.
    """
    if lost["route"] != routing.LOST or lost["stored_name"] is None:
        raise transfers.TransferError("This lost pupil's file is no longer held: it was revoked or has expired.")
    client = client or {}
    files_dir = config["FILES_DIR"]
    master = keys.load_master_key(db, allow_create=False)
    stored_name, encrypted = store.copy_encrypted(files_dir, lost["stored_name"], master, lost["wrapped_key"])
    la = organisations.get(db, lost["recipient_id"])
    try:
        return transfers.create(
            db, kind=lost["kind"], route=routing.SCHOOL, sender=la, sent_by=user, recipient=school,
            destination=school["dfe_number"], original_name=lost["original_name"], size=lost["size"],
            sha256=lost["sha256"], stored_name=stored_name, wrapped_key=encrypted.wrapped_key,
            key_id=file_crypto.key_id(master), pupils=lost["pupils"], queries=lost["queries"],
            expires_at=clock.now() + dt.timedelta(days=retention_days(config, lost["kind"])),
            released_from=lost["id"], ip=client.get("ip"), user_agent=client.get("user_agent"),
        )  # fmt: skip
    except BaseException:
        store.remove(files_dir, stored_name)
        raise


def file_max_bytes(config: Mapping) -> int:
    """The size limit of other files (TRANSFER_MAX_MB), in bytes."""
    return int(config["TRANSFER_MAX_MB"]) * 1024 * 1024


def send_file(config: Mapping, db: Database, *, sender: dict, user: dict, recipient: dict, stream: BinaryIO,
              raw_name: str | None, client: Mapping | None = None) -> Outcome:
    """Encrypt one uploaded file (any type but TRANSFER_BLOCKED_EXTENSIONS and programs) into the store and record
    it for ``recipient``'s inbox; never raises for a bad file, and keeps nothing when it refuses one.

    ``config`` needs FILES_DIR, TRANSFER_MAX_MB, TRANSFER_FILE_DAYS and TRANSFER_BLOCKED_EXTENSIONS.
    """
    client = client or {}
    try:
        name = checked_file_name(raw_name)
    except BadFileName as bad:
        return Outcome(name=raw_name or "", reason=str(bad))
    outcome = Outcome(name=name)
    sealed = isinstance(stream, store.SealingFile)
    head = stream.head if sealed else stream.read(store.SealingFile.HEAD)
    outcome.reason = blocked_reason(name, head, blocked_extensions(config["TRANSFER_BLOCKED_EXTENSIONS"])) or ""
    if outcome.reason:
        return outcome
    files_dir = config["FILES_DIR"]
    master = _master_key(db, outcome)
    if master is None:
        return outcome
    try:
        if sealed:  # encrypted as it arrived (see views.transfers._upload_limit)
            stored_name, encrypted = stream.keep()
        else:
            stored_name, encrypted = store.save_encrypted(files_dir, _Prefixed(head, stream), master,
                                                          max_bytes=file_max_bytes(config))
    except store.TooLarge:
        outcome.reason = f"{name} is larger than {config['TRANSFER_MAX_MB']} MB, the most Gatehouse takes at once."
        return outcome
    route = routing.SCHOOL if recipient["kind"] == "school" else routing.LA
    try:
        outcome.transfer_id = transfers.create(
            db, kind="file", route=route, sender=sender, sent_by=user, recipient=recipient,
            destination=recipient["dfe_number"], original_name=name, size=encrypted.plaintext_size,
            sha256=None, stored_name=stored_name, wrapped_key=encrypted.wrapped_key,
            key_id=file_crypto.key_id(master),
            expires_at=clock.now() + dt.timedelta(days=retention_days(config, "file")),
            ip=client.get("ip"), user_agent=client.get("user_agent"),
        )  # fmt: skip
    except BaseException:
        store.remove(files_dir, stored_name)
        raise
    outcome.sent, outcome.route, outcome.recipient = True, route, recipient
    return outcome


class _Prefixed:
    """``head`` (already read from ``stream``) followed by the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0:
                data, self.head = self.head + self.stream.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.stream.read(size)
