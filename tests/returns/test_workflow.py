"""The workflow: explain queries, submit only with no errors and every query explained (then locked,
and Deadlines shows it submitted); the LA returns it with a reason (emailed), the school uploads again
with its notes carried forward, resubmits, and the LA authorises."""

from __future__ import annotations

import re

import lxml.html
import pytest

from models import deadline_statuses, returns, services
from models.db import one, rows
from tests.conftest import audit_events
from tests.domain.validation.xml_files import pupil, upn
from tests.returns.factories import census, clean_pupils, submitted_version, twins, with_error
from tests.returns.uploading import upload


@pytest.fixture
def signed_in(client, school_user, sign_in, sc_aut):
    sign_in(school_user)
    return client


def _explain(client, version_id: int, rule: str, upn_value: str | None, text: str):
    query = {"rule": rule} if upn_value is None else {"rule": rule, "upn": upn_value}
    page = client.get(f"/returns/versions/{version_id}/explain", query_string=query)
    assert page.status_code in (200, 302)  # 302: the version is locked, back to its report
    return client.post(f"/returns/versions/{version_id}/explain", query_string=query, data={"note": text})


def test_submit_is_blocked_by_an_error(db, signed_in, sc_aut, school):
    version_id = upload(signed_in, sc_aut, census(with_error()))
    report = signed_in.get(f"/returns/versions/{version_id}").get_data(as_text=True)
    assert "Fix the 1 error in your MIS" in report and f'href="/returns/versions/{version_id}/submit"' not in report
    page = signed_in.get(f"/returns/versions/{version_id}/submit").get_data(as_text=True)
    assert "This return cannot be submitted yet" in page and 'name="submit"' not in page
    response = signed_in.post(f"/returns/versions/{version_id}/submit")
    assert response.status_code == 400 and "Fix the 1 error" in response.get_data(as_text=True)
    assert returns.get_version(db, version_id)["status"] == "validated"
    assert deadline_statuses.status_for(db, school["id"], sc_aut["id"])["key"] == "in_progress"


def test_submit_is_blocked_by_an_unexplained_query_then_allowed_once_explained(db, signed_in, sc_aut, school):
    version_id = upload(signed_in, sc_aut, census(twins()))
    blocked = signed_in.post(f"/returns/versions/{version_id}/submit")
    assert blocked.status_code == 400 and "Explain the 2 queries with no note" in blocked.get_data(as_text=True)

    saved = _explain(signed_in, version_id, "1620Q", upn(1), "Twins: Alex and Alex are two children.")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#findings")
    still = signed_in.post(f"/returns/versions/{version_id}/submit").get_data(as_text=True)
    assert "Explain the 1 query with no note" in still

    every = signed_in.get(f"/returns/versions/{version_id}/explain", query_string={"rule": "1620Q"})
    assert "This note explains all 2 1620Q queries." in every.get_data(as_text=True)
    assert ">Explain all 2<span class=\"govuk-visually-hidden\"> 1620Q queries</span>" in \
        signed_in.get(f"/returns/versions/{version_id}").get_data(as_text=True)
    _explain(signed_in, version_id, "1620Q", None, "These are twins.")  # every 1620Q query at once
    report = signed_in.get(f"/returns/versions/{version_id}").get_data(as_text=True)
    assert "all explained" in report and f'href="/returns/versions/{version_id}/submit"' in report
    confirm = signed_in.get(f"/returns/versions/{version_id}/submit").get_data(as_text=True)
    assert "Are you sure you want to submit this version to the LA?" in confirm

    done = signed_in.post(f"/returns/versions/{version_id}/submit")
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/returns/versions/{version_id}/submitted")
    panel = signed_in.get(done.headers["Location"]).get_data(as_text=True)
    assert "govuk-panel" in panel and "Return submitted" in panel

    version = returns.get_version(db, version_id)
    assert version["status"] == "submitted" and version["submitted_by"] is not None
    assert deadline_statuses.status_for(db, school["id"], sc_aut["id"])["key"] == "submitted"
    assert deadline_statuses.history(db, school["id"], sc_aut["id"])[0]["source"] == "returns"
    # locked: no more notes, no second submission, no new upload
    locked = _explain(signed_in, version_id, "1620Q", None, "changed")
    assert locked.status_code == 302 and one(db, "SELECT text FROM return_notes WHERE upn IS NULL")["text"] == \
        "These are twins."
    assert signed_in.post(f"/returns/versions/{version_id}/submit").status_code == 400
    assert "it cannot be changed now" in signed_in.get(f"/returns/upload/{sc_aut['id']}").get_data(as_text=True)


