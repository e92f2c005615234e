"""Local returns: the LA's own returns, their versioned definitions, and schools' submissions.

A local return is tied to one return-catalogue entry of its LA (who must make it and when come from the
catalogue: its audience and its deadline instances). Its definition (``domain.local_returns``) is
versioned: the LA edits a draft and publishes it; schools answer the latest published version; a
submission keeps the version it was made under, so a change mid-collection leaves what schools sent
readable as they sent it. A school's draft made under an older version moves to the new one when the
school next opens it (answers to questions still asked are kept).

The deadline's status follows through ``models.deadline_statuses.record_status`` (source
``local_returns``): first answers saved -> ``in_progress``; submitted -> ``submitted``; handed back by the
LA for changes -> ``returned`` (kept while the school corrects it, until it submits again). Every change is
audited in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sqlite_utils import Database

from domain import clock
from domain.dates import uk_today
from domain.local_returns.answers import findings, normalised
from domain.local_returns.definitions import Definition, DefinitionError
from models import audit, deadline_catalogue, deadline_instances, deadline_statuses
from models.db import one, rows, scalar, transaction
from models.deadline_statuses import StatusError

SOURCE = "local_returns"
#: Catalogue return types a local return can collect.
COLLECTABLE_TYPES = ("form", "confirmation", "file_upload")
#: A submission's state (:func:`state_of`) -> its label. How each looks is decided in
#: ``templates/local_returns/_macros.html``.
STATUSES = {None: "Not started", "draft": "In progress", "returned": "Returned for changes", "submitted": "Submitted"}
#: Longest reason the LA may give when it hands a submission back (the deadline status note's limit).
MAX_REASON = 2000


class LocalReturnError(ValueError):
    """A step that cannot be taken now; the message says why, for the page."""


# ----------------------------------------------------------------------------- definitions


def _decode_version(row: dict | None) -> dict | None:
    if row is None:
        return None
    row["definition"] = Definition.from_dict(json.loads(row["definition"]))
    return row


def _versions(db: Database, local_return_id: int) -> list[dict]:
    return [
        _decode_version(r)
        for r in rows(
            db,
            "SELECT v.*, u.name AS created_by_name FROM local_return_versions v LEFT JOIN users u"
            " ON u.id = v.created_by WHERE v.local_return_id = ? ORDER BY v.version DESC",
            (local_return_id,),
        )
    ]


_SELECT = (
    "SELECT l.*, c.code, c.name AS catalogue_name, c.description AS catalogue_description,"
    " c.return_type FROM local_returns l JOIN return_catalogue c ON c.id = l.catalogue_id"
)


def _decorate(db: Database, row: dict | None) -> dict | None:
    if row is None:
        return None
    versions = _versions(db, row["id"])
    row["versions"] = versions
    row["draft"] = next((v for v in versions if v["published_at"] is None), None)
    row["current"] = next((v for v in versions if v["published_at"] is not None), None)
    row["latest"] = versions[0]
    row["title"] = row["latest"]["definition"].title
    return row


def get(db: Database, local_return_id: int) -> dict | None:
    """One local return with its catalogue entry (``code``, ``catalogue_name``), ``versions`` (newest first,
    each with its ``definition``), ``draft`` (or None), ``current`` (latest published, or None), ``latest``."""
    return _decorate(db, one(db, f"{_SELECT} WHERE l.id = ?", (local_return_id,)))


def for_catalogue(db: Database, la_code: str, catalogue_id: int) -> dict | None:
    """The LA's local return for a catalogue entry, or None."""
    found = one(db, "SELECT id FROM local_returns WHERE la_code = ? AND catalogue_id = ?", (la_code, catalogue_id))
    return get(db, found["id"]) if found else None


def list_for_la(db: Database, la_code: str | None) -> list[dict]:
    """Every local return of ``la_code`` (None: every LA), by title."""
    found = rows(db, "SELECT id FROM local_returns WHERE ? IS NULL OR la_code = ? ORDER BY id", (la_code, la_code))
    return sorted((get(db, r["id"]) for r in found), key=lambda r: r["title"].casefold())


