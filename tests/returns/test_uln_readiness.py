"""ULN readiness of a census version (issue 12 item 7): the page and CSV list pupils aged 14+ or in Year 9+ with no
ULN, each with the LRS exceptions it would raise; pupils who are ready say so; only census versions have one."""

from __future__ import annotations

from tests.domain.validation.xml_files import pupil
from tests.returns.factories import make_version


def _version(db, school, user):
    return make_version(db, school, user, pupils=[
        pupil(1, Surname="Ready", NCyearActual="10", DOB="2011-05-04"),
        pupil(2, Surname="Nopost", NCyearActual="11", DOB="2010-03-03", PostCode=None, AddressLine1=None,
              AddressLine2=None),
        pupil(3, Surname="Young"),  # Year 7, 11: needs no ULN yet
        pupil(4, Surname="Has", NCyearActual="10", DOB="2011-06-06", UniqueLearnerNumber="1234567899"),
    ])  # fmt: skip


def test_the_page_lists_who_needs_a_uln_flagged_first(client_request, sign_in, db, school, school_user):
    version = _version(db, school, school_user)
    sign_in(school_user)
    report = client_request.get("returns.report", version_id=version["id"])
    assert report.xpath(f"//a[@href='/returns/versions/{version['id']}/uln-readiness']")
    page = client_request.get("returns.uln_readiness_page", version_id=version["id"])
    assert page.h1 == "ULN readiness"
    rows = page.xpath("//table/tbody/tr")
    assert [r.xpath("string(th)").split()[1] for r in rows] == ["Nopost", "Ready"]
    assert "RC010 No postcode: Record the pupil's home postcode." in page.texts("//table//li")
    assert page.texts("//table//strong[contains(@class, 'govuk-tag--green')]") == ["Ready"]
    assert "2 pupils in this file have none: 1 would come back from the LRS as an exception, 1 is ready" in " ".join(
        page.texts("//p"))


def test_the_csv_has_every_pupil_listed(client_request, sign_in, db, school, school_user):
    version = _version(db, school, school_user)
    sign_in(school_user)
    response = client_request.get_response("returns.uln_readiness_csv", version_id=version["id"])
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "UPN,Surname,Forename,Date of birth,Year group,Postcode,Ready,LRS exceptions,What to fix"
    assert [line.split(",")[1] for line in lines[1:]] == ["Nopost", "Ready"]
    assert lines[1].split(",")[6:8] == ["no", "RC010"] and lines[2].split(",")[6] == "yes"


def test_the_la_sees_it_too(client_request, sign_in, db, school, school_user, la_user):
    version = _version(db, school, school_user)
    sign_in(la_user)
    client_request.get("returns.uln_readiness_page", version_id=version["id"])
