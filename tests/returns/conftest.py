"""Fixtures for the Returns area: a school user and LA user with Returns, an open census deadline,
small census files built in tests, and helpers to upload and to count what an upload left behind."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from domain import clock
from models import deadlines, services
from models.db import one, scalar
from tests.domain.validation.xml_files import census_xml, make_fixtures_main, pupil, upn

SCHOOL_DFE = "8732001"
CENSUS_NAME = "8732001_SC3_873LL26_001.XML"
TABLES = ("uploads", "returns", "return_versions", "return_findings", "return_notes", "return_pupils")


def set_today(day: dt.date) -> None:
    clock.set_now(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC))


@pytest.fixture(autouse=True)
def sync_validation(app_config):
    """Validate inside the upload request by default; tests of the pool switch this off."""
    app_config["VALIDATION_SYNC"] = True


@pytest.fixture
def today():
    """The clock on Monday 5 October 2026: the autumn census (day 1 October) is open."""
    set_today(dt.date(2026, 10, 5))
    yield dt.date(2026, 10, 5)
    clock.reset()


@pytest.fixture
def sc_aut(db, today) -> dict:
    """The autumn 2026 School Census deadline (2026/27 generated from the default catalogue)."""
    deadlines.generate(db, 2026)
    row = one(
        db,
        "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
        " WHERE c.code = 'SC-AUT' AND i.academic_year = 2026",
    )
    return deadlines.get_instance(db, row["id"])


@pytest.fixture
def school_user(db, school, make_user):
    user = make_user(school, name="Sam Office", email="office@fenland.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


@pytest.fixture
def other_school_user(db, other_school, make_user):
    user = make_user(other_school, name="Olly Other", email="office@ouse.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


@pytest.fixture
def la_user(db, la, make_user):
    user = make_user(la, name="Lee Data", email="lee.data@873.example.gov.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


def census(pupils=None, **header) -> bytes:
    """A census return from school 873/2001 (``pupils`` as tests.domain.validation.xml_files.pupil dicts)."""
    return census_xml(pupils, **{"Estab": "2001", **header}).encode("utf-8")


def clean_pupils(count: int = 3) -> list[dict]:
    return [pupil(n, Surname=f"Pupil{n:03d}") for n in range(1, count + 1)]


def twins() -> list[dict]:
    """Two pupils with the same surname, forename, sex and date of birth: query 1620Q (and nothing else)."""
    return [pupil(1, Surname="Twin", Forename="Alex"), pupil(2, Surname="Twin", Forename="Alex"),
            pupil(3, Surname="Other")]


def with_error() -> list[dict]:
    """A file with one error: pupil 2 has no surname (1580)."""
    return [pupil(1), pupil(2, Surname=""), pupil(3, Surname="Other")]


def post_file(client, url: str, content: bytes, name: str = CENSUS_NAME, **extra):
    """POST ``content`` as the form's file. The body is encoded in memory: the test client's own encoder
    spools bodies over 500 KB to a temporary file it never closes."""
    fields = {"file": FileStorage(io.BytesIO(content), filename=name, content_type="text/xml"), **extra}
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload_url(instance: dict | None) -> str:
    return f"/returns/upload/{instance['id']}" if instance else "/returns/test-upload"


def upload(client, instance: dict | None, content: bytes, name: str = CENSUS_NAME) -> int:
    """Upload and follow to the report; return the new version's id."""
    response = post_file(client, upload_url(instance), content, name)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    report = client.get(location)
    while report.status_code in (302, 303):
        location = report.headers["Location"]
        report = client.get(location)
    assert report.status_code == 200
    match = re.search(r"/returns/versions/(\d+)", location)
    assert match, location
    return int(match.group(1))


def leftovers(db, files_dir: str | Path) -> dict:
    """Row counts of every Returns table and the files under FILES_DIR (for "nothing left behind")."""
    files = sorted(str(p.relative_to(files_dir)) for p in Path(files_dir).rglob("*") if p.is_file())
    return {**{table: scalar(db, f"SELECT count(*) FROM {table}") for table in TABLES}, "files": files}


def generated_census(tmp_path, pupils: int = 2000, errors: float = 0.02, seed: int = 20261122) -> Path:
    """A census from tools/make_fixtures.py for school 873/2001 (autumn 2026), with seeded problems."""
    path = tmp_path / CENSUS_NAME
    make_fixtures_main(["--seed", str(seed), "census", "--la", "873", "--estab", "2001", "--pupils", str(pupils),
                        "--term", "AUT", "--year", "2026", "--errors", str(errors), "-o", str(path)])
    return path


__all__ = ["census", "clean_pupils", "generated_census", "leftovers", "post_file", "twins", "upload", "upload_url",
           "upn", "with_error"]