def catalogue_choices(db: Database, la_code: str) -> list[dict]:
    """The catalogue's active LA returns (forms, confirmations, spreadsheets) not yet designed in ``la_code``."""
    taken = {r["catalogue_id"] for r in rows(db, "SELECT catalogue_id FROM local_returns WHERE la_code = ?",
                                              (la_code,))}  # fmt: skip
    return [
        e for e in deadline_catalogue.list_entries(db, active_only=True)
        if e["source"] == "local" and e["return_type"] in COLLECTABLE_TYPES and e["id"] not in taken
    ]  # fmt: skip


def create(db: Database, *, la_code: str, catalogue_id: int, definition: Definition, actor: dict | None) -> dict:
    """Make a local return with ``definition`` as its version 1 draft; audit ``local_return_created``.

    Raises LocalReturnError when the catalogue entry cannot take one or already has one in this LA."""
    definition.check()
    now = clock.iso()
    with transaction(db):
        if catalogue_id not in {e["id"] for e in catalogue_choices(db, la_code)}:
            raise LocalReturnError("Choose a return from the catalogue that has no design yet")
        cursor = db.conn.execute(
            "INSERT INTO local_returns (la_code, catalogue_id, created_at, created_by) VALUES (?, ?, ?, ?)",
            (la_code, catalogue_id, now, actor["id"] if actor else None),
        )
        local_return_id = cursor.lastrowid
        _insert_version(db, local_return_id, 1, definition, actor, now)
        audit.record(
            db, "local_return_created", actor=actor, organisation_id=actor["organisation_id"] if actor else None,
            target=f"local_return:{local_return_id}", detail={"catalogue_id": catalogue_id, **definition.to_dict()},
        )  # fmt: skip
    return get(db, local_return_id)


def _insert_version(db: Database, local_return_id: int, version: int, definition: Definition, actor, now: str) -> None:
    db.conn.execute(
        "INSERT INTO local_return_versions (local_return_id, version, definition, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?)",
        (local_return_id, version, json.dumps(definition.to_dict()), now, actor["id"] if actor else None),
    )


def save_draft(db: Database, local_return: dict, definition: Definition, actor: dict | None) -> dict:
    """Keep ``definition`` as the return's draft (a new version when the latest is published); audit
    ``local_return_definition_changed``. Returns the return again."""
    definition.check()
    now = clock.iso()
    with transaction(db):
        draft = one(db, "SELECT id, version FROM local_return_versions WHERE local_return_id = ? AND"
                        " published_at IS NULL", (local_return["id"],))  # fmt: skip
        if draft:
            db.conn.execute("UPDATE local_return_versions SET definition = ? WHERE id = ?",
                            (json.dumps(definition.to_dict()), draft["id"]))  # fmt: skip
            version = draft["version"]
        else:
            version = scalar(db, "SELECT max(version) FROM local_return_versions WHERE local_return_id = ?",
                             (local_return["id"],)) + 1  # fmt: skip
            _insert_version(db, local_return["id"], version, definition, actor, now)
        audit.record(
            db, "local_return_definition_changed", actor=actor,
            organisation_id=actor["organisation_id"] if actor else None, target=f"local_return:{local_return['id']}",
            detail={"version": version, **definition.to_dict()},
        )  # fmt: skip
    return get(db, local_return["id"])


def move_question(db: Database, local_return: dict, key: str, step: int, actor: dict | None) -> Definition:
    """Move the question ``key`` of the return's draft ``step`` places (-1: up, 1: down); audit
    ``local_return_question_moved``. Returns the draft's definition. Only a draft's order changes: a published
    version's questions stay in the order schools answer them. Raises LocalReturnError when there is no draft
    (the latest version is published), the question is not in it, or it is already first or last."""
    with transaction(db):
        draft = _decode_version(one(db, "SELECT * FROM local_return_versions WHERE local_return_id = ? AND"
                                        " published_at IS NULL", (local_return["id"],)))  # fmt: skip
        if draft is None:
            raise LocalReturnError("The return is published: its questions stay in the order schools answer them."
                                   " Change a question or the details to start a new draft version, then move its"
                                   " questions")  # fmt: skip
        try:
            moved = draft["definition"].with_question_moved(key, step)
        except DefinitionError as error:
            raise LocalReturnError(str(error)) from error
        db.conn.execute("UPDATE local_return_versions SET definition = ? WHERE id = ?",
                        (json.dumps(moved.to_dict()), draft["id"]))  # fmt: skip
        audit.record(
            db, "local_return_question_moved", actor=actor, organisation_id=actor["organisation_id"] if actor else None,
            target=f"local_return:{local_return['id']}",
            detail={"version": draft["version"], "question": key, "direction": "up" if step < 0 else "down",
                    "order": [q.key for q in moved.questions]},
        )  # fmt: skip
    return moved


