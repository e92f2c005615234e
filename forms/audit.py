"""The audit log's filter form: a GET form (no CSRF token; it changes nothing)."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect
from wtforms import DateField, Form, SelectField
from wtforms.validators import ValidationError

from forms.fields import optional_text
from models.audit import Filters


class DayMonthYearField(DateField):
    """A GOV.UK date input (three boxes sharing one name) that may be left blank.

    Blank boxes mean "no date"; a partly filled or impossible date is an error that names
    the field. Always keeps exactly three raw parts, so the widget can redisplay them.
    """

    widget = GovDateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [(p or "").strip() for p in [*(valuelist or []), "", "", ""][:3]]
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        if not all(parts):
            raise ValueError(f"{self.label.text} must include a day, month and year")
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(f"{self.label.text} must be a real date, for example 27 3 2026")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date, for example 27 3 2026") from None

    def pre_validate(self, form: Form) -> None:
        """No-op: blank is allowed, and process_formdata has already reported bad dates."""


class AuditFilterForm(Form):
    """Filters for the audit log page and its CSV export (read from the query string)."""

    action = SelectField("Action", widget=GovSelect(), validate_choice=False)
    actor_email = optional_text("Actor email", max_length=254, hint="Part of an email address is enough")
    organisation = optional_text(
        "Organisation", max_length=200, hint="Part of a name, a DfE number such as 873/2001, or a URN"
    )
    target = optional_text("Target", max_length=200, hint="Part of what the action was done to")
    date_from = DayMonthYearField("From", description="UTC date, for example 1 9 2026")
    date_to = DayMonthYearField("To", description="UTC date, included in the results")

    def __init__(self, formdata, actions: list[str]):
        super().__init__(formdata)
        self.action.choices = [("", "All actions"), *((a, a) for a in actions)]
        self._actions = set(actions)

    def validate_action(self, field: SelectField) -> None:
        if field.data and field.data not in self._actions:
            raise ValidationError("Choose an action from the list")

    def validate_date_to(self, field: DayMonthYearField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("To must be the same as or after From")

    def filters(self) -> Filters:
        """The validated filters (call after ``validate()`` returned True)."""
        return Filters(
            action=self.action.data or None,
            actor_email=self.actor_email.data or None,
            organisation=self.organisation.data or None,
            target=self.target.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )

    def query_args(self) -> dict[str, object]:
        """The filters as query-string arguments, for pagination and export links (blanks left out)."""
        args: dict[str, object] = {}
        for name in ("action", "actor_email", "organisation", "target"):
            value = getattr(self, name).data
            if value:
                args[name] = value
        for name in ("date_from", "date_to"):
            raw = getattr(self, name).raw_data
            if raw and any(raw):
                args[name] = list(raw)
        return args

    def error_list(self) -> list[dict]:
        """The GOV.UK error summary's list; date errors link to the day box."""
        found = []
        for name, errors in self.errors.items():
            anchor = f"#{name}-day" if name.startswith("date_") else f"#{name}"
            found.append({"text": errors[0], "href": anchor})
        return found
