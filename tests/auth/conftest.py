"""Fixtures for the sign-in security tests."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD


@pytest.fixture
def post_sign_in(client):
    """POST the sign-in form once (no redirects followed): ``post_sign_in(email, password=TEST_PASSWORD)``."""

    def post(email: str, password: str = TEST_PASSWORD, test_client=None, **kwargs):
        return (test_client or client).post("/sign-in", data={"email": email, "password": password}, **kwargs)

    return post