def seed_examples(db: Database, la_code: str, examples: dict[str, Definition], actor: dict | None) -> list[dict]:
    """Design and publish each example (catalogue code -> definition) the LA has not designed yet, when its
    catalogue entry exists; returns those made."""
    made = []
    for code, definition in examples.items():
        entry = deadline_catalogue.get_by_code(db, code)
        if entry is None or for_catalogue(db, la_code, entry["id"]) is not None:
            continue
        created = create(db, la_code=la_code, catalogue_id=entry["id"], definition=definition, actor=actor)
        made.append(publish(db, created, actor))
    return made


def publish(db: Database, local_return: dict, actor: dict | None) -> dict:
    """Publish the draft: schools answer it from now on. Raises LocalReturnError when there is no draft or
    it asks nothing."""
    draft = local_return["draft"]
    if draft is None:
        raise LocalReturnError("There are no changes to publish")
    if not draft["definition"].questions:
        raise LocalReturnError("Add at least one question before publishing")
    with transaction(db):
        published = db.conn.execute(
            "UPDATE local_return_versions SET published_at = ?, published_by = ? WHERE id = ? AND published_at IS NULL",
            (clock.iso(), actor["id"] if actor else None, draft["id"]),
        ).rowcount
        if not published:  # published meanwhile (a second click, or another LA user)
            raise LocalReturnError("There are no changes to publish")
        audit.record(
            db, "local_return_published", actor=actor, organisation_id=actor["organisation_id"] if actor else None,
            target=f"local_return:{local_return['id']}", detail={"version": draft["version"]},
        )  # fmt: skip
    return get(db, local_return["id"])


def get_version(db: Database, version_id: int) -> dict | None:
    """One definition version (with its ``definition``), or None."""
    return _decode_version(one(db, "SELECT * FROM local_return_versions WHERE id = ?", (version_id,)))


# ----------------------------------------------------------------------------- a school's local returns


def for_school(db: Database, school: dict, *, start, end) -> list[dict]:
    """The school's deadline instances (due from ``start`` to ``end``, as ``deadline_statuses.for_school``)
    that its LA collects as a published local return; each with ``local_return`` and ``submission``."""
    designed = {
        r["catalogue_id"]: r["id"]
        for r in rows(db, "SELECT l.id, l.catalogue_id FROM local_returns l WHERE l.la_code = ? AND EXISTS"
                          " (SELECT 1 FROM local_return_versions v WHERE v.local_return_id = l.id"
                          " AND v.published_at IS NOT NULL)", (school["la_code"],))
    }  # fmt: skip
    found = [i for i in deadline_statuses.for_school(db, school, start=start, end=end)
             if i["catalogue_id"] in designed]  # fmt: skip
    submissions = {
        r["instance_id"]: _with_state(r)
        for r in rows(db, "SELECT * FROM local_return_submissions WHERE organisation_id = ?", (school["id"],))
    }
    returns = {}
    for item in found:
        local_return_id = designed[item["catalogue_id"]]
        item["local_return"] = returns.setdefault(local_return_id, get(db, local_return_id))
        item["submission"] = submissions.get(item["id"])
    return found


