"""The page header is rendered once per distinct header and kept (web/shell.py): kept headers are
shared only between people who see the same sections, and never carry anyone's CSRF token or name."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from models import organisations, services

SCHOOL_NAV = ["Home", "What's due", "Your account"]


@pytest.fixture
def app_config(app_config):
    """Real CSRF tokens, so each person's token can be told apart and tried."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def school_user(make_user, db, organisation: dict, name: str) -> dict:
    user = make_user(organisation, name=name)
    services.set_services(db, user["id"], {"deadlines"})
    return user


def navigation(page) -> list[str]:
    return page.texts("//nav//a[contains(@class, 'govuk-service-navigation__link')]")


def tokens(page) -> tuple[str, str]:
    """The sign-out form's CSRF token and the one htmx sends (``hx-headers`` on ``<body>``)."""
    form_token = page.xpath("//form[@action='/sign-out']/input[@name='csrf_token']/@value")[0]
    htmx_token = json.loads(page.xpath("//body/@hx-headers")[0])["X-CSRFToken"]
    return form_token, htmx_token


def session_part(token: str) -> str:
    """The part of a CSRF token that is the same for all of one session's pages (the rest is a timestamp)."""
    return token.split(".")[0]


def test_people_share_a_kept_header_only_when_they_see_the_same_sections(
    app, client, client_request, sign_in, make_user, db, la, school, other_school
):
    people = {
        "fenland": school_user(make_user, db, school, "Fenland Person"),
        "ouse": school_user(make_user, db, other_school, "Ouse Person"),
        "admin": make_user(la, role="approver", is_site_admin=1, name="Admin Person"),
    }
    browsers = {"fenland": client, "ouse": app.test_client(), "admin": app.test_client()}
    for who, user in people.items():
        sign_in(user, client=browsers[who])

    kept = app.extensions["gatehouse_page_headers"]
    kept.clear()  # keep only what the home pages below need
    seen = {}
    for _ in range(2):  # the second round is served from kept headers
        for who, browser in browsers.items():
            page = client_request.using(browser).get("main.home")
            form_token, htmx_token = tokens(page)
            assert form_token == htmx_token, f"{who}'s sign-out form carries someone else's token"
            seen.setdefault(who, set()).add(session_part(form_token))
            me = people[who]
            assert page.texts("//p[starts-with(normalize-space(), 'Signed in as')]") == [
                f"Signed in as {me['name']} ({me['email']})."
            ]
            if who == "admin":
                assert {"Organisations", "Users", "Account oversight", "Audit log"} <= set(navigation(page))
                assert "What's due" not in navigation(page)
            else:
                assert navigation(page) == SCHOOL_NAV
            assert page.texts("//a[@aria-current]") == ["Home"]

    # The two school users shared one kept header, the admin had another; each kept their own token.
    assert len(kept) == 2
    assert all(len(found) == 1 for found in seen.values())
    assert len(set().union(*seen.values())) == 3
    for who, browser in browsers.items():
        page = client_request.using(browser).get("main.home")
        assert {session_part(token) for token in page.xpath("//input[@name='csrf_token']/@value")} == seen[who]
        for other, user in people.items():
            if other != who:
                assert not any(part in page.html for part in seen[other]), f"{other}'s token on {who}'s page"
                assert user["name"] not in page.html and user["email"] not in page.html

    # A token only works in the session it was given to.
    ouse_token, _ = tokens(client_request.using(browsers["ouse"]).get("main.home"))
    fenland_token, _ = tokens(client_request.using(browsers["fenland"]).get("main.home"))
    fenland = client_request.using(browsers["fenland"])
    fenland.post("auth.sign_out", _data={"csrf_token": ouse_token}, _expected_status=400)
    signed_out = fenland.url("auth.signed_out")
    fenland.post("auth.sign_out", _data={"csrf_token": fenland_token}, _expected_redirect=signed_out)


def test_the_active_section_follows_the_page(client_request, sign_in, make_user, db, school):
    sign_in(school_user(make_user, db, school, "Fenland Person"))
    for endpoint, active in (("main.home", "Home"), ("account.index", "Your account"), ("main.home", "Home")):
        page = client_request.get(endpoint)
        assert page.texts("//a[@aria-current]") == [active]
        assert navigation(page) == SCHOOL_NAV


def test_signed_out_pages_have_no_navigation_or_sign_out_even_after_signed_in_pages(
    app, client_request, sign_in, make_user, db, school
):
    signed_in = app.test_client()
    sign_in(school_user(make_user, db, school, "Fenland Person"), client=signed_in)
    client_request.using(signed_in).get("main.home")
    page = client_request.get("auth.sign_in")
    assert page.texts("//header//span[@class='gatehouse-header__la']") == ["Cambridgeshire"]
    assert navigation(page) == []
    assert page.xpath("//form[@action='/sign-out']") == []


def test_a_new_la_name_shows_at_once(app, client_request, db):
    before = client_request.get("auth.sign_in")
    assert before.xpath("//span[@class='gatehouse-header__la']") == []
    organisations.ensure_la(db, "873", "Cambridgeshire")
    after = client_request.get("auth.sign_in")
    assert after.texts("//span[@class='gatehouse-header__la']") == ["Cambridgeshire"]


def _header(client: FlaskClient) -> str:
    html = client.get("/").get_data(as_text=True)
    header = re.search(r"<header class=\"govuk-template__header\">.*?</header>", html, re.DOTALL).group(0)
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="T"', header)


def test_a_kept_header_is_exactly_a_fresh_one(app, client, sign_in, make_user, db, school):
    sign_in(school_user(make_user, db, school, "Fenland Person"))
    kept = [_header(client) for _ in range(2)]
    app.jinja_env.auto_reload = True  # as in debug: nothing kept, rendered afresh for every page
    app.extensions["gatehouse_page_headers"].clear()
    fresh = _header(client)
    assert app.extensions["gatehouse_page_headers"] == {}
    assert kept == [fresh, fresh]
    assert '<input type="hidden" name="csrf_token" value="T"><button' in fresh
