"""Transfers in chromium (issue 9's acceptance): school A sends a CTF to school B; B's user gets the email
(real SMTP on loopback), sees the unread count, downloads; A sees who downloaded it and when. A lost-pupil CTF
lands in the LA's store, is found by UPN and released to school C. Every page accessible and CSP-clean; the send
form also works without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from models import organisations
from models.db import one
from tests.browser.sessions import same_user_without_javascript
from tests.conftest import link_in, set_today
from tests.transfers.factories import TODAY, ctf, lost_pupil, transfers_user

# The enhanced file upload component's button name (see test_returns_browser.FILE_UPLOAD_RULES).
FILE_UPLOAD_RULES = ("label-content-name-mismatch",)


@pytest.fixture
def mail(smtp_server, live_app):
    """The loopback SMTP server, with the live server's app sending to it too."""
    live_app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none")
    return smtp_server


@pytest.fixture
def people_pages(app, sign_in, open_page):
    """``open_as(user)``: a page in a new browser context signed in as ``user`` (through the real sign-in pages on a
    test client of its own); every context closed afterwards."""

    def open_as(user):
        set_today(TODAY)
        client = app.test_client()
        assert sign_in(user, client=client).status_code == 200
        return open_page(client)

    return open_as


def _write(tmp_path, source, dest, pupils=None):
    stream, name = ctf(source, dest, pupils)
    path = tmp_path / name
    path.write_bytes(stream.getvalue())
    return path


def test_school_to_school_then_lost_pupil_released(live_server, db, mail, make_user, school, other_school, la,
                                                   tmp_path, checked, people_pages):
    set_today(TODAY)
    third = organisations.create_school(db, la_code="873", estab="2003", name="Cam Valley School")
    a_user = transfers_user(make_user, school, db, email="office@fenland.example.sch.uk", name="Fen Office")
    b_user = transfers_user(make_user, other_school, db, email="office@ouse.example.sch.uk", name="Ouse Office")
    c_user = transfers_user(make_user, third, db, email="office@cam.example.sch.uk", name="Cam Office")
    la_user = transfers_user(make_user, la, db, email="data@cambs.example.gov.uk", name="LA Data")

    # School A sends a CTF to school B.
    a = people_pages(a_user)
    a.goto(live_server.url + "/transfers/send")
    expect(a.locator("h1")).to_have_text("Send CTFs")
    checked(a, rules_off=FILE_UPLOAD_RULES)
    a.set_input_files("input[type=file][name=files]", str(_write(tmp_path, "8732001", "8732002")))
    a.get_by_role("button", name="Check and send").click()
    a.wait_for_url("**/transfers/sent")
    expect(a.locator(".govuk-notification-banner--success")).to_contain_text(
        "Sent 8732001_CTF_8732002_001.xml to Ouse Valley Academy.")
    expect(a.locator("tbody")).to_contain_text("Waiting")
    checked(a)

    # B's user is emailed a link (no pupil data), sees the unread count, opens the file and downloads it.
    (message,) = mail.wait_for(1)
    assert message["To"] == "office@ouse.example.sch.uk" and "a file is waiting" in message["Subject"]
    body = message.get_content()
    assert "Smith" not in body
    b = people_pages(b_user)
    b.goto(live_server.url + "/")
    expect(b.locator("#navigation")).to_contain_text("Transfers 1 unread")
    checked(b)
    b.goto(live_server.url + link_in(body, "/transfers/"))
    expect(b.locator("h1")).to_have_text("8732001_CTF_8732002_001.xml")
    checked(b)
    with b.expect_download() as download_info:
        b.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "8732001_CTF_8732002_001.xml"
    assert Path(download.path()).read_bytes() == _write(tmp_path, "8732001", "8732002").read_bytes()
    b.goto(live_server.url + "/transfers/")
    expect(b.locator("#navigation")).not_to_contain_text("unread")

    # A sees who downloaded it and when.
    a.goto(live_server.url + "/transfers/sent")
    expect(a.locator("tbody")).to_contain_text("Downloaded")
    a.get_by_role("link", name="8732001_CTF_8732002_001.xml").click()
    expect(a.locator("tbody")).to_contain_text("Ouse Office")
    expect(a.locator("tbody")).to_contain_text(re.compile(r"2 March 2027 at \d{1,2}:\d\d[ap]m"))
    checked(a)

    # A lost-pupil CTF lands in the LA's store, is found by UPN and released to school C.
    pupil = lost_pupil(9)
    a.goto(live_server.url + "/transfers/send")
    a.set_input_files("input[type=file][name=files]", str(_write(tmp_path, "8732001", "XXXXXXX", [pupil])))
    a.get_by_role("button", name="Check and send").click()
    a.wait_for_url("**/transfers/sent")
    la_page = people_pages(la_user)
    la_page.goto(live_server.url + "/transfers/lost-pupils")
    checked(la_page)
    la_page.get_by_label("UPN or former UPN").fill(pupil["UPN"].lower())
    la_page.get_by_role("button", name="Search").click()
    expect(la_page.locator("[role=status]")).to_have_text("1 file found. Every search is recorded in the audit log.")
    checked(la_page)
    la_page.get_by_role("link", name="8732001_CTF_XXXXXXX_001.xml").click()
    la_page.get_by_role("button", name="Release to a school").click()
    expect(la_page.locator("h1")).to_have_text("Release a lost pupil's CTF")
    checked(la_page)
    la_page.get_by_label("School the pupil has joined").select_option(label="Cam Valley School (873/2003)")
    la_page.get_by_role("button", name="Release to this school").click()
    expect(la_page.locator(".govuk-notification-banner--success")).to_contain_text("released to Cam Valley School")
    checked(la_page)

    c = people_pages(c_user)
    c.goto(live_server.url + "/transfers/")
    expect(c.locator("#navigation")).to_contain_text("Transfers 1 unread")
    expect(c.locator("tbody")).to_contain_text("8732001_CTF_XXXXXXX_001.xml")
    expect(c.locator("tbody")).to_contain_text("Cambridgeshire")
    checked(c)
    assert one(db, "SELECT recipient_id FROM transfers WHERE released_from IS NOT NULL")["recipient_id"] == third["id"]