def instance_for_school(db: Database, instance_id: int, school: dict) -> tuple[dict, dict] | None:
    """``(instance, local_return)`` when the instance applies to the school and its LA collects it as a
    published local return; else None."""
    instance = deadline_instances.get_instance(db, instance_id)
    if instance is None or not deadline_instances.is_applicable(db, instance, school):
        return None
    local_return = for_catalogue(db, school["la_code"], instance["catalogue_id"])
    if local_return is None or local_return["current"] is None:
        return None
    return instance, local_return


_SUBMISSION_SELECT = (
    "SELECT s.*, o.name AS school_name, o.dfe_number, o.la_code, o.phase, i.period_label, i.due_on, i.opens_on,"
    " l.la_code AS return_la_code, v.version, ub.name AS submitted_by_name, ur.name AS returned_by_name"
    " FROM local_return_submissions s"
    " JOIN organisations o ON o.id = s.organisation_id JOIN deadline_instances i ON i.id = s.instance_id"
    " JOIN local_returns l ON l.id = s.local_return_id JOIN local_return_versions v ON v.id = s.version_id"
    " LEFT JOIN users ub ON ub.id = s.submitted_by LEFT JOIN users ur ON ur.id = s.returned_by"
)


def state_of(submission: dict | None) -> str | None:
    """What a submission row is now: None (not started: none, or a draft only opened, never changed), ``draft``,
    ``returned`` (a draft again because the LA handed it back, until the school submits again) or ``submitted``."""
    if submission is None:
        return None
    if submission["status"] == "draft" and submission["returned_at"]:
        return "returned"
    if submission["status"] == "draft" and not submission["changed_at"]:
        return None
    return submission["status"]


def _with_state(row: dict) -> dict:
    row["state"] = state_of(row)
    row["status_label"] = STATUSES[row["state"]]
    return row


def _decode_submission(db: Database, row: dict | None) -> dict | None:
    if row is None:
        return None
    row["definition"] = get_version(db, row["version_id"])["definition"]
    _with_state(row)
    row["nothing_to_report"] = bool(row["nothing_to_report"])
    return row


def get_submission(db: Database, submission_id: int) -> dict | None:
    """One submission with its school, instance, definition version (``version``, ``definition``), or None."""
    return _decode_submission(db, one(db, f"{_SUBMISSION_SELECT} WHERE s.id = ?", (submission_id,)))


def find_submission(db: Database, instance_id: int, organisation_id: int) -> dict | None:
    """The school's submission for an instance, or None."""
    return _decode_submission(
        db, one(db, f"{_SUBMISSION_SELECT} WHERE s.instance_id = ? AND s.organisation_id = ?",
                (instance_id, organisation_id))
    )  # fmt: skip


def latest_census_pupils(db: Database, organisation_id: int, nc_years: Iterable[str]) -> list[dict]:
    """The pupils of the chosen NC years in the school's latest loaded census (a census return's latest
    version, else its latest test upload of a census), by NC year then surname, forename."""
    version_id = scalar(
        db,
        "SELECT v.id FROM return_versions v JOIN returns r ON r.id = v.return_id WHERE r.organisation_id = ?"
        " AND v.kind = 'census' ORDER BY r.instance_id IS NULL, v.id DESC LIMIT 1",
        (organisation_id,),
    )
    if version_id is None:
        return []
    found = rows(
        db,
        "SELECT upn, surname, forename, dob, nc_year FROM return_pupils WHERE version_id = ? AND nc_year IN"
        " (SELECT value FROM json_each(?)) ORDER BY surname COLLATE NOCASE, forename COLLATE NOCASE, upn",
        (version_id, json.dumps(list(nc_years))),
    )
    order = {year: n for n, year in enumerate(nc_years)}
    return sorted(found, key=lambda p: order.get(p["nc_year"], 99))


