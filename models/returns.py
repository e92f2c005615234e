"""Returns: each school's return for a deadline instance, its versions, notes and the workflow.

Workflow of a return (one per school and instance; a school's test uploads form one more
return with no instance): **No data** → **Loaded and validated** (each upload that validates
is a new version; every version is kept) → **Submitted** (only with no errors and every query
explained; the version is then locked) → **Authorised** by the LA, or **Returned** to the school
with a reason → the school uploads again (a new version) and resubmits.

The deadline's status follows (``models.deadline_statuses.record_status``, source ``returns``): a new
version → ``in_progress``; submitted → ``submitted``; authorised → ``accepted``; returned →
``returned``. Every step is audited in the same transaction.

Notes explain queries: one note per (rule, UPN), or one per rule for all its queries (UPN
NULL). A new version carries forward the previous version's notes whose rule still fires for
the same UPN (or at all, for a whole-rule note).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from domain import clock
from domain.dates import uk_today
from models import audit, deadline_catalogue, deadline_instances, deadline_statuses, duplicates, findings, uploads
from models.db import one, rows, scalar, transaction

MAX_NOTE = 2000
MAX_REASON = 2000
SOURCE = "returns"
#: Catalogue codes of the returns made by uploading a file Gatehouse validates, and what the file is.
FILE_KINDS = {"SC-AUT": "census", "SC-SPR": "census", "SC-SUM": "census", "SWC": "workforce", "PHONICS": "ctf",
              "EYFSP": "ctf"}  # fmt: skip
KIND_LABELS = {"census": "School Census return", "ctf": "Common Transfer File (CTF)",
               "workforce": "School Workforce Census return"}
#: Workflow status of a version -> label. None: no version yet. How each looks is
#: templates/returns/_macros.html's ``tag_classes``.
STATUSES: dict[str | None, str] = {
    None: "No data",
    "validated": "Loaded and validated",
    "submitted": "Submitted",
    "authorised": "Authorised",
    "returned": "Returned to school",
}
#: Statuses after which the school may upload a new version.
UPLOADABLE = frozenset({None, "validated", "returned"})
#: Statuses whose version the LA exports in an all-schools zip.
EXPORTED = ("submitted", "authorised")
#: Deadline statuses an upload does not move back to "in progress".
_KEEP_DEADLINE_STATUS = frozenset({"in_progress", "submitted", "accepted", "exempt"})


class WorkflowError(ValueError):
    """A workflow step that cannot be taken now; the message says why, for the page."""


def status_view(version: dict | None) -> dict:
    """``{"key", "label"}`` for a version's status (None: no data). A resubmission (an earlier version of
    the return was submitted) says so; a first submission is "Submitted" whatever its version number."""
    key = version["status"] if version else None
    label = STATUSES[key]
    if key == "submitted" and version.get("resubmission"):
        label = "Resubmitted"
    return {"key": key, "label": label}


# ----------------------------------------------------------------------------- returns and versions

_RETURN_SELECT = (
    "SELECT r.*, o.name AS school_name, o.dfe_number, o.la_code, o.low_age, o.high_age,"
    " i.period_label, i.due_on, i.opens_on, i.cancelled_at AS instance_cancelled_at, c.code, c.name AS return_name"
    " FROM returns r JOIN organisations o ON o.id = r.organisation_id"
    " LEFT JOIN deadline_instances i ON i.id = r.instance_id LEFT JOIN return_catalogue c ON c.id = i.catalogue_id"
)


def _decorate_return(row: dict | None) -> dict | None:
    if row is None:
        return None
    row["is_test"] = row["instance_id"] is None
    row["title"] = "Test uploads" if row["is_test"] else f"{row['return_name']} ({row['period_label']})"
    return row


def get_return(db: Database, return_id: int) -> dict | None:
    """One return with its school (name, DfE number, LA code) and instance (code, name, period), or None."""
    return _decorate_return(one(db, f"{_RETURN_SELECT} WHERE r.id = ?", (return_id,)))


def find_return(db: Database, organisation_id: int, instance_id: int | None) -> dict | None:
    """The school's return for an instance (None: its test uploads), or None when there is none yet."""
    return _decorate_return(
        one(db, f"{_RETURN_SELECT} WHERE r.organisation_id = ? AND ifnull(r.instance_id, 0) = ifnull(?, 0)",
            (organisation_id, instance_id))
    )  # fmt: skip