def test_sending_works_without_javascript(browser, live_server, db, make_user, school, other_school, tmp_path,
                                          people_pages):
    user = transfers_user(make_user, school, db, email="office@fenland.example.sch.uk")
    with same_user_without_javascript(browser, people_pages(user)) as plain:
        plain.goto(live_server.url + "/transfers/send")
        plain.set_input_files("input[type=file][name=files]", [
            str(_write(tmp_path, "8732001", "8732002")), str(_write(tmp_path, "8732001", "873LLLL"))])
        plain.get_by_role("button", name="Check and send").click()
        plain.wait_for_url("**/transfers/sent")
        banner = plain.locator(".govuk-notification-banner--success").inner_text()
        assert ("Sent 8732001_CTF_8732002_001.xml to Ouse Valley Academy, 8732001_CTF_873LLLL_001.xml to "
                "Cambridgeshire") in banner


#: Records each value the upload's <progress> takes, in sessionStorage so it outlives the move to the Sent page.
PROGRESS_RECORDER = """() => {
  const bar = document.querySelector("progress");
  sessionStorage.setItem("progress", "");
  new MutationObserver(() => sessionStorage.setItem("progress", sessionStorage.getItem("progress") + " " + bar.value))
    .observe(bar, {attributes: true, attributeFilter: ["value"]});
}"""


def test_a_large_file_shows_its_upload_progress_and_arrives(live_server, db, make_user, school, la, tmp_path,
                                                           checked, people_pages):
    user = transfers_user(make_user, school, db, email="office@fenland.example.sch.uk")
    big = tmp_path / "Admissions appeals 2027.pdf"
    big.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * (12 * 4096))  # 12 MB
    page = people_pages(user)
    page.goto(live_server.url + "/transfers/send-file")
    expect(page.locator("[data-upload-progress]")).to_be_hidden()
    checked(page, rules_off=FILE_UPLOAD_RULES)
    page.get_by_label("Send to").select_option(label="Cambridgeshire")
    page.set_input_files("input[type=file][name=files]", str(big))
    page.evaluate(PROGRESS_RECORDER)
    with page.expect_request(lambda r: r.method == "POST") as upload:
        page.get_by_role("button", name="Send").click()
    assert upload.value.headers["content-type"] == "application/octet-stream"  # the file itself, not multipart
    page.wait_for_url("**/transfers/sent")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Sent Admissions appeals 2027.pdf to Cambridgeshire.")
    seen = [int(v) for v in page.evaluate("sessionStorage.getItem('progress')").split()]
    assert seen and seen[-1] == 100 and seen == sorted(seen)
    checked(page)
    sent = one(db, "SELECT size, recipient_id FROM transfers")
    assert sent == {"size": big.stat().st_size, "recipient_id": la["id"]}

    # The LA's oversight lists it as never downloaded, linking to its record.
    la_page = people_pages(transfers_user(make_user, la, db, email="data@cambs.example.gov.uk"))
    la_page.goto(live_server.url + "/transfers/oversight")
    expect(la_page.locator("h1")).to_have_text("Oversight of your schools' transfers")
    expect(la_page.get_by_role("link", name="Admissions appeals 2027.pdf")).to_be_visible()
    checked(la_page)


def test_a_refused_file_shows_why_in_place_with_javascript(live_server, db, make_user, school, la, tmp_path,
                                                           checked, people_pages):
    user = transfers_user(make_user, school, db, email="office@fenland.example.sch.uk")
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 4096)
    page = people_pages(user)
    page.goto(live_server.url + "/transfers/send-file")
    page.get_by_label("Send to").select_option(label="Cambridgeshire")
    page.set_input_files("input[type=file][name=files]", str(program))
    page.get_by_role("button", name="Send").click()
    expect(page.locator("main")).to_contain_text("Not sent")
    expect(page.get_by_role("heading", name="What happened to each file")).to_be_focused()
    checked(page, rules_off=FILE_UPLOAD_RULES)


def test_sending_other_files_works_without_javascript(browser, live_server, db, make_user, school, la, tmp_path,
                                                      people_pages):
    user = transfers_user(make_user, school, db, email="office@fenland.example.sch.uk")
    big = tmp_path / "Admissions appeals 2027.pdf"
    big.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * (12 * 4096))
    with same_user_without_javascript(browser, people_pages(user)) as plain:
        plain.goto(live_server.url + "/transfers/send-file")
        assert not plain.locator("progress").is_visible()
        plain.get_by_label("Send to").select_option(label="Cambridgeshire")
        plain.set_input_files("input[type=file][name=files]", str(big))
        plain.get_by_role("button", name="Send").click()
        plain.wait_for_url("**/transfers/sent")
        assert "Sent Admissions appeals 2027.pdf to Cambridgeshire." in (
            plain.locator(".govuk-notification-banner--success").inner_text())
    assert one(db, "SELECT size FROM transfers")["size"] == big.stat().st_size
