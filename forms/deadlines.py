"""Deadlines forms: a school making a return, the LA recording a status, the matrix filters, chasing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
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
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from domain.dates import academic_year_label
from domain.deadline_rules import GIAS_PHASES, DateRule, DueRule, RuleKind, allowed_kinds, fields_of
from forms.audit import DayMonthYearField
from forms.fields import optional_text, required_text
from forms.filters import strip
from models.deadline_catalogue import RETURN_TYPE_LABELS
from models.deadline_statuses import MAX_NOTE, STATUSES
from models.deadline_tracker import NOT_SUBMITTED_FILTER, SORTS, Filters


class ButtonForm(FlaskForm):
    """A form that is only a button (its CSRF token is all it carries)."""


def _anything_to_add() -> TextAreaField:
    """The optional note a school may add to a confirmation or NIL return."""
    return optional_text("Anything the LA should know (optional)", max_length=MAX_NOTE,
                         too_long=f"Keep it to {MAX_NOTE} characters or fewer", multiline=True)  # fmt: skip


class ConfirmReturnForm(FlaskForm):
    """A confirmation return (e.g. privacy notice issued)."""

    confirm = BooleanField("I confirm this has been done for this year", widget=GovCheckboxInput())
    details = _anything_to_add()
    submit = SubmitField("Send confirmation", widget=GovSubmitInput())

    def validate_confirm(self, field: BooleanField) -> None:
        if not field.data:
            raise ValidationError("Tick the box to confirm")


class NilReturnForm(FlaskForm):
    """A NIL return: no incidents in the period."""

    confirm = BooleanField("No incidents happened in this period", widget=GovCheckboxInput())
    details = _anything_to_add()
    submit = SubmitField("Make a NIL return", widget=GovSubmitInput())

    def validate_confirm(self, field: BooleanField) -> None:
        if not field.data:
            raise ValidationError("Tick the box to say no incidents happened, or report your incidents")


class FormReturnForm(FlaskForm):
    """A return made by filling in a short form (e.g. weekly meal numbers)."""

    details = required_text(
        "Your return", "Enter your return", max_length=MAX_NOTE, too_long=f"Keep it to {MAX_NOTE} characters or fewer",
        hint="For example, the number of meals taken each day this week", multiline=True,
    )  # fmt: skip
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


class SubmissionDigestForm(ReminderPreferenceForm):
    """Whether an LA reviewer gets the hourly email of returns schools have submitted."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.digests.label.text = "Do you want an email when schools submit returns for review?"


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
        choices=[
            SelectChoice("current", "Overdue, open now or due within 4 weeks"),
            SelectChoice("year", "The whole year"),
        ],
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
            *(SelectChoice(key, label) for key, label in STATUSES.items() if key != "information"),
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
    source = optional_text("Where was it made?", max_length=100, too_long="Where must be 100 characters or fewer",
                           hint="For example DfE COLLECT, or by email. Leave blank for Gatehouse")  # fmt: skip
    made_on = DayMonthYearField("Date it was made (optional)", description="For example 20 10 2026. Blank: today")
    note = optional_text("Note", max_length=MAX_NOTE, too_long=f"Keep the note to {MAX_NOTE} characters or fewer",
                         hint="Shown to the school. Needed for an exemption", multiline=True)  # fmt: skip
    submit = SubmitField("Record status", widget=GovSubmitInput())

    def validate_note(self, field) -> None:
        if self.status.data == "exempt" and not field.data:
            raise ValidationError("Give the reason this school is exempt")


# ----------------------------------------------------------------------------- site admin


