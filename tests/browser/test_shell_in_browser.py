"""The shell in a real browser: sign-in page renders, is accessible, and breaks no CSP rule."""

from __future__ import annotations


def test_sign_in_page_is_accessible_under_csp(page, live_server, checked):
    page.goto(live_server.url + "/sign-in")
    assert page.title().startswith("Sign in")
    assert page.locator("h1").count() == 1
    # GOV.UK Frontend's JavaScript ran (module loaded under our CSP with its nonce)
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    checked(page)


def test_not_found_page_is_accessible(page, live_server, checked):
    page.goto(live_server.url + "/no-such-page")
    assert page.locator("h1").inner_text() == "Page not found"
    checked(page)