def _ensure_return(db: Database, organisation_id: int, instance_id: int | None) -> int:
    found = find_return(db, organisation_id, instance_id)
    if found:
        return found["id"]
    cursor = db.conn.execute(
        "INSERT INTO returns (organisation_id, instance_id, created_at) VALUES (?, ?, ?)",
        (organisation_id, instance_id, clock.iso()),
    )
    return cursor.lastrowid


_VERSION_SELECT = (
    "SELECT v.*, u.original_name, u.sha256, u.size, u.stored_path, u.uploaded_at, u.uploaded_by,"
    " ub.name AS uploaded_by_name, sb.name AS submitted_by_name, db.name AS decided_by_name,"
    " v.id = (SELECT max(id) FROM return_versions WHERE return_id = v.return_id) AS is_latest,"
    " EXISTS (SELECT 1 FROM return_versions p WHERE p.return_id = v.return_id AND p.version < v.version"
    " AND p.submitted_at IS NOT NULL) AS resubmission"
    " FROM return_versions v JOIN uploads u ON u.id = v.upload_id LEFT JOIN users ub ON ub.id = u.uploaded_by"
    " LEFT JOIN users sb ON sb.id = v.submitted_by LEFT JOIN users db ON db.id = v.decided_by"
)


def _decode_version(row: dict | None) -> dict | None:
    if row is None:
        return None
    row["summary"] = json.loads(row["summary"])
    row["header"] = json.loads(row["header"])
    row["is_latest"] = bool(row["is_latest"])
    row["resubmission"] = bool(row["resubmission"])
    row["status_view"] = status_view(row)
    return row


def get_version(db: Database, version_id: int) -> dict | None:
    """One version with its upload, who did what, ``is_latest``, ``status_view`` and ``return`` (as get_return)."""
    return versions_by_id(db, [version_id]).get(version_id)


def versions_by_id(db: Database, version_ids: Iterable[int]) -> dict[int, dict]:
    """The versions with these ids, keyed by id, each as :func:`get_version` gives it; ids that do not exist
    are left out. Two queries however many ids (the versions, then their returns)."""
    ids = json.dumps(sorted(set(version_ids)))
    found = [_decode_version(r) for r in rows(db, f"{_VERSION_SELECT} WHERE v.id IN (SELECT value FROM json_each(?))",  # nosec B608 # constant SQL
                                              (ids,))]  # fmt: skip
    if not found:
        return {}
    return_ids = json.dumps(sorted({v["return_id"] for v in found}))
    returns_found = {r["id"]: _decorate_return(r)
                     for r in rows(db, f"{_RETURN_SELECT} WHERE r.id IN (SELECT value FROM json_each(?))",  # nosec B608 # constant SQL
                                   (return_ids,))}  # fmt: skip
    for version in found:
        version["return"] = returns_found[version["return_id"]]
    return {v["id"]: v for v in found}


def versions_of(db: Database, return_id: int) -> list[dict]:
    """Every version of a return, newest first, each with ``changes`` against the one before it.

    ``changes`` is ``{"pupils", "errors", "queries"}`` (differences; None for the first version).
    """
    found = [_decode_version(r) for r in rows(db, f"{_VERSION_SELECT} WHERE v.return_id = ? ORDER BY v.version",
                                                (return_id,))]  # fmt: skip
    previous = None
    for version in found:
        version["changes"] = (
            {k: version[k] - previous[k] for k in ("pupils", "errors", "queries")} if previous else None
        )
        previous = version
    return list(reversed(found))


def previous_census(db: Database, version: dict) -> dict | None:
    """For a School Census ``version``, the school's census it is compared with: the latest version returned for
    a deadline (not a test upload) whose census day (the header's reference date) is before this one's, so the
    previous term's return, else the latest before it. ``{"id", "summary", "reference_date", "term"}`` or None
    (not a census, no census day, or no earlier return held)."""
    day = (version.get("header") or {}).get("CollectionDetails/ReferenceDate")
    if version["kind"] != "census" or not day:
        return None
    return previous_census_before(db, version["return"]["organisation_id"], day)


