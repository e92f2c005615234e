"""Factories for Returns tests: census and workforce files built in tests or by tools/make_fixtures.py, and
validated versions made through the models (e.g. for the cross-organisation test)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from background.validation_pool import storage
from domain.validation import validate
from models import deadline_instances, returns, uploads
from models.db import one, rows
from tests.domain.validation.xml_files import census_xml, make_fixtures_main, member, pupil, workforce_xml

CENSUS_NAME = "8732001_SC3_873LL26_001.XML"
WORKFORCE_NAME = "8732001_SWF_873LL26_001.XML"


def census(pupils=None, **header) -> bytes:
    """A census return from school 873/2001 (``pupils`` as tests.domain.validation.xml_files.pupil dicts)."""
    return census_xml(pupils, **{"Estab": "2001", **header}).encode("utf-8")


def workforce(staff=None, **header) -> bytes:
    """A School Workforce Census return from school 873/2001 (``staff`` as xml_files.member dicts)."""
    return workforce_xml(staff, **{"Estab": "2001", **header}).encode("utf-8")


def clean_staff(count: int = 3) -> list[dict]:
    return [member(n, FamilyName=f"Staff{n:03d}") for n in range(1, count + 1)]


def clean_pupils(count: int = 3) -> list[dict]:
    return [pupil(n, Surname=f"Pupil{n:03d}") for n in range(1, count + 1)]


def twins() -> list[dict]:
    """Two pupils with the same surname, forename, sex and date of birth: query 1620Q (and nothing else)."""
    return [pupil(1, Surname="Twin", Forename="Alex"), pupil(2, Surname="Twin", Forename="Alex"),
            pupil(3, Surname="Other")]


def with_error() -> list[dict]:
    """A file with one error: pupil 2 has no surname (1580)."""
    return [pupil(1), pupil(2, Surname=""), pupil(3, Surname="Other")]


def generated_census(tmp_path, pupils: int = 2000, errors: float = 0.02, seed: int = 20261122) -> Path:
    """A census from tools/make_fixtures.py for school 873/2001 (autumn 2026), with seeded problems."""
    path = tmp_path / CENSUS_NAME
    make_fixtures_main(["--seed", str(seed), "census", "--la", "873", "--estab", "2001", "--pupils", str(pupils),
                        "--term", "AUT", "--year", "2026", "--errors", str(errors), "-o", str(path)])
    return path


def census_instance(db, code: str = "SC-AUT") -> dict:
    """The 2026/27 deadline ``code`` (the year's deadlines generated from the default catalogue when they are
    not there yet)."""
    row = one(db, "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
                  " WHERE c.code = ? AND i.academic_year = 2026", (code,))  # fmt: skip
    if row is None:
        deadline_instances.generate(db, 2026)
        return census_instance(db, code)
    return deadline_instances.get_instance(db, row["id"])


def make_version(db, school: dict, user: dict | None, *, instance_id: int | None = None, pupils=None,
                 files_dir: str | None = None, header: dict | None = None) -> dict:
    """A validated version of ``school``'s return (its test uploads unless ``instance_id``), made through
    the models as the worker makes it; returns the version (as ``returns.get_version``) plus ``job_id``.
    With ``files_dir`` the file is stored there too, as an upload's is (for pages that read it back);
    ``header`` changes the census header (xml_files.census_xml's names, e.g. Term)."""
    content = census_xml(pupils or [pupil(1), pupil(2, Surname="Twin"), pupil(3, Surname="Twin")],
                         **{"Estab": school["estab"], **(header or {})}).encode()
    sha256 = hashlib.sha256(content).hexdigest()
    if files_dir:
        stored = Path(files_dir) / storage.stored_name(sha256)
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(content)
    records: list[dict] = []
    report = validate(io.BytesIO(content), filename="upload.xml", school=school["dfe_number"],
                      on_pupil=records.append)
    job = uploads.create_job(
        db, organisation_id=school["id"], instance_id=instance_id, kind=None, original_name="upload.xml",
        sha256=sha256, size=len(content), temp_name="made-by-a-factory.part", created_by=user["id"] if user else None,
    )  # fmt: skip
    version_id = returns.create_version(db, job=job, report=report, stored_path=storage.stored_name(sha256),
                                        pupils=records, actor=user)  # fmt: skip
    uploads.finish_job(db, job["id"], "done", version_id=version_id)
    return {**returns.get_version(db, version_id), "job_id": job["id"]}


def submitted_version(db, school: dict, user: dict | None, *, instance_id: int, actor: dict) -> dict:
    """A clean version of ``school``'s return for ``instance_id`` (as :func:`make_version`), every query
    explained by ``actor`` and submitted by them; returns the version as submitted."""
    version = make_version(db, school, user, instance_id=instance_id, pupils=clean_pupils())
    queries = rows(db, "SELECT DISTINCT rule, upn FROM return_findings WHERE version_id = ? AND severity = 'query'",
                   (version["id"],))  # fmt: skip
    for query in queries:
        returns.save_note(db, version, rule=query["rule"], upn=query["upn"] or None, text="Explained.", actor=actor)
    returns.submit(db, returns.get_version(db, version["id"]), actor)
    return returns.get_version(db, version["id"])


def other_schools_version(ctx: dict) -> dict:
    """A version of the other school's test uploads, made once per scoping context."""
    if "returns_version" not in ctx:
        ctx["returns_version"] = make_version(ctx["db"], ctx["other_school"], ctx["other_user"])
    return ctx["returns_version"]