class DateRequired:
    """Validator for a DayMonthYearField that must not be left blank."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


YEAR_GROUP_CHOICES = [SelectChoice("0", "Reception"), *(SelectChoice(str(n), f"Year {n}") for n in range(1, 14))]
RETURN_TYPE_CHOICES = [SelectChoice(key, label) for key, label in RETURN_TYPE_LABELS.items()]

# ----------------------------------------------------------------------------- a date rule, part by part

#: What each anchor of a date rule is called on the form (``due_offset`` is worded per part).
KIND_LABELS = {
    "fixed": "A date in the academic year (day and month)",
    "nth_weekday": "A weekday of a month (for example the last Friday of June)",
    "census_day_offset": "Census day",
    "term_start_offset": "The first day of a term",
    "term_end_offset": "The last day of a term",
    "weekly": "A day of each school week (weekly returns)",
    "month_end_offset": "The last day of each month (monthly returns; 10 days after it is the 10th of the next month)",
}
#: Months in academic-year order.
MONTH_CHOICES = [SelectChoice("", "Choose a month")] + [
    SelectChoice(str(m), name) for m, name in zip(
        (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8),
        ("September", "October", "November", "December", "January", "February", "March", "April", "May", "June",
         "July", "August"), strict=True)
]  # fmt: skip
WEEKDAY_CHOICES = [SelectChoice("", "Choose a weekday")] + [
    SelectChoice(str(n), name) for n, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                         "Saturday", "Sunday"))
]  # fmt: skip
NTH_CHOICES = [SelectChoice("", "Choose which one")] + [
    SelectChoice(str(n), name) for n, name in ((1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (5, "Fifth"),
                                               (-1, "Last"), (-2, "Second to last"))
]  # fmt: skip
CENSUS_CHOICES = [SelectChoice("", "Each term's own (termly returns)"), SelectChoice("autumn", "Autumn census"),
                  SelectChoice("spring", "Spring census"), SelectChoice("summer", "Summer census"),
                  SelectChoice("workforce", "School Workforce Census")]  # fmt: skip
TERM_CHOICES = [SelectChoice("", "Each term itself (termly returns)"), SelectChoice("autumn", "Autumn term"),
                SelectChoice("spring", "Spring term"), SelectChoice("summer", "Summer term")]  # fmt: skip
UNIT_CHOICES = [SelectChoice("days", "Calendar days"), SelectChoice("working_days", "Working days")]


def _optional_int(value):
    """'' (nothing chosen) as None; a number as int (the select fields hold numbers as text)."""
    return int(value) if value not in (None, "") else None


class _DateRuleForm(Form):
    """One date of a rule: what it is counted from, that anchor's details, and how many days after (or before).

    Subclasses set ``KINDS`` (the anchors offered, as choices) for the due date, the opening date and the LA's own
    deadline; only the details the chosen anchor uses are read, so the others may be left as they are.
    """

    KINDS: list[SelectChoice] = []

    kind = SelectField("Counted from", widget=GovSelect())
    month = SelectField("Month", widget=GovSelect(), choices=MONTH_CHOICES, coerce=_optional_int)
    day = IntegerField("Day of the month", widget=GovTextInput(),
                       validators=[Optional(), NumberRange(1, 31, message="Enter a day of the month from 1 to 31")])
    weekday = SelectField("Weekday", widget=GovSelect(), choices=WEEKDAY_CHOICES, coerce=_optional_int)
    nth = SelectField("Which one in the month", widget=GovSelect(), choices=NTH_CHOICES, coerce=_optional_int)
    census = SelectField("Which census", widget=GovSelect(), choices=CENSUS_CHOICES)
    term = SelectField("Which term", widget=GovSelect(), choices=TERM_CHOICES)
    offset = IntegerField(
        "Days after it", widget=GovTextInput(), default=0,
        description="A minus number for days before it, for example -7; 0 for the day itself",
        validators=[InputRequired(message="Enter a number of days, 0 for the day itself"),
                    NumberRange(-366, 366, message="Enter a number of days from -366 to 366")],
    )  # fmt: skip
    unit = SelectField("Counting", widget=GovSelect(), choices=UNIT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = self.KINDS

    @classmethod
    def data_of(cls, rule: dict | None) -> dict:
        """Form data for a stored date rule (``DateRule.to_dict``), or for none."""
        if not rule:
            return {"kind": "", "offset": 0, "unit": "days"}
        return {"offset": 0, "unit": "days", **{k: v for k, v in rule.items() if v is not None}}

    def rule_dict(self) -> dict | None:
        """The date rule as ``DateRule.from_dict`` takes it (None when not set), adding an error to each detail
        the anchor needs and was not given."""
        kind = self.kind.data
        if not kind:
            return None
        required, optional = fields_of(kind)
        rule = {"kind": kind, "offset": self.offset.data or 0, "unit": self.unit.data or "days"}
        for name in sorted(required | optional):
            field = self[name]
            if field.data in (None, ""):
                if name in required:
                    field.errors = [*field.errors, _MISSING[name]]
                continue
            rule[name] = field.data
        return rule


class DueDateForm(_DateRuleForm):
    KINDS = [SelectChoice(k, v) for k, v in KIND_LABELS.items()]


class OpensForm(_DateRuleForm):
    KINDS = [SelectChoice("", "The start of each period (1 September, the first day of term, of the month, or of "
                          "the week)"),
             *DueDateForm.KINDS, SelectChoice("due_offset", "The due date")]  # fmt: skip


class InternalDueForm(_DateRuleForm):
    KINDS = [SelectChoice("", "None: schools work to the deadline above"), *DueDateForm.KINDS,
             SelectChoice("due_offset", "The deadline above (for example 7 working days before it)")]  # fmt: skip


#: The parts of a due rule: (field name, what the form calls it).
RULE_PARTS = (("due", "The deadline"), ("opens", "When it opens"), ("internal_due", "The LA's own earlier deadline"))


class CatalogueEntryForm(FlaskForm):
    """A return in the catalogue: who makes it, when, and what counts as making it."""

    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Capital letters, digits and hyphens, for example SC-AUT. Other parts of Gatehouse use it; "
        "it cannot change later",
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        validators=[Optional(), Regexp(r"^[A-Z0-9][A-Z0-9-]{1,31}$", message="Enter a code of 2 to 32 capital "
                                       "letters, digits and hyphens, starting with a letter or digit")],
    )  # fmt: skip
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired(message="Enter a name"), Length(max=200, message="Keep the name to 200 characters")],
    )
    description = TextAreaField(
        "Description",
        widget=GovTextArea(),
        description="What schools do, shown with the return",
        filters=[strip],
        validators=[Length(max=4000, message="Keep the description to 4,000 characters")],
    )
    source = RadioField(
        "Who sets it",
        widget=GovRadioInput(),
        choices=[SelectChoice("dfe", "The DfE (a statutory return)"), SelectChoice("local", "The LA")],
        validators=[InputRequired(message="Choose who sets the return")],
    )
    return_type = RadioField(
        "What counts as a return",
        widget=GovRadioInput(),
        choices=RETURN_TYPE_CHOICES,
        validators=[InputRequired(message="Choose what counts as a return")],
    )
    phases = SelectMultipleField(
        "Phases",
        widget=GovCheckboxesInput(),
        description="Leave all unticked for every phase",
        choices=[SelectChoice(p) for p in GIAS_PHASES],
    )
    year_groups = SelectMultipleField(
        "Year groups",
        widget=GovCheckboxesInput(),
        description="Schools that teach any of these (from their GIAS age range). Leave all unticked for any",
        choices=YEAR_GROUP_CHOICES,
    )
    academies = RadioField(
        "Academies",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("yes", "Maintained schools and academies"),
            SelectChoice("no", "Maintained schools only"),
        ],
        validators=[InputRequired(message="Choose whether academies make the return")],
    )
    types = TextAreaField(
        "Types of school",
        widget=GovTextArea(),
        description="GIAS types, one a line, for example Community school. Leave blank for every type",
        validators=[Length(max=4000, message="Keep the list of types to 4,000 characters")],
    )
    chosen_only = RadioField(
        "Which schools",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("no", "Every school that fits the phases, year groups, academies and types above"),
            SelectChoice("yes", "Only the schools listed below"),
        ],
        validators=[InputRequired(message="Choose which schools make the return")],
    )
    chosen = TextAreaField(
        "Chosen schools",
        widget=GovTextArea(),
        description="DfE numbers, one a line, for example 873/2001",
        validators=[Length(max=20000, message="Keep the list to 20,000 characters")],
    )
    recurrence = RadioField(
        "How often is it due?",
        widget=GovRadioInput(),
        choices=[SelectChoice("annual", "Once a year"), SelectChoice("termly", "Once a term"),
                 SelectChoice("monthly", "Every month (September to July)"),
                 SelectChoice("weekly", "Every school week")],
        validators=[InputRequired(message="Choose how often the return is due")],
    )  # fmt: skip
    due = FormField(DueDateForm, "The deadline")
    opens = FormField(OpensForm, "When it opens")
    internal_due = FormField(InternalDueForm, "The LA's own earlier deadline (optional)")
    active = BooleanField("Track this return (untick to stop making new deadlines for it)", widget=GovCheckboxInput())
    submit = SubmitField("Save return", widget=GovSubmitInput())

    def dfe_numbers(self) -> list[str]:
        """The chosen schools' DfE numbers as 7 digits (slashes and spaces removed), in order."""
        lines = (self.chosen.data or "").replace(",", "\n").splitlines()
        return [n for n in (line.replace("/", "").replace(" ", "").strip() for line in lines) if n]

    def type_names(self) -> list[str]:
        return [t.strip() for t in (self.types.data or "").splitlines() if t.strip()]

    @staticmethod
    def rule_data(rule: dict) -> dict:
        """Form data for a stored due rule (``DueRule.to_dict``)."""
        return {"recurrence": rule["recurrence"], "due": DueDateForm.data_of(rule["due"]),
                "opens": OpensForm.data_of(rule.get("opens")),
                "internal_due": InternalDueForm.data_of(rule.get("internal_due"))}  # fmt: skip

    def due_rule(self) -> DueRule | None:
        """The due rule the When part describes, or None after adding an error in words to the part that
        does not fit (a detail missing, an anchor the recurrence cannot use, a date that does not exist)."""
        recurrence = self.recurrence.data
        parts = {}
        for name, _label in RULE_PARTS:
            part = self[name].form
            rule = part.rule_dict()
            if rule is None or not recurrence:
                continue
            if RuleKind(rule["kind"]) not in allowed_kinds(recurrence, name):
                part.kind.errors = [*part.kind.errors, _KIND_REFUSED[recurrence]]
                continue
            named = "census" if rule["kind"] == "census_day_offset" else "term"
            if rule["kind"] in ("census_day_offset", "term_start_offset", "term_end_offset"):
                if recurrence == "termly" and rule.get(named):
                    part[named].errors = [*part[named].errors, f"Leave this as each term's own: a termly return "
                                          f"counts from each term's {'census day' if named == 'census' else 'dates'}"]
                elif recurrence == "annual" and not rule.get(named):
                    part[named].errors = [*part[named].errors, f"Choose which {named}"]
            try:
                parts[name] = DateRule.from_dict(rule)
            except ValueError as error:
                target = part.day if "29 February" in str(error) or rule.get("day") else part.kind
                target.errors = [*target.errors, _date_error(str(error))]
        if any(self[name].errors for name, _ in RULE_PARTS) or "due" not in parts:
            return None
        try:
            return DueRule(recurrence=recurrence, **parts)
        except (TypeError, ValueError) as error:
            self.due.form.kind.errors = [*self.due.form.kind.errors, f"The dates do not fit together: {error}"]
            return None


