"""Fields several areas' forms share, built one way: a GOV.UK widget, spaces stripped, required or optional, a
length limit."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forms.filters import strip


def required_text(
    label: str, missing: str, *, max_length: int, too_long: str | None = None, hint: str = "", multiline: bool = False
) -> StringField | TextAreaField:
    """A required text field (a text area when ``multiline``): ``missing`` when it is left empty, ``too_long`` (or
    "<label> must be N characters or fewer") past ``max_length``; ``hint`` under the label."""
    field, widget = (TextAreaField, GovTextArea()) if multiline else (StringField, GovTextInput())
    return field(
        label, widget=widget, description=hint, filters=[strip],
        validators=[DataRequired(message=missing),
                    Length(max=max_length, message=too_long or f"{label} must be {max_length:,} characters or fewer")],
    )  # fmt: skip


def optional_text(
    label: str, *, max_length: int, too_long: str | None = None, hint: str = "", multiline: bool = False
) -> StringField | TextAreaField:
    """A text field that may be left empty (a text area when ``multiline``): ``too_long`` (or "<label> must be N
    characters or fewer") past ``max_length``; ``hint`` under the label. Left empty, it stops validating there, so
    a form's own ``validate_<field>`` method is not called: a field required only sometimes is not one of these."""
    field, widget = (TextAreaField, GovTextArea()) if multiline else (StringField, GovTextInput())
    return field(
        label, widget=widget, description=hint, filters=[strip],
        validators=[Optional(),
                    Length(max=max_length, message=too_long or f"{label} must be {max_length:,} characters or fewer")],
    )  # fmt: skip
