"""Duplicate pupils in chromium: two schools upload census returns that both have the same pupil; the LA opens the
case, messages both schools (real emails through SMTP on loopback), one school uploads a corrected return and the
case closes itself. The other school sees its own case with only the minimal view of the other school. Every page
is axe- and CSP-checked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from models import services
from tests.conftest import sign_in_through_forms
from tests.domain.validation.xml_files import pupil
from tests.returns.factories import census

SHARED = pupil(1, Surname="Shared", Forename="Amelia", EntryDate="2024-09-03")


@pytest.fixture
def mail_server(smtp_server, live_server):
    """The SMTP sink, with the live app sending to it and linking back to the live server."""
    live_server.app.config.update(
        SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none", BASE_URL=live_server.url
    )
    return smtp_server


@pytest.fixture
def pages(app, db, open_page, make_user, la, school, other_school, sc_aut):
    """A signed-in browser page for a Returns user at each school and at the LA (each in its own context)."""
    people = {
        "first": make_user(school, name="Sam Office", email="office@fenland.example.sch.uk"),
        "second": make_user(other_school, name="Olly Other", email="office@ouse.example.sch.uk"),
        "la": make_user(la, name="Lee Data", email="lee.data@873.example.gov.uk"),
    }
    out = {}
    for key, person in people.items():
        services.set_services(db, person["id"], ["returns"])
        client = app.test_client()
        sign_in_through_forms(client, db, person)
        out[key] = open_page(client)
    return out


def _upload(page, live_server, sc_aut, tmp_path, estab: str, pupils: list[dict]) -> None:
    """Upload a census return for the autumn census through the form and wait for its report."""
    path = tmp_path / f"873{estab}_SC3_873LL26_00{len(list(tmp_path.iterdir())) + 1}.XML"
    path.write_bytes(census(pupils, Estab=estab))
    page.goto(f"{live_server.url}/returns/upload/{sc_aut['id']}")
    page.set_input_files("input[type=file][name=file]", str(path))
    page.get_by_role("button", name="Upload and check the file").click()
    page.wait_for_url("**/returns/versions/*", timeout=15_000)
    expect(page.locator("h1")).to_contain_text("report")


def test_two_schools_upload_the_la_messages_both_and_a_corrected_upload_closes_the_case(
    pages, live_server, mail_server, sc_aut, tmp_path, checked
):
    first, second, la = pages["first"], pages["second"], pages["la"]
    _upload(first, live_server, sc_aut, tmp_path, "2001", [SHARED, pupil(2, Surname="Able")])
    _upload(second, live_server, sc_aut, tmp_path, "2002", [SHARED, pupil(3, Surname="Baker")])

    la.goto(live_server.url + "/")
    expect(la.locator("#waiting")).to_contain_text("1 duplicate pupil case open")
    la.get_by_role("link", name="1 duplicate pupil case open").click()
    expect(la.locator("h1")).to_have_text("Duplicate pupils")
    expect(la.locator("#case-counts")).to_contain_text("1 open")
    checked(la)
    la.get_by_role("link", name=re.compile(r"^Amelia Shared")).click()
    expect(la.locator("h1")).to_have_text("Amelia Shared")
    expect(la.locator(".govuk-summary-list")).to_contain_text("Two schools record the pupil as a single registration")
    expect(la.locator(".govuk-summary-list")).to_contain_text("Yes: on both rolls on census day")
    checked(la)

    la.get_by_role("link", name="Message both schools").click()
    expect(la.locator("h1")).to_have_text("Message both schools")
    expect(la.get_by_label("Message")).to_contain_text("Ouse Valley Academy")
    checked(la)
    la.get_by_role("button", name="Send to both schools").click()
    expect(la.locator(".govuk-notification-banner--success")).to_contain_text(
        "Message sent to 2 schools in Messages; 2 who use Returns but not Messages were emailed a link to the case")
    expect(la.locator(".govuk-summary-list")).to_contain_text("Schools contacted")
    checked(la)
    mails = mail_server.wait_for(2)
    assert sorted(m["To"] for m in mails) == ["office@fenland.example.sch.uk", "office@ouse.example.sch.uk"]
    body = mails[0].get_content()
    assert "Amelia Shared" not in body and "/duplicates/cases/" in body  # a link, never the pupil, by email
    case_url = re.search(r"http://\S+/duplicates/cases/\d+", body).group(0)

    first.goto(live_server.url + "/duplicates/")
    expect(first.locator("tbody")).to_contain_text("Amelia Shared")
    checked(first)
    first.goto(case_url)  # the link in the email, as the first school follows it
    expect(first.locator("h1")).to_have_text("Amelia Shared")
    expect(first.locator("table")).to_contain_text("Ouse Valley Academy")
    expect(first.locator("main")).not_to_contain_text("Baker")  # nothing else of the other school's return
    expect(first.locator("#case-history")).to_contain_text("Please check your records")  # the LA's message
    checked(first)

    _upload(second, live_server, sc_aut, tmp_path, "2002", [pupil(3, Surname="Baker")])  # corrected
    la.goto(case_url)
    expect(la.locator(".govuk-summary-list")).to_contain_text("Resolved")
    expect(la.locator(".govuk-summary-list")).to_contain_text(
        "Resolved by upload: Ouse Valley Academy's version 2 no longer has this conflict."
    )
    expect(la.locator("#case-history")).to_contain_text("Resolved by upload")
    checked(la)
    la.goto(live_server.url + "/duplicates/")
    expect(la.locator("#case-counts")).to_contain_text("0 open, 0 schools contacted, 1 resolved")
    la.get_by_role("link", name="Set the date the census database closes").click()
    checked(la)
    la.get_by_label("Day").fill("15")
    la.get_by_label("Month").fill("10")
    la.get_by_label("Year").fill("2026")
    la.get_by_role("button", name="Save date").click()
    expect(la.locator("#closure-countdown")).to_contain_text("10 days until the DfE closes the School Census")
    checked(la)


def test_the_la_checks_a_schools_test_upload_against_anothers_deadline_version(
    pages, live_server, sc_aut, tmp_path, checked
):
    first, second, la = pages["first"], pages["second"], pages["la"]
    _upload(first, live_server, sc_aut, tmp_path, "2001", [SHARED, pupil(2, Surname="Able")])
    path = tmp_path / "8732002_SC3_873LL26_001.XML"  # Ouse Valley only tries its file as a test upload
    path.write_bytes(census([SHARED, pupil(3, Surname="Baker")], Estab="2002"))
    second.goto(f"{live_server.url}/returns/test-upload")
    second.set_input_files("input[type=file][name=file]", str(path))
    second.get_by_role("button", name="Upload and check the file").click()
    second.wait_for_url("**/returns/versions/*", timeout=15_000)

    la.goto(live_server.url + "/duplicates/")
    expect(la.locator("#duplicate-cases")).to_contain_text("No cases match these filters.")
    la.get_by_role("button", name="Check test uploads too").click()
    expect(la.locator("h1")).to_have_text("Duplicates if test uploads counted")
    expect(la.locator("#test-uploads-used")).to_contain_text("Ouse Valley Academy")
    expect(la.locator("#test-case-1")).to_contain_text("Involves a test upload")
    expect(la.locator("#test-case-1")).to_contain_text("Version 1 for this census")
    checked(la)
    la.get_by_role("link", name="Duplicate pupils").first.click()
    expect(la.locator("#duplicate-cases")).to_contain_text("No cases match these filters.")
