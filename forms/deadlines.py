"""Deadlines forms: a school making a return, the LA recording a status, the matrix filters, chasing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import BooleanField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from models.deadlines import MAX_NOTE


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ButtonForm(FlaskForm):
    """A form that is only a button (its CSRF token is all it carries)."""


class ConfirmReturnForm(FlaskForm):
    """A confirmation return (e.g. privacy notice issued)."""

    confirm = BooleanField("I confirm this has been done for this year", widget=GovCheckboxInput())
    details = TextAreaField(
        "Anything the LA should know (optional)",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional(), Length(max=MAX_NOTE, message=f"Keep it to {MAX_NOTE} characters or fewer")],
    )
    submit = SubmitField("Send confirmation", widget=GovSubmitInput())

    def validate_confirm(self, field: BooleanField) -> None:
        if not field.data:
            raise ValidationError("Tick the box to confirm")


class NilReturnForm(FlaskForm):
    """A NIL return: no incidents in the period."""

    confirm = BooleanField("No incidents happened in this period", widget=GovCheckboxInput())
    details = TextAreaField(
        "Anything the LA should know (optional)",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional(), Length(max=MAX_NOTE, message=f"Keep it to {MAX_NOTE} characters or fewer")],
    )
    submit = SubmitField("Make a NIL return", widget=GovSubmitInput())

    def validate_confirm(self, field: BooleanField) -> None:
        if not field.data:
            raise ValidationError("Tick the box to say no incidents happened, or report your incidents")


class FormReturnForm(FlaskForm):
    """A return made by filling in a short form (e.g. weekly meal numbers)."""

    details = TextAreaField(
        "Your return",
        widget=GovTextArea(),
        description="For example, the number of meals taken each day this week",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter your return"),
            Length(max=MAX_NOTE, message=f"Keep it to {MAX_NOTE} characters or fewer"),
        ],
    )
    submit = SubmitField("Send return", widget=GovSubmitInput())


#: Return type -> the form a school fills in (file uploads are made in the Returns area).
SCHOOL_RETURN_FORMS = {
    "confirmation": ConfirmReturnForm,
    "incidents_or_nil": NilReturnForm,
    "form": FormReturnForm,
}


class ReminderPreferenceForm(FlaskForm):
    """Whether a person gets the daily deadline reminder digest."""

    digests = RadioField(
        "Do you want reminder emails about your school's deadlines?",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired(message="Choose yes or no")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
