"""No route leaks across organisations.

The routes come from the URL map, so a new route is covered the moment it is registered.
Every URL parameter must be listed in ``OTHER_ORGANISATION_OBJECTS`` with a factory that makes
an object belonging to ANOTHER school; the test then asks for it (GET and POST where the route
allows them) as an approver of the first school and expects 403 or 404 every time. A route
with a parameter nobody has listed fails the test until someone says how to make one.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from tests.accounts.factories import other_schools_claim, other_schools_request
from tests.deadlines.factories import other_schools_instance
from tests.duplicates.factories import other_schools_case
from tests.local_returns.factories import other_schools_submission
from tests.messages.factories import la_bulk, la_group, la_template, other_schools_attachment, other_schools_thread
from tests.pride.factories import other_schools_incident
from tests.returns.factories import other_schools_version
from tests.transfers.factories import other_schools_transfer
from tests.web.test_shell import PUBLIC_ENDPOINTS

# parameter name -> factory(ctx) returning a value that names another organisation's object
OTHER_ORGANISATION_OBJECTS = {
    "org_id": lambda ctx: ctx["other_school"]["id"],
    "organisation_id": lambda ctx: ctx["other_school"]["id"],
    "user_id": lambda ctx: ctx["other_user"]["id"],
    "message_id": lambda ctx: 1,  # outbox messages: site admins only
    "entry_id": lambda ctx: 1,  # audit log entries: site admins only
    "instance_id": lambda ctx: other_schools_instance(ctx["db"], ctx["other_school"]),  # applies to it alone
    "catalogue_id": lambda ctx: 1,  # the return catalogue: site admins only
    "year": lambda ctx: 2026,  # term dates of an academic year: site admins only
    "return_id": lambda ctx: other_schools_version(ctx)["return_id"],  # the other school's test uploads
    "version_id": lambda ctx: other_schools_version(ctx)["id"],
    "job_id": lambda ctx: other_schools_version(ctx)["job_id"],
    "request_id": lambda ctx: _once(ctx, "request_id", other_schools_request),  # an account request
    "claim_id": lambda ctx: _once(ctx, "claim_id", other_schools_claim),  # an approver claim code of a third school
    "incident_id": lambda ctx: _once(ctx, "incident_id", other_schools_incident),  # a PRIDE incident (a draft)
    "term_id": lambda ctx: other_schools_instance(ctx["db"], ctx["other_school"]),  # not a PRIDE term of mine
    "characteristic_id": lambda ctx: 10,  # PRIDE characteristics: the LA's list, LA users only
    "thread_id": other_schools_thread,  # a conversation between the other school and the LA
    "template_id": la_template,  # the LA's message templates: LA users only
    "group_id": la_group,  # the LA's saved lists of schools: LA users only
    "bulk_id": la_bulk,  # the LA's messages to groups: LA users only
    "attachment_id": other_schools_attachment,  # a file attached in the other school's conversation with the LA
    "local_return_id": lambda ctx: other_schools_submission(ctx)["local_return_id"],  # LA users of Local returns only
    "question_key": lambda ctx: "free",  # a question of a local return's design: LA users only
    "submission_id": lambda ctx: other_schools_submission(ctx)["id"],  # the other school's local return answers
    "deadline_id": lambda ctx: other_schools_submission(ctx)["instance_id"],  # a local return of the other school only
    "transfer_id": lambda ctx: _once(ctx, "transfer_id", other_schools_transfer),  # a CTF it sent to the LA
    "case_id": other_schools_case,  # a duplicate pupil case between the other school and a third
}


def _once(ctx: dict, key: str, factory) -> int:
    """Make the object on first use and reuse it for every other route with that parameter."""
    if key not in ctx:
        ctx[key] = factory(ctx["db"], ctx["other_school"])
    return ctx[key]


# Routes with parameters that are not about an organisation's objects.
NOT_ORGANISATION_SCOPED = {"static"}


def _rules_with_parameters(app) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.endpoint not in NOT_ORGANISATION_SCOPED and rule.endpoint not in PUBLIC_ENDPOINTS
    ]


@pytest.fixture
def scoping_context(app, db, school, other_school, make_user):
    return {
        "app": app,
        "db": db,
        "school": school,
        "other_school": other_school,
        "other_user": make_user(other_school, role="approver", email="approver@other.example.sch.uk"),
    }


def test_every_parameter_has_an_other_organisation_factory(app):
    unknown = {
        (rule.endpoint, arg)
        for rule in _rules_with_parameters(app)
        for arg in rule.arguments
        if arg not in OTHER_ORGANISATION_OBJECTS
    }
    assert not unknown, f"add factories to OTHER_ORGANISATION_OBJECTS for: {sorted(unknown)}"


def leaking_routes(app, client, scoping_context, leave_out: frozenset[str] = frozenset()) -> list[str]:
    """Every route with parameters (but those of ``leave_out``) asked by ``client``'s signed-in user for the other
    school's objects, GET and POST: each one that answered neither 403 nor 404."""
    leaks = []
    for rule in _rules_with_parameters(app):
        if rule.endpoint in leave_out:
            continue
        values = {arg: OTHER_ORGANISATION_OBJECTS[arg](scoping_context) for arg in rule.arguments}
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={})
            if response.status_code not in (403, 404):
                leaks.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}")
    return leaks


def test_no_route_answers_with_another_organisations_objects(app, client, sign_in, make_user, scoping_context):
    me = make_user(scoping_context["school"], role="approver", email="approver@mine.example.sch.uk")
    assert sign_in(me).status_code == 200  # through password and two-step verification
    leaks = leaking_routes(app, client, scoping_context)
    assert not leaks, "routes answering another organisation's objects:\n" + "\n".join(leaks)
