"""Duplicates forms: filtering cases, notes, messaging both schools, resolving, the census database closure."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import Form, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from domain.duplicates import KIND_LABELS
from forms.audit import DayMonthYearField
from forms.fields import required_text
from models.duplicates import MAX_TEXT, STATUSES, Filters


class CaseFilterForm(Form):
    # The status filter shows open and contacted cases when the query string does not name one ("" is every
    # status, chosen in the form).
    """Filters for the LA's list of cases and its CSV (read from the query string; it changes nothing)."""

    instance = SelectField("Census", widget=GovSelect(), validate_choice=False)
    kind = SelectField(
        "Kind",
        widget=GovSelect(),
        choices=[SelectChoice("", "Every kind"), *(SelectChoice(k, v) for k, v in KIND_LABELS.items())],
        validate_choice=False,
    )
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=[
            SelectChoice("active", "Open or contacted"),
            SelectChoice("", "Every status"),
            *(SelectChoice(k, v) for k, v in STATUSES.items()),
        ],  # fmt: skip
        validate_choice=False,
    )
    school = SelectField("School", widget=GovSelect(), validate_choice=False)
    phase = SelectField("Phase", widget=GovSelect(), validate_choice=False)

    def __init__(self, formdata, instances: list[dict], schools: list[dict], phases: list[str]):
        super().__init__(formdata)
        self.instance.choices = [SelectChoice(str(i["id"]), f"{i['name']} ({i['period_label']})") for i in instances]
        self.school.choices = [SelectChoice("", "Every school"),
                               *(SelectChoice(str(s["id"]), s["name"]) for s in schools)]  # fmt: skip
        self.phase.choices = [SelectChoice("", "Every phase"), *(SelectChoice(p, p) for p in phases)]
        self._instances = {str(i["id"]) for i in instances}
        self._schools = {str(s["id"]) for s in schools}
        self._phases = set(phases)

    def filters(self) -> Filters | None:
        """The filters chosen (an unknown value is ignored); None when there is no census to show."""
        if not self._instances:
            return None
        instance = self.instance.data if self.instance.data in self._instances else self.instance.choices[0].value
        self.instance.data = instance
        return Filters(
            instance_id=int(instance),
            kind=self.kind.data if self.kind.data in KIND_LABELS else "",
            status=self.status.data if self.status.data in ("", "active", *STATUSES) else "active",
            school_id=int(self.school.data) if self.school.data in self._schools else None,
            phase=self.phase.data if self.phase.data in self._phases else "",
        )


def _text_field(label: str, required: str, description: str = ""):
    return required_text(label, required, max_length=MAX_TEXT, hint=description, multiline=True)


class NoteForm(FlaskForm):
    note = _text_field("Add a note", "Enter a note", "For the case's history. Schools see only their own notes.")
    add_note = SubmitField("Add note", widget=GovSubmitInput())


class ResolveForm(FlaskForm):
    resolution = _text_field("What resolved it", "Say what resolved it",
                             "For example: Ouse Valley took the pupil off roll on 2 October.")  # fmt: skip
    close_resolved = SubmitField("Close as resolved", widget=GovSubmitInput())


class NotDuplicateForm(FlaskForm):
    reason = _text_field("Why this is not a duplicate", "Say why this is not a duplicate",
                         "For example: two different children, checked with both schools. The same pair will not be "
                         "reported again.")  # fmt: skip
    close_not_duplicate = SubmitField("Close as not a duplicate", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    reopen_reason = _text_field("Why reopen it", "Say why the case is reopened")
    reopen = SubmitField("Reopen the case", widget=GovSubmitInput())


class MessageForm(FlaskForm):
    """The email to both (every) school of a case, from a template the LA may change."""

    subject = required_text("Subject", "Enter a subject", max_length=150, too_long="Keep the subject short")
    body = _text_field("Message", "Enter the message")
    submit = SubmitField("Send to both schools", widget=GovSubmitInput())


class ClosureForm(FlaskForm):
    """The date the DfE closes the census database."""

    closes_on = DayMonthYearField(
        "Census database closes on", description="Leave blank if the date is not known. For example 12 3 2027"
    )
    submit = SubmitField("Save date", widget=GovSubmitInput())


class TestUploadsCheckForm(FlaskForm):
    """Run detection for a census with the schools' newer test uploads in place of their deadline versions."""

    check = SubmitField("Check test uploads too", widget=GovSubmitInput())
