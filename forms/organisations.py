"""The organisation list's search form: a GET form (no CSRF token; it changes nothing)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from forms.filters import squash_spaces

STATUS_CHOICES = [
    SelectChoice("", "Any status"),
    SelectChoice("open", "Open"),
    SelectChoice("proposed_to_close", "Proposed to close"),
    SelectChoice("closed", "Closed"),
]


class OrganisationSearchForm(Form):
    """Search and filters for the organisation list (read from the query string)."""

    q = StringField(
        "Search organisations",
        widget=GovTextInput(),
        description="Part of a name, a DfE number such as 873/2001 or 8732001, or a URN",
        filters=[squash_spaces],
        validators=[Length(max=100, message="Search must be 100 characters or fewer")],
    )
    status = SelectField("Status", widget=GovSelect(), choices=STATUS_CHOICES, validate_choice=False)
    phase = SelectField("Phase of education", widget=GovSelect(), validate_choice=False)

    def __init__(self, formdata, phases: list[str]):
        super().__init__(formdata)
        self.phase.choices = [SelectChoice("", "Any phase"), *(SelectChoice(p) for p in phases)]
        self._phases = set(phases)

    def validate_status(self, field: SelectField) -> None:
        if field.data and field.data not in {choice.value for choice in STATUS_CHOICES}:
            raise ValidationError("Choose a status from the list")

    def validate_phase(self, field: SelectField) -> None:
        if field.data and field.data not in self._phases:
            raise ValidationError("Choose a phase from the list")

    def query_args(self) -> dict[str, str]:
        """The search as query-string arguments, for pagination links (blanks left out)."""
        return {name: getattr(self, name).data for name in ("q", "status", "phase") if getattr(self, name).data}

    def error_list(self) -> list[dict]:
        """The GOV.UK error summary's list."""
        return [{"text": errors[0], "href": f"#{name}"} for name, errors in self.errors.items()]