def start(db: Database, local_return: dict, instance: dict, school: dict, actor: dict | None) -> dict:
    """The school's submission for the instance, made (draft, under the current version, rows prefilled
    from its census) when there is none, or moved to the current version when it is a draft of an older
    one. Returns it (as :func:`get_submission`)."""
    current = local_return["current"]
    existing = find_submission(db, instance["id"], school["id"])
    if existing and (existing["status"] == "submitted" or existing["version_id"] == current["id"]):
        if existing["status"] != "submitted" and _fill_empty_pupil_list(db, existing, current["definition"], school,
                                                                         actor):  # fmt: skip
            return get_submission(db, existing["id"])
        return existing
    now = clock.iso()
    with transaction(db):
        if existing is None:
            cursor = db.conn.execute(
                "INSERT INTO local_return_submissions (local_return_id, version_id, organisation_id, instance_id,"
                " started_at, started_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (local_return["id"], current["id"], school["id"], instance["id"], now, actor["id"] if actor else None,
                 now),
            )  # fmt: skip
            submission_id = cursor.lastrowid
            _prefill(db, submission_id, current["definition"], school)
            audit.record(db, "local_return_started", actor=actor, organisation_id=school["id"],
                         target=f"local_return_submission:{submission_id}",
                         detail={"local_return": local_return["id"], "instance": instance["id"],
                                 "version": current["version"]})  # fmt: skip
        else:
            submission_id = existing["id"]
            _move_to_version(db, existing, current)
            audit.record(db, "local_return_moved_to_version", actor=actor, organisation_id=school["id"],
                         target=f"local_return_submission:{submission_id}",
                         detail={"from": existing["version"], "to": current["version"]})  # fmt: skip
    return get_submission(db, submission_id)


def _fill_empty_pupil_list(db: Database, submission: dict, definition: Definition, school: dict,
                           actor: dict | None) -> bool:
    """A pupil list started before the school had a census holds no rows: fill it from the census the school has
    now (no answer can be lost: there are no rows to hold one). True when it was filled."""
    count = "SELECT count(*) FROM local_return_rows WHERE submission_id = ?"
    if not definition.is_pupil_list or scalar(db, count, (submission["id"],)):
        return False
    if not latest_census_pupils(db, school["id"], definition.nc_years):
        return False
    with transaction(db):
        if scalar(db, count, (submission["id"],)):
            return False  # another request filled it first
        _prefill(db, submission["id"], definition, school)
        audit.record(db, "local_return_list_filled", actor=actor, organisation_id=school["id"],
                     target=f"local_return_submission:{submission['id']}",
                     detail={"instance": submission["instance_id"]})  # fmt: skip
    return True


def _prefill(db: Database, submission_id: int, definition: Definition, school: dict) -> None:
    if definition.is_pupil_list:
        pupils = latest_census_pupils(db, school["id"], definition.nc_years)
        values = [(submission_id, n, p["upn"], p["surname"], p["forename"], p["dob"], p["nc_year"])
                  for n, p in enumerate(pupils, start=1)]  # fmt: skip
    else:
        values = [(submission_id, 0, None, None, None, None, None)]
    db.conn.executemany(
        "INSERT INTO local_return_rows (submission_id, position, upn, surname, forename, dob, nc_year)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        values,
    )


def _move_to_version(db: Database, submission: dict, version: dict) -> None:
    """Keep the answers to questions the new version still asks (pupil rows stay as they are)."""
    keys = {q.key for q in version["definition"].questions}
    for row in rows(db, "SELECT id, answers FROM local_return_rows WHERE submission_id = ?", (submission["id"],)):
        kept = {k: v for k, v in json.loads(row["answers"]).items() if k in keys}
        db.conn.execute("UPDATE local_return_rows SET answers = ? WHERE id = ?", (json.dumps(kept), row["id"]))
    db.conn.execute("UPDATE local_return_submissions SET version_id = ?, updated_at = ? WHERE id = ?",
                    (version["id"], clock.iso(), submission["id"]))  # fmt: skip


def _decode_row(row: dict) -> dict:
    row["answers"] = json.loads(row["answers"])
    return row


def rows_of(db: Database, submission_id: int, *, offset: int = 0, limit: int = -1) -> list[dict]:
    """The submission's rows in order (``answers`` decoded), ``limit`` of them from ``offset`` (-1: all)."""
    return [
        _decode_row(r)
        for r in rows(db, "SELECT * FROM local_return_rows WHERE submission_id = ? ORDER BY position LIMIT ? OFFSET ?",
                      (submission_id, limit, offset))
    ]  # fmt: skip