#: What to say of a detail the anchor needs and the form left empty.
_MISSING = {"month": "Choose the month", "day": "Enter the day of the month", "weekday": "Choose the weekday",
            "nth": "Choose which one in the month (first, second, ... last)"}  # fmt: skip

#: Why an anchor cannot be used, by recurrence.
_KIND_REFUSED = {
    "weekly": "A weekly return counts from a day of each school week (or, for when it opens, the due date)",
    "monthly": "A monthly return counts from the last day of each month (for example 10 days after it, the 10th "
    "of the next month), or, for when it opens, the due date",
    "termly": "A termly return counts from each term's census day, first day or last day",
    "annual": "A yearly return cannot count from a day of each week or the end of each month",
}


def _date_error(message: str) -> str:
    if "29 February" in message:
        return "29 February is not in every year: choose 28 February or 1 March"
    if "day is out of range" in message:
        return "That day does not exist in that month"
    return f"Check this date: {message}"


TERM_DATE_LABELS = {
    "autumn_start": "Autumn term starts",
    "autumn_half_term_start": "Autumn half term starts",
    "autumn_half_term_end": "Autumn half term ends",
    "autumn_end": "Autumn term ends",
    "spring_start": "Spring term starts",
    "spring_half_term_start": "Spring half term starts",
    "spring_half_term_end": "Spring half term ends",
    "spring_end": "Spring term ends",
    "summer_start": "Summer term starts",
    "summer_half_term_start": "Summer half term starts",
    "summer_half_term_end": "Summer half term ends",
    "summer_end": "Summer term ends",
}