def previous_census_before(db: Database, organisation_id: int, day: str) -> dict | None:
    """The school's latest census version returned for a deadline whose census day is before ``day``
    (YYYY-MM-DD): ``{"id", "summary", "reference_date", "term"}``, or None."""
    row = one(
        db,
        "SELECT v.id, v.summary, json_extract(v.header, '$.\"CollectionDetails/ReferenceDate\"') AS reference_date,"
        " json_extract(v.header, '$.\"CollectionDetails/Term\"') AS term"
        " FROM return_versions v JOIN returns r ON r.id = v.return_id"
        " WHERE r.organisation_id = ? AND r.instance_id IS NOT NULL AND v.kind = 'census'"
        " AND json_extract(v.header, '$.\"CollectionDetails/ReferenceDate\"') < ?"
        " ORDER BY reference_date DESC, v.id DESC LIMIT 1",
        (organisation_id, day),
    )
    if row is None:
        return None
    return {**row, "summary": json.loads(row["summary"])}


def latest_version(db: Database, return_id: int) -> dict | None:
    """The newest version of a return, or None."""
    row = one(db, "SELECT max(id) AS id FROM return_versions WHERE return_id = ?", (return_id,))
    return get_version(db, row["id"]) if row and row["id"] else None


def is_editable(version: dict) -> bool:
    """True when the school may still change the version's notes (latest, not submitted)."""
    return version["is_latest"] and version["status"] == "validated"


def can_submit(version: dict) -> bool:
    """True when the version is one the school could submit (ignoring errors and notes)."""
    return is_editable(version) and not version["return"]["is_test"]


def _record_deadline(db: Database, ret: dict, status: str, actor: dict | None, note: str | None = None) -> None:
    try:
        deadline_statuses.record_status(
            db, organisation_id=ret["organisation_id"], instance_id=ret["instance_id"], status=status, actor=actor,
            note=note, source=SOURCE,
        )  # fmt: skip
    except deadline_statuses.StatusError as error:
        raise WorkflowError(f"The deadline could not be updated: {error}") from None


def _upload_started(db: Database, organisation_id: int, instance_id: int, actor: dict | None) -> None:
    """Mark the deadline in progress unless it already is, or is further on (or the instance is gone)."""
    current = one(
        db, "SELECT status FROM deadline_statuses WHERE instance_id = ? AND organisation_id = ?",
        (instance_id, organisation_id),
    )  # fmt: skip
    if current and current["status"] in _KEEP_DEADLINE_STATUS:
        return
    try:
        deadline_statuses.record_status(
            db, organisation_id=organisation_id, instance_id=instance_id, status="in_progress", actor=actor,
            note="File uploaded and validated in Returns", source=SOURCE,
        )  # fmt: skip
    except deadline_statuses.StatusError:
        pass  # the instance was cancelled or no longer applies: the version still stands