def count_rows(db: Database, submission_id: int) -> int:
    return scalar(db, "SELECT count(*) FROM local_return_rows WHERE submission_id = ?", (submission_id,))


def findings_of(db: Database, submission: dict) -> list:
    """What is wrong with the submission's answers now (``domain.local_returns.answers.Finding``)."""
    return findings(submission["definition"], rows_of(db, submission["id"]))


def _mark_changed(db: Database, submission: dict, actor: dict | None, source: str, file_name: str | None) -> None:
    db.conn.execute(
        "UPDATE local_return_submissions SET updated_at = :now, changed_at = :now, source = :source,"
        " file_name = :file, nothing_to_report = 0 WHERE id = :id",
        {"now": clock.iso(), "source": source, "file": file_name, "id": submission["id"]},
    )
    status = deadline_statuses.status_for(db, submission["organisation_id"], submission["instance_id"])
    if status["explicit"] not in ("in_progress", "exempt", "returned"):
        deadline_statuses.record_status(db, organisation_id=submission["organisation_id"],
                                        instance_id=submission["instance_id"], status="in_progress", actor=actor,
                                        source=SOURCE)  # fmt: skip


def _check_draft(submission: dict) -> None:
    if submission["status"] != "draft":
        raise LocalReturnError("This return has been submitted: it cannot be changed now")


def save_answers(db: Database, submission: dict, answers: dict[int, dict], actor: dict | None, *,
                 source: str = "web", file_name: str | None = None, replace_all: bool = False) -> int:  # fmt: skip
    """Keep the answers of the rows at the given positions (``{position: {key: answer}}``, as given: wrong
    answers are kept for the school to correct). ``replace_all``: every other row's answers are cleared
    (an uploaded spreadsheet replaces the lot). One transaction with the status change and the audit row
    (``local_return_answers_saved``). Returns the number of rows changed. Raises LocalReturnError once
    submitted, or for a position not in the submission."""
    _check_draft(submission)
    definition = submission["definition"]
    with transaction(db):
        current = one(db, "SELECT status, version_id FROM local_return_submissions WHERE id = ?", (submission["id"],))
        if current["status"] != "draft" or current["version_id"] != submission["version_id"]:
            raise LocalReturnError("This return changed while you were working on it: open it again")
        positions = {r["position"]: r["id"] for r in rows(
            db, "SELECT id, position FROM local_return_rows WHERE submission_id = ?", (submission["id"],))}
        unknown = set(answers) - set(positions)
        if unknown:
            raise LocalReturnError(f"Rows {sorted(unknown)} are not in this return")
        if replace_all:
            db.conn.execute("UPDATE local_return_rows SET answers = '{}' WHERE submission_id = ?", (submission["id"],))
        db.conn.executemany(
            "UPDATE local_return_rows SET answers = ? WHERE id = ?",
            [(json.dumps(normalised(definition, given)), positions[p]) for p, given in answers.items()],
        )
        _mark_changed(db, submission, actor, source, file_name)
        audit.record(db, "local_return_answers_saved", actor=actor, organisation_id=submission["organisation_id"],
                     target=f"local_return_submission:{submission['id']}",
                     detail={"rows": len(answers), "source": source, "file": file_name})  # fmt: skip
    return len(answers)


def previous_submission(db: Database, submission: dict) -> dict | None:
    """The school's latest submission of the same local return for an earlier deadline (e.g. last week's)."""
    found = one(
        db,
        "SELECT s.id FROM local_return_submissions s JOIN deadline_instances i ON i.id = s.instance_id"
        " WHERE s.local_return_id = ? AND s.organisation_id = ? AND i.due_on < ? AND s.status = 'submitted'"
        " ORDER BY i.due_on DESC LIMIT 1",
        (submission["local_return_id"], submission["organisation_id"], submission["due_on"]),
    )
    return get_submission(db, found["id"]) if found else None


