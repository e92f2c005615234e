"""The LA's "Check test uploads too": detection for a census with each school's newer test upload of a census file
in place of its deadline version, shown as a one-off report that never touches the stored cases."""

from __future__ import annotations

import pytest

from models import duplicates, organisations
from models.db import rows, scalar
from tests.conftest import audit_events
from tests.duplicates.factories import load, own, shared
from tests.returns.factories import make_version


def _stored(db) -> tuple[list[dict], list[dict], list[dict]]:
    """Everything detection stores: the keys, the cases and their members."""
    return (
        rows(db, "SELECT * FROM duplicate_pupils ORDER BY id"),
        rows(db, "SELECT * FROM duplicate_cases ORDER BY id"),
        rows(db, "SELECT * FROM duplicate_case_members ORDER BY id"),
    )


@pytest.fixture
def world(db, sc_aut, school, other_school, third_school, school_user, other_school_user):
    """Fenland and Third Street have deadline versions sharing pupil 5 (a real case); Ouse Valley has only a test
    upload, with pupil 1 whom Fenland also has (single registration at both)."""
    fenland = load(db, school, sc_aut, [shared(1), own(2), shared(5, Surname="Real")])
    load(db, third_school, sc_aut, [shared(5, Surname="Real"), own(6)])
    ouse_test = make_version(db, other_school, other_school_user, pupils=[shared(1), own(3)])
    return {"fenland": fenland, "ouse_test": ouse_test}


def test_a_test_upload_conflicts_with_a_deadline_version_in_the_report_only(db, sign_in, client_request, la_user,
                                                                            world, sc_aut):  # fmt: skip
    before = _stored(db)
    assert len(before[1]) == 1  # only the real case between Fenland and Third Street
    sign_in(la_user)
    listing = client_request.get("duplicates.index", instance=str(sc_aut["id"]))
    assert listing.xpath(f"//form[@action='/duplicates/instances/{sc_aut['id']}/test-uploads']//button")
    page = client_request.post("duplicates.test_uploads", instance_id=sc_aut["id"], _data={}, _expected_status=200)
    assert page.h1 == "Duplicates if test uploads counted"
    assert "not stored: these are not cases" in page.texts("//*[@id='test-uploads-notice']")[0]
    summary = " ".join(page.texts("//*[@id='test-uploads-summary']")[0].split())
    assert "Checked 3 schools: 1 with a newer test upload. Found 2 duplicates, 1 involving a test upload." in summary
    used = page.texts("//table[@id='test-uploads-used']/tbody/tr")
    assert len(used) == 1 and "Ouse Valley" in used[0] and "Nothing: no version for this census yet" in used[0]
    first, second = (" ".join(t.split()) for t in page.texts("//*[starts-with(@id, 'test-case-')]"))
    # the test upload's case comes first, saying which upload each record came from, and is not a case yet
    assert "Involves a test upload" in first and "Not a case yet." in first
    assert "Ouse Valley" in first and "Test upload, checked" in first
    assert "Fenland" in first and "Version 1 for this census" in first
    assert "Olivia Shared: Same UPN" in first and "Two schools record the pupil as a single registration (C)" in first
    # the real case is found the same way and linked
    case_id = before[1][0]["id"]
    assert "Deadline versions only" in second and f"Already case {case_id}" in second
    assert page.xpath(f"//a[@href='/duplicates/cases/{case_id}']")
    # nothing stored changed, the scratch table is gone, and the run is audited
    assert _stored(db) == before
    assert scalar(db, "SELECT count(*) FROM sqlite_temp_master WHERE name = 'duplicate_trial_pupils'") == 0
    [event] = audit_events(db, "duplicates_test_uploads_checked")
    assert event["target"] == f"instance:{sc_aut['id']}" and event["actor_id"] == la_user["id"]
    assert event["detail"] == {"test_uploads": 1, "cases": 2, "with_test_upload": 1}
    # the LA's list still shows only the real case
    assert len(client_request.get("duplicates.index", instance=str(sc_aut["id"])).xpath("//tbody/tr")) == 1