def create_version(
    db: Database,
    *,
    job: dict,
    report,
    stored_path: str,
    pupils: Iterable[dict],
    actor: dict | None,
) -> int:
    """Store a validated upload as the next version of its return; return the version's id.

    ``job`` is the validation job (school, instance, file name, hash, size); ``report`` the
    validator's Report; ``pupils`` the records it handed on (staff, for a workforce return). In one
    transaction (joining the caller's): the upload row, the return (made on first use), the version
    with its counts, summary and header, its findings and pupils (or staff), the notes carried forward
    from the previous version, the deadline's "in progress" status and an audit entry.
    """
    with transaction(db):
        upload_id = uploads.add_upload(
            db, organisation_id=job["organisation_id"], sha256=job["sha256"], size=job["bytes_total"],
            original_name=job["original_name"], stored_path=stored_path, uploaded_by=job["created_by"],
        )  # fmt: skip
        return_id = _ensure_return(db, job["organisation_id"], job["instance_id"])
        previous = one(db, "SELECT id, version FROM return_versions WHERE return_id = ? ORDER BY id DESC LIMIT 1",
                       (return_id,))  # fmt: skip
        number = previous["version"] + 1 if previous else 1
        cursor = db.conn.execute(
            "INSERT INTO return_versions (return_id, version, upload_id, kind, pupils, errors, queries, summary,"
            " header, validated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (return_id, number, upload_id, report.kind, report.pupils, report.errors, report.queries,
             json.dumps(report.summary.to_json_dict()), json.dumps(report.header, ensure_ascii=False), clock.iso()),
        )  # fmt: skip
        version_id = cursor.lastrowid
        findings.insert_findings(db, version_id, report.findings)
        store = findings.insert_staff if report.kind == "workforce" else findings.insert_pupils
        stored_pupils = store(db, version_id, pupils)
        carried = _carry_notes_forward(db, previous["id"], version_id) if previous else 0
        if job["instance_id"] is not None:
            _upload_started(db, job["organisation_id"], job["instance_id"], actor)
        duplicates.version_loaded(db, version_id)  # duplicate pupils across schools, worked out again
        audit.record(
            db, "return_version_created", actor=actor, organisation_id=job["organisation_id"],
            target=f"return_version:{version_id}",
            detail={"return_id": return_id, "version": number, "file": job["original_name"], "sha256": job["sha256"],
                    "pupils": stored_pupils, "errors": report.errors, "queries": report.queries,
                    "notes_carried_forward": carried},
        )  # fmt: skip
    return version_id


def _carry_notes_forward(db: Database, from_version: int, to_version: int) -> int:
    """Copy notes whose rule still fires for the same UPN (or at all, for a whole-rule note)."""
    return db.conn.execute(
        "INSERT INTO return_notes (version_id, rule, upn, text, author_id, written_at, carried_from)"
        " SELECT :to, n.rule, n.upn, n.text, n.author_id, n.written_at, n.id FROM return_notes n"
        " WHERE n.version_id = :from AND EXISTS (SELECT 1 FROM return_findings f WHERE f.version_id = :to"
        " AND f.severity = 'query' AND f.rule = n.rule AND (n.upn IS NULL OR f.upn = n.upn))",
        {"from": from_version, "to": to_version},
    ).rowcount


def upload_block(db: Database, organisation_id: int, instance: dict | None) -> str | None:
    """Why the school cannot upload a file for ``instance`` now (None: it can; test uploads always can)."""
    if instance is None:
        return None
    if instance["cancelled_at"]:
        return "This deadline was cancelled."
    status = deadline_statuses.status_for(db, organisation_id, instance["id"])
    if status["key"] == "not_open":
        return "This return is not open yet. You can make a test upload to check your file now."
    if status["key"] == "exempt":
        return "Your school is exempt from this return."
    ret = find_return(db, organisation_id, instance["id"])
    latest = latest_version(db, ret["id"]) if ret else None
    if latest is None and status["key"] in deadline_statuses.DONE:
        return "The LA has recorded this return as made."
    if latest is not None and latest["status"] not in UPLOADABLE:
        return f"This return is {status_view(latest)['label'].lower()}: it cannot be changed now."
    return None


# ----------------------------------------------------------------------------- notes


def notes_of(db: Database, version_id: int) -> list[dict]:
    """A version's notes (rule, UPN or None, text, author's name, when, carried_from), by rule then UPN."""
    return rows(
        db,
        "SELECT n.*, u.name AS author_name FROM return_notes n LEFT JOIN users u ON u.id = n.author_id"
        " WHERE n.version_id = ? ORDER BY n.rule, n.upn IS NOT NULL, n.upn",
        (version_id,),
    )


