"""One way for tests to request a page: by endpoint name, with the status asserted and the HTML checked.

In the spirit of GOV.UK Notify admin's ``client_request``. The ``client_request`` fixture
(tests/conftest.py) wraps the same test client that ``sign_in`` signs in::

    sign_in(user)
    page = client_request.get("organisations.detail", org_id=school["id"])
    assert page.h1 == "Fenland Primary School"
    client_request.post("deadlines.make_return", instance_id=7, _data={"confirm": "y"},
                        _expected_redirect=client_request.url("deadlines.whats_due"))

Keyword arguments without a leading underscore go to ``url_for`` (unknown ones become the
query string); the underscored ones steer the request. Every HTML page that comes back is
checked by :func:`page_problems`.
"""

from __future__ import annotations

import re
from collections import Counter

import lxml.html
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

_WHOLE_DOCUMENT = re.compile(r"\s*(<!doctype\b|<html\b)", re.IGNORECASE)


def normalise_space(text: str) -> str:
    """``text`` with runs of whitespace made one space and the ends trimmed."""
    return " ".join(text.split())


def page_problems(doc: lxml.html.HtmlElement, *, whole_page: bool) -> list[str]:
    """What is wrong with a parsed page; empty when nothing is.

    Every page and htmx partial: no id used twice, every ``<form>`` has an ``action``. A whole
    page (not a partial) also has exactly one ``<h1>`` and a ``<title>`` with text in it.
    """
    problems = []
    if whole_page:
        headings = doc.xpath("//h1")
        if len(headings) != 1:
            problems.append(f"{len(headings)} <h1> elements, not exactly one")
        titles = doc.xpath("//title")
        if not titles or not normalise_space(titles[0].text_content()):
            problems.append("no <title>, or an empty one")
    repeated = sorted(name for name, count in Counter(doc.xpath("//@id")).items() if count > 1)
    if repeated:
        problems.append(f"ids used more than once: {', '.join(repeated)}")
    for form in doc.xpath("//form"):
        if not (form.get("action") or "").strip():
            problems.append(f"a <form> without an action (line {form.sourceline})")
    return problems


class Page:
    """A response whose body is HTML, parsed with lxml; what ``client_request.get`` and ``.post`` return.

    ``html`` is the body as text, ``doc`` the parsed tree (the whole document, or a ``<div>``
    holding an htmx partial), ``response`` the test client's response.
    """

    def __init__(self, response: TestResponse):
        self.response = response
        self.html = response.get_data(as_text=True)
        self.whole_page = bool(_WHOLE_DOCUMENT.match(self.html))
        if self.whole_page:
            self.doc = lxml.html.document_fromstring(self.html)
        else:
            self.doc = lxml.html.fragment_fromstring(self.html, create_parent="div")

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def headers(self):
        return self.response.headers

    def xpath(self, path: str) -> list:
        return self.doc.xpath(path)

    def texts(self, path: str) -> list[str]:
        """The text of each element ``path`` finds, whitespace normalised."""
        return [normalise_space(element.text_content()) for element in self.doc.xpath(path)]

    @property
    def h1(self) -> str:
        """The text of the page's ``<h1>`` (whitespace normalised)."""
        return self.texts("//h1")[0]

    @property
    def title(self) -> str:
        return self.texts("//title")[0]


class ClientRequest:
    """Requests through ``client`` by endpoint name; see the module docstring.

    Every method takes ``endpoint`` and ``url_for`` values, and these steering keywords:

    - ``_expected_status``: asserted (default 200; for ``post``, 302 unless redirects are followed);
    - ``_follow_redirects``: follow redirects, asserting the final response's status;
    - ``_expected_redirect``: the ``Location`` of the (first) redirect, exactly as the app sent it;
    - ``_headers``: request headers, e.g. ``{"HX-Request": "true"}`` for an htmx request;
    - ``_data``: form fields (``post`` only).

    ``get`` and ``post`` also require an HTML body and raise ``AssertionError`` when
    :func:`page_problems` finds any (redirects that were not followed are not checked);
    ``get_response`` and ``post_response`` return the raw response, for CSV files, empty
    bodies and headers.
    """

    def __init__(self, app: Flask, client: FlaskClient):
        self.app = app
        self.client = client

    def using(self, client: FlaskClient) -> ClientRequest:
        """The same helper over another test client (e.g. a second person's browser)."""
        return ClientRequest(self.app, client)

    def url(self, endpoint: str, **values) -> str:
        """``url_for(endpoint, **values)`` as the app builds it inside a request (a path, not external)."""
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def get(self, endpoint: str, **values) -> Page:
        return self._page(self.get_response(endpoint, **values))

    def post(self, endpoint: str, **values) -> Page:
        return self._page(self.post_response(endpoint, **values))

    def get_response(self, endpoint: str, **values) -> TestResponse:
        return self._request("GET", endpoint, values, default_status=200)

    def post_response(self, endpoint: str, **values) -> TestResponse:
        default = 200 if values.get("_follow_redirects") else 302
        return self._request("POST", endpoint, values, default_status=default)

    def _request(self, method: str, endpoint: str, values: dict, *, default_status: int) -> TestResponse:
        expected_status = values.pop("_expected_status", default_status)
        follow = values.pop("_follow_redirects", False)
        expected_redirect = values.pop("_expected_redirect", None)
        headers = values.pop("_headers", None)
        data = values.pop("_data", None)
        if data is not None and method != "POST":
            raise TypeError("_data is for post requests")
        path = self.url(endpoint, **values)
        response = self.client.open(path, method=method, data=data, headers=headers, follow_redirects=follow)
        assert response.status_code == expected_status, (
            f"{method} {path} answered {response.status_code}, not {expected_status}{_hint(response)}"
        )
        if expected_redirect is not None:
            first = response.history[0] if follow and response.history else response
            assert first.location == expected_redirect, (
                f"{method} {path} redirected to {first.location!r}, not {expected_redirect!r}"
            )
        return response

    @staticmethod
    def _page(response: TestResponse) -> Page:
        assert response.mimetype == "text/html", f"{response.mimetype} is not a page: use get_response/post_response"
        assert response.get_data(as_text=True).strip(), "the page is empty: use get_response/post_response"
        page = Page(response)
        if not 300 <= response.status_code < 400:
            problems = page_problems(page.doc, whole_page=page.whole_page)
            assert not problems, f"{response.request.path}: " + "; ".join(problems)
        return page


def _hint(response: TestResponse) -> str:
    """A few words on what came back instead: where it redirected, or the page's heading."""
    if response.location:
        return f" (redirect to {response.location})"
    if response.mimetype == "text/html":
        match = re.search(r"<h1[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.DOTALL)
        if match:
            return f" (page headed {normalise_space(re.sub(r'<[^>]+>', '', match.group(1)))!r})"
    return ""
