"""Local returns forms: designing a return (its details and each question), uploading a spreadsheet,
submitting. The answers themselves are checked by ``domain.local_returns.answers`` (their fields come from
the return's definition, so they are not a fixed form class)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from domain.local_returns.definitions import (
    KINDS,
    MAX_HELP,
    MAX_LABEL,
    MAX_PURPOSE,
    MAX_TITLE,
    NC_YEARS,
    NUMBER,
    SHAPES,
)
from forms.fields import optional_text, required_text
from forms.filters import strip
from models.local_returns import MAX_REASON

YEAR_CHOICES = [SelectChoice(y, "Reception" if y == "R" else (f"Nursery {y[1]}" if y.startswith("N") else f"Year {y}"))
                for y in NC_YEARS]  # fmt: skip


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class DetailsForm(FlaskForm):
    """A local return's title, purpose, year groups and whether "nothing to report" is allowed."""

    title = required_text("Title", "Enter a title", max_length=MAX_TITLE,
                          too_long=f"Keep it to {MAX_TITLE} characters")  # fmt: skip
    purpose = required_text(
        "Why the LA needs it", "Say why the LA needs this return", max_length=MAX_PURPOSE,
        too_long=f"Keep it to {MAX_PURPOSE} characters", multiline=True,
        hint="Schools see this on the return: what the data is for and who uses it",
    )  # fmt: skip
    nc_years = SelectMultipleField(
        "Year groups listed", widget=GovCheckboxesInput(), choices=YEAR_CHOICES,
        description="For a pupil list: the pupils of these year groups in the school's latest census are listed",
    )  # fmt: skip
    nothing_to_report = BooleanField("Schools may answer 'nothing to report'", widget=GovCheckboxInput())
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewReturnForm(DetailsForm):
    """A new local return: which catalogue return it collects, and its shape, then its details."""

    catalogue_id = SelectField(
        "Which return in the catalogue does it collect?", widget=GovSelect(), coerce=int,
        description="Who must make it and when it is due come from the return catalogue",
        validators=[InputRequired(message="Choose the return it collects")],
    )  # fmt: skip
    shape = RadioField(
        "What do schools fill in?", widget=GovRadioInput(), choices=[SelectChoice(k, v) for k, v in SHAPES.items()],
        validators=[InputRequired(message="Choose a pupil list or a single form")],
    )  # fmt: skip
    submit = SubmitField("Create the return", widget=GovSubmitInput())

    def __init__(self, *args, catalogue: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue_id.choices = [SelectChoice(e["id"], f"{e['name']} ({e['code']})") for e in catalogue]

    def validate_nc_years(self, field) -> None:
        if self.shape.data == "pupil_list" and not field.data:
            raise ValidationError("Choose the year groups whose pupils are listed")


class QuestionForm(FlaskForm):
    """One question (a column of a pupil list, a field of a single form)."""

    label = required_text("Question (the column heading)", "Enter the question", max_length=MAX_LABEL,
                          too_long=f"Keep it to {MAX_LABEL} characters")  # fmt: skip
    kind = RadioField("What kind of answer?", widget=GovRadioInput(),
                      choices=[SelectChoice(k, v) for k, v in KINDS.items()],
                      validators=[InputRequired(message="Choose the kind of answer")])  # fmt: skip
    required = BooleanField("Schools must answer it", widget=GovCheckboxInput())
    help = optional_text("Help text (optional)", max_length=MAX_HELP, too_long=f"Keep it to {MAX_HELP} characters",
                         multiline=True)  # fmt: skip
    minimum = IntegerField("Smallest number allowed (optional)", widget=GovTextInput(), validators=[
        Optional()], description="Whole-number questions only")  # fmt: skip
    maximum = IntegerField("Largest number allowed (optional)", widget=GovTextInput(), validators=[
        Optional()], description="Whole-number questions only")  # fmt: skip
    options = TextAreaField("Choices, one a line", widget=GovTextArea(), filters=[strip],
                            description="Choice questions only: each line is one choice in the drop-down list")
    sum_of = SelectMultipleField("This number is the total of (optional)", widget=GovCheckboxesInput(),
                                 description="Whole-number questions only: answers must add up to it")
    submit = SubmitField("Save question", widget=GovSubmitInput())

    def __init__(self, *args, number_questions: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.sum_of.choices = [SelectChoice(k, label) for k, label in number_questions]

    def option_list(self) -> tuple[str, ...]:
        return tuple(_lines(self.options.data))

    def validate_options(self, field) -> None:
        if self.kind.data in ("choice", "choices") and len(_lines(field.data)) < 2:
            raise ValidationError("Give at least two choices, one a line")

    def validate_maximum(self, field) -> None:
        if self.kind.data == NUMBER and field.data is not None and self.minimum.data is not None:
            if field.data < self.minimum.data:
                raise ValidationError("The largest number must not be less than the smallest")


class UploadForm(FlaskForm):
    """The return's spreadsheet, filled in (or saved as CSV)."""

    file = FileField("Upload the spreadsheet", widget=GovFileInput(),
                     description="The .xlsx file downloaded from this page, filled in (or saved as .csv)",
                     validators=[FileRequired("Select the spreadsheet to upload")])  # fmt: skip
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class SubmitForm(FlaskForm):
    """Submit the answers, or (where allowed) say there is nothing to report."""

    nothing_to_report = BooleanField("We have nothing to report this time", widget=GovCheckboxInput())
    submit = SubmitField("Submit to the LA", widget=GovSubmitInput())


class ReturnForChangesForm(FlaskForm):
    """The LA hands a submitted local return back to the school, saying what to change."""

    reason = required_text(
        "What does the school need to change?", "Say what the school needs to change", max_length=MAX_REASON,
        too_long=f"The reason must be {MAX_REASON:,} characters or fewer", multiline=True,
        hint="The school's Local returns users get this by email and see it on the return until they submit again."
        " Do not include pupils' names or other personal data.",
    )  # fmt: skip
    submit = SubmitField("Return for changes", widget=GovSubmitInput())