def save_note(db: Database, version: dict, *, rule: str, upn: str | None, text: str, actor: dict) -> str:
    """Write, change or (with blank ``text``) delete the note on ``rule`` (and ``upn``; None: every query
    of the rule) of an editable version. Returns ``"saved"`` or ``"deleted"``.

    Raises WorkflowError when the version is locked, no such query exists or the note is too long.
    """
    if not is_editable(version):
        raise WorkflowError("This version cannot be changed: upload a new version to change its notes.")
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise WorkflowError(f"The note must be {MAX_NOTE} characters or fewer")
    if not findings.has_query(db, version["id"], rule, upn):
        raise WorkflowError("There is no such query in this version")
    with transaction(db):
        if upn is None:
            db.conn.execute("DELETE FROM return_notes WHERE version_id = ? AND rule = ? AND upn IS NULL",
                            (version["id"], rule))  # fmt: skip
        else:
            db.conn.execute("DELETE FROM return_notes WHERE version_id = ? AND rule = ? AND upn = ?",
                            (version["id"], rule, upn))  # fmt: skip
        if text:
            db.conn.execute(
                "INSERT INTO return_notes (version_id, rule, upn, text, author_id, written_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (version["id"], rule, upn, text, actor["id"], clock.iso()),
            )
        outcome = "saved" if text else "deleted"
        audit.record(
            db, f"return_note_{outcome}", actor=actor, organisation_id=version["return"]["organisation_id"],
            target=f"return_version:{version['id']}", detail={"rule": rule, "upn": upn},
        )  # fmt: skip
    return outcome


# ----------------------------------------------------------------------------- submit, authorise, return


def submit_problems(db: Database, version: dict) -> list[str]:
    """Why a version cannot be submitted (empty: it can)."""
    if not can_submit(version):
        if version["return"]["is_test"]:
            return ["A test upload cannot be submitted: upload the file against the return instead."]
        return ["Only the latest version, before it is submitted, can be submitted."]
    problems = []
    if version["errors"]:
        problems.append(f"Fix the {version['errors']} error{'s' if version['errors'] != 1 else ''} in your MIS and "
                        "upload the file again: a return with errors cannot be submitted.")  # fmt: skip
    unexplained = findings.unexplained_queries(db, version["id"])
    if unexplained:
        problems.append(f"Explain the {unexplained} quer{'ies' if unexplained != 1 else 'y'} with no note, or fix "
                        "them and upload the file again.")  # fmt: skip
    return problems


def _audit_step(db, action: str, version: dict, actor: dict, ip, user_agent, **detail) -> None:
    ret = version["return"]
    audit.record(
        db, action, actor=actor, organisation_id=ret["organisation_id"], target=f"return_version:{version['id']}",
        ip=ip, user_agent=user_agent, detail={"return_id": ret["id"], "version": version["version"], **detail},
    )  # fmt: skip


def submit(db: Database, version: dict, actor: dict, *, ip: str | None = None, user_agent: str | None = None) -> None:
    """Submit (and lock) a version; the deadline shows it submitted. Raises WorkflowError with the reasons."""
    with transaction(db):
        fresh = get_version(db, version["id"])
        problems = submit_problems(db, fresh)
        if problems:
            raise WorkflowError(" ".join(problems))
        db.conn.execute(
            "UPDATE return_versions SET status = 'submitted', submitted_at = ?, submitted_by = ? WHERE id = ?",
            (clock.iso(), actor["id"], version["id"]),
        )
        _record_deadline(db, fresh["return"], "submitted", actor, note=f"Version {fresh['version']} submitted")
        _audit_step(db, "return_submitted", fresh, actor, ip, user_agent)


def _decide(db: Database, version: dict, actor: dict, status: str, reason: str | None) -> dict:
    fresh = get_version(db, version["id"])
    if fresh["status"] != "submitted" or not fresh["is_latest"]:
        raise WorkflowError("Only a submitted return can be authorised or returned.")
    db.conn.execute(
        "UPDATE return_versions SET status = ?, decided_at = ?, decided_by = ?, decision_reason = ? WHERE id = ?",
        (status, clock.iso(), actor["id"], reason, version["id"]),
    )
    return fresh


def authorise(db: Database, version: dict, actor: dict, *, ip: str | None = None,
              user_agent: str | None = None) -> None:
    """The LA authorises a submitted version; the deadline shows it accepted. Raises WorkflowError."""
    with transaction(db):
        fresh = _decide(db, version, actor, "authorised", None)
        _record_deadline(db, fresh["return"], "accepted", actor, note=f"Version {fresh['version']} authorised")
        _audit_step(db, "return_authorised", fresh, actor, ip, user_agent)


