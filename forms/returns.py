"""Returns forms: uploading a file, filtering findings, explaining queries, submitting, LA decisions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import BooleanField, Form, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from forms.fields import optional_text, required_text
from models.findings import SEVERITIES, Filters
from models.returns import MAX_NOTE, MAX_REASON


class UploadForm(FlaskForm):
    """Choose (or drop) one census return, workforce census return or CTF file."""

    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="The XML file your MIS created, as it is (not zipped).",
        validators=[FileRequired("Select the file to upload")],
    )
    submit = SubmitField("Upload and check the file", widget=GovSubmitInput())


class FindingsFilterForm(Form):
    """Filters for a version's findings (a GET form: it changes nothing)."""

    severity = SelectField(
        "Type",
        widget=GovSelect(),
        choices=[
            SelectChoice("", "Errors and queries"), SelectChoice("error", "Errors"), SelectChoice("query", "Queries")
        ],
        validate_choice=False,
    )
    rule = SelectField("Rule", widget=GovSelect(), validate_choice=False)
    q = optional_text("UPN or name", max_length=100, hint="Part of a UPN or a pupil's name")
    unexplained = BooleanField("Only queries with no note", widget=GovCheckboxInput())

    def __init__(self, formdata, rules: list[tuple[str, str]]):
        super().__init__(formdata)
        self.rule.choices = [SelectChoice("", "All rules"), *(SelectChoice(value, label) for value, label in rules)]
        self._rules = {value for value, _ in rules}

    def filters(self) -> Filters:
        """The filters chosen (an unknown severity or rule is ignored)."""
        severity = self.severity.data if self.severity.data in SEVERITIES else None
        rule = self.rule.data if self.rule.data in self._rules else None
        return Filters(severity=severity, rule=rule, text=self.q.data or None, unexplained=bool(self.unexplained.data))


class NoteForm(FlaskForm):
    """Explain a query (or every query of one rule)."""

    note = optional_text(
        "Explain why the data is correct",
        max_length=MAX_NOTE, too_long=f"The note must be {MAX_NOTE} characters or fewer",
        hint="For example: twins with the same date of birth. Leave it empty to remove the note.", multiline=True,
    )  # fmt: skip
    submit = SubmitField("Save note", widget=GovSubmitInput())


class SubmitReturnForm(FlaskForm):
    """Submit a version to the LA."""

    submit = SubmitField("Submit the return", widget=GovSubmitInput())


class AuthoriseForm(FlaskForm):
    """The LA authorises a submitted version."""

    submit = SubmitField("Authorise", widget=GovSubmitInput())


class ReturnToSchoolForm(FlaskForm):
    """The LA returns a submitted version to the school, saying why."""

    reason = required_text(
        "Why is the return going back to the school?", "Say why the return is going back to the school",
        max_length=MAX_REASON, too_long=f"The reason must be {MAX_REASON} characters or fewer",
        hint="The school's Returns users get this by email. Say what to fix or explain; refer to pupils by their"
        " position in the file or their UPN, not by name.", multiline=True,
    )  # fmt: skip
    submit = SubmitField("Return to the school", widget=GovSubmitInput())


