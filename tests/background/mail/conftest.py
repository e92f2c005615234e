"""Fixtures for the notification tests."""

from __future__ import annotations

import pytest

from background.mail import mailer


@pytest.fixture(autouse=True)
def _finish_background_mail():
    """Let emails sent from background threads finish before the test's database goes away."""
    yield
    assert mailer.wait_for_background(30), "a background email was still being sent"
