"""The LA hears when schools submit: an hourly digest to LA reviewers, each submission told once.

Driven through the real job runner with the controllable clock, delivering to a real SMTP server on loopback.
"""

from __future__ import annotations

import datetime as dt

import pytest

from background.jobs import submission_digests as digest_job
from background.jobs.runner import run_due
from domain import clock
from models import organisations, returns, services, submission_digests
from tests.conftest import audit_events, outbox
from tests.returns.factories import make_version, submitted_version


def _run(app):
    return {r.job: r for r in run_due(app, only=digest_job.NAME)}[digest_job.NAME]


@pytest.fixture
def second_school_user(db, other_school, make_user):
    user = make_user(other_school, name="Olly Other", email="office@ouse.example.sch.uk")
    services.set_services(db, user["id"], ["returns"])
    return user


def test_the_la_is_told_once_about_each_submission(app, db, sc_aut, school, school_user, other_school,
                                                   second_school_user, la_user, smtp_server):
    first = submitted_version(db, school, school_user, instance_id=sc_aut["id"], actor=school_user)
    assert _run(app).outcome == "ok"
    mail = smtp_server.wait_for(1)[0]
    assert mail["To"] == la_user["email"]
    assert mail["Subject"] == "Gatehouse: 1 return submitted for you to review"
    body = mail.get_content()
    assert "A school has submitted a return that waits for your review:" in body
    assert "Fenland Primary School (873/2001): School Census (autumn) (2026/27), version 1, submitted on" in body
    assert f"http://127.0.0.1:5000/returns/versions/{first['id']}" in body
    assert "http://127.0.0.1:5000/returns-review/emails" in body
    assert outbox(db, school_user["email"]) == []  # schools are not sent the LA's digest

    # the next hour, another run: nothing new, nothing sent; then a second school submits
    clock.advance(dt.timedelta(hours=1))
    assert digest_job.send_digests(app, db, clock.now()) == {"emails": 0, "submissions": 0}
    submitted_version(db, other_school, second_school_user, instance_id=sc_aut["id"], actor=second_school_user)
    clock.advance(dt.timedelta(hours=1))
    assert _run(app).outcome == "ok"
    second = smtp_server.wait_for(2)[1].get_content()
    assert "Ouse Valley Academy" in second and "Fenland Primary School" not in second


def test_a_burst_of_submissions_is_one_email(app, db, sc_aut, school, school_user, other_school,
                                             second_school_user, la_user):
    submitted_version(db, school, school_user, instance_id=sc_aut["id"], actor=school_user)
    submitted_version(db, other_school, second_school_user, instance_id=sc_aut["id"], actor=second_school_user)
    assert digest_job.send_digests(app, db, clock.now()) == {"emails": 1, "submissions": 2}
    [mail] = outbox(db, la_user["email"])
    assert mail["subject"] == "Gatehouse: 2 returns submitted for you to review"
    assert "Schools have submitted 2 returns that wait for your review:" in mail["body"]


def test_only_returns_still_waiting_are_told(app, db, sc_aut, school, school_user, other_school,
                                            second_school_user, la_user):
    decided = submitted_version(db, school, school_user, instance_id=sc_aut["id"], actor=school_user)
    returns.authorise(db, decided, la_user)
    make_version(db, other_school, second_school_user, instance_id=sc_aut["id"])  # loaded, never submitted
    assert digest_job.send_digests(app, db, clock.now()) == {"emails": 0, "submissions": 0}


def test_old_submissions_are_not_brought_up(app, db, sc_aut, school, school_user, la_user):
    submitted_version(db, school, school_user, instance_id=sc_aut["id"], actor=school_user)
    later = clock.now() + submission_digests.LOOK_BACK + dt.timedelta(minutes=1)
    assert digest_job.send_digests(app, db, later) == {"emails": 0, "submissions": 0}


def test_a_resubmission_says_so(app, db, sc_aut, school, school_user, la_user):
    first = submitted_version(db, school, school_user, instance_id=sc_aut["id"], actor=school_user)
    returns.return_to_school(db, first, la_user, "Check the Year 6 pupils")
    digest_job.send_digests(app, db, clock.now())
    submitted_version(db, school, school_user, instance_id=sc_aut["id"], actor=school_user)
    digest_job.send_digests(app, db, clock.now())
    [mail] = outbox(db, la_user["email"])
    assert "version 2, resubmitted on" in mail["body"]


def test_who_is_told(app, db, sc_aut, school, school_user, la, la_user, make_user):
    no_returns = make_user(la, name="Pat Deadlines", email="pat@873.example.gov.uk")
    services.set_services(db, no_returns["id"], ["deadlines"])
    opted_out = make_user(la, name="Quiet Reviewer", email="quiet@873.example.gov.uk")
    services.set_services(db, opted_out["id"], ["returns"])
    submission_digests.set_digests(db, opted_out, False)
    elsewhere = make_user(organisations.ensure_la(db, "874", "Peterborough"), name="Other LA",
                          email="data@874.example.gov.uk")  # fmt: skip
    services.set_services(db, elsewhere["id"], ["returns"])
    submitted_version(db, school, school_user, instance_id=sc_aut["id"], actor=school_user)
    digest_job.send_digests(app, db, clock.now())
    assert [m["to_addr"] for m in outbox(db)] == [la_user["email"]]
    assert [e["target"] for e in audit_events(db, "submission_digests_off")] == [opted_out["email"]]


def test_the_reviewer_chooses_in_the_service(app, db, la_user, sign_in, client_request):
    sign_in(la_user)
    page = client_request.get("returns_review.index")
    assert "You get an email, at most hourly, when schools submit returns" in page.html
    client_request.post_response("returns_review.emails", _data={"digests": "no"}, _expected_status=303)
    page = client_request.get("returns_review.emails")
    assert page.xpath("//input[@name='digests'][@value='no']/@checked")
    assert "You have chosen not to get emails" in client_request.get("returns_review.index").html
    assert [e["target"] for e in audit_events(db, "submission_digests_off")] == [la_user["email"]]
    page = client_request.post("returns_review.emails", _data={}, _expected_status=400)
    assert "Choose yes or no" in page.html