def test_a_note_can_be_removed_and_must_be_short(db, signed_in, sc_aut):
    version_id = upload(signed_in, sc_aut, census(twins()))
    _explain(signed_in, version_id, "1620Q", upn(2), "Twins.")
    too_long = _explain(signed_in, version_id, "1620Q", upn(2), "x" * 2001)
    assert too_long.status_code == 400 and "2000 characters or fewer" in too_long.get_data(as_text=True)
    removed = _explain(signed_in, version_id, "1620Q", upn(2), "")
    assert removed.status_code == 302 and rows(db, "SELECT * FROM return_notes") == []
    assert "Note removed." in signed_in.get(removed.headers["Location"]).get_data(as_text=True)
    # saving nothing where there is no note to remove is not "Note removed": it asks for the explanation
    nothing = _explain(signed_in, version_id, "1620Q", upn(2), "  ")
    assert nothing.status_code == 400 and "Explain why the data is correct" in nothing.get_data(as_text=True)
    assert len(audit_events(db, "return_note_deleted")) == 1  # the real removal only


def test_explaining_something_that_is_not_a_query_is_404(signed_in, sc_aut):
    version_id = upload(signed_in, sc_aut, census(with_error()))
    assert signed_in.get(f"/returns/versions/{version_id}/explain", query_string={"rule": "1580"}).status_code == 404
    assert signed_in.get(f"/returns/versions/{version_id}/explain").status_code == 404


def test_a_test_upload_cannot_be_submitted(db, signed_in):
    version_id = upload(signed_in, None, census(clean_pupils()))
    response = signed_in.post(f"/returns/versions/{version_id}/submit")
    assert response.status_code == 400 and "A test upload cannot be submitted" in response.get_data(as_text=True)


