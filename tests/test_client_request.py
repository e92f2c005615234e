"""The ``client_request`` helper: URLs by endpoint, statuses asserted, pages parsed and checked."""

from __future__ import annotations

import lxml.html
import pytest

from tests.client_request import page_problems

GOOD = """<!DOCTYPE html><html lang="en"><head><title>Organisations – Gatehouse</title></head>
<body><h1 id="top">Organisations</h1><form method="get" action="/organisations" id="search"></form></body></html>"""


def problems_of(html: str, whole_page: bool = True) -> list[str]:
    doc = lxml.html.document_fromstring(html) if whole_page else lxml.html.fragment_fromstring(html, "div")
    return page_problems(doc, whole_page=whole_page)


def test_a_good_page_has_no_problems():
    assert problems_of(GOOD) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('<h1 id="top">Organisations</h1>', ""), "0 <h1> elements, not exactly one"),
        (("</body>", "<h1>Again</h1></body>"), "2 <h1> elements, not exactly one"),
        (("Organisations – Gatehouse", " "), "no <title>, or an empty one"),
        (('id="search"', 'id="top"'), "ids used more than once: top"),
        ((' action="/organisations"', ""), "a <form> without an action (line 2)"),
        ((' action="/organisations"', ' action=""'), "a <form> without an action (line 2)"),
    ],
)
def test_what_a_page_must_have(change, problem):
    assert problems_of(GOOD.replace(*change)) == [problem]


def test_a_partial_needs_no_heading_or_title_but_unique_ids_and_actions():
    assert problems_of('<table id="results"></table><p>2 organisations.</p>', whole_page=False) == []
    assert problems_of('<p id="a"></p><p id="a"></p><form></form>', whole_page=False) == [
        "ids used more than once: a",
        "a <form> without an action (line 1)",
    ]


def test_get_builds_the_url_asserts_the_status_and_returns_the_checked_page(client_request):
    page = client_request.get("auth.sign_in")
    assert page.status_code == 200 and page.whole_page
    assert page.h1 == "Sign in to Gatehouse" and page.title.startswith("Sign in")
    assert page.xpath("//form[@action='/sign-in']") and 'name="email"' in page.html


def test_the_wrong_status_fails_and_says_what_came_instead(client_request):
    with pytest.raises(AssertionError, match=r"GET /organisations answered 302, not 200 \(redirect to /sign-in"):
        client_request.get("organisations.index")


def test_redirects_expected_and_followed(client_request):
    sign_in_url = client_request.url("auth.sign_in", next="/organisations?q=873")
    response = client_request.get_response(
        "organisations.index", q="873", _expected_status=302, _expected_redirect=sign_in_url
    )
    assert response.location == sign_in_url
    page = client_request.get("organisations.index", q="873", _follow_redirects=True, _expected_redirect=sign_in_url)
    assert page.h1 == "Sign in to Gatehouse"
    with pytest.raises(AssertionError, match="redirected to '/sign-in"):
        client_request.get("organisations.index", _expected_status=302, _expected_redirect="/elsewhere")


def test_post_expects_a_redirect_unless_told(client_request, make_user, la):
    user = make_user(la)
    client_request.post("auth.sign_in", _data={"email": user["email"], "password": "wrong"}, _expected_status=200)
    with pytest.raises(AssertionError, match="answered 200, not 302"):
        client_request.post("auth.sign_in", _data={"email": user["email"], "password": "wrong"})


def test_responses_that_are_not_pages_come_from_get_response(client_request):
    assert client_request.get_response("main.health").get_json() == {"status": "ok"}
    with pytest.raises(AssertionError, match="application/json is not a page"):
        client_request.get("main.health")


def test_htmx_partials_are_checked_as_partials(client_request, sign_in, make_user, la):
    sign_in(make_user(la))
    page = client_request.get("organisations.index", _headers={"HX-Request": "true"})
    assert not page.whole_page and page.xpath("//h1") == [] and page.xpath("//title") == []
    assert "Cambridgeshire" in page.texts("//a")


def test_using_another_client(app, client_request):
    other = client_request.using(app.test_client())
    assert other.client is not client_request.client
    assert other.get("auth.sign_in").h1 == "Sign in to Gatehouse"
