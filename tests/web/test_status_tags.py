"""How a status looks is decided by the templates: every status a model can give has a GOV.UK tag
colour there, and the colours say what they mean (overdue red, accepted green, ...)."""

from __future__ import annotations

import pytest

from models import deadline_statuses, returns


def _tag(app, template: str, macro: str, status: dict) -> str:
    with app.test_request_context():
        module = app.jinja_env.get_template(template).module
        return str(getattr(module, macro)(status))


@pytest.mark.parametrize("key", deadline_statuses.STATUSES)
def test_every_deadline_status_has_a_colour(app, key):
    html = _tag(app, "deadlines/_macros.html", "status_tag", deadline_statuses.status_view(key))
    assert 'class="govuk-tag govuk-tag--' in html
    assert f">{deadline_statuses.STATUSES[key]}</strong>" in html


@pytest.mark.parametrize(
    "key,colour",
    [("overdue", "red"), ("late", "pink"), ("accepted", "green"), ("submitted", "turquoise"), ("open", "blue"),
     ("not_open", "grey"), ("returned", "orange"), ("in_progress", "light-blue")],
)  # fmt: skip
def test_deadline_status_colours(app, key, colour):
    html = _tag(app, "deadlines/_macros.html", "status_tag", deadline_statuses.status_view(key))
    assert f'class="govuk-tag govuk-tag--{colour}"' in html


@pytest.mark.parametrize(
    "version,colour,label",
    [(None, "grey", "No data"), ({"status": "validated", "version": 1}, "blue", "Loaded and validated"),
     ({"status": "submitted", "version": 1}, "turquoise", "Submitted"),
     ({"status": "submitted", "version": 2}, "turquoise", "Submitted"),
     ({"status": "submitted", "version": 2, "resubmission": True}, "turquoise", "Resubmitted"),
     ({"status": "authorised", "version": 1}, "green", "Authorised"),
     ({"status": "returned", "version": 1}, "orange", "Returned to school")],
)  # fmt: skip
def test_every_return_status_has_a_colour(app, version, colour, label):
    html = _tag(app, "returns/_macros.html", "tag", returns.status_view(version))
    assert html == f'<strong class="govuk-tag govuk-tag--{colour}">{label}</strong>'
