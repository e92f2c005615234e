"""The page checker itself: it must fail on a CSP violation and on an axe-core violation."""

import pytest

from tests.browser.checks import check_page


def test_checker_catches_csp_and_axe(page, live_server):
    page.goto(live_server.url + "/sign-in")
    page.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'body{}'; document.head.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    with pytest.raises(AssertionError, match="CSP"):
        check_page(page)
    page.goto(live_server.url + "/sign-in")
    page.evaluate("() => { const i = document.createElement('input'); document.querySelector('main').appendChild(i); }")
    with pytest.raises(AssertionError, match="axe-core"):
        check_page(page)
