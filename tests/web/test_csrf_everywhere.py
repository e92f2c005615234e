"""CSRF on every form: every POST route in the URL map refuses a request without a token.

Built from the URL map, so a new POST route is covered the moment it is registered.
"""

from __future__ import annotations

import pytest
from werkzeug.routing.converters import NumberConverter

from tests.conftest import csrf_token_from


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _sample_values(rule) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if isinstance(converter, NumberConverter) else "sample"
    return values


def _post_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


def test_there_are_post_routes_to_check(app):
    assert len(_post_rules(app)) > 5


def test_every_post_route_refuses_a_missing_token(app, client):
    accepted = []
    for rule in _post_rules(app):
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **_sample_values(rule))
        response = client.post(url, data={"anything": "x"}, headers={"Referer": "http://localhost/"})
        if response.status_code != 400 or "Your form expired" not in response.get_data(as_text=True):
            accepted.append(f"POST {url} ({rule.endpoint}) -> {response.status_code}")
    assert not accepted, "POST routes that did not refuse a missing CSRF token:\n" + "\n".join(accepted)


def test_a_wrong_token_is_refused_and_the_right_one_accepted(client, school, make_user):
    user = make_user(school)
    page = client.get("/sign-in").get_data(as_text=True)
    token = csrf_token_from(page)
    wrong = client.post("/sign-in", data={"csrf_token": "not-the-token", "email": user["email"], "password": "x"})
    assert wrong.status_code == 400
    right = client.post("/sign-in", data={"csrf_token": token, "email": user["email"], "password": "wrong password"})
    assert right.status_code == 200
    assert "Your email address or password is wrong" in right.get_data(as_text=True)