def copy_previous(db: Database, submission: dict, actor: dict | None) -> dict | None:
    """Copy the answers of :func:`previous_submission` into this draft, for the questions both versions ask
    (a single form's one row; a pupil list's rows matched by UPN). Returns the submission copied, or None
    when there is none. Raises LocalReturnError once submitted."""
    _check_draft(submission)
    previous = previous_submission(db, submission)
    if previous is None:
        return None
    keys = {q.key for q in submission["definition"].questions}
    before = rows_of(db, previous["id"])
    mine = rows_of(db, submission["id"])
    if submission["definition"].is_pupil_list:
        by_upn = {r["upn"]: r["answers"] for r in before if r["upn"]}
        answers = {r["position"]: by_upn[r["upn"]] for r in mine if r["upn"] in by_upn}
    else:
        answers = {mine[0]["position"]: before[0]["answers"]} if before and mine else {}
    answers = {p: {k: v for k, v in a.items() if k in keys} for p, a in answers.items()}
    save_answers(db, submission, answers, actor, source="copy", replace_all=True)
    return previous


def return_for_changes(db: Database, submission: dict, actor: dict, reason: str, *, ip: str | None = None,
                       user_agent: str | None = None) -> None:  # fmt: skip
    """The LA hands a submitted submission back to the school with ``reason``: it is a draft again (its answers
    kept) that the school corrects and submits as before. In one transaction: the submission, ``returned`` on
    the deadline (the reason as its note) and the audit row ``local_return_returned``. Raises LocalReturnError
    for an empty or long reason, or when the submission is not submitted now (a draft, or already handed back:
    a second click or a stale page)."""
    reason = (reason or "").strip()
    if not reason:
        raise LocalReturnError("Say what the school needs to change")
    if len(reason) > MAX_REASON:
        raise LocalReturnError(f"The reason must be {MAX_REASON:,} characters or fewer")
    now = clock.iso()
    with transaction(db):
        cursor = db.conn.execute(
            "UPDATE local_return_submissions SET status = 'draft', submitted_at = NULL, submitted_by = NULL,"
            " returned_at = ?, returned_by = ?, return_reason = ?, updated_at = ?"
            " WHERE id = ? AND status = 'submitted'",
            (now, actor["id"], reason, now, submission["id"]),
        )
        if cursor.rowcount != 1:
            raise LocalReturnError("This return is not submitted now (it may have been returned already): nothing "
                                   "was changed")  # fmt: skip
        try:
            deadline_statuses.record_status(db, organisation_id=submission["organisation_id"],
                                            instance_id=submission["instance_id"], status="returned", actor=actor,
                                            note=reason, source=SOURCE)  # fmt: skip
        except StatusError as error:
            raise LocalReturnError(f"The deadline cannot show it returned: {error}") from error
        audit.record(db, "local_return_returned", actor=actor, organisation_id=submission["organisation_id"],
                     target=f"local_return_submission:{submission['id']}", ip=ip, user_agent=user_agent,
                     detail={"version": submission["version"], "reason": reason,
                             "submitted_at": submission["submitted_at"]})  # fmt: skip


def submit(db: Database, submission: dict, actor: dict | None, *, nothing_to_report: bool = False) -> None:
    """Submit the school's answers (or, where the return allows it, "nothing to report"); record
    ``submitted`` on the deadline (a NIL return for nothing to report); audit ``local_return_submitted``.
    Raises LocalReturnError when the answers have findings, it is already submitted, or nothing to report
    is not allowed."""
    _check_draft(submission)
    if nothing_to_report and not submission["definition"].nothing_to_report:
        raise LocalReturnError("This return does not take 'nothing to report'")
    now = clock.iso()
    with transaction(db):  # the answers checked are the answers submitted: no save can come in between
        if not nothing_to_report and findings_of(db, submission):
            raise LocalReturnError("Correct the answers shown before submitting")
        cursor = db.conn.execute(
            "UPDATE local_return_submissions SET status = 'submitted', submitted_at = ?, submitted_by = ?,"
            " nothing_to_report = ? WHERE id = ? AND status = 'draft' AND version_id = ?",
            (now, actor["id"] if actor else None, int(nothing_to_report), submission["id"], submission["version_id"]),
        )
        if cursor.rowcount != 1:
            raise LocalReturnError("This return changed while you were working on it: open it again")
        deadline_statuses.record_status(db, organisation_id=submission["organisation_id"],
                                        instance_id=submission["instance_id"], status="submitted", actor=actor,
                                        source=SOURCE, kind="nil" if nothing_to_report else None)  # fmt: skip
        audit.record(db, "local_return_submitted", actor=actor, organisation_id=submission["organisation_id"],
                     target=f"local_return_submission:{submission['id']}",
                     detail={"version": submission["version"], "nothing_to_report": nothing_to_report})  # fmt: skip


