"""Every kind of response carries the security headers: CSP (with ``frame-ancestors 'none'``), nosniff,
X-Frame-Options, Referrer-Policy and ``Cache-Control: no-store``.

The GET rules come from the URL map, so a new route is covered the moment it is registered. Each is
asked for by the person its permission decorator lets in (``USER_FOR_PERMISSION``), with real ids of
objects that person may see (``VALUES``), as a full page and as an htmx request; it must answer below
400 (a real page, download or redirect, not an error page standing in for it). A route with a
permission or a parameter nobody has listed fails the test until someone says who may ask for it and
how to make an id. The error kinds (404, 405, 413, 500) and a static file are asked for on their own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from domain.security.tokens import new_token
from models import auth_tokens, calendar_feeds, claims, deadline_instances, invitations, outbox, services
from models.db import scalar
from tests.accounts.factories import open_request
from tests.conftest import set_today
from tests.deadlines.factories import instance_of
from tests.local_returns.factories import local_meals
from tests.messages.factories import objects_seen_by
from tests.pride.factories import reported_incident
from tests.returns.factories import make_version, submitted_version
from tests.transfers.factories import lost_pupil, sent_ctf
from web.access import permission_of

# The values every response must carry, whatever it is.
EXACT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
CSP_MUST_HAVE = ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'")

# permission (web/access.py) -> the person of the world who may use such a route (None: nobody signed in)
USER_FOR_PERMISSION = {
    "public": None,
    "signed_in": "school_user",
    "manager": "approver",
    "oversight": "admin",
    "site_admin": "admin",
    "la_staff": "la_user",
    "deadlines_school": "school_user",
    "deadlines_any": "school_user",
    "deadlines_la": "la_user",
    "returns_school": "school_user",
    "returns_any": "school_user",
    "returns_la": "la_user",
    "pride_school": "school_user",
    "pride_any": "school_user",
    "pride_la": "la_user",
    "transfers_school": "school_user",
    "transfers_any": "school_user",
    "transfers_la": "la_user",
    "local_returns_school": "school_user",
    "local_returns_any": "school_user",
    "local_returns_la": "la_user",
}

# URL parameter -> a value naming an object that the person above may see
VALUES = {
    "org_id": lambda w: w["school"]["id"],
    "organisation_id": lambda w: w["school"]["id"],
    "user_id": lambda w: w["school_user"]["id"],
    "message_id": lambda w: w["message_id"],
    "entry_id": lambda w: w["entry_id"],
    "instance_id": lambda w: w["instance"]["id"],
    "catalogue_id": lambda w: w["instance"]["catalogue_id"],
    "year": lambda w: 2026,
    "return_id": lambda w: w["version"]["return_id"],
    "version_id": lambda w: w["version"]["id"],
    "job_id": lambda w: w["version"]["job_id"],
    "request_id": lambda w: w["request_id"],
    "claim_id": lambda w: w["claim_id"],
    "incident_id": lambda w: w["incident_id"],
    "term_id": lambda w: instance_of(w["db"], "PRIDE-NIL", "2026/27-autumn")["id"],
    "characteristic_id": lambda w: 10,
    "thread_id": lambda w: w["messages"]["thread_id"],
    "template_id": lambda w: w["messages"]["template_id"],
    "group_id": lambda w: w["messages"]["group_id"],
    "bulk_id": lambda w: w["messages"]["bulk_id"],
    "attachment_id": lambda w: w["messages"]["attachment_id"],
    "local_return_id": lambda w: w["local_return"]["id"],
    "deadline_id": lambda w: w["local_submission"]["instance_id"],
    "submission_id": lambda w: w["local_submission"]["id"],
    "question_key": lambda w: "free",
    "transfer_id": lambda w: w["transfer_id"],
    "case_id": lambda w: w["case_id"],
}
# Routes that need another object of the same kind than VALUES gives (route -> parameter -> value).
VALUES_BY_ENDPOINT = {"transfers.release": {"transfer_id": lambda w: w["lost_transfer_id"]}}
# Query strings a route needs to answer with its page rather than 404.
QUERY_STRINGS = {"returns.explain": lambda w: {"rule": w["query_rule"]}}
# ``token`` means a different thing on each route that takes one.
TOKENS = {
    "deadline_calendar.feed": "feed_token",
    "moved.deadlines_calendar_token_ics": "feed_token",
    "invitations.accept": "invitation_token",
    "moved.invitation_token": "invitation_token",
    "auth.password_reset": "reset_token",
}


def header_problems(response, *, cacheable: bool = False) -> list[str]:
    """What is missing or wrong in ``response``'s security headers; empty when nothing is.

    ``cacheable`` leaves out Cache-Control: only static assets (the same for everyone, no personal data).
    """
    headers = response.headers
    problems = []
    csp = headers.get("Content-Security-Policy", "")
    problems += [f"CSP lacks {part}" for part in CSP_MUST_HAVE if part not in csp]
    problems += [f"CSP allows {word}" for word in ("unsafe-inline", "unsafe-eval", "*") if word in csp.split()]
    problems += [f"{name}: {headers.get(name)!r}" for name, want in EXACT_HEADERS.items() if headers.get(name) != want]
    if not cacheable and headers.get("Cache-Control") != "no-store":
        problems.append(f"Cache-Control: {headers.get('Cache-Control')!r}")
    return problems


@pytest.fixture
def world(app, db, la, school, other_school, make_user, sign_in):
    """One LA and school with a person for each permission, signed in on their own client, and an object
    of every kind the school's people may see: a deadline, a submitted return version, an account
    request, a claim code, an outbox message, audit entries, a calendar feed and emailed tokens."""
    set_today(dt.date(2026, 10, 5))  # the autumn census is open: upload pages answer
    deadline_instances.generate(db, 2026)
    instance = instance_of(db, "SC-AUT")
    people = {
        "school_user": make_user(school, email="office@fenland.example.sch.uk"),
        "approver": make_user(school, role="approver", email="head@fenland.example.sch.uk"),
        "la_user": make_user(la, email="data@873.example.gov.uk"),
        "admin": make_user(la, role="approver", is_site_admin=True, email="it@873.example.gov.uk"),
    }
    for key in ("school_user", "la_user"):
        services.set_services(db, people[key]["id"], ["deadlines", "returns", "pride", "transfers", "local_returns"])
    # The school's return: editable, with a query to explain. Another school's is submitted, for the LA's zip.
    version = make_version(db, school, people["school_user"], instance_id=instance["id"],
                           files_dir=app.config["FILES_DIR"])
    query_rule = scalar(db, "SELECT rule FROM return_findings WHERE version_id = ? AND severity = 'query'",
                        (version["id"],))  # fmt: skip
    submitted_version(db, other_school, None, instance_id=instance["id"], actor=people["admin"])
    _, invitation_token = invitations.invite(db, app.config, organisation=school, email="new@fenland.example.sch.uk",
                                             name="New Person", role="end_user", actor=people["approver"])
    reset_token, reset_hash = new_token()
    auth_tokens.create(db, people["school_user"]["id"], "password_reset", reset_hash, 30)
    claim, _ = claims.issue(db, other_school["id"], 30, actor=people["admin"])  # it has no approver
    message = outbox.add(db, to_addr="office@fenland.example.sch.uk", subject="Hello", body="Hi", status="held")
    local_return, local_submission = local_meals(db, school, people["la_user"], people["school_user"])
    clients = {None: app.test_client()}
    for key, person in people.items():
        clients[key] = app.test_client()
        assert sign_in(person, client=clients[key]).status_code == 200, key
    return {
        **people,
        "school": school,
        "instance": instance,
        "version": version,
        "query_rule": query_rule,
        "request_id": open_request(db, school)["id"],
        "claim_id": claim["id"],
        "transfer_id": sent_ctf(app, db, other_school, school["dfe_number"]),  # in the school's inbox
        "lost_transfer_id": sent_ctf(app, db, school, "XXXXXXX", [lost_pupil()]),  # in the LA's store
        # The two schools' returns share pupil 1's UPN: a duplicate pupil case between them.
        "case_id": scalar(db, "SELECT min(id) FROM duplicate_cases"),
        "message_id": message["id"],
        "entry_id": scalar(db, "SELECT max(id) FROM audit_log"),
        "feed_token": calendar_feeds.create(db, people["school_user"]),
        "invitation_token": invitation_token,
        "reset_token": reset_token,
        "incident_id": reported_incident(db, school, people["school_user"])["id"],
        "db": db,
        "clients": clients,
        "messages": objects_seen_by(app, db, la, school, people["school_user"], people["la_user"]),
        "local_return": local_return,
        "local_submission": local_submission,
    }


def _get_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]


def test_every_get_rule_has_a_person_and_ids(app):
    unknown = set()
    for rule in _get_rules(app):
        permission = permission_of(app.view_functions[rule.endpoint])
        if permission not in USER_FOR_PERMISSION:
            unknown.add(f"permission {permission} ({rule.endpoint})")
        for arg in rule.arguments:
            if arg not in VALUES and rule.endpoint not in TOKENS:
                unknown.add(f"parameter {arg} ({rule.endpoint})")
    assert not unknown, f"say who may ask and how to make an id, for: {sorted(unknown)}"


def test_every_get_rule_answers_with_the_headers(app, world):
    problems = []
    kinds = set()
    for rule in _get_rules(app):
        values = {arg: world[TOKENS[rule.endpoint]] if arg == "token"
                  else VALUES_BY_ENDPOINT.get(rule.endpoint, VALUES).get(arg, VALUES[arg])(world)
                  for arg in rule.arguments}  # fmt: skip
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **values, **QUERY_STRINGS.get(rule.endpoint, lambda w: {})(world))
        client = world["clients"][USER_FOR_PERMISSION[permission_of(app.view_functions[rule.endpoint])]]
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            response.get_data()
            response.close()
            where = f"GET {url} ({rule.endpoint}{', htmx' if headers else ''}) -> {response.status_code}"
            if response.status_code >= 400:
                problems.append(f"{where}: not the route's own answer")
            problems += [f"{where}: {problem}" for problem in header_problems(response)]
            kinds.add(response.mimetype)
    assert not problems, "\n".join(problems)
    assert {"text/html", "text/csv", "application/zip", "text/calendar"} <= kinds, kinds


@pytest.fixture
def one_mb_uploads(app_config):
    app_config["MAX_UPLOAD_MB"] = 1


def test_every_error_answers_with_the_headers(one_mb_uploads, app, client, sign_in, make_user, school):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    boom._gatehouse_permission = "public"
    answers = {
        "404": client.get("/no-such-page"),
        "405 (GET of a POST-only route)": client.get("/sign-out"),
        "405 (POST to a GET-only route)": client.post("/healthz"),
        "413": client.post("/sign-in", data={"email": "a@b.c", "password": "x" * (2 * 1024 * 1024)}),
        "500": client.get("/boom"),
        "401 (htmx, signed out)": client.get("/", headers={"HX-Request": "true"}),
    }
    sign_in(make_user(school))
    answers["403"] = client.get("/audit")
    problems = [f"{kind}: {problem}" for kind, response in answers.items() for problem in header_problems(response)]
    assert not problems, "\n".join(problems)
    assert [int(kind[:3]) for kind in answers] == [response.status_code for response in answers.values()]


def test_the_500_page_when_the_database_cannot_be_opened(app, client, sign_in, make_user, school):
    """The styled error page loads the signed-in user from the database; when that is what failed, a plain
    page (templates/errors/plain.html) answers, with the headers, instead of the server's bare 500."""
    sign_in(make_user(school))
    app.config["DATABASE"] = str(Path(app.config["DATABASE"]).parent / "gone" / "gatehouse.db")
    response = client.get("/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert header_problems(response) == []


def test_static_files_carry_the_headers_and_may_be_cached(client):
    """Static assets are the same for everyone and hold no personal data: the one kind left cacheable."""
    response = client.get("/static/img/favicon.svg")
    response.close()
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert header_problems(response, cacheable=True) == []
