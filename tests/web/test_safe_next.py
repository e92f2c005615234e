"""Where a form may send someone afterwards (``next``): only a page of this site, whatever the
browser would make of the address. The known bypasses of "starts with one slash" are refused."""

from __future__ import annotations

import pytest

from web.sessions import safe_next

#: Each would leave the site in some browser, or is no page of ours.
REFUSED = [
    "//evil.example/",
    "///evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/\\evil.example",  # /%5Cevil.example in a query string, decoded by Flask
    "\\/evil.example",
    "/\\/evil.example",
    "/\t/evil.example",  # /%09/evil.example decoded
    "/\r\n/evil.example",
    "/%09/evil.example",  # still encoded
    "/%2F%2Fevil.example",
    "/%5C%5Cevil.example",
    "/\uff0fevil.example",  # fullwidth solidus
    "/\u2215evil.example",  # division slash
    "/\u2044evil.example",  # fraction slash
    " /account",
    "/account ",
    "/account\r\nSet-Cookie: x=1",
    "/no-such-page",
    "/sign-out",  # POST only: nothing to go back to
    "",
    None,
]

ACCEPTED = ["/", "/account", "/deadlines/", "/deadlines/?year=2026#calendar-link", "/returns/versions/3",
            "/organisations?q=ely&page=2", "/deadlines"]  # fmt: skip


@pytest.mark.parametrize("target", REFUSED)
def test_addresses_that_leave_the_site_are_refused(app, target):
    with app.test_request_context():
        assert safe_next(target) is None


@pytest.mark.parametrize("target", ACCEPTED)
def test_pages_of_this_site_are_kept(app, target):
    with app.test_request_context():
        assert safe_next(target) == target
