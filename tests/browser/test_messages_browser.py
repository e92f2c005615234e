"""Secure messages in chromium (issue 9 acceptance): the LA sends a templated message to the group "all
secondary schools" with an attachment, which each school downloads; both schools get an email with a link
only (real SMTP on loopback), see the unread count in the navigation, read and reply; the LA sees read
receipts, downloads and both replies; a school cannot see the other's reply. Every page accessible (axe) and
CSP-clean."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from background.jobs import messages as message_jobs
from background.jobs.runner import run_due
from models import organisations, services
from tests.conftest import link_in

CHRONOLOGY = b"%PDF-1.4\nChronology for the receiving school's designated safeguarding lead\n"


def _page_for(open_page, app, sign_in, user):
    """A browser page of its own, signed in as ``user`` (through the real sign-in steps, cookie handed over)."""
    client = app.test_client()
    assert sign_in(user, client=client).status_code == 200
    return open_page(client)


def test_la_group_message_read_receipts_and_private_replies(
    smtp_server, app, db, la, school, make_user, sign_in, open_page, live_app, live_server, checked
):
    north = organisations.create_school(db, la_code="873", estab="4001", name="North Secondary", phase="Secondary")
    south = organisations.create_school(db, la_code="873", estab="4002", name="South Academy", phase="Secondary",
                                        is_academy=1)  # fmt: skip
    people = {
        "la": make_user(la, name="Lee Anders", email="lee@873.example.gov.uk"),
        "north": make_user(north, name="Nia North", email="nia@north.example.sch.uk"),
        "south": make_user(south, name="Sol South", email="sol@south.example.sch.uk"),
        "primary": make_user(school, name="Pat Primary", email="pat@fenland.example.sch.uk"),
    }
    for person in people.values():
        services.set_services(db, person["id"], ["transfers"])
    pages = {key: _page_for(open_page, app, sign_in, people[key]) for key in ("la", "north", "south")}

    # The LA writes to all secondary schools from the child protection template.
    lee = pages["la"]
    lee.goto(live_server.url + "/messages/")
    checked(lee)
    lee.get_by_role("button", name="Message a group of schools").click()
    expect(lee.locator("h1")).to_have_text("Message a group of schools")
    lee.get_by_label("Start from a template").select_option(
        label="Child protection file transfer — please confirm receipt"
    )
    lee.get_by_role("button", name="Use template").click()
    expect(lee.get_by_label("Subject")).to_have_value("Child protection file transfer – please confirm receipt")
    expect(lee.get_by_label("Ask them to confirm receipt")).to_be_checked()
    checked(lee)
    lee.get_by_label("To", exact=True).select_option(label="All secondary schools (2 schools)")
    lee.get_by_label("Attach files (optional)").set_input_files(
        [{"name": "Chronology.pdf", "mimeType": "application/pdf", "buffer": CHRONOLOGY}]
    )
    lee.get_by_role("button", name="Send to every school in the group").click()
    expect(lee.locator("h1")).to_have_text("Child protection file transfer – please confirm receipt")
    expect(lee.locator("tbody tr")).to_have_count(2)
    checked(lee)

    # Each school is told by email: a link, nothing of what was written.
    [result] = run_due(live_app, only=message_jobs.DIGESTS)
    assert result.outcome == "ok"
    mails = {m["To"]: m for m in smtp_server.wait_for(2)}
    assert set(mails) == {people["north"]["email"], people["south"]["email"]}
    for mail in mails.values():
        assert "Child protection" not in mail.get_content()

    replies = {"north": "North Secondary: received, thanks.", "south": "South Academy: received, all complete."}
    for key in ("north", "south"):
        school_page = pages[key]
        school_page.goto(live_server.url + link_in(mails[people[key]["email"]].get_content(), "/messages/"))
        expect(
            school_page.locator(".govuk-service-navigation").get_by_role("link", name="Messages 1 unread")
        ).to_be_visible()
        checked(school_page)
        school_page.get_by_role("link", name="Child protection file transfer – please confirm receipt").click()
        expect(school_page.locator("h1")).to_have_text("Child protection file transfer – please confirm receipt")
        nav = school_page.locator(".govuk-service-navigation")
        expect(nav.get_by_role("link", name="Messages", exact=True)).to_be_visible()  # read on this very load
        checked(school_page)
        with school_page.expect_download() as download:
            school_page.get_by_role("link", name="Chronology.pdf").click()
        assert download.value.suggested_filename == "Chronology.pdf"
        with open(download.value.path(), "rb") as handle:
            assert handle.read() == CHRONOLOGY
        school_page.get_by_role("button", name="Confirm receipt").click()
        expect(school_page.locator(".govuk-notification-banner--success")).to_contain_text("Receipt confirmed")
        school_page.get_by_label("Your reply").fill(replies[key])
        school_page.get_by_role("button", name="Send reply").click()
        expect(school_page.locator(".govuk-notification-banner--success")).to_contain_text("Reply sent")
        expect(school_page.locator("main")).to_contain_text(replies[key])
        checked(school_page)

    # The LA sees both replies in its inbox, who read each message and when, and each confirmation.
    lee.goto(live_server.url + "/messages/")
    expect(lee.locator(".govuk-service-navigation").get_by_role("link", name="Messages 2 unread")).to_be_visible()
    checked(lee)
    lee.goto(live_server.url + "/messages/bulk")
    lee.get_by_role("link", name="Child protection file transfer – please confirm receipt").click()
    expect(lee.locator("tbody")).not_to_contain_text("Not read yet")
    expect(lee.locator("tbody")).to_contain_text("Confirmed")
    lee.get_by_role("link", name="North Secondary").click()
    expect(lee.locator(".gatehouse-receipts").first).to_contain_text(
        re.compile(r"Read by North Secondary:\s+Nia North \(")
    )
    expect(lee.locator("#receipt")).to_contain_text("North Secondary confirmed receipt: Nia North")
    expect(lee.locator(".gatehouse-downloads").first).to_contain_text(
        re.compile(r"Downloaded by\s+Nia North, North Secondary \(")
    )
    expect(lee.locator("main")).to_contain_text(replies["north"])
    expect(lee.locator("main")).not_to_contain_text(replies["south"])
    north_thread = lee.url
    checked(lee)

    # South Academy never sees North Secondary's conversation or its reply.
    south_page = pages["south"]
    south_page.goto(live_server.url + "/messages/")
    expect(south_page.locator("main")).not_to_contain_text("North Secondary")
    response = south_page.goto(north_thread)
    assert response.status == 404
    expect(south_page.locator("main")).not_to_contain_text(replies["north"])
    checked(south_page)
    for page in pages.values():
        page.context.close()
