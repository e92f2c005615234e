"""Transfers forms: sending CTFs, searching the lost pupils store, releasing a lost pupil to a school."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import Form, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from forms.audit import DayMonthYearField
from forms.filters import strip


class SendCtfForm(FlaskForm):
    """Choose one or more CTFs to send."""

    files = MultipleFileField(
        "Upload CTFs",
        widget=GovFileInput(multiple=True),
        description="The CTF files your MIS created, as they are (not zipped). You can choose several at once.",
        validators=[FileRequired("Select the CTF files to send")],
    )
    submit = SubmitField("Check and send", widget=GovSubmitInput())


class LostPupilSearchForm(Form):
    """Search the lost pupils store (a GET form: it changes nothing, but each search is audited)."""

    upn = StringField(
        "UPN or former UPN",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Length(max=20, message="A UPN is 13 characters")],
    )
    surname = StringField(
        "Surname",
        widget=GovTextInput(),
        description="With the date of birth. Capitals, accents and spaces do not matter.",
        filters=[strip],
        validators=[Optional(), Length(max=100, message="Surname must be 100 characters or fewer")],
    )
    dob = DayMonthYearField("Date of birth", description="With the surname. For example, 15 11 2014")

    def has_criteria(self) -> bool:
        """True when a UPN, or a surname with a date of birth, was given."""
        return bool(self.upn.data or (self.surname.data and self.dob.data))


class ReleaseForm(FlaskForm):
    """Choose the school a lost pupil has joined."""

    school = SelectField("School the pupil has joined", widget=GovSelect(), coerce=int,
                         validators=[InputRequired("Choose the school the pupil has joined")])
    submit = SubmitField("Release to this school", widget=GovSubmitInput())


class SendFileForm(FlaskForm):
    """Choose who gets the files, then the files (any type but programs and scripts)."""

    recipient = SelectField("Send to", widget=GovSelect(), coerce=int,
                            validators=[InputRequired("Choose who to send the files to")])
    files = MultipleFileField(
        "Upload files",
        widget=GovFileInput(multiple=True),
        description="Any documents, spreadsheets, images or PDFs: no need to zip or password-protect them. "
                    "You can choose several at once.",
        validators=[FileRequired("Select the files to send")],
    )
    submit = SubmitField("Send", widget=GovSubmitInput())


class OversightMonthForm(Form):
    """Choose the month the LA's oversight page counts transfers for (a GET form: it changes nothing)."""

    month = SelectField("Month", widget=GovSelect(), validators=[Optional()])
