"""The UPN generator's form: how many new UPNs, and permanent or temporary."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import IntegerField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from models.upns import MAX_BATCH


class IssueUpnsForm(FlaskForm):
    count = IntegerField(
        "How many new UPNs?", widget=GovTextInput(), default=1,
        description=f"One for each new pupil who has never had a UPN, up to {MAX_BATCH} at once",
        validators=[InputRequired(message="Enter how many UPNs you need, for example 3"),
                    NumberRange(1, MAX_BATCH, message=f"Enter a number from 1 to {MAX_BATCH}")],
    )  # fmt: skip
    kind = RadioField(
        "Which kind?", widget=GovRadioInput(), default="permanent",
        choices=[SelectChoice("permanent", "Permanent"), SelectChoice("temporary", "Temporary")],
        validators=[InputRequired(message="Choose permanent or temporary")],
    )  # fmt: skip
    submit = SubmitField("Issue the UPNs", widget=GovSubmitInput())
