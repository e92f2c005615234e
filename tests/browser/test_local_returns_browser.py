"""Local returns in chromium (issue 13's scenario): the LA designs a pupil-list return with a drop-down column
and publishes it; a school downloads its spreadsheet, which a test fills in with openpyxl (one choice not in
the list), uploads it, sees the finding, corrects it on the web and submits; the LA downloads the combined CSV
with the school's answers. Every page accessible and CSP-clean."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect

from models import deadline_instances, deadline_statuses, local_returns, services
from tests.conftest import set_today
from tests.local_returns.factories import designed, meals, year_11_census
from tests.local_returns.spreadsheets import fill

# As in test_returns_browser.py: GOV.UK's enhanced file upload names its button by the label and the button
# (alphagov/govuk-frontend#5652); axe's label-content-name-mismatch does not follow that. Off on upload pages.
FILE_UPLOAD_RULES = ("label-content-name-mismatch",)
DESTINATIONS = ["Sixth form", "FE college", "Apprenticeship", "Employment with training", "Not known"]


def _browser_of(open_page, app, sign_in, user):
    """A new browser page signed in as ``user`` (through the real forms, on a test client of its own)."""
    client = app.test_client()
    sign_in(user, client=client)
    return open_page(client, accept_downloads=True)


@pytest.fixture
def world(live_app, db, la, school, make_user):
    set_today(dt.date(2026, 12, 7))
    deadline_instances.generate(db, 2026)
    la_user = make_user(la, name="Dana Data", email="data.team@873.example.gov.uk")
    services.set_services(db, la_user["id"], ["local_returns"])
    office = make_user(school, name="Olive Office", email="office@fenland.example.sch.uk")
    services.set_services(db, office["id"], ["local_returns", "deadlines"])
    pupils = year_11_census(db, school, office, count=3)
    return {"la_user": la_user, "office": office, "pupils": pupils}


def test_design_download_fill_upload_correct_submit_and_export(open_page, live_app, live_server, sign_in, db, school,
                                                                world, checked, tmp_path):  # fmt: skip
    la_page = _browser_of(open_page, live_app, sign_in, world["la_user"])
    la_page.goto(live_server.url + "/local-returns/")
    checked(la_page)
    la_page.get_by_role("link", name="Design a new return").click()
    checked(la_page)
    la_page.get_by_label("Which return in the catalogue does it collect?").select_option(
        label="Year 11 intended destinations (Y11-DEST)")
    la_page.get_by_label("Title").fill("Year 11 intended destinations")
    la_page.get_by_label("Why the LA needs it").fill("To meet the LA's duty to track young people's participation.")
    la_page.get_by_label("A pupil list (one row per pupil)").check()
    la_page.get_by_label("Year 11", exact=True).check()
    la_page.get_by_role("button", name="Create the return").click()
    expect(la_page.locator("h1")).to_have_text("Year 11 intended destinations")
    checked(la_page)
    la_page.get_by_role("link", name="Add a question").click()
    la_page.get_by_label("Question (the column heading)").fill("Intended destination")
    la_page.get_by_label("One choice from a list").check()
    la_page.get_by_label("Schools must answer it").check()
    la_page.get_by_label("Choices, one a line").fill("\n".join(DESTINATIONS))
    checked(la_page)
    la_page.get_by_role("button", name="Save question").click()
    expect(la_page.locator("#questions + table")).to_contain_text("One choice from a list")
    la_page.get_by_role("button", name="Publish version 1").click()
    expect(la_page.locator(".govuk-notification-banner--success")).to_contain_text("Version 1 published")
    checked(la_page)

    page = _browser_of(open_page, live_app, sign_in, world["office"])
    page.goto(live_server.url + "/local-returns/")
    checked(page)
    page.get_by_role("link", name=re.compile(r"^Year 11 intended destinations")).click()
    expect(page.locator("h1")).to_have_text("Year 11 intended destinations")
    checked(page, rules_off=FILE_UPLOAD_RULES)
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the spreadsheet")).click()
    download = info.value
    assert download.suggested_filename.startswith("8732001_Fenland_Primary_School_Year_11_intended_destinations")
    heading = "Intended destination (required)"
    with open(download.path(), "rb") as saved:
        content = saved.read()
    filled = fill(content, {2: {heading: "FE college"}, 3: {heading: "Space academy"}, 4: {heading: "Apprenticeship"}})
    path = tmp_path / download.suggested_filename
    path.write_bytes(filled)
    page.set_input_files("input[type=file][name=file]", str(path))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#findings")).to_contain_text("Space academy")
    expect(page.locator("#findings")).to_contain_text("Must be one of the choices in the list")
    checked(page, rules_off=FILE_UPLOAD_RULES)

    page.get_by_role("link", name=re.compile("Correct it")).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Must be one of the choices in the list")
    checked(page)
    second = world["pupils"][1]
    page.get_by_label(f"Intended destination for {second['Forename']} {second['Surname']}").select_option("Not known")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your answers are saved")
    page.get_by_role("link", name="Check and submit").click()
    checked(page)
    page.get_by_role("button", name="Submit to the LA").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("submitted. Thank you.")
    checked(page)
    instance = local_returns.for_school(db, school, start=dt.date(2026, 9, 1), end=dt.date(2027, 8, 31))[0]
    assert deadline_statuses.status_for(db, school["id"], instance["id"])["key"] == "submitted"

    made = local_returns.list_for_la(db, "873")[0]
    la_page.goto(live_server.url + f"/local-returns/{made['id']}/periods/{instance['id']}")
    expect(la_page.locator("h1")).to_have_text("2026/27")
    checked(la_page)
    with la_page.expect_download() as info:
        la_page.get_by_role("link", name="Download every school's answers (CSV)").click()
    with open(info.value.path(), encoding="utf-8-sig") as saved:
        text = saved.read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["DfE number"], r["UPN"], r["Intended destination"]) for r in rows] == [
        ("8732001", p["UPN"], answer) for p, answer in zip(world["pupils"], ["FE college", "Not known",
                                                                             "Apprenticeship"], strict=True)]


def test_questions_moved_then_a_submission_returned_for_changes_and_resubmitted(
    open_page, live_app, live_server, sign_in, db, school, world, checked
):
    made = designed(db, "MEALS", meals(), world["la_user"], publish=False)
    la_page = _browser_of(open_page, live_app, sign_in, world["la_user"])
    la_page.goto(live_server.url + f"/local-returns/{made['id']}")
    checked(la_page)
    la_page.get_by_role("button", name="Move up Total meals").click()
    expect(la_page.locator(".govuk-notification-banner--success")).to_contain_text("Question 'Total meals' moved up")
    expect(la_page.locator("#questions + table tbody tr th").first).to_have_text("Free school meals")
    expect(la_page.locator("#questions + table tbody tr th").nth(1)).to_have_text("Total meals")
    checked(la_page)
    la_page.get_by_role("button", name="Publish version 1").click()
    expect(la_page.get_by_role("button", name=re.compile("^Move"))).to_have_count(0)

    instance = deadline_instances.find_instance(db, code="MEALS", organisation_id=school["id"])
    submission = local_returns.start(db, local_returns.get(db, made["id"]), instance, school, world["office"])
    local_returns.save_answers(db, submission, {0: {"free": "10", "paid": "20", "total": "30"}}, world["office"])
    local_returns.submit(db, local_returns.get_submission(db, submission["id"]), world["office"])

    la_page.goto(live_server.url + f"/local-returns/submissions/{submission['id']}")
    checked(la_page)
    la_page.get_by_role("link", name="Return for changes").click()
    expect(la_page.locator("h1")).to_have_text("Return to Fenland Primary School for changes")
    la_page.get_by_role("button", name="Return for changes").click()
    expect(la_page.locator(".govuk-error-summary")).to_contain_text("Say what the school needs to change")
    checked(la_page)
    la_page.get_by_label("What does the school need to change?").fill(
        "Free meals look too low: check the Wednesday count.")
    la_page.get_by_role("button", name="Return for changes").click()
    expect(la_page.locator(".govuk-notification-banner--success")).to_contain_text("returned for changes")
    expect(la_page.locator(".govuk-summary-list").first).to_contain_text("Returned for changes")
    checked(la_page)

    page = _browser_of(open_page, live_app, sign_in, world["office"])
    page.goto(live_server.url + f"/local-returns/due/{instance['id']}")
    banner = page.locator(".govuk-notification-banner", has_text="The LA has returned your answers for changes")
    expect(banner).to_contain_text("Free meals look too low: check the Wednesday count.")
    checked(page, rules_off=FILE_UPLOAD_RULES)
    page.get_by_role("link", name="Answer the questions").click()
    expect(page.locator("input[name^='r0-']").nth(1)).to_have_attribute("name", "r0-total")
    page.get_by_label("Free school meals").fill("12")
    page.get_by_label("Total meals").fill("32")
    checked(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your answers are saved")
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_role("button", name="Submit to the LA").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("submitted. Thank you.")
    checked(page)
    assert deadline_statuses.status_for(db, school["id"], instance["id"])["key"] == "submitted"
    assert local_returns.rows_of(db, submission["id"])[0]["answers"]["free"] == "12"
