"""PRIDE forms: the incident report (one long form, saved as a draft or reported), the NIL return and
confirmation buttons, the LA's report filters, characteristics and "not required" mark.

Free text is refused when it could identify someone (``domain.pride.anonymity``), with the reason.
"""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
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
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from domain.dates import academic_year_label
from domain.pride.anonymity import refusal
from domain.pride.vocabulary import (
    ACTIONS,
    CAME_TO_LIGHT,
    INCIDENT_TYPES,
    LOCATIONS,
    MAX_PEOPLE,
    OTHER_ROLES,
    ROLES,
    SIDES,
    TIME_BANDS,
    YEAR_GROUPS,
)
from forms.audit import DayMonthYearField
from forms.fields import required_text
from forms.filters import strip
from models.pride import COLUMNS as INCIDENT_COLUMNS


def anonymous(form, field) -> None:
    """Refuse free text that could identify someone, saying what and why."""
    message = refusal(field.data)
    if message:
        raise ValidationError(message)


def _choices(items: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in items.items()]


def people_field_name(side: str, role: str, year_group: int | None = None) -> str:
    """``targeted_staff``, ``targeted_pupils_7``, ``responsible_pupils_n`` (nursery)."""
    if role != "pupil":
        return f"{side}_{role}"
    return f"{side}_pupils_{'n' if year_group == -1 else year_group}"


def _count_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(0, MAX_PEOPLE, message=f"{label}: enter a number from 0 to {MAX_PEOPLE}")],
    )


def _text(label: str, description: str = "", max_length: int = 2000) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=description,
        filters=[strip],
        validators=[
            Optional(),
            Length(max=max_length, message=f"{label}: keep it to {max_length:,} characters or fewer"),
            anonymous,
        ],
    )