def test_returned_then_resubmitted_with_notes_carried_forward_then_authorised(
    db, client, sign_in, school, school_user, la_user, sc_aut, smtp_server, make_user
):
    sign_in(school_user)
    no_address = {"AddressLine1": None, "AddressLine2": None, "PostCode": None}
    first = census([*twins(), pupil(4, Surname="Far", **no_address), pupil(5, Surname="Away", **no_address)])
    v1 = upload(client, sc_aut, first)
    _explain(client, v1, "1620Q", upn(1), "Twin one.")
    _explain(client, v1, "1620Q", upn(2), "Twin two.")
    _explain(client, v1, "2355Q", None, "Families in temporary housing.")
    assert client.post(f"/returns/versions/{v1}/submit").status_code == 303
    client.post("/sign-out")

    sign_in(la_user)
    review = client.get(f"/returns-review/instances/{sc_aut['id']}").get_data(as_text=True)
    assert "Fenland Primary School" in review and "Submitted" in review
    form = client.get(f"/returns-review/versions/{v1}/return").get_data(as_text=True)
    assert "Return to Fenland Primary School" in form
    blank = client.post(f"/returns-review/versions/{v1}/return", data={"reason": "  "})
    assert blank.status_code == 400 and "Say why the return is going back" in blank.get_data(as_text=True)
    sent = client.post(f"/returns-review/versions/{v1}/return", data={"reason": "Pupil 5 has an address: add it."})
    assert sent.status_code == 303
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == school_user["email"] and "returned for changes" in mail["Subject"]
    assert "Pupil 5 has an address: add it." in mail.get_content()
    assert returns.get_version(db, v1)["status"] == "returned"
    assert deadline_statuses.status_for(db, school["id"], sc_aut["id"])["key"] == "returned"
    client.post("/sign-out")

    sign_in(school_user)
    # version 2: twin one keeps UPN 1, twin two now has UPN 6; pupil 5 has an address now
    second = census([pupil(1, Surname="Twin", Forename="Alex"), pupil(6, Surname="Twin", Forename="Alex"),
                     pupil(3, Surname="Other"), pupil(4, Surname="Far", **no_address), pupil(5, Surname="Away")])
    v2 = upload(client, sc_aut, second)
    carried = {(n["rule"], n["upn"]): n for n in returns.notes_of(db, v2)}
    assert set(carried) == {("1620Q", upn(1)), ("2355Q", None)}  # UPN 2 no longer fires: its note stays behind
    assert carried[("1620Q", upn(1))]["text"] == "Twin one." and carried[("1620Q", upn(1))]["carried_from"]
    assert deadline_statuses.status_for(db, school["id"], sc_aut["id"])["key"] == "in_progress"
    _explain(client, v2, "1620Q", upn(6), "Twin two, new UPN.")
    assert client.post(f"/returns/versions/{v2}/submit").status_code == 303
    assert returns.get_version(db, v2)["status_view"]["label"] == "Resubmitted"
    client.post("/sign-out")

    sign_in(la_user)
    versions = client.get(f"/returns/{returns.get_version(db, v2)['return_id']}").get_data(as_text=True)
    assert "Returned to school" in versions and "Pupil 5 has an address: add it." in versions
    assert "pupils no change, errors no change, queries −1" in versions
    report = client.get(f"/returns/versions/{v2}").get_data(as_text=True)
    assert f'href="/returns-review/versions/{v2}/authorise"' in report  # a link to ask first, not a button that acts
    confirm = client.get(f"/returns-review/versions/{v2}/authorise")
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Authorise Fenland Primary School's return?" in page
    assert returns.get_version(db, v2)["status"] == "submitted"  # asking changes nothing
    assert client.post(f"/returns-review/versions/{v2}/authorise").status_code == 303
    assert returns.get_version(db, v2)["status"] == "authorised"
    authorised_mail = smtp_server.wait_for(2)[-1]  # the school is told, as it is when a return comes back
    assert authorised_mail["To"] == school_user["email"] and "authorised" in authorised_mail["Subject"]
    assert f"/returns/versions/{v2}" in authorised_mail.get_content()
    assert deadline_statuses.status_for(db, school["id"], sc_aut["id"])["key"] == "accepted"
    assert client.post(f"/returns-review/versions/{v2}/authorise").status_code == 303  # twice: refused politely
    report = client.get(f"/returns/versions/{v2}").get_data(as_text=True)
    assert "Only a submitted return can be authorised or returned." in report
    actions = [r["action"] for r in rows(db, "SELECT action FROM audit_log WHERE action LIKE 'return_%' ORDER BY id")]
    for action in ("return_version_created", "return_note_saved", "return_submitted", "return_returned",
                   "return_authorised"):
        assert action in actions


def test_la_review_lists_every_applicable_school(db, client, sign_in, school, other_school, school_user,
                                                 la_user, sc_aut):
    sign_in(school_user)
    upload(client, sc_aut, census(clean_pupils()))
    client.post("/sign-out")
    sign_in(la_user)
    index = client.get("/returns-review/").get_data(as_text=True)
    assert "School Census (autumn)" in index
    page = client.get(f"/returns-review/instances/{sc_aut['id']}").get_data(as_text=True)
    assert "Fenland Primary School" in page and "Ouse Valley Academy" in page
    assert "1 loaded and validated" in page and "1 no data" in page
    assert re.search(r"Fenland Primary School</a>", page)


