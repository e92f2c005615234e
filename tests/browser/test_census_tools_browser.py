"""The census tools in chromium: a school reads the school summary on a census report, opens ULN readiness and
issues new UPNs; every page accessible and CSP-clean."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from models import deadline_instances, services
from tests.browser.sessions import carry_session
from tests.conftest import set_today
from tests.deadlines.factories import instance_of
from tests.domain.validation.content_cases import fsm
from tests.domain.validation.xml_files import pupil
from tests.returns.factories import CENSUS_NAME, census


@pytest.fixture
def school_page(page, live_server, client, sign_in, make_user, school, db):
    set_today(dt.date(2026, 10, 5))
    deadline_instances.generate(db, 2026)
    instance_of(db, "SC-AUT")
    user = make_user(school, name="Sam Office", email="office@fenland.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    sign_in(user)
    assert client.get("/returns/").status_code == 200
    carry_session(client, page.context, live_server)
    return page


def test_school_summary_uln_readiness_and_new_upns(school_page, live_server, tmp_path, checked):
    page = school_page
    path = tmp_path / CENSUS_NAME
    path.write_bytes(census([pupil(1, FSMperiod=fsm()), pupil(2, NCyearActual="10", DOB="2011-11-15", YSSA="Yes",
                                                              PostCode=None)]))
    page.goto(live_server.url + "/returns/test-upload")
    page.set_input_files("input[type=file][name=file]", str(path))
    page.get_by_role("button", name="Upload and check the file").click()
    page.wait_for_url("**/returns/versions/*", timeout=15_000)
    expect(page.locator("#school-summary")).to_have_text("School summary")
    expect(page.locator("table", has_text="Free school meals on census day")).to_contain_text("50.0%")
    checked(page)

    page.get_by_role("link", name="ULN readiness").click()
    expect(page.locator("h1")).to_have_text("ULN readiness")
    expect(page.locator("tbody")).to_contain_text("RC010")
    checked(page)

    page.goto(live_server.url + "/returns/")
    page.get_by_role("link", name="Issue new UPNs").click()
    expect(page.locator("h1")).to_have_text("New UPNs")
    checked(page)
    page.get_by_label("How many new UPNs?").fill("0")
    page.get_by_role("button", name="Issue the UPNs").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a number from 1 to 100")
    checked(page)
    page.get_by_label("How many new UPNs?").fill("2")
    page.get_by_role("button", name="Issue the UPNs").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("2 new permanent UPNs issued")
    expect(page.locator("#new-upns tbody tr")).to_have_count(2)
    assert re.fullmatch(r"[A-Z]873200126001", page.locator("#new-upns tbody tr").first.locator("td").first.inner_text())
    checked(page)