class _IncidentFormBase(FlaskForm):
    occurred_on = DayMonthYearField("Date of the incident", description="For example 14 10 2026")
    time_band = RadioField(
        "When did it happen?", widget=GovRadioInput(), choices=_choices(TIME_BANDS), validators=[Optional()]
    )
    location = RadioField(
        "Where did it happen?", widget=GovRadioInput(), choices=_choices(LOCATIONS), validators=[Optional()]
    )
    location_other = StringField(
        "If other, where (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Length(max=200, message="Where: keep it to 200 characters or fewer"), anonymous],
    )
    characteristics = SelectMultipleField(
        "What was the incident perceived to relate to?",
        widget=GovCheckboxesInput(),
        description="Select all that apply. An incident is prejudice-related if the person targeted or anyone "
        "else perceives it so",
        coerce=int,
    )
    types = SelectMultipleField(
        "Type of incident",
        widget=GovCheckboxesInput(),
        description="Select all that apply",
        choices=_choices(INCIDENT_TYPES),
    )
    came_to_light = RadioField(
        "How did it come to light? (optional)",
        widget=GovRadioInput(),
        choices=_choices(CAME_TO_LIGHT),
        validators=[Optional()],
    )
    description = _text(
        "What happened (optional)",
        "Describe the incident without names, initials or anything else that could identify anyone",
    )
    actions = SelectMultipleField(
        "Actions taken", widget=GovCheckboxesInput(), description="Select all that apply", choices=_choices(ACTIONS)
    )
    action_details = _text("More about the actions taken (optional)")
    follow_up_on = DayMonthYearField("Follow-up date (optional)", description="For example 4 11 2026")
    outcome = _text("Outcome (optional)")
    report = SubmitField("Report incident", widget=GovSubmitInput())
    save_draft = SubmitField("Save as draft", widget=GovSubmitInput())

    def __init__(self, *args, characteristics: list[dict], today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.characteristics.choices = [SelectChoice(c["id"], c["label"]) for c in characteristics]
        self.today = today

    @property
    def reporting(self) -> bool:
        """True when the school pressed "Report incident" (not "Save as draft")."""
        return bool(self.report.data)

    def validate_occurred_on(self, field) -> None:
        if field.data and field.data > self.today:
            raise ValidationError("Date of the incident must be today or in the past")
        if field.data and field.data < self.today - dt.timedelta(days=3 * 366):
            raise ValidationError("Date of the incident must be within the last 3 years")

    def validate_location_other(self, field) -> None:
        if self.location.data == "other" and not field.data and self.reporting:
            raise ValidationError("Say where it happened")

    def validate(self, extra_validators=None) -> bool:
        """Every check; a report (not a draft) also needs the date, time, place, characteristics, type and
        someone targeted."""
        valid = super().validate(extra_validators)
        if not self.reporting:
            return valid
        needed = {
            self.occurred_on: "Enter the date of the incident",
            self.time_band: "Choose when it happened",
            self.location: "Choose where it happened",
            self.characteristics: "Select what the incident was perceived to relate to",
            self.types: "Select the type of incident",
        }
        for field, message in needed.items():
            if not field.data and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        first = getattr(self, people_field_name("targeted", "pupil", 7))
        if not any(p["side"] == "targeted" for p in self.people()) and not first.errors:
            first.errors = [*first.errors, "Enter how many people were targeted, by role"]
            valid = False
        return valid

    def people(self) -> list[dict]:
        """The counts typed in, as ``{"side", "role", "year_group", "people"}`` (blanks and zeros left out)."""
        found = []
        for side in SIDES:
            for year_group in YEAR_GROUPS:
                value = getattr(self, people_field_name(side, "pupil", year_group)).data
                if value:
                    found.append({"side": side, "role": "pupil", "year_group": year_group, "people": value})
            for role in OTHER_ROLES:
                value = getattr(self, people_field_name(side, role)).data
                if value:
                    found.append({"side": side, "role": role, "year_group": None, "people": value})
        return found

    def data_for_model(self) -> dict:
        """What ``models.pride.save_incident`` takes."""
        return {
            "occurred_on": self.occurred_on.data,
            "time_band": self.time_band.data or None,
            "location": self.location.data or None,
            "location_other": self.location_other.data or None,
            "came_to_light": self.came_to_light.data or None,
            "description": self.description.data or None,
            "action_details": self.action_details.data or None,
            "follow_up_on": self.follow_up_on.data,
            "outcome": self.outcome.data or None,
            "characteristics": self.characteristics.data or [],
            "types": self.types.data or [],
            "actions": self.actions.data or [],
            "people": self.people(),
        }

    @classmethod
    def data_from_incident(cls, incident: dict) -> dict:
        """Form data (for ``data=``) showing a stored incident."""
        data = {k: incident[k] for k in (*INCIDENT_COLUMNS, "characteristics", "types", "actions")}
        for p in incident["people"]:
            data[people_field_name(p["side"], p["role"], p["year_group"])] = p["people"]
        return data


def _people_fields() -> dict:
    fields = {}
    for side, side_label in SIDES.items():
        for year_group, label in YEAR_GROUPS.items():
            fields[people_field_name(side, "pupil", year_group)] = _count_field(f"{side_label}: pupils in {label}")
        for role in OTHER_ROLES:
            fields[people_field_name(side, role)] = _count_field(f"{side_label}: {ROLES[role].lower()}")
    return fields


#: The incident report: every question of the issue in one long form.
IncidentForm = type("IncidentForm", (_IncidentFormBase,), _people_fields())


class NilReturnForm(FlaskForm):
    """The NIL return's confirmation page."""

    submit = SubmitField("Yes, make a NIL return", widget=GovSubmitInput())


class ConfirmIncidentsForm(FlaskForm):
    """Confirm the term's incidents as the school's return."""

    submit = SubmitField("Confirm these incidents as our return", widget=GovSubmitInput())


class DeleteDraftForm(FlaskForm):
    """Delete a draft."""

    delete = SubmitField("Delete this draft", widget=GovSubmitInput())


class CharacteristicForm(FlaskForm):
    """A non-statutory characteristic the LA adds."""

    label = required_text("Add a characteristic", "Enter the characteristic", max_length=100,
                          too_long="Keep the characteristic to 100 characters or fewer",
                          hint="For example: Appearance, or Young carers")  # fmt: skip
    add = SubmitField("Add characteristic", widget=GovSubmitInput())


class ToggleForm(FlaskForm):
    """A button that offers or retires a characteristic, or clears a mark."""


class HistoryImportForm(FlaskForm):
    """The LA's past incident counts, as a CSV."""

    file = FileField(
        "Upload a CSV of past incident counts",
        widget=GovFileInput(),
        description="Columns: DfE number, Academic year, Term (blank for a whole year), Incidents",
        validators=[FileRequired("Select the CSV file to upload")],
    )
    submit = SubmitField("Import counts", widget=GovSubmitInput())


class NotRequiredForm(FlaskForm):
    """Mark a school "PRIDE return not required", with the reason."""

    reason = required_text("Why this school does not make PRIDE returns", "Give the reason", max_length=500,
                           too_long="Keep the reason to 500 characters or fewer",
                           hint="For example: an academy with no data-sharing agreement for PRIDE")  # fmt: skip
    submit = SubmitField("Mark PRIDE return not required", widget=GovSubmitInput())


TERM_CHOICES = [
    SelectChoice("", "Whole year"),
    *(SelectChoice(t, f"{t.capitalize()} term") for t in ("autumn", "spring", "summer")),
]


class SchoolReportForm(Form):
    """The school report's period (query string)."""

    year = SelectField("Academic year", widget=GovSelect(), coerce=int, validate_choice=True)
    term = SelectField("Period", widget=GovSelect(), choices=TERM_CHOICES)

    def __init__(self, formdata, *, years: list[int], default_year: int):
        super().__init__(formdata)
        self.year.choices = [SelectChoice(y, academic_year_label(y)) for y in sorted({*years, default_year})]
        if not formdata or "year" not in formdata:
            self.year.data = default_year
        self.blank_means_any()

    def blank_means_any(self) -> None:
        """A filter left out of the query string is "any" (the blank choice), not an invalid choice."""
        for field in self:
            if isinstance(field, SelectField) and field.name != "year" and field.data is None:
                field.data = ""


class LaReportForm(SchoolReportForm):
    """The LA report's filters (query string)."""

    phase = SelectField("Phase", widget=GovSelect(), validate_choice=True)
    characteristic = SelectField("Characteristic", widget=GovSelect(), validate_choice=True)
    type = SelectField("Type of incident", widget=GovSelect(), validate_choice=True)

    def __init__(self, formdata, *, years, default_year, phases: list[str], characteristics: list[dict]):
        super().__init__(formdata, years=years, default_year=default_year)
        self.phase.choices = [SelectChoice("", "Any phase"), *(SelectChoice(p) for p in phases)]
        self.characteristic.choices = [
            SelectChoice("", "Any characteristic"),
            *(SelectChoice(str(c["id"]), c["label"]) for c in characteristics),
        ]
        self.type.choices = [SelectChoice("", "Any type"), *_choices(INCIDENT_TYPES)]
        self.blank_means_any()
