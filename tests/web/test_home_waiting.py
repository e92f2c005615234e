"""Each home page lists what waits for that person, with links: account requests for an approver (and
for the LA's oversight), returns submitted for the LA to review, a school's overdue returns."""

from __future__ import annotations

import datetime as dt

from models import deadline_instances, returns, services
from tests.accounts.factories import open_request
from tests.conftest import set_today
from tests.deadlines.factories import instance_of
from tests.returns.factories import submitted_version


def test_an_approver_sees_the_account_request_waiting(client_request, sign_in, school, make_user, db):
    approver = make_user(school, role="approver", email="head@fenland.example.sch.uk")
    sign_in(approver)
    assert 'id="waiting"' not in client_request.get("main.home").html  # nothing waits: no section
    open_request(db, school)
    page = client_request.get("main.home").html
    assert "Waiting for you" in page
    assert f'<a class="govuk-link" href="/users/organisations/{school["id"]}">1 account request to decide</a>' in page


def test_an_end_user_has_no_queue_of_account_requests(client_request, sign_in, school, make_user, db):
    open_request(db, school)
    sign_in(make_user(school, email="office@fenland.example.sch.uk"))
    assert "Waiting for you" not in client_request.get("main.home").html


def test_the_la_sees_returns_to_review_and_requests_sent_to_it(client_request, sign_in, la, school, make_user, db):
    deadline_instances.generate(db, 2026)
    set_today(dt.date(2026, 10, 20))
    census = instance_of(db, "SC-AUT")
    office = make_user(school, email="office@fenland.example.sch.uk")
    version = submitted_version(db, school, office, instance_id=census["id"], actor=office)
    open_request(db, school, email="new@fenland.example.sch.uk", routed_to_la=True)
    officer = make_user(la, role="approver", name="LA Officer", email="officer@la.example.gov.uk")
    services.set_services(db, officer["id"], {"returns"})
    sign_in(officer)
    page = client_request.get("main.home").html
    assert '<a class="govuk-link" href="/returns-review/">1 return submitted for review</a>' in page
    assert '<a class="govuk-link" href="/oversight">1 account request sent to the LA</a>' in page
    returns.authorise(db, returns.get_version(db, version["id"]), officer)
    assert "submitted for review" not in client_request.get("main.home").html


def test_a_schools_overdue_count_is_a_link_to_whats_due(client_request, sign_in, school, make_user, db):
    deadline_instances.generate(db, 2026)
    set_today(dt.date(2026, 10, 23))
    office = make_user(school, email="office@fenland.example.sch.uk")
    services.set_services(db, office["id"], {"deadlines"})
    sign_in(office)
    page = client_request.get("main.home").html
    assert '<a class="govuk-link" href="/deadlines/">' in page.split("govuk-warning-text__text", 1)[1]
