"""Duplicate pupils across the LA's schools: stored detection over the latest loaded census versions, cases and
their workflow.

**Detection.** When a census version is loaded for a deadline instance (``returns.create_version`` calls
:func:`version_loaded`), its pupils' normalised keys replace the school's rows in ``duplicate_pupils``; SQL
over the indexed keys picks the records that share a UPN, a FormerUPN or a person key with that school's
(:func:`refresh`; the whole instance when no school is given), and ``domain.duplicates.find_cases`` applies
the rules to those few records. No Python loop runs over pairs or over every pupil. Test uploads take no part,
except in the LA's one-off :func:`check_test_uploads`, which runs the same SQL over a TEMP copy of the keys with
the schools' newer test uploads in place and stores nothing.

**Cases** (one per instance and case key: kind and the (school, UPN) of every member): **open** when found;
**contacted** once the LA has messaged the schools; **resolved** by the LA (saying which change resolved it),
or by an upload that removes the conflict ("resolved by upload", recorded on its own); **not a duplicate**
with the LA's reason, remembered under the key so the same pair never reopens. A resolved case found again
reopens. Each case has notes and a history (``duplicate_case_events``); every change by a person is audited,
and each detection run that changes cases writes one audit entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from domain import clock
from domain.duplicates import RULES, Case, PupilEntry, find_cases
from domain.duplicates.normalise import person_key, upn_key
from domain.validation.dates import parse_iso_date
from models import audit
from models.db import one, rows, scalar, transaction

CENSUS_CODES = ("SC-AUT", "SC-SPR", "SC-SUM")
STATUSES = {
    "open": "Open",
    "contacted": "Schools contacted",
    "resolved": "Resolved",
    "not_duplicate": "Not a duplicate",
}
ACTIVE = ("open", "contacted")
EVENT_LABELS = {
    "found": "Found", "changed": "Changed", "contacted": "Schools contacted", "note": "Note",
    "resolved": "Resolved", "not_duplicate": "Marked not a duplicate", "reopened": "Found again",
    "resolved_by_upload": "Resolved by upload",
}  # fmt: skip
MAX_TEXT = 2000
PAGE_SIZE = 50
_MEMBER_FIELDS = ("upn", "former_upn", "surname", "forename", "dob", "sex", "enrol_status", "postcode", "nc_year",
                  "entry_date", "leaving_date", "position")  # fmt: skip


class CaseError(ValueError):
    """A case change that cannot be made now; the message says why, for the page."""


# ----------------------------------------------------------------------------- keys


def _key_rows(db: Database, version_id: int, instance_id: int, organisation_id: int) -> Iterator[tuple]:
    cursor = db.conn.execute(
        "SELECT id, upn, former_upn, surname, forename, dob, sex FROM return_pupils WHERE version_id = ?", (version_id,)
    )
    for p in cursor:
        yield (instance_id, organisation_id, version_id, p["id"], upn_key(p["upn"]), upn_key(p["former_upn"]),
               person_key(p["surname"], p["forename"], p["dob"], p["sex"]))  # fmt: skip


_INSERT_KEYS = (
    "INSERT INTO duplicate_pupils (instance_id, organisation_id, version_id, pupil_id, upn_key, former_key,"
    " person_key) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _replace_keys(db: Database, version: dict) -> None:
    db.conn.execute(
        "DELETE FROM duplicate_pupils WHERE instance_id = ? AND organisation_id = ?",
        (version["instance_id"], version["organisation_id"]),
    )
    db.conn.executemany(_INSERT_KEYS, _key_rows(db, version["id"], version["instance_id"], version["organisation_id"]))


def _census_version(db: Database, version_id: int) -> dict | None:
    """The version with its school and instance, when it is a census version for a deadline instance."""
    return one(
        db,
        "SELECT rv.id, rv.version, r.organisation_id, r.instance_id FROM return_versions rv"
        " JOIN returns r ON r.id = rv.return_id WHERE rv.id = ? AND rv.kind = 'census' AND r.instance_id IS NOT NULL",
        (version_id,),
    )


def version_loaded(db: Database, version_id: int) -> dict | None:
    """A census version was loaded: its pupils replace its school's keys for the instance and the school's
    cases are worked out again (in the caller's transaction). Returns the refresh's counts, or None for a
    version that takes no part (a test upload, a workforce return or a CTF)."""
    version = _census_version(db, version_id)
    if version is None:
        return None
    with transaction(db):
        _replace_keys(db, version)
        return refresh(db, version["instance_id"], organisation_id=version["organisation_id"], version=version)


def census_instance_ids(db: Database) -> list[int]:
    """The census deadline instances any school has a version for, oldest first."""
    return [
        row["instance_id"]
        for row in rows(
            db,
            "SELECT DISTINCT r.instance_id FROM returns r JOIN deadline_instances i ON i.id = r.instance_id"
            " JOIN return_catalogue c ON c.id = i.catalogue_id WHERE c.code IN (SELECT value FROM json_each(?))"
            " AND EXISTS (SELECT 1 FROM return_versions rv WHERE rv.return_id = r.id AND rv.kind = 'census')"
            " ORDER BY r.instance_id",
            (json.dumps(CENSUS_CODES),),
        )
    ]


def rebuild_instance(db: Database, instance_id: int) -> dict:
    """Rebuild the instance's keys from every school's latest census version, then refresh every case."""
    with transaction(db):
        db.conn.execute("DELETE FROM duplicate_pupils WHERE instance_id = ?", (instance_id,))
        latest = rows(
            db,
            "SELECT rv.id, r.organisation_id, r.instance_id FROM returns r JOIN return_versions rv ON rv.id ="
            " (SELECT max(id) FROM return_versions WHERE return_id = r.id) WHERE r.instance_id = ?"
            " AND rv.kind = 'census'",
            (instance_id,),
        )
        for version in latest:
            db.conn.executemany(_INSERT_KEYS, _key_rows(db, version["id"], instance_id, version["organisation_id"]))
        return refresh(db, instance_id)


# ----------------------------------------------------------------------------- detection


# The records with these ids (a JSON list), with the fields the rules read.
_CANDIDATES = (
    "SELECT d.organisation_id, d.version_id, d.pupil_id, d.upn_key, d.former_key, d.person_key, rp.upn,"
    " rp.former_upn, rp.surname, rp.forename, rp.dob, rp.sex, rp.enrol_status, rp.postcode, rp.nc_year,"
    " rp.entry_date, rp.leaving_date, rp.position FROM duplicate_pupils d JOIN return_pupils rp ON rp.id = d.pupil_id"
    " WHERE d.id IN (SELECT value FROM json_each(?))"
)

# The ids of every record of the instance that shares a UPN, a FormerUPN or a person key with another record (the
# domain rules then drop those at one school only): groups found with count(*) over covering indexes (telling
# schools apart in SQL, by count(DISTINCT) or min <> max, cost three to four times as much), and the FormerUPN join
# starting from the few records with one (CROSS JOIN keeps that order).
_ALL_CANDIDATE_IDS = """
  SELECT id FROM duplicate_pupils WHERE instance_id = :i AND upn_key <> '' AND upn_key IN (
    SELECT upn_key FROM duplicate_pupils WHERE instance_id = :i AND upn_key <> ''
    GROUP BY upn_key HAVING count(*) > 1)
  UNION
  SELECT id FROM duplicate_pupils WHERE instance_id = :i AND person_key <> '' AND person_key IN (
    SELECT person_key FROM duplicate_pupils WHERE instance_id = :i AND person_key <> ''
    GROUP BY person_key HAVING count(*) > 1)
  UNION
  SELECT a.id FROM duplicate_pupils a CROSS JOIN duplicate_pupils b ON b.instance_id = :i AND b.upn_key <> ''
    AND b.upn_key = a.former_key AND b.organisation_id <> a.organisation_id
    WHERE a.instance_id = :i AND a.former_key <> ''
  UNION
  SELECT b.id FROM duplicate_pupils a CROSS JOIN duplicate_pupils b ON b.instance_id = :i AND b.upn_key <> ''
    AND b.upn_key = a.former_key AND b.organisation_id <> a.organisation_id
    WHERE a.instance_id = :i AND a.former_key <> ''
"""

# The ids of every record of the instance that shares a key with school :o's records or with the members of its
# open cases (``keys``), through the same indexes.
_SCHOOL_CANDIDATE_IDS = """
WITH keys AS (
  SELECT upn_key, former_key, person_key FROM duplicate_pupils WHERE instance_id = :i AND organisation_id = :o
  UNION ALL
  SELECT d.upn_key, d.former_key, d.person_key FROM duplicate_case_members m
    JOIN duplicate_cases c ON c.id = m.case_id AND c.instance_id = :i AND c.status IN ('open', 'contacted')
    JOIN duplicate_pupils d ON d.pupil_id = m.pupil_id
  WHERE m.case_id IN (SELECT case_id FROM duplicate_case_members WHERE organisation_id = :o)
)
  SELECT id FROM duplicate_pupils WHERE instance_id = :i AND upn_key <> '' AND upn_key IN (
    SELECT upn_key FROM keys WHERE upn_key <> '' UNION SELECT former_key FROM keys WHERE former_key <> '')
  UNION
  SELECT id FROM duplicate_pupils WHERE instance_id = :i AND former_key <> '' AND former_key IN (
    SELECT upn_key FROM keys WHERE upn_key <> '')
  UNION
  SELECT id FROM duplicate_pupils WHERE instance_id = :i AND person_key <> '' AND person_key IN (
    SELECT person_key FROM keys WHERE person_key <> '')
"""


def _entries(db: Database, found: list) -> list[PupilEntry]:
    """Candidate rows as entries, with the keys as stored (not worked out again) and each version's census day
    (its header's reference date), read once per version."""
    versions = json.dumps(sorted({row["version_id"] for row in found}))
    days = {
        row[0]: parse_iso_date(row[1])
        for row in db.conn.execute(
            "SELECT id, json_extract(header, '$.\"CollectionDetails/ReferenceDate\"') FROM return_versions"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (versions,),
        )
    }
    return [
        PupilEntry(
            school=row["organisation_id"],
            census_day=days.get(row["version_id"]),
            upn_key=row["upn_key"],
            former_key=row["former_key"],
            person_key=row["person_key"],
            extra={"version_id": row["version_id"], "pupil_id": row["pupil_id"]},
            **{name: row[name] for name in _MEMBER_FIELDS},
        )  # fmt: skip
        for row in found
    ]


def detect(db: Database, instance_id: int, organisation_id: int | None = None) -> tuple[list[Case], list[int]]:
    """The cases among the instance's stored keys: all of them, or those touching ``organisation_id``'s
    records or its open cases' members; and the ids of the pupil records looked at. Members' ``school`` is
    the organisation id."""
    if organisation_id is None:
        ids = db.conn.execute(_ALL_CANDIDATE_IDS, {"i": instance_id})
    else:
        ids = db.conn.execute(_SCHOOL_CANDIDATE_IDS, {"i": instance_id, "o": organisation_id})
    return _cases_of(db, [row[0] for row in ids], _CANDIDATES)


def _cases_of(db: Database, ids: list[int], candidates_sql: str) -> tuple[list[Case], list[int]]:
    """The domain rules over the key records with these ids (read by ``candidates_sql``)."""
    found = db.conn.execute(candidates_sql, (json.dumps(ids),)).fetchall()
    entries = _entries(db, found)
    return find_cases(entries), [e.extra["pupil_id"] for e in entries]


@dataclass
class Counts:
    found: int = 0
    changed: int = 0
    reopened: int = 0
    closed: int = 0

    def any(self) -> bool:
        return bool(self.found or self.changed or self.reopened or self.closed)


def refresh(db: Database, instance_id: int, *, organisation_id: int | None = None, version: dict | None = None) -> dict:
    """Detect and reconcile the instance's cases: new cases open, changed ones are updated, resolved ones
    found again reopen, "not a duplicate" ones stay closed, and open cases no longer found close as resolved
    by upload. With ``organisation_id`` only that school's records and cases are looked at (after its
    upload). Returns the counts; writes one audit entry when anything changed."""
    now = clock.iso()
    counts = Counts()
    with transaction(db):
        detected, looked_at = detect(db, instance_id, organisation_id)
        keys = [case.key for case in detected]
        existing = {
            row["case_key"]: row
            for row in rows(
                db,
                "SELECT id, case_key, status, rule, upns, matched, postcode, on_roll_together FROM duplicate_cases"
                " WHERE instance_id = ? AND case_key IN (SELECT value FROM json_each(?))",
                (instance_id, json.dumps(keys)),
            )
        }
        members: dict[int, set] = {}
        for found in db.conn.execute(
            "SELECT case_id, organisation_id, pupil_id FROM duplicate_case_members"
            " WHERE case_id IN (SELECT value FROM json_each(?))",
            (json.dumps([row["id"] for row in existing.values()]),),
        ):
            members.setdefault(found["case_id"], set()).add((found["organisation_id"], found["pupil_id"]))
        replaced_by = {}
        for case in detected:
            row = existing.get(case.key)
            stored = members.get(row["id"], set()) if row else set()
            case_id = _reconcile(db, instance_id, case, row, stored, now, organisation_id, counts)
            replaced_by.update({(m.school, m.upn_key): case_id for m in case.members})
        counts.closed = _close_missing(db, instance_id, set(keys), now, organisation_id, version, looked_at,
                                       replaced_by)  # fmt: skip
        if counts.any():
            audit.record(
                db, "duplicates_detected", organisation_id=organisation_id, target=f"instance:{instance_id}",
                detail={"found": counts.found, "changed": counts.changed, "reopened": counts.reopened,
                        "resolved_by_upload": counts.closed, "version_id": version["id"] if version else None},
            )  # fmt: skip
    return {"found": counts.found, "changed": counts.changed, "reopened": counts.reopened, "closed": counts.closed,
            "cases": len(detected)}  # fmt: skip


def _case_values(case: Case) -> dict:
    together = case.on_roll_together
    return {
        "rule": case.rule,
        "kind": case.kind,
        "upns": json.dumps(case.upns),
        "matched": json.dumps(case.matched),
        "postcode": case.postcode_evidence,
        "on_roll_together": None if together is None else int(together),
    }


def _replace_members(db: Database, case_id: int, case: Case) -> None:
    db.conn.execute("DELETE FROM duplicate_case_members WHERE case_id = ?", (case_id,))
    db.conn.executemany(
        "INSERT INTO duplicate_case_members (case_id, organisation_id, version_id, pupil_id) VALUES (?, ?, ?, ?)",
        [(case_id, m.school, m.extra["version_id"], m.extra["pupil_id"]) for m in case.members],
    )


def _event(db: Database, case_id: int, action: str, now: str, *, actor: dict | None = None,
           organisation_id: int | None = None, text: str = "") -> None:  # fmt: skip
    db.conn.execute(
        "INSERT INTO duplicate_case_events (case_id, at, action, actor_id, organisation_id, text)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (case_id, now, action, actor["id"] if actor else None, organisation_id, text),
    )


def _reconcile(db: Database, instance_id: int, case: Case, row: dict | None, members: set, now: str,
               organisation_id: int | None, counts: Counts) -> int:  # fmt: skip
    """Store one detected case against its stored row (None: new) and members ((school, pupil) pairs); return
    the case's id."""
    values = _case_values(case)
    if row is None:
        case_id = db.conn.execute(
            "INSERT INTO duplicate_cases (instance_id, case_key, kind, rule, upns, matched, postcode, on_roll_together,"
            " opened_at, updated_at) VALUES (:instance_id, :key, :kind, :rule, :upns, :matched, :postcode,"
            " :on_roll_together, :now, :now)",
            {**values, "instance_id": instance_id, "key": case.key, "now": now},
        ).lastrowid
        _replace_members(db, case_id, case)
        _event(db, case_id, "found", now, organisation_id=organisation_id, text=RULES[case.rule])
        counts.found += 1
        return case_id
    if row["status"] == "not_duplicate":
        return row["id"]
    if row["status"] == "resolved":
        db.conn.execute(
            "UPDATE duplicate_cases SET status = 'open', closed_at = NULL, closed_by = NULL, resolution = NULL,"
            " rule = :rule, kind = :kind, upns = :upns, matched = :matched, postcode = :postcode,"
            " on_roll_together = :on_roll_together, updated_at = :now WHERE id = :id",
            {**values, "now": now, "id": row["id"]},
        )
        _replace_members(db, row["id"], case)
        _event(db, row["id"], "reopened", now, organisation_id=organisation_id, text=RULES[case.rule])
        counts.reopened += 1
        return row["id"]
    same = all(str(row[name]) == str(values[name]) for name in ("rule", "upns", "matched", "postcode",
                                                                "on_roll_together"))  # fmt: skip
    if same and members == {(m.school, m.extra["pupil_id"]) for m in case.members}:
        return row["id"]
    db.conn.execute(
        "UPDATE duplicate_cases SET rule = :rule, kind = :kind, upns = :upns, matched = :matched,"
        " postcode = :postcode, on_roll_together = :on_roll_together, updated_at = :now WHERE id = :id",
        {**values, "now": now, "id": row["id"]},
    )
    _replace_members(db, row["id"], case)
    if row["rule"] != case.rule:
        _event(db, row["id"], "changed", now, organisation_id=organisation_id, text=RULES[case.rule])
    counts.changed += 1
    return row["id"]


def _close_missing(db: Database, instance_id: int, found: set[str], now: str, organisation_id: int | None,
                   version: dict | None, looked_at: list[int], replaced_by: dict) -> int:  # fmt: skip
    """Close the open cases no longer found (after a school's upload: its cases and those whose records were
    looked at): resolved by upload, or replaced by the case their pupil is now part of."""
    sql = "SELECT id, case_key FROM duplicate_cases WHERE instance_id = ? AND status IN ('open', 'contacted')"
    params: tuple = (instance_id,)
    if organisation_id is not None:
        sql += (" AND id IN (SELECT case_id FROM duplicate_case_members WHERE organisation_id = ?"
                " OR pupil_id IN (SELECT value FROM json_each(?)))")  # fmt: skip
        params += (organisation_id, json.dumps(looked_at))
    gone = [row["id"] for row in rows(db, sql, params) if row["case_key"] not in found]
    if not gone:
        return 0
    school = scalar(db, "SELECT name FROM organisations WHERE id = ?", (organisation_id,)) if organisation_id else None
    after = f"{school}'s version {version['version']}" if school and version else "the schools' latest versions"
    for case_id in gone:
        members = rows(db, "SELECT m.organisation_id, rp.upn FROM duplicate_case_members m JOIN return_pupils rp"
                           " ON rp.id = m.pupil_id WHERE m.case_id = ?", (case_id,))  # fmt: skip
        successor = next((replaced_by[(m["organisation_id"], upn_key(m["upn"]))] for m in members
                          if (m["organisation_id"], upn_key(m["upn"])) in replaced_by), None)  # fmt: skip
        if successor is not None and successor != case_id:
            text = f"Resolved by upload: after {after}, this pupil is part of case {successor} instead."
        else:
            text = f"Resolved by upload: {after} no longer has this conflict."
        db.conn.execute(
            "UPDATE duplicate_cases SET status = 'resolved', resolution = ?, closed_at = ?, closed_by = NULL,"
            " updated_at = ? WHERE id = ?",
            (text, now, now, case_id),
        )
        _event(db, case_id, "resolved_by_upload", now, organisation_id=organisation_id, text=text)
    return len(gone)


# ----------------------------------------------------------------------------- checking test uploads too

# The same detection over a scratch copy of the keys, in a TEMP table of this connection (nothing of it is stored
# or seen by another connection, and filling it takes no write lock on the database): the stored SQL above with
# the table's name swapped, a fixed identifier.
_TRIAL_TABLE = "duplicate_trial_pupils"
_TRIAL_ALL_CANDIDATE_IDS = _ALL_CANDIDATE_IDS.replace("duplicate_pupils", _TRIAL_TABLE)
_TRIAL_CANDIDATES = _CANDIDATES.replace("duplicate_pupils", _TRIAL_TABLE)
_TRIAL_INSERT_KEYS = _INSERT_KEYS.replace("duplicate_pupils", _TRIAL_TABLE)
_TRIAL_DDL = (
    "CREATE TEMP TABLE duplicate_trial_pupils (id INTEGER PRIMARY KEY, instance_id INTEGER NOT NULL,"
    " organisation_id INTEGER NOT NULL, version_id INTEGER NOT NULL, pupil_id INTEGER NOT NULL,"
    " upn_key TEXT NOT NULL DEFAULT '', former_key TEXT NOT NULL DEFAULT '', person_key TEXT NOT NULL DEFAULT '')"
)
_TRIAL_INDEXES = (
    "CREATE INDEX temp.idx_trial_upn ON duplicate_trial_pupils (instance_id, upn_key, organisation_id)"
    " WHERE upn_key <> ''",
    "CREATE INDEX temp.idx_trial_former ON duplicate_trial_pupils (instance_id, former_key, organisation_id)"
    " WHERE former_key <> ''",
    "CREATE INDEX temp.idx_trial_person ON duplicate_trial_pupils (instance_id, person_key, organisation_id,"
    " upn_key) WHERE person_key <> ''",
)
_TRIAL_COPY = (
    "INSERT INTO temp.duplicate_trial_pupils (instance_id, organisation_id, version_id, pupil_id, upn_key,"
    " former_key, person_key) SELECT instance_id, organisation_id, version_id, pupil_id, upn_key, former_key,"
    " person_key FROM main.duplicate_pupils WHERE instance_id = ?"
    " AND organisation_id NOT IN (SELECT value FROM json_each(?))"
)

# Each school's latest test upload of a School Census file for this census (its header's term, and a census day in
# the instance's academic year), with the
# id of the school's latest census version for the deadline (None: it has none).
_TEST_UPLOADS = """
SELECT rv.id, rv.validated_at, r.organisation_id, o.name AS school_name, o.dfe_number, o.la_code,
  (SELECT max(v.id) FROM return_versions v JOIN returns d ON d.id = v.return_id
    WHERE d.instance_id = :i AND d.organisation_id = r.organisation_id AND v.kind = 'census') AS deadline_version_id
FROM returns r JOIN organisations o ON o.id = r.organisation_id
JOIN return_versions rv ON rv.id = (
  SELECT max(v.id) FROM return_versions v WHERE v.return_id = r.id AND v.kind = 'census'
    AND json_extract(v.header, '$."CollectionDetails/Term"') = :term
    AND json_extract(v.header, '$."CollectionDetails/ReferenceDate"') BETWEEN :first AND :last)
WHERE r.instance_id IS NULL
ORDER BY o.name
"""


def _census_term(instance: dict) -> dict:
    """What a census file's header says for this census: its Term, and a census day (ReferenceDate) in the
    instance's academic year."""
    year = instance["academic_year"]
    return {"term": instance["code"].removeprefix("SC-"), "first": f"{year}-09-01", "last": f"{year + 1}-08-31"}


def newer_test_uploads(db: Database, instance: dict) -> list[dict]:
    """For each school, its latest test upload of a census file for this census (header term and census day), when it
    is newer than the school's latest version for the deadline or the school has none: ``id``,
    ``validated_at``, ``organisation_id``, ``school_name``, ``dfe_number``, ``la_code``,
    ``deadline_version_id`` and ``deadline_version`` (its number, or None)."""
    found = rows(db, _TEST_UPLOADS, {"i": instance["id"], **_census_term(instance)})
    newer = [u for u in found if u["deadline_version_id"] is None or u["id"] > u["deadline_version_id"]]
    numbers = dict(
        db.conn.execute(
            "SELECT id, version FROM return_versions WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([u["deadline_version_id"] for u in newer if u["deadline_version_id"]]),),
        ).fetchall()
    )
    for upload in newer:
        upload["deadline_version"] = numbers.get(upload["deadline_version_id"])
    return newer


def _trial_detect(db: Database, instance_id: int, uploads: list[dict]) -> list[Case]:
    """Detection over the instance's stored keys with each school in ``uploads`` replaced by its test upload,
    in a TEMP table dropped at the end (nothing stored)."""
    conn = db.conn
    if conn.in_transaction:  # the TEMP table's statements commit themselves
        raise RuntimeError("checking test uploads runs outside any transaction")
    conn.execute("DROP TABLE IF EXISTS temp.duplicate_trial_pupils")
    try:
        conn.execute(_TRIAL_DDL)
        conn.execute(_TRIAL_COPY, (instance_id, json.dumps([u["organisation_id"] for u in uploads])))
        for upload in uploads:
            conn.executemany(_TRIAL_INSERT_KEYS, _key_rows(db, upload["id"], instance_id, upload["organisation_id"]))
        for statement in _TRIAL_INDEXES:
            conn.execute(statement)
        ids = [row[0] for row in conn.execute(_TRIAL_ALL_CANDIDATE_IDS, {"i": instance_id})]
        cases, _ = _cases_of(db, ids, _TRIAL_CANDIDATES)
        return cases
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.duplicate_trial_pupils")


def check_test_uploads(db: Database, instance_id: int, actor: dict | None, *, la_code: str | None = None,
                       **client) -> dict | None:  # fmt: skip
    """Run detection for the census instance over each school's latest version for the deadline or, where newer,
    its latest test upload of a census file for this census, and report the cases without storing anything (the
    stored cases are untouched). Returns None for an instance that is not a census; else ``instance``,
    ``test_uploads`` (those used, of schools of ``la_code`` when given), ``cases`` (those with a school of
    ``la_code``, the ones with a test upload first; each with its ``members`` saying which upload they came from
    and the stored ``existing`` case with the same key, if any) and ``schools`` (how many took part). Audited
    (``actor`` None: a script, such as the bench)."""
    instance = instance_closure(db, instance_id)
    if instance is None:
        return None
    uploads = newer_test_uploads(db, instance)
    detected = _trial_detect(db, instance_id, uploads)
    report = _trial_report(db, instance_id, detected, la_code)
    report.update(
        instance=instance,
        test_uploads=[u for u in uploads if la_code is None or u["la_code"] == la_code],
        schools=scalar(
            db,
            "SELECT count(*) FROM (SELECT organisation_id FROM duplicate_pupils WHERE instance_id = ?"
            " UNION SELECT value FROM json_each(?))",
            (instance_id, json.dumps([u["organisation_id"] for u in uploads])),
        ),
    )
    audit.record(
        db, "duplicates_test_uploads_checked", actor=actor, organisation_id=actor["organisation_id"] if actor else None,
        target=f"instance:{instance_id}", detail={"test_uploads": len(uploads), "cases": len(report["cases"]),
        "with_test_upload": sum(1 for c in report["cases"] if c["uses_test_upload"])}, **client,
    )  # fmt: skip
    return report


def _trial_report(db: Database, instance_id: int, detected: list[Case], la_code: str | None) -> dict:
    """The detected cases as the report shows them (see :func:`check_test_uploads`)."""
    versions = {
        row["id"]: row
        for row in rows(
            db,
            "SELECT rv.id, rv.version, rv.validated_at, r.instance_id IS NULL AS is_test FROM return_versions rv"
            " JOIN returns r ON r.id = rv.return_id WHERE rv.id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted({m.extra["version_id"] for c in detected for m in c.members})),),
        )
    }
    schools = {
        row["id"]: row
        for row in rows(
            db,
            "SELECT id, name, dfe_number, la_code FROM organisations WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted({m.school for c in detected for m in c.members})),),
        )
    }
    existing = {
        row["case_key"]: {**row, "status_label": STATUSES[row["status"]]}
        for row in rows(
            db,
            "SELECT id, case_key, status FROM duplicate_cases WHERE instance_id = ?"
            " AND case_key IN (SELECT value FROM json_each(?))",
            (instance_id, json.dumps([c.key for c in detected])),
        )
    }
    cases = []
    for case in detected:
        if la_code is not None and not any(schools[m.school]["la_code"] == la_code for m in case.members):
            continue
        members = [
            {"school_name": schools[m.school]["name"], "dfe_number": schools[m.school]["dfe_number"],
             "organisation_id": m.school, "upn": m.upn, "former_upn": m.former_upn, "surname": m.surname,
             "forename": m.forename, "dob": m.dob, "sex": m.sex, "enrol_status": m.enrol_status,
             "is_test": bool(versions[m.extra["version_id"]]["is_test"]),
             "version": versions[m.extra["version_id"]]["version"],
             "validated_at": versions[m.extra["version_id"]]["validated_at"]}
            for m in case.members
        ]  # fmt: skip
        members.sort(key=lambda m: (m["school_name"], m["upn"] or ""))
        cases.append({
            "kind": case.kind, "rule": case.rule, "rule_text": RULES.get(case.rule, case.rule), "upns": case.upns,
            "matched": list(case.matched), "postcode": case.postcode_evidence,
            "on_roll_together": case.on_roll_together, "members": members,
            "uses_test_upload": any(m["is_test"] for m in members), "existing": existing.get(case.key),
        })  # fmt: skip
    cases.sort(key=lambda c: (not c["uses_test_upload"], c["kind"], c["members"][0]["surname"] or ""))
    return {"cases": cases}


# ----------------------------------------------------------------------------- reading cases


def census_instances(db: Database) -> list[dict]:
    """Census deadline instances that have keys or cases, newest first (``id``, ``name``, ``period_label``,
    ``academic_year``, ``database_closes_on``)."""
    return rows(
        db,
        "SELECT i.id, c.name, c.code, i.period_label, i.academic_year, i.due_on, i.database_closes_on"
        " FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE c.code IN (SELECT value FROM json_each(?)) AND (EXISTS (SELECT 1 FROM duplicate_cases"
        " WHERE instance_id = i.id)"
        " OR EXISTS (SELECT 1 FROM duplicate_pupils WHERE instance_id = i.id)) ORDER BY i.due_on DESC, i.id DESC",
        (json.dumps(CENSUS_CODES),),
    )


@dataclass(frozen=True)
class Filters:
    """What a case list shows: one instance (None: every one); optionally a kind, a status ("active": open or
    contacted), a school (organisation id) and a phase of education."""

    instance_id: int | None
    kind: str = ""
    status: str = "active"
    school_id: int | None = None
    phase: str = ""


def _where(filters: Filters, la_code: str | None, own_school: int | None) -> tuple[str, dict]:
    clauses, params = ["1"], {}
    if filters.instance_id is not None:
        clauses.append("c.instance_id = :instance")
        params["instance"] = filters.instance_id
    if la_code is not None:
        clauses.append("EXISTS (SELECT 1 FROM duplicate_case_members m JOIN organisations o ON o.id = m.organisation_id"
                       " WHERE m.case_id = c.id AND o.la_code = :la)")  # fmt: skip
        params["la"] = la_code
    if own_school is not None:
        clauses.append("c.id IN (SELECT case_id FROM duplicate_case_members WHERE organisation_id = :own)")
        params["own"] = own_school
    if filters.kind:
        clauses.append("c.kind = :kind")
        params["kind"] = filters.kind
    if filters.status == "active":
        clauses.append("c.status IN ('open', 'contacted')")
    elif filters.status:
        clauses.append("c.status = :status")
        params["status"] = filters.status
    if filters.school_id:
        clauses.append("c.id IN (SELECT case_id FROM duplicate_case_members WHERE organisation_id = :school)")
        params["school"] = filters.school_id
    if filters.phase:
        clauses.append("c.id IN (SELECT m.case_id FROM duplicate_case_members m JOIN organisations o"
                       " ON o.id = m.organisation_id WHERE o.phase = :phase)")  # fmt: skip
        params["phase"] = filters.phase
    return " AND ".join(clauses), params


def list_cases(db: Database, filters: Filters, *, la_code: str | None = None, own_school: int | None = None,
               page: int = 1, page_size: int | None = PAGE_SIZE) -> tuple[list[dict], int]:  # fmt: skip
    """One page of cases (all when ``page_size`` is None) and the total, with their members. ``la_code``
    limits to cases with a school of that LA; ``own_school`` to that school's cases."""
    where, params = _where(filters, la_code, own_school)
    # nosemgrep: sql-format # {where} is fixed clauses with :name placeholders (_where)
    total = scalar(db, f"SELECT count(*) FROM duplicate_cases c WHERE {where}", params)  # nosec B608
    limit = ""
    if page_size is not None:
        limit = " LIMIT :limit OFFSET :offset"
        params = {**params, "limit": page_size, "offset": (max(page, 1) - 1) * page_size}
    # nosemgrep: sql-format # {where} as above; {limit} is fixed text with placeholders
    found = rows(db, f"SELECT c.* FROM duplicate_cases c WHERE {where} ORDER BY c.status IN ('resolved',"  # nosec B608
                     f" 'not_duplicate'), c.opened_at DESC, c.id DESC{limit}", params)  # fmt: skip
    members = _members_of(db, [c["id"] for c in found])
    return [_decode(c, members.get(c["id"], [])) for c in found], total


def schools_with_cases(db: Database, la_code: str | None) -> list[dict]:
    """The schools (of one LA, when given) that are in any case, by name (``id``, ``name``)."""
    return rows(
        db,
        "SELECT o.id, o.name FROM organisations o WHERE o.id IN (SELECT organisation_id FROM duplicate_case_members)"
        " AND (:la IS NULL OR o.la_code = :la) ORDER BY o.name",
        {"la": la_code},
    )


def _members_of(db: Database, case_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    if not case_ids:
        return out
    found = rows(
        db,
        "SELECT m.case_id, m.organisation_id, m.version_id, o.name AS school_name, o.dfe_number, o.phase,"
        " o.la_code, rp.upn, rp.former_upn, rp.surname, rp.forename, rp.dob, rp.sex, rp.enrol_status, rp.postcode,"
        " rp.nc_year, rp.entry_date, rp.leaving_date, rv.version, r.id AS return_id FROM duplicate_case_members m"
        " JOIN organisations o ON o.id = m.organisation_id JOIN return_pupils rp ON rp.id = m.pupil_id"
        " JOIN return_versions rv ON rv.id = m.version_id JOIN returns r ON r.id = rv.return_id"
        " WHERE m.case_id IN (SELECT value FROM json_each(?)) ORDER BY o.name, m.id",
        (json.dumps(case_ids),),
    )
    for member in found:
        out.setdefault(member["case_id"], []).append(member)
    return out


def _decode(case: dict, members: list[dict]) -> dict:
    case["upns"] = json.loads(case["upns"])
    case["matched"] = json.loads(case["matched"])
    case["members"] = members
    case["schools"] = sorted({m["school_name"] for m in members})
    case["status_label"] = STATUSES[case["status"]]
    case["rule_text"] = RULES.get(case["rule"], case["rule"])
    return case


def get_case(db: Database, case_id: int) -> dict | None:
    """One case with its members (school and record) and its history (oldest first), or None."""
    case = one(db, "SELECT * FROM duplicate_cases WHERE id = ?", (case_id,))
    if case is None:
        return None
    case = _decode(case, _members_of(db, [case_id]).get(case_id, []))
    case["events"] = rows(
        db,
        "SELECT e.*, u.name AS actor_name, o.name AS organisation_name FROM duplicate_case_events e"
        " LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN organisations o ON o.id = e.organisation_id"
        " WHERE e.case_id = ? ORDER BY e.id",
        (case_id,),
    )
    return case


def count_active(db: Database, *, la_code: str | None = None, own_school: int | None = None) -> int:
    """Open and contacted cases (of an LA's schools, or of one school), across every census instance."""
    where, params = _where(Filters(None), la_code, own_school)
    # nosemgrep: sql-format # {where} is fixed clauses with :name placeholders (_where)
    return scalar(db, f"SELECT count(*) FROM duplicate_cases c WHERE {where}", params)  # nosec B608


def counts_by_status(db: Database, instance_id: int, la_code: str | None) -> dict[str, int]:
    """Cases of the instance by status (each status present, 0 when none)."""
    where, params = _where(Filters(instance_id, status=""), la_code, None)
    # nosemgrep: sql-format # {where} is fixed clauses with :name placeholders (_where)
    found = rows(db, f"SELECT c.status, count(*) AS n FROM duplicate_cases c WHERE {where} GROUP BY c.status", params)  # nosec B608
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({row["status"]: row["n"] for row in found})
    return counts


# ----------------------------------------------------------------------------- changes by people


def _check_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseError(f"Enter {what}.")
    if len(text) > MAX_TEXT:
        raise CaseError(f"{what[0].upper()}{what[1:]} must be {MAX_TEXT:,} characters or fewer.")
    return text


def _change(db: Database, case: dict, actor: dict, action: str, text: str, *, status: str | None = None,
            ip: str | None = None, user_agent: str | None = None, closing: bool = False) -> None:  # fmt: skip
    now = clock.iso()
    with transaction(db):
        if status is not None:
            # Only while the case is still open (or still closed) as ``case`` was loaded: a decision made on a stale
            # page, or a second click, must not overwrite the one made meanwhile.
            changed = db.conn.execute(
                "UPDATE duplicate_cases SET status = ?, resolution = ?, closed_at = ?, closed_by = ?, updated_at = ?"
                " WHERE id = ? AND (status IN (SELECT value FROM json_each(?))) = ?",
                (status, text if closing else None, now if closing else None, actor["id"] if closing else None, now,
                 case["id"], json.dumps(ACTIVE), case["status"] in ACTIVE),
            ).rowcount  # fmt: skip
            if not changed:
                raise CaseError("This case changed while you were looking at it (someone else may have closed or "
                                "reopened it): nothing was changed. Look at it again.")  # fmt: skip
        else:
            db.conn.execute("UPDATE duplicate_cases SET updated_at = ? WHERE id = ?", (now, case["id"]))
        _event(db, case["id"], action, now, actor=actor, organisation_id=actor["organisation_id"], text=text)
        audit.record(
            db, f"duplicate_case_{action}", actor=actor, organisation_id=actor["organisation_id"],
            target=f"duplicate_case:{case['id']}", ip=ip, user_agent=user_agent,
            detail={"status": status or case["status"], "text": text},
        )  # fmt: skip


def add_note(db: Database, case: dict, actor: dict, text: str, **client) -> None:
    """Add a note to the case's history. Raises CaseError for an empty or too long note."""
    _change(db, case, actor, "note", _check_text(text, "a note"), **client)


def record_contacted(db: Database, case: dict, actor: dict, text: str, **client) -> None:
    """Record that the LA messaged the case's schools (``text``: what was sent); an open case becomes
    contacted. Raises CaseError for a closed case."""
    if case["status"] not in ACTIVE:
        raise CaseError("This case is closed: reopen it before contacting the schools.")
    _change(db, case, actor, "contacted", _check_text(text, "a message"), status="contacted", **client)


def resolve(db: Database, case: dict, actor: dict, text: str, **client) -> None:
    """Close the case as resolved, saying which change resolved it. Raises CaseError when it is closed."""
    if case["status"] not in ACTIVE:
        raise CaseError("This case is already closed.")
    _change(
        db, case, actor, "resolved", _check_text(text, "what resolved it"), status="resolved", closing=True, **client
    )


def mark_not_duplicate(db: Database, case: dict, actor: dict, reason: str, **client) -> None:
    """Close the case as not a duplicate, with the reason; the same pair never reopens. Raises CaseError when
    it is already closed."""
    if case["status"] not in ACTIVE:
        raise CaseError("This case is already closed.")
    _change(db, case, actor, "not_duplicate", _check_text(reason, "why this is not a duplicate"),
            status="not_duplicate", closing=True, **client)  # fmt: skip


def reopen(db: Database, case: dict, actor: dict, text: str, **client) -> None:
    """Reopen a closed case (e.g. marked not a duplicate by mistake), with the reason."""
    if case["status"] in ACTIVE:
        raise CaseError("This case is already open.")
    _change(db, case, actor, "reopened", _check_text(text, "why it is reopened"), status="open", **client)


# ----------------------------------------------------------------------------- census database closure


def set_database_closure(db: Database, instance_id: int, day: dt.date | None, actor: dict, **client) -> None:
    """Set (or clear, with None) the date the census database closes, on the census instance; audited."""
    with transaction(db):
        db.conn.execute(
            "UPDATE deadline_instances SET database_closes_on = ? WHERE id = ?",
            (day.isoformat() if day else None, instance_id),
        )
        audit.record(
            db, "census_database_closure_set", actor=actor, organisation_id=actor["organisation_id"],
            target=f"instance:{instance_id}", detail={"database_closes_on": day.isoformat() if day else None},
            **client,
        )  # fmt: skip


def instance_closure(db: Database, instance_id: int) -> dict | None:
    """The census instance (``id``, ``name``, ``period_label``, ``database_closes_on`` as a date or None), or
    None when it is not a census instance."""
    found = one(
        db,
        "SELECT i.id, c.name, c.code, i.period_label, i.academic_year, i.database_closes_on FROM deadline_instances i"
        " JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE i.id = ? AND c.code IN (SELECT value FROM json_each(?))",
        (instance_id, json.dumps(CENSUS_CODES)),
    )
    if found:
        found["database_closes_on"] = parse_iso_date(found["database_closes_on"])
    return found