def return_to_school(db: Database, version: dict, actor: dict, reason: str, *, ip: str | None = None,
                     user_agent: str | None = None) -> None:
    """The LA returns a submitted version to the school with ``reason``. Raises WorkflowError."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("Say why the return goes back to the school")
    if len(reason) > MAX_REASON:
        raise WorkflowError(f"The reason must be {MAX_REASON} characters or fewer")
    with transaction(db):
        fresh = _decide(db, version, actor, "returned", reason)
        _record_deadline(db, fresh["return"], "returned", actor, note=reason)
        _audit_step(db, "return_returned", fresh, actor, ip, user_agent, reason=reason)


# ----------------------------------------------------------------------------- lists


_LATEST = "v.id = (SELECT max(id) FROM return_versions WHERE return_id = r.id)"


def count_awaiting_review(db: Database, la_code: str | None) -> int:
    """How many of the LA's schools' returns have a latest version submitted and not yet decided
    (``la_code`` None: every LA's, for site admins)."""
    return scalar(
        db,
        "SELECT count(*) FROM returns r JOIN organisations o ON o.id = r.organisation_id"
        f" JOIN return_versions v ON {_LATEST}"  # nosec B608 # only constant SQL
        " WHERE r.instance_id IS NOT NULL AND v.status = 'submitted' AND (:la IS NULL OR o.la_code = :la)",
        {"la": la_code},
    )


def latest_by_instance(db: Database, organisation_id: int) -> dict[int | None, dict]:
    """The school's returns keyed by instance id (None: test uploads), each with its latest version
    (``version`` dict or None) and ``status`` (as :func:`status_view`)."""
    found = rows(
        db,
        f"SELECT r.id AS return_id, r.instance_id, v.id AS version_id FROM returns r"
        f" LEFT JOIN return_versions v ON {_LATEST} WHERE r.organisation_id = ?",  # nosec B608 # only constant SQL
        (organisation_id,),
    )
    versions = versions_by_id(db, [r["version_id"] for r in found if r["version_id"]])
    out = {}
    for row in found:
        version = versions.get(row["version_id"])
        out[row["instance_id"]] = {"return_id": row["return_id"], "version": version, "status": status_view(version)}
    return out


def school_returns(db: Database, organisation_id: int) -> list[dict]:
    """The school's returns for deadlines (not its test uploads), newest due first, each as :func:`get_return`
    plus ``version`` (the latest, or None) and ``status`` (:func:`status_view`). Four queries."""
    found = [
        _decorate_return(row)
        for row in rows(
            db,
            f"{_RETURN_SELECT} WHERE r.organisation_id = ? AND r.instance_id IS NOT NULL"  # nosec B608 # constant SQL
            " ORDER BY i.due_on DESC, r.id DESC",
            (organisation_id,),
        )
    ]
    latest = {
        r["return_id"]: r["version_id"]
        for r in rows(
            db,
            f"SELECT r.id AS return_id, v.id AS version_id FROM returns r JOIN return_versions v ON {_LATEST}"
            " WHERE r.organisation_id = ?",  # nosec B608 # only constant SQL
            (organisation_id,),
        )
    }
    versions = versions_by_id(db, latest.values())
    for ret in found:
        ret["version"] = versions.get(latest.get(ret["id"]))
        ret["status"] = status_view(ret["version"])
    return found


def expected_kind(instance: dict | None) -> str | None:
    """The kind of file an instance's return takes (None: a test upload, any kind)."""
    return FILE_KINDS.get(instance["code"]) if instance else None


def review_instances(db: Database, la_code: str, since_year: int) -> list[dict]:
    """Instances of the returns made in Gatehouse (``FILE_KINDS``) opened by today, from academic year
    ``since_year`` on, newest due first, with how many of the LA's schools' returns are at each status (``counts``)."""
    found = rows(
        db,
        "SELECT i.id, i.academic_year, i.period_label, i.opens_on, i.due_on, c.code, c.name,"
        " sum(v.status = 'validated') AS validated, sum(v.status = 'submitted') AS submitted,"
        " sum(v.status = 'authorised') AS authorised, sum(v.status = 'returned') AS returned"
        " FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " LEFT JOIN returns r ON r.instance_id = i.id"
        " AND r.organisation_id IN (SELECT id FROM organisations WHERE la_code = :la)"
        f" LEFT JOIN return_versions v ON {_LATEST}"  # nosec B608 # only constant SQL
        " WHERE c.code IN (SELECT value FROM json_each(:codes)) AND i.cancelled_at IS NULL"
        " AND i.academic_year >= :year"
        " AND i.opens_on <= :today GROUP BY i.id ORDER BY i.due_on DESC, c.sort_order",
        {"la": la_code, "year": since_year, "today": uk_today().isoformat(),
         "codes": json.dumps(list(FILE_KINDS))},
    )
    return [deadline_instances.with_dates(r) for r in found]


def _la_schools(db: Database, la_code: str) -> list[dict]:
    return rows(
        db,
        "SELECT * FROM organisations WHERE kind = 'school' AND la_code = ? AND status IN ('open', 'proposed_to_close')"
        " ORDER BY name COLLATE NOCASE",
        (la_code,),
    )


def review(db: Database, instance: dict, la_code: str) -> list[dict]:
    """Every school of the LA the instance applies to, with its return's latest version.

    Each row: ``school``, ``return_id`` (or None), ``version`` (latest, or None), ``status``
    (:func:`status_view`), ``notes`` (notes on the latest version), ``deadline`` (the deadline's
    displayed status). Schools with a submitted return come first, then by name.
    """
    entry = deadline_catalogue.get(db, instance["catalogue_id"])
    schools = [s for s in _la_schools(db, la_code) if deadline_catalogue.applies_to(entry, s)]
    latest = {
        r["organisation_id"]: r
        for r in rows(
            db,
            "SELECT r.id AS return_id, r.organisation_id, v.id AS version_id,"
            " (SELECT count(*) FROM return_notes n WHERE n.version_id = v.id) AS notes FROM returns r"
            f" LEFT JOIN return_versions v ON {_LATEST} WHERE r.instance_id = ?",  # nosec B608 # only constant SQL
            (instance["id"],),
        )
    }
    statuses = {
        r["organisation_id"]: r
        for r in rows(db, "SELECT * FROM deadline_statuses WHERE instance_id = ?", (instance["id"],))
    }
    versions = versions_by_id(db, [r["version_id"] for r in latest.values() if r["version_id"]])
    today = uk_today()
    out = []
    for school in schools:
        found = latest.get(school["id"])
        version = versions.get(found["version_id"]) if found else None
        out.append({
            "school": school, "return_id": found["return_id"] if found else None, "version": version,
            "status": status_view(version), "notes": found["notes"] if found and version else 0,
            "deadline": deadline_statuses.status_from(instance, statuses.get(school["id"]), today),
        })  # fmt: skip
    order = {"submitted": 0, "returned": 1, "validated": 2, "authorised": 3, None: 4}
    out.sort(key=lambda row: order[row["status"]["key"]])
    return out


def exportable_versions(db: Database, instance_id: int, la_code: str) -> list[dict]:
    """The latest version of each of the LA's schools' returns for an instance that is submitted or
    authorised (as :func:`get_version`), by DfE number."""
    found = rows(
        db,
        "SELECT v.id FROM returns r JOIN organisations o ON o.id = r.organisation_id"
        f" JOIN return_versions v ON {_LATEST} WHERE r.instance_id = ? AND o.la_code = ?"  # nosec B608 # constant SQL
        " AND v.status IN ('submitted', 'authorised') ORDER BY o.dfe_number",
        (instance_id, la_code),
    )
    versions = versions_by_id(db, [r["id"] for r in found])
    return [versions[r["id"]] for r in found]


def count_versions(db: Database) -> int:
    """How many versions exist (for tests and the home page)."""
    return scalar(db, "SELECT count(*) FROM return_versions")