def _term_dates_form() -> type[FlaskForm]:
    fields = {
        name: DayMonthYearField(label, validators=[DateRequired(f"Enter the date the {label[0].lower()}{label[1:]}")])
        for name, label in TERM_DATE_LABELS.items()
    }
    fields["submit"] = SubmitField("Save term dates", widget=GovSubmitInput())
    return type("TermDatesForm", (FlaskForm,), fields)


#: The twelve dates of a year's terms (first and last days are in term; half terms are holidays).
TermDatesForm = _term_dates_form()


class MoveInstanceForm(FlaskForm):
    """New dates for one deadline, and why."""

    opens_on = DayMonthYearField("Opens", validators=[DateRequired("Enter the date it opens")])
    due_on = DayMonthYearField("Due (the date schools work to)", validators=[DateRequired("Enter the due date")])
    external_due_on = DayMonthYearField("External deadline (optional)", description="For example the DfE deadline")
    reason = required_text("Why the dates changed", "Say why the dates changed", max_length=500,
                           too_long="Keep it short", hint="For example: the DfE published 30 October")
    submit = SubmitField("Save dates", widget=GovSubmitInput())


class CancelInstanceForm(FlaskForm):
    """Cancel one deadline."""

    cancel_reason = required_text("Why it is cancelled", "Say why this deadline is cancelled", max_length=500,
                                  too_long="Keep it short")
    cancel = SubmitField("Cancel this deadline", widget=GovSubmitInput())


