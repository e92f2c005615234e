"""Factories other test modules use to make Returns objects (e.g. the cross-organisation test)."""

from __future__ import annotations

import hashlib
import io

from background.validation_pool import storage
from domain.validation import validate
from models import returns, uploads
from tests.domain.validation.xml_files import census_xml, pupil


def make_version(db, school: dict, user: dict | None, *, instance_id: int | None = None, pupils=None) -> dict:
    """A validated version of ``school``'s return (its test uploads unless ``instance_id``), made through
    the models as the worker makes it; returns the version (as ``returns.get_version``) plus ``job_id``."""
    content = census_xml(pupils or [pupil(1), pupil(2, Surname="Twin"), pupil(3, Surname="Twin")],
                         Estab=school["estab"]).encode()
    sha256 = hashlib.sha256(content).hexdigest()
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


def other_schools_version(ctx: dict) -> dict:
    """A version of the other school's test uploads, made once per scoping context."""
    if "returns_version" not in ctx:
        ctx["returns_version"] = make_version(ctx["db"], ctx["other_school"], ctx["other_user"])
    return ctx["returns_version"]