def test_only_newer_test_uploads_of_this_census_count(db, world, sc_aut, school, other_school, third_school,
                                                      school_user, la_user):  # fmt: skip
    # Fenland's test upload is newer than its version 1: it counts, without pupil 1 (so no conflict with Ouse)
    make_version(db, school, school_user, pupils=[own(2), shared(5, Surname="Real")])
    # Third Street's test uploads are of the spring census, not this one
    make_version(db, third_school, None, pupils=[shared(1)], header={"Term": "SPR", "Year": "2027"})
    # and this one is of last year's autumn census
    make_version(db, third_school, None, pupils=[shared(1)], header={"Year": "2025", "ReferenceDate": "2025-10-02"})
    report = duplicates.check_test_uploads(db, sc_aut["id"], la_user, la_code="873")
    assert [u["school_name"] for u in report["test_uploads"]] == ["Fenland Primary School", "Ouse Valley Academy"]
    fenland_use = next(u for u in report["test_uploads"] if u["organisation_id"] == school["id"])
    assert fenland_use["deadline_version"] == 1
    assert [c["uses_test_upload"] for c in report["cases"]] == [True]  # Fenland's test upload and Third Street's v1
    assert {m["organisation_id"] for m in report["cases"][0]["members"]} == {school["id"], third_school["id"]}
    # a newer deadline version makes Fenland's test upload older: it no longer counts
    load(db, school, sc_aut, [own(2)])
    again = duplicates.check_test_uploads(db, sc_aut["id"], la_user, la_code="873")
    assert [u["organisation_id"] for u in again["test_uploads"]] == [other_school["id"]]
    assert again["cases"] == []


def test_schools_cannot_run_it_and_a_census_is_needed(db, app, sign_in, client_request, world, sc_aut, school_user,
                                                        la_user):  # fmt: skip
    school_client = app.test_client()
    sign_in(school_user, client=school_client)
    as_school = client_request.using(school_client)
    as_school.get("duplicates.test_uploads", instance_id=sc_aut["id"], _expected_status=403)
    as_school.post("duplicates.test_uploads", instance_id=sc_aut["id"], _data={}, _expected_status=403)
    sign_in(la_user)
    explained = client_request.get("duplicates.test_uploads", instance_id=sc_aut["id"])
    assert explained.xpath("//form//button") and audit_events(db, "duplicates_test_uploads_checked") == []
    not_census = scalar(db, "SELECT i.id FROM deadline_instances i JOIN return_catalogue c ON c.id = i.catalogue_id"
                            " WHERE c.code = 'SWC'")  # fmt: skip
    client_request.post("duplicates.test_uploads", instance_id=not_census, _data={}, _expected_status=404)


def test_an_la_sees_only_its_schools_test_uploads_and_cases(db, world, sc_aut, school, la_user):
    organisations.ensure_la(db, "874", "Peterborough")
    elsewhere = organisations.create_school(db, la_code="874", estab="2001", name="Peterborough School", urn=120001)
    make_version(db, elsewhere, None, pupils=[own(40)])  # a test upload sharing nobody
    mine = duplicates.check_test_uploads(db, sc_aut["id"], la_user, la_code="873")
    assert [u["school_name"] for u in mine["test_uploads"]] == ["Ouse Valley Academy"] and len(mine["cases"]) == 2
    theirs = duplicates.check_test_uploads(db, sc_aut["id"], la_user, la_code="874")
    assert [u["school_name"] for u in theirs["test_uploads"]] == ["Peterborough School"] and theirs["cases"] == []
    everyone = duplicates.check_test_uploads(db, sc_aut["id"], la_user)  # a site admin
    assert len(everyone["test_uploads"]) == 2 and everyone["schools"] == 4
