"""Exports for the LA: a zip of CSV tables per return version, and one zip for every school of an instance."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from models.db import rows
from tests.domain.validation.xml_files import pupil, upn
from tests.returns.factories import census, make_version, twins
from tests.returns.uploading import upload


def _download(client, url: str):
    """GET a download and close it, as a WSGI server does once the body is sent (that closes the file)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _table(archive: zipfile.ZipFile, name: str) -> list[dict]:
    text = archive.read(name).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def submitted(db, client, sign_in, school_user, sc_aut):
    """Version 2 of the school's autumn census, submitted with notes (version 1 was superseded)."""
    sign_in(school_user)
    upload(client, sc_aut, census([pupil(1)]))
    version = upload(client, sc_aut, census([*twins(), pupil(4, Surname="=HYPERLINK(\"http://x\")",
                                                            AddressLine1="Flat 2", AddressLine2="1 High St")]))
    client.post(f"/returns/versions/{version}/explain", query_string={"rule": "1620Q"}, data={"note": "Twins."})
    assert client.post(f"/returns/versions/{version}/submit").status_code == 303
    client.post("/sign-out")
    return version


def test_one_return_as_a_zip_of_csv_tables(db, client, sign_in, la_user, submitted):
    sign_in(la_user)
    response = _download(client, f"/returns-review/versions/{submitted}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == "attachment; filename=8732001_SC-AUT_v2.zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert sorted(archive.namelist()) == ["addresses.csv", "findings.csv", "notes.csv", "pupils.csv"]
    pupils = _table(archive, "pupils.csv")
    assert [p["upn"] for p in pupils] == [upn(1), upn(2), upn(3), upn(4)]
    assert pupils[3]["surname"] == "'=HYPERLINK(\"http://x\")"  # formula guard
    assert pupils[0]["dob"] == "2014-11-15" and pupils[0]["nc_year"] == "7" and pupils[0]["sex"] == "F"
    addresses = _table(archive, "addresses.csv")
    assert addresses[3]["address_line_1"] == "Flat 2" and addresses[3]["postcode"] == "CB1 2AB"
    findings = _table(archive, "findings.csv")
    assert {f["rule"] for f in findings} == {"1620Q"} and all(f["note"] == "Twins." for f in findings)
    notes = _table(archive, "notes.csv")
    assert notes == [{"rule": "1620Q", "upn": "", "applies_to": "every query of the rule", "note": "Twins.",
                      "author": "Sam Office", "written_at": notes[0]["written_at"], "carried_forward": "no"}]
    assert rows(db, "SELECT target FROM audit_log WHERE action = 'returns_exported'") == [
        {"target": f"return_version:{submitted}"}]


def test_every_school_of_an_instance_in_one_zip(db, client, sign_in, la_user, other_school, submitted, sc_aut):
    make_version(db, other_school, None, instance_id=sc_aut["id"])  # loaded, not submitted: left out
    sign_in(la_user)
    response = _download(client, f"/returns-review/instances/{sc_aut['id']}/export.zip")
    assert response.headers["Content-Disposition"] == "attachment; filename=873_SC-AUT_2026-27_all_schools.zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert sorted(archive.namelist()) == [f"8732001_SC-AUT_v2/{name}" for name in
                                          ("addresses.csv", "findings.csv", "notes.csv", "pupils.csv")]
    assert len(_table(archive, "8732001_SC-AUT_v2/pupils.csv")) == 4


def test_nothing_to_export_yet(client, sign_in, la_user, sc_aut):
    sign_in(la_user)
    response = client.get(f"/returns-review/instances/{sc_aut['id']}/export.zip", follow_redirects=True)
    assert "No school has submitted this return yet" in response.get_data(as_text=True)


def test_exports_leave_no_temporary_file(app, client, sign_in, la_user, submitted):
    from pathlib import Path

    sign_in(la_user)
    _download(client, f"/returns-review/versions/{submitted}/export.zip")
    assert list((Path(app.config["FILES_DIR"]) / "tmp").iterdir()) == []
