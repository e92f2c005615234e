"""Returns in chromium: a school uploads a census return (drag-and-drop file upload component),
sees the progress bar while the file waits for a worker, reads the report, explains the query and
submits; every page accessible and CSP-clean. The same upload without JavaScript. And a school uploads
its School Workforce Census return, reads the findings about its staff, explains the query and submits."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from background.validation_pool import pool
from models import deadline_statuses, returns, services
from tests.browser.sessions import carry_session, same_user_without_javascript
from tests.domain.validation.xml_files import member
from tests.returns.factories import CENSUS_NAME, WORKFORCE_NAME, census, twins, workforce

# GOV.UK Frontend's enhanced file upload names its button by the label AND the button itself
# (aria-labelledby="file-label file-comma file", alphagov/govuk-frontend#5652, tested by GOV.UK with
# NVDA, JAWS and VoiceOver); axe's label-content-name-mismatch check does not follow that. Off for
# the upload page only; every other rule runs there.
FILE_UPLOAD_RULES = ("label-content-name-mismatch",)


@pytest.fixture
def live_app_config(live_app_config):
    live_app_config["VALIDATION_WORKERS"] = 1  # one worker thread, which the test can keep busy
    return live_app_config


@pytest.fixture
def census_file(tmp_path):
    path = tmp_path / CENSUS_NAME
    path.write_bytes(census(twins()))  # two pupils alike: query 1620Q on each, no errors
    return path


def _signed_in(page, live_server, client, sign_in, make_user, school, db):
    """``page`` signed in as a Returns user of ``school`` (once the clock is set: a session has an age)."""
    user = make_user(school, name="Sam Office", email="office@fenland.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    sign_in(user)
    assert client.get("/returns/").status_code == 200
    carry_session(client, page.context, live_server)
    return page


@pytest.fixture
def school_page(page, live_server, client, sign_in, make_user, school, db, sc_aut):
    return _signed_in(page, live_server, client, sign_in, make_user, school, db)


@pytest.fixture
def workforce_page(page, live_server, client, sign_in, make_user, school, db, swc):
    return _signed_in(page, live_server, client, sign_in, make_user, school, db)


def _explain(page, checked, link: str, heading: str, note: str) -> None:
    """Follow the report's ``link`` to its explain page (``heading``), save ``note`` and see it saved."""
    page.get_by_role("link", name=link).click()
    expect(page.locator("h1")).to_have_text(heading)
    checked(page)
    page.get_by_label("Explain why the data is correct").fill(note)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Note saved.")
    checked(page)


def test_upload_progress_report_explain_and_submit(school_page, live_app, live_server, census_file, sc_aut, db,
                                                   school, checked):
    page = school_page
    page.goto(live_server.url + "/returns/")
    checked(page)
    page.get_by_role("link", name=re.compile(r"^Upload a file\s*: School Census \(autumn\)")).click()
    expect(page.locator("h1")).to_contain_text("Upload: School Census (autumn)")
    expect(page.locator(".govuk-file-upload-wrapper")).to_be_visible()  # the drag-and-drop enhancement ran
    checked(page, rules_off=FILE_UPLOAD_RULES)

    release = threading.Event()
    pool.get_pool(live_app).executor.submit(release.wait, 30)  # the only worker is busy: the job waits
    try:
        page.set_input_files("input[type=file][name=file]", str(census_file))
        page.get_by_role("button", name="Upload and check the file").click()
        page.wait_for_url("**/returns/jobs/*")
        expect(page.locator("progress#job-progress-bar")).to_be_visible()
        expect(page.locator("h1")).to_have_text("Checking your file")
        checked(page)
    finally:
        release.set()
    page.wait_for_url("**/returns/versions/*", timeout=15_000)  # htmx polled, got 286 + HX-Redirect
    expect(page.locator("h1")).to_have_text("Version 1: report")
    expect(page.locator("#findings-results")).to_contain_text("Showing 1 to 2 of 2 findings.")
    checked(page)

    page.select_option("#severity", "query")  # the filter form, swapped by htmx
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**severity=query**")
    expect(page.locator("#findings-results")).to_contain_text("matching the filters")

    _explain(page, checked, "Explain all 2 1620Q queries", "Explain every 1620Q query",
             "Twins: two children with the same name and birthday.")

    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator("h1")).to_have_text("Submit School Census (autumn) (2026/27)")
    checked(page)
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Return submitted")
    checked(page)

    [version] = returns.versions_of(db, returns.find_return(db, school["id"], sc_aut["id"])["id"])
    assert version["status"] == "submitted"
    assert deadline_statuses.status_for(db, school["id"], sc_aut["id"])["key"] == "submitted"


def test_upload_works_without_javascript(browser, school_page, live_server, census_file):
    with same_user_without_javascript(browser, school_page) as page:
        page.goto(live_server.url + "/returns/test-upload")
        page.set_input_files("input[type=file][name=file]", str(census_file))
        page.get_by_role("button", name="Upload and check the file").click()
        page.wait_for_url("**/returns/versions/*")  # checked within the upload request's short wait
        assert re.fullmatch(r"Test upload of .+ at \d{1,2}:\d\d[ap]m: report", page.locator("h1").inner_text())
        page.select_option("#rule", "1620Q")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**rule=1620Q**")
        assert "Showing 1 to 2 of 2 findings matching the filters." in page.locator("#findings-results").inner_text()


def test_a_school_uploads_its_workforce_census_sees_the_findings_and_submits(workforce_page, live_server, tmp_path,
                                                                            swc, db, school, checked):
    path = tmp_path / WORKFORCE_NAME
    path.write_bytes(workforce([member(1), member(2), member(3, TeacherNumber=None)]))  # a teacher with no TRN
    page = workforce_page
    page.goto(live_server.url + "/returns/")
    checked(page)
    page.get_by_role("link", name=re.compile(r"^Upload a file\s*: School Workforce Census")).click()
    expect(page.locator("h1")).to_contain_text("Upload: School Workforce Census")
    expect(page.locator(".govuk-file-upload-wrapper")).to_be_visible()
    checked(page, rules_off=FILE_UPLOAD_RULES)

    page.set_input_files("input[type=file][name=file]", str(path))
    page.get_by_role("button", name="Upload and check the file").click()
    page.wait_for_url("**/returns/versions/*", timeout=15_000)
    expect(page.locator("h1")).to_have_text("Version 1: report")
    expect(page.locator(".govuk-summary-list")).to_contain_text("School Workforce Census return")
    expect(page.get_by_role("table", name="Staff by post and sex")).to_contain_text("TCH")
    results = page.locator("#findings-results")
    expect(results).to_contain_text("Showing 1 to 1 of 1 finding.")
    expect(results.get_by_role("columnheader", name="TRN or NI number")).to_be_visible()
    expect(results).to_contain_text("AB100003C")
    expect(results).to_contain_text("holds a teaching post (TCH) but has no teacher reference number")
    checked(page)

    _explain(page, checked, "Explain the 7105Q query", "Explain the 7105Q query",
             "Newly qualified abroad: her TRN is on its way.")

    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^Submit School Workforce Census"))
    expect(page.locator(".govuk-summary-list")).to_contain_text("Staff")
    checked(page)
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Return submitted")
    checked(page)

    [version] = returns.versions_of(db, returns.find_return(db, school["id"], swc["id"])["id"])
    assert (version["kind"], version["status"], version["pupils"]) == ("workforce", "submitted", 3)
    assert deadline_statuses.status_for(db, school["id"], swc["id"])["key"] == "submitted"