def test_the_la_sees_only_its_own_schools(db, client, sign_in, school_user, sc_aut, make_user):
    from models import organisations, services

    sign_in(school_user)
    version = upload(client, sc_aut, census(clean_pupils()))
    client.post("/sign-out")
    other_la = organisations.ensure_la(db, "855", "Leicestershire")
    stranger = make_user(other_la, email="data@855.example.gov.uk")
    services.set_services(db, stranger["id"], ["returns"])
    sign_in(stranger)
    assert client.get(f"/returns/versions/{version}").status_code == 404
    assert client.get(f"/returns-review/versions/{version}/export.zip").status_code == 404
    assert client.post(f"/returns-review/versions/{version}/authorise").status_code == 404
    assert "Fenland" not in client.get(f"/returns-review/instances/{sc_aut['id']}").get_data(as_text=True)


def test_school_users_cannot_use_the_review_pages(client, sign_in, school_user, sc_aut):
    sign_in(school_user)
    assert client.get("/returns-review/").status_code == 403
    assert client.get(f"/returns-review/instances/{sc_aut['id']}").status_code == 403


def test_a_first_submission_says_submitted_whatever_its_version(db, signed_in, sc_aut):
    first = upload(signed_in, sc_aut, census(clean_pupils()[:-1]))
    second = upload(signed_in, sc_aut, census(clean_pupils()))  # a second upload before anything was submitted
    assert signed_in.post(f"/returns/versions/{second}/submit").status_code == 303
    version = returns.get_version(db, second)
    assert version["version"] == 2 and version["status_view"]["label"] == "Submitted"
    assert returns.get_version(db, first)["status_view"]["label"] == "Loaded and validated"


def test_the_la_downloads_the_file_exactly_as_uploaded_and_it_is_audited(db, client, sign_in, school_user, la_user,
                                                                         sc_aut):
    sign_in(school_user)
    content = census(clean_pupils())
    version_id = upload(client, sc_aut, content)
    assert client.get(f"/returns-review/versions/{version_id}/original").status_code == 403  # schools: their own page
    client.post("/sign-out")
    sign_in(la_user)
    report = client.get(f"/returns/versions/{version_id}").get_data(as_text=True)
    assert f'href="/returns-review/versions/{version_id}/original"' in report
    with client.get(f"/returns-review/versions/{version_id}/original") as response:  # closes the stored file
        assert response.status_code == 200 and response.data == content
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["Cache-Control"] == "no-store"
    logged = rows(db, "SELECT * FROM audit_log WHERE action = 'return_original_downloaded'")
    assert len(logged) == 1 and logged[0]["actor_id"] == la_user["id"]
    assert logged[0]["target"] == f"return_version:{version_id}"
    assert client.get("/returns-review/versions/999999/original").status_code == 404


def test_a_reason_typed_over_several_lines_keeps_its_line_breaks_wherever_it_is_shown(
    db, client, sign_in, school, school_user, la_user, sc_aut
):
    """The LA's reason for returning a census is shown with its line breaks (``.gatehouse-lines``) on the report,
    the versions list and the deadline's page (its latest note and history), not run together into one line."""

    version = submitted_version(db, school, school_user, instance_id=sc_aut["id"], actor=school_user)
    sign_in(la_user)
    reason = "Pupil 5 has an address.\nAdd it and upload again."
    assert client.post(f"/returns-review/versions/{version['id']}/return", data={"reason": reason}).status_code == 303

    def kept(url: str) -> list[str]:
        page = lxml.html.fromstring(client.get(url).get_data(as_text=True))
        # (pre-line drops the indentation a macro adds after each line break; the breaks themselves show)
        shown = page.xpath("//*[contains(@class, 'gatehouse-lines')]")
        return [re.sub(r"\n\s+", "\n", e.text_content()) for e in shown]

    assert kept(f"/returns/versions/{version['id']}") == [reason]
    assert kept(f"/returns/{version['return_id']}") == [reason]
    client.post("/sign-out")
    services.set_services(db, school_user["id"], {"returns", "deadlines"})
    sign_in(school_user)
    # its latest note, then each status's note in the history, newest first
    history = ["Version 1 submitted", "File uploaded and validated in Returns"]
    assert kept(f"/deadlines/{sc_aut['id']}") == [reason, reason, *history]
