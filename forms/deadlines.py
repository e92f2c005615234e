"""Deadlines forms: a school making a return, the LA recording a status, the matrix filters, chasing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from deadline_rules import academic_year_label
from forms.audit import DayMonthYearField
from models.deadline_tracker import NOT_SUBMITTED_FILTER, SORTS, Filters
from models.deadlines import MAX_NOTE, STATUSES


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


# ----------------------------------------------------------------------------- the LA's tracker


def _choice_check(field, allowed: set, message: str) -> None:
    if field.data and field.data not in allowed:
        raise ValidationError(message)


class TrackerFilterForm(Form):
    """The tracker's filters, read from the query string (a GET form: no CSRF token)."""

    year = SelectField("Academic year", widget=GovSelect(), validate_choice=False)
    window = SelectField(
        "Deadlines",
        widget=GovSelect(),
        validate_choice=False,
        choices=[SelectChoice("current", "Open now or due within 4 weeks"), SelectChoice("year", "The whole year")],
    )
    code = SelectField("Return", widget=GovSelect(), validate_choice=False)
    status = SelectField("Status", widget=GovSelect(), validate_choice=False)
    phase = SelectField("Phase", widget=GovSelect(), validate_choice=False)
    school_type = SelectField("Type of school", widget=GovSelect(), validate_choice=False)
    q = StringField(
        "School",
        widget=GovTextInput(),
        description="Part of a name, a DfE number or a URN",
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[Length(max=100, message="School must be 100 characters or fewer")],
    )
    sort = SelectField(
        "Sort by",
        widget=GovSelect(),
        validate_choice=False,
        choices=[
            SelectChoice("name", "School name"),
            SelectChoice("dfe", "DfE number"),
            SelectChoice("outstanding", "Most returns outstanding"),
        ],
    )
    instance = IntegerField("Deadline", widget=HiddenInput(), validators=[Optional()])

    def __init__(self, formdata, *, years: list[int], default_year: int, returns: list[dict], facets: dict):
        super().__init__(formdata)
        self.default_year = default_year
        self.year.choices = [SelectChoice(str(y), academic_year_label(y)) for y in sorted({*years, default_year})]
        self.code.choices = [SelectChoice("", "All returns"), *(SelectChoice(r["code"], r["name"]) for r in returns)]
        self.status.choices = [
            SelectChoice("", "Any status"),
            SelectChoice(NOT_SUBMITTED_FILTER, "Not submitted (any)"),
            *(SelectChoice(key, label) for key, (label, _tag) in STATUSES.items() if key != "information"),
        ]
        self.phase.choices = [SelectChoice("", "Any phase"), *(SelectChoice(p) for p in facets["phases"])]
        self.school_type.choices = [SelectChoice("", "Any type"), *(SelectChoice(t) for t in facets["types"])]
        for field in (self.year, self.window, self.sort):
            if not field.data:
                field.data = str(default_year) if field is self.year else field.choices[0].value

    def validate_year(self, field) -> None:
        _choice_check(field, {c.value for c in field.choices}, "Choose an academic year from the list")

    def validate_window(self, field) -> None:
        _choice_check(field, {"current", "year"}, "Choose which deadlines to show from the list")

    def validate_code(self, field) -> None:
        _choice_check(field, {c.value for c in field.choices}, "Choose a return from the list")

    def validate_status(self, field) -> None:
        _choice_check(field, {c.value for c in field.choices}, "Choose a status from the list")

    def validate_phase(self, field) -> None:
        _choice_check(field, {c.value for c in field.choices}, "Choose a phase from the list")

    def validate_school_type(self, field) -> None:
        _choice_check(field, {c.value for c in field.choices}, "Choose a type of school from the list")

    def validate_sort(self, field) -> None:
        _choice_check(field, set(SORTS), "Choose how to sort from the list")

    def filters(self) -> Filters:
        """The validated filters (after ``validate()`` returned True)."""
        return Filters(
            academic_year=int(self.year.data),
            window=self.window.data,
            code=self.code.data or None,
            instance_id=self.instance.data,
            phase=self.phase.data or None,
            type_name=self.school_type.data or None,
            status=self.status.data or None,
            query=self.q.data or None,
            sort=self.sort.data,
        )

    def query_args(self) -> dict:
        """The filters as query-string arguments (defaults and blanks left out), for links."""
        args = {}
        for name in ("year", "window", "code", "status", "phase", "school_type", "q", "sort", "instance"):
            value = getattr(self, name).data
            if value not in (None, ""):
                args[name] = value
        return args

    def error_list(self) -> list[dict]:
        return [{"text": errors[0], "href": f"#{name}"} for name, errors in self.errors.items()]


class ChaseForm(FlaskForm):
    """Send reminders about one deadline to the chosen schools, or to every school shown."""

    chase_instance = IntegerField("Return to chase", validators=[InputRequired(message="Choose the return to chase")])
    schools = SelectMultipleField("Schools", coerce=int, validate_choice=False)
    scope = StringField()

    def validate_schools(self, field) -> None:
        if self.scope.data != "all" and not field.data:
            raise ValidationError("Select the schools to send a reminder to")


#: Statuses the LA may record for a school, with their labels.
LA_STATUS_CHOICES = [
    SelectChoice("submitted", "Submitted (for example to DfE COLLECT, or by email)"),
    SelectChoice("accepted", "Accepted"),
    SelectChoice("returned", "Returned for changes"),
    SelectChoice("in_progress", "In progress"),
    SelectChoice("exempt", "Exempt (give the reason in the note)"),
    SelectChoice("cleared", "Clear the status (back to open or overdue by date)"),
]


class RecordStatusForm(FlaskForm):
    """LA staff recording a status, e.g. a return made outside Gatehouse."""

    status = RadioField(
        "New status",
        widget=GovRadioInput(),
        choices=LA_STATUS_CHOICES,
        validators=[InputRequired(message="Choose the new status")],
    )
    source = StringField(
        "Where was it made?",
        widget=GovTextInput(),
        description="For example DfE COLLECT, or by email. Leave blank for Gatehouse",
        filters=[_strip],
        validators=[Optional(), Length(max=100, message="Where must be 100 characters or fewer")],
    )
    made_on = DayMonthYearField("Date it was made (optional)", description="For example 20 10 2026. Blank: today")
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        description="Shown to the school. Needed for an exemption",
        filters=[_strip],
        validators=[Optional(), Length(max=MAX_NOTE, message=f"Keep the note to {MAX_NOTE} characters or fewer")],
    )
    submit = SubmitField("Record status", widget=GovSubmitInput())

    def validate_note(self, field) -> None:
        if self.status.data == "exempt" and not field.data:
            raise ValidationError("Give the reason this school is exempt")
