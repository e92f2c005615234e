"""School Workforce Census returns in Returns: a school uploads its file against the deadline, reads the
findings (staff, not pupils), explains the queries and submits; the LA reviews and exports it; a census file
and a workforce file are each refused for the other's return; the migration that made room for them."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile

import pytest

from domain.validation import validate
from migrations import returns as returns_migrations
from models import audit_key, deadline_statuses, organisations, returns
from models.db import connect, rows, scalar
from tests.conftest import migrate_until
from tests.domain.validation.xml_files import contract, member
from tests.returns.factories import WORKFORCE_NAME, census, clean_staff, make_version, workforce
from tests.returns.uploading import leftovers, post_file, upload, upload_url


def _with_problems() -> list[dict]:
    """Three staff: 2's NI number has spaces (error 7125), 3 is a teacher with no TRN (query 7105Q)."""
    return [member(1), member(2, NINumber="AB 10 00 02 C"), member(3, TeacherNumber=None)]


def _with_a_query() -> list[dict]:
    """Three staff: 3 is a teacher with no TRN (query 7105Q), and nothing else."""
    return [member(1), member(2), member(3, TeacherNumber=None)]


@pytest.fixture
def signed_in(client, school_user, sign_in, swc):
    sign_in(school_user)
    return client


def test_the_workforce_census_is_offered_for_upload(signed_in, swc):
    page = signed_in.get("/returns/").get_data(as_text=True)
    assert "School Workforce Census" in page and upload_url(swc) in page
    form = signed_in.get(upload_url(swc)).get_data(as_text=True)
    assert "Upload the School Workforce Census return your MIS created." in form and 'type="file"' in form


def test_a_school_uploads_a_workforce_return_sees_findings_explains_and_submits(app, db, signed_in, swc, school):
    first = upload(signed_in, swc, workforce(_with_problems()), WORKFORCE_NAME)
    version = returns.get_version(db, first)
    assert (version["kind"], version["pupils"], version["errors"], version["queries"]) == ("workforce", 3, 1, 1)
    report = signed_in.get(f"/returns/versions/{first}").get_data(as_text=True)
    assert "School Workforce Census return)" in report and "Staff by post and sex" in report
    assert "<th scope=\"col\" class=\"govuk-table__header\">TRN or NI number</th>" in report
    assert "7125" in report and "AB 10 00 02 C" in report and "Staff member 2" in report
    assert "(staff, contracts, findings, notes)" not in report  # the export is for the LA
    findings_csv = signed_in.get(f"/returns/versions/{first}/findings.csv").get_data(as_text=True)
    assert findings_csv.startswith("\ufeffSeverity,Rule,Rule title,Staff member (position in file),TRN or NI number,")
    stored = rows(db, "SELECT position, trn, ni_number, surname, contracts FROM return_staff ORDER BY position")
    assert [s["trn"] for s in stored] == ["1000001", "1000002", None]
    assert '"post": "TCH"' in stored[0]["contracts"] and scalar(db, "SELECT count(*) FROM return_pupils") == 0
    assert signed_in.get(f"/returns/versions/{first}/submit").status_code == 200
    assert signed_in.post(f"/returns/versions/{first}/submit").status_code == 400  # an error: not yet

    second = upload(signed_in, swc, workforce(_with_a_query()), WORKFORCE_NAME)
    explain = signed_in.get(f"/returns/versions/{second}/explain", query_string={"rule": "7105Q", "upn": "AB100003C"})
    assert "Explain the 7105Q query for TRN or NI number AB100003C" in explain.get_data(as_text=True)
    signed_in.post(f"/returns/versions/{second}/explain", query_string={"rule": "7105Q", "upn": "AB100003C"},
                   data={"note": "New to teaching: her TRN is on its way."})  # fmt: skip
    assert signed_in.post(f"/returns/versions/{second}/submit").status_code == 303
    assert returns.get_version(db, second)["status"] == "submitted"
    assert deadline_statuses.status_for(db, school["id"], swc["id"])["key"] == "submitted"
    history = signed_in.get(f"/returns/{returns.get_version(db, second)['return_id']}").get_data(as_text=True)
    assert ">Staff</th>" in history and "staff −0" not in history and "staff no change" in history


def test_a_test_upload_takes_a_workforce_return_too(db, signed_in, swc):
    version = returns.get_version(db, upload(signed_in, None, workforce(clean_staff()), WORKFORCE_NAME))
    assert (version["kind"], version["pupils"], version["errors"], version["queries"]) == ("workforce", 3, 0, 0)


def test_a_census_file_is_refused_for_the_workforce_return_and_the_other_way_round(app, db, sc_aut, signed_in, swc):
    """(sc_aut first: its clock, 5 October, is then moved on to 9 November by swc, when both are open.)"""
    before = leftovers(db, app.config["FILES_DIR"])
    refused = post_file(signed_in, upload_url(swc), census())
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "This file is a School Census return, not a School Workforce Census return." in page
    refused = post_file(signed_in, upload_url(sc_aut), workforce(), WORKFORCE_NAME)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "This file is a School Workforce Census return, not a School Census return." in page
    assert leftovers(db, app.config["FILES_DIR"]) == before