class AddInstanceForm(FlaskForm):
    """A deadline added by hand."""

    catalogue_id = SelectField("Return", widget=GovSelect(), coerce=int, validate_choice=False)
    academic_year = IntegerField(
        "Academic year",
        widget=GovTextInput(),
        description="The year it starts in: 2026 for 2026/27",
        validators=[InputRequired(message="Enter the academic year"),
                    NumberRange(2000, 2097, message="Enter an academic year from 2000 to 2097")],
    )  # fmt: skip
    period_label = StringField(
        "Period",
        widget=GovTextInput(),
        description="For example: Autumn term 2026/27 (re-run)",
        filters=[strip],
        validators=[DataRequired(message="Enter the period"), Length(max=100, message="Keep it short")],
    )
    opens_on = DayMonthYearField("Opens", validators=[DateRequired("Enter the date it opens")])
    due_on = DayMonthYearField("Due", validators=[DateRequired("Enter the due date")])
    external_due_on = DayMonthYearField("External deadline (optional)")
    submit = SubmitField("Add deadline", widget=GovSubmitInput())


class GenerateForm(FlaskForm):
    """Generate (or refresh) a year's deadlines from the catalogue."""

    academic_year = IntegerField(
        "Academic year",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the academic year"),
                    NumberRange(2000, 2097, message="Enter an academic year from 2000 to 2097")],
    )  # fmt: skip
    generate = SubmitField("Create or update deadlines", widget=GovSubmitInput())