# ----------------------------------------------------------------------------- the LA's view of a period


def schools_for(db: Database, local_return: dict, instance: dict) -> list[dict]:
    """Every open school of the return's LA that the instance applies to, with its submission (or None)
    as ``submission`` and the deadline's displayed status as ``deadline``: those that have not submitted
    first, then by name."""
    entry = deadline_catalogue.get(db, instance["catalogue_id"])
    schools = [
        s for s in rows(db, "SELECT * FROM organisations WHERE kind = 'school' AND la_code = ?"
                            " ORDER BY name COLLATE NOCASE", (local_return["la_code"],))
        if deadline_catalogue.applies_to(entry, s)
    ]  # fmt: skip
    submissions = {r["organisation_id"]: _with_state(r) for r in rows(
        db, "SELECT s.*, v.version FROM local_return_submissions s JOIN local_return_versions v ON v.id = s.version_id"
            " WHERE s.instance_id = ?", (instance["id"],))}  # fmt: skip
    statuses = {r["organisation_id"]: r for r in rows(db, "SELECT * FROM deadline_statuses WHERE instance_id = ?",
                                                      (instance["id"],))}  # fmt: skip
    today = uk_today()
    found = [
        {"school": s, "submission": submissions.get(s["id"]),
         "deadline": deadline_statuses.status_from(instance, statuses.get(s["id"]), today)}
        for s in schools
    ]  # fmt: skip
    found.sort(key=lambda r: r["submission"] is not None and r["submission"]["status"] == "submitted")
    return found


def instances_of(db: Database, local_return: dict) -> list[dict]:
    """The return's deadline instances (not cancelled), latest due first."""
    found = deadline_instances.list_instances(db, catalogue_id=local_return["catalogue_id"], include_cancelled=False)
    return sorted(found, key=lambda i: i["due_on"], reverse=True)


def iter_submitted_values(db: Database, instance_id: int, la_code: str) -> Iterator[tuple[dict, list[tuple]]]:
    """Each submitted submission of the LA's schools for an instance, by DfE number (``id``, ``version_id``,
    ``nothing_to_report``, ``submitted_at``, ``dfe_number``, ``school_name``, ``phase``), with its rows as
    tuples ``(position, upn, surname, forename, dob, nc_year, answers)``: text ('' when none) but the position
    and the answers' JSON text (decoded by the caller, once a row). One query per school."""
    submissions = rows(
        db,
        "SELECT s.id, s.version_id, s.nothing_to_report, s.submitted_at, o.dfe_number, o.name AS school_name,"
        " o.phase FROM local_return_submissions s JOIN organisations o ON o.id = s.organisation_id"
        " WHERE s.instance_id = ? AND s.status = 'submitted' AND o.la_code = ? ORDER BY o.dfe_number, s.id",
        (instance_id, la_code),
    )
    for submission in submissions:
        yield submission, db.conn.execute(
            "SELECT position, ifnull(upn, ''), ifnull(surname, ''), ifnull(forename, ''), ifnull(dob, ''),"
            " ifnull(nc_year, ''), answers FROM local_return_rows WHERE submission_id = ? ORDER BY position",
            (submission["id"],),
        ).fetchall()


def versions_by_id(db: Database, version_ids: Iterable[int]) -> dict[int, dict]:
    """Definition versions by id (each with ``definition``)."""
    found = rows(db, "SELECT * FROM local_return_versions WHERE id IN (SELECT value FROM json_each(?))",
                 (json.dumps(sorted(set(version_ids))),))  # fmt: skip
    return {r["id"]: _decode_version(r) for r in found}