def test_the_la_reviews_and_exports_a_workforce_return(db, client, sign_in, school_user, la_user, swc):
    sign_in(school_user)
    two_jobs = [contract(Post="TAS", roles=["TASS"], EndDate="2020-07-31"), contract(StartDate="2020-09-01")]
    version_id = upload(client, swc, workforce([member(1), member(2, contracts=two_jobs)]), WORKFORCE_NAME)
    assert client.post(f"/returns/versions/{version_id}/submit").status_code == 303
    client.post("/sign-out")
    sign_in(la_user)
    listing = client.get(f"/returns-review/instances/{swc['id']}").get_data(as_text=True)
    assert ">Staff</th>" in listing and "Fenland Primary School" in listing
    report = client.get(f"/returns/versions/{version_id}").get_data(as_text=True)
    assert "(staff, contracts, findings, notes)" in report
    response = client.get(f"/returns-review/versions/{version_id}/export.zip")
    assert response.headers["Content-Disposition"] == "attachment; filename=8732001_SWC_v1.zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    assert sorted(archive.namelist()) == ["contracts.csv", "findings.csv", "notes.csv", "staff.csv"]

    def table(name):
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8").removeprefix("\ufeff"))))

    staff = table("staff.csv")
    assert [(s["position"], s["trn"], s["ni_number"], s["dob"]) for s in staff] == [
        ("1", "1000001", "AB100001C", "1985-06-15"), ("2", "1000002", "AB100002C", "1985-06-15")]
    contracts = table("contracts.csv")
    assert [(c["position"], c["contract"], c["post"], c["roles"], c["end_date"]) for c in contracts] == [
        ("1", "1", "TCH", "TCHR", ""), ("2", "1", "TAS", "TASS", "2020-07-31"), ("2", "2", "TCH", "TCHR", "")]
    assert list(table("findings.csv")) == [] and "trn_or_ni_number" in archive.read("findings.csv").decode()
    assert client.post(f"/returns-review/versions/{version_id}/authorise").status_code == 303
    assert returns.get_version(db, version_id)["status"] == "authorised"


def test_the_workforce_migration_keeps_every_row_and_foreign_key(tmp_path):
    """A database from before migration returns:0002_workforce, holding a census version: its rows are all
    kept, foreign keys hold and are enforced again, and a workforce version can then be stored."""
    audit_key.use_key_file(tmp_path / "old.db", tmp_path / "audit_key")  # as create_app does for its database
    db = connect(tmp_path / "old.db")
    migrate_until(db, returns_migrations.migrations, "0002_workforce")
    assert "workforce" not in scalar(db, "SELECT sql FROM sqlite_master WHERE name = 'return_versions'")
    school = organisations.create_school(db, la_code="873", estab="2001", name="Fenland Primary School", urn=110001)
    census_version = make_version(db, school, None)
    counts = "SELECT (SELECT count(*) FROM return_versions), (SELECT count(*) FROM return_findings),"\
             " (SELECT count(*) FROM return_pupils), (SELECT count(*) FROM validation_jobs)"
    before = tuple(db.conn.execute(counts).fetchone())
    returns_migrations.migrations.apply(db)
    assert tuple(db.conn.execute(counts).fetchone()) == before and before[0] == 1
    assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert returns.get_version(db, census_version["id"])["kind"] == "census"
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db.conn.execute("INSERT INTO return_findings (version_id, rule, severity, scope, message)"
                        " VALUES (999, '1500', 'error', 'pupil', 'x')")
    records: list[dict] = []
    report = validate(io.BytesIO(workforce()), school="8732001", on_pupil=records.append)
    job = {"organisation_id": school["id"], "instance_id": None, "sha256": "a" * 64, "bytes_total": 10,
           "original_name": WORKFORCE_NAME, "created_by": None}
    version_id = returns.create_version(db, job=job, report=report, stored_path="uploads/aa/" + "a" * 62,
                                        pupils=records, actor=None)  # fmt: skip
    assert returns.get_version(db, version_id)["kind"] == "workforce"
    assert scalar(db, "SELECT count(*) FROM return_staff WHERE version_id = ?", (version_id,)) == 1
    db.conn.close()


def test_one_query_is_spoken_of_in_the_singular(db, signed_in, swc):
    """Not "Explain all 1 7105Q queries" / "This note explains all 1 7105Q query"."""
    version_id = upload(signed_in, swc, workforce(_with_a_query()), WORKFORCE_NAME)
    report = signed_in.get(f"/returns/versions/{version_id}").get_data(as_text=True)
    assert ">Explain<span class=\"govuk-visually-hidden\"> the 7105Q query</span></a>" in report
    assert "all 1" not in report
    page = signed_in.get(f"/returns/versions/{version_id}/explain", query_string={"rule": "7105Q"})
    html = page.get_data(as_text=True)
    assert "This note explains the only 7105Q query." in html and "Explain the 7105Q query</h1>" in html
    assert "all 1" not in html
