"""Exports for the LA: a zip of CSV tables per return version (pupils, addresses, findings, notes; for a
School Workforce Census return staff, contracts, findings, notes).

One return: ``LLLEEEE_<return code>_v<version>.zip`` holding the four tables. All schools of an
instance: one zip with a folder of the same name per school. A School Census version also in COLLECT's
export layout (``write_collect_zip``: one CSV per entity, from the stored file). Every cell is guarded against
spreadsheet formulas; files start with a UTF-8 byte-order mark so Excel reads them correctly.
"""

from __future__ import annotations

import csv
import tempfile
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from sqlite_utils import Database

from domain.csv_files import csv_cell, csv_chunks
from domain.validation.collect_export import TABLES as COLLECT_TABLES
from domain.validation.collect_export import collect_rows
from domain.validation.rules import RULES
from models import findings, returns

TABLES = ("pupils.csv", "addresses.csv", "findings.csv", "notes.csv")
WORKFORCE_TABLES = ("staff.csv", "contracts.csv", "findings.csv", "notes.csv")
PUPIL_COLUMNS = ("position", "upn", "former_upn", "uln", "surname", "forename", "middle_names", "preferred_surname",
                 "dob", "sex", "nc_year", "enrol_status", "postcode")  # fmt: skip
FINDING_COLUMNS = ("severity", "rule", "rule_title", "pupil", "upn", "name", "field", "value", "message", "fix", "note")
NOTE_COLUMNS = ("rule", "upn", "applies_to", "note", "author", "written_at", "carried_forward")
STAFF_COLUMNS = findings.STAFF_FIELDS
CONTRACT_COLUMNS = ("position", "trn", "ni_number", "contract", "contract_type", "start_date", "end_date", "post",
                    "roles")  # fmt: skip
# In a workforce return's findings and notes, a person is a member of staff named by TRN (else NI number).
_WORKFORCE_NAMES = {"pupil": "staff_member", "upn": "trn_or_ni_number"}


def tables_for(kind: str) -> tuple[str, ...]:
    """The CSV files in a version's export, for a file of ``kind``."""
    return WORKFORCE_TABLES if kind == "workforce" else TABLES


def _people_header(columns: tuple[str, ...], kind: str) -> tuple[str, ...]:
    return tuple(_WORKFORCE_NAMES.get(c, c) for c in columns) if kind == "workforce" else columns


def stem(version: dict) -> str:
    """``LLLEEEE_<return code>_v<version>`` (``TEST`` for a test upload)."""
    ret = version["return"]
    return f"{ret['dfe_number']}_{ret['code'] or 'TEST'}_v{version['version']}"


def _write(archive: zipfile.ZipFile, name: str, chunks: Iterator[bytes]) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in chunks:
            member.write(chunk)


def _pupils(db: Database, version_id: int) -> Iterator[tuple]:
    for pupil in findings.iter_pupils(db, version_id):
        yield tuple(pupil[c] for c in PUPIL_COLUMNS)


def _addresses(db: Database, version_id: int, width: int) -> Iterator[tuple]:
    for pupil in findings.iter_pupils(db, version_id):
        lines = pupil["address_lines"] + [""] * (width - len(pupil["address_lines"]))
        yield (pupil["position"], pupil["upn"], *lines, pupil["postcode"])


def _findings(db: Database, version_id: int) -> Iterator[tuple]:
    for f in findings.iter_findings(db, version_id):
        title = RULES[f["rule"]].title if f["rule"] in RULES else ""
        yield (f["severity"], f["rule"], title, f["pupil"], f["upn"], f["name"], f["field"], f["value"], f["message"],
               f["fix"], f["note"])  # fmt: skip


def _staff(db: Database, version_id: int) -> Iterator[tuple]:
    for member in findings.iter_staff(db, version_id):
        yield tuple(member[c] for c in STAFF_COLUMNS)


def _contracts(db: Database, version_id: int) -> Iterator[tuple]:
    for member in findings.iter_staff(db, version_id):
        for number, c in enumerate(member["contracts"], start=1):
            yield (member["position"], member["trn"], member["ni_number"], number, c["contract_type"], c["start_date"],
                   c["end_date"], c["post"], " ".join(c["roles"]))  # fmt: skip


def _notes(db: Database, version_id: int, kind: str) -> Iterator[tuple]:
    person = "staff member" if kind == "workforce" else "UPN"
    for n in returns.notes_of(db, version_id):
        applies = "every query of the rule" if n["upn"] is None else f"queries about this {person}"
        yield (n["rule"], n["upn"], applies, n["text"], n["author_name"], n["written_at"],
               "yes" if n["carried_from"] else "no")  # fmt: skip


def write_version(db: Database, archive: zipfile.ZipFile, version: dict, folder: str = "") -> None:
    """Add the four tables of ``version`` (:func:`tables_for` its kind) to ``archive`` (inside ``folder``/
    when given)."""
    prefix = f"{folder}/" if folder else ""
    version_id, kind = version["id"], version["kind"]
    if kind == "workforce":
        _write(archive, prefix + "staff.csv", csv_chunks(STAFF_COLUMNS, _staff(db, version_id)))
        _write(archive, prefix + "contracts.csv", csv_chunks(CONTRACT_COLUMNS, _contracts(db, version_id)))
    else:
        width = max(1, findings.max_address_lines(db, version_id))
        address_header = ("position", "upn", *(f"address_line_{n}" for n in range(1, width + 1)), "postcode")
        _write(archive, prefix + "pupils.csv", csv_chunks(PUPIL_COLUMNS, _pupils(db, version_id)))
        _write(archive, prefix + "addresses.csv", csv_chunks(address_header, _addresses(db, version_id, width)))
    findings_header = _people_header(FINDING_COLUMNS, kind)
    _write(archive, prefix + "findings.csv", csv_chunks(findings_header, _findings(db, version_id)))
    _write(archive, prefix + "notes.csv", csv_chunks(_people_header(NOTE_COLUMNS, kind), _notes(db, version_id, kind)))


def write_zip(db: Database, versions: list[dict], out: BinaryIO, *, folders: bool) -> None:
    """Write a zip of the versions' tables to ``out`` (one folder per version when ``folders``)."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for version in versions:
            write_version(db, archive, version, stem(version) if folders else "")


def write_collect_zip(source: BinaryIO, out: BinaryIO) -> None:
    """A School Census version in COLLECT's export layout: one CSV per table of
    ``domain.validation.collect_export.TABLES`` (``schoolcensus.csv``, ``pupilonroll.csv``,
    ``addressesonroll.csv``, ``fsmperiodsonroll.csv``, ...), each with its header row even when empty, written
    to ``out`` as a zip. Read from the stored file, one pupil at a time; no byte-order mark (pipelines read
    these files as COLLECT writes them); every cell guarded against spreadsheet formulas. Raises FileRefused
    if the stored file cannot be read."""
    spools: dict[str, tuple] = {}
    try:
        for table, header in COLLECT_TABLES.items():
            spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")
            writer = csv.writer(spool)
            writer.writerow(header)
            spools[table] = (spool, writer)
        for table, values in collect_rows(source):
            spools[table][1].writerow([csv_cell("" if v is None else v) for v in values])
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for table, (spool, _) in spools.items():
                spool.seek(0)
                with archive.open(f"{table}.csv", "w", force_zip64=True) as member:
                    while chunk := spool.read(1 << 16):
                        member.write(chunk.encode("utf-8"))
    finally:
        for spool, _ in spools.values():
            spool.close()
