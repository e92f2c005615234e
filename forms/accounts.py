"""Secure access forms: inviting, managing a user, account requests, claim codes, oversight filters."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    EmailField,
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from forms.auth import EMAIL_FORMAT, confirm_password_field, new_password_field
from forms.fields import required_text
from forms.filters import squash_spaces, strip, strip_lower
from models.accounts import ROLES
from models.oversight import FILTERS
from models.services import SERVICES

ROLE_CHOICES = [SelectChoice("end_user", "End user"), SelectChoice("approver", "Approver")]
ROLE_HINT = (
    "End users use the services chosen for them. Approvers use every service, manage the organisation's "
    "accounts and must use two-step verification."
)
SERVICE_CHOICES = [SelectChoice(key, label) for key, label in SERVICES.items()]


def name_field(label: str = "Full name") -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[squash_spaces],
        validators=[DataRequired(message="Enter their full name"), Length(max=200, message="Keep the name to 200 "
                                                                                             "characters or fewer")],
    )


def email_field(label: str = "Email address", hint: str | None = None) -> EmailField:
    return EmailField(
        label,
        widget=GovTextInput(),
        description=hint or "",
        filters=[strip_lower],
        validators=[DataRequired(message="Enter an email address"), Length(max=254), EMAIL_FORMAT],
    )


def services_field(label: str = "Services", hint: str = "") -> SelectMultipleField:
    return SelectMultipleField(label, widget=GovCheckboxesInput(), description=hint, choices=SERVICE_CHOICES)


def role_field(label: str = "Role") -> RadioField:
    return RadioField(label, widget=GovRadioInput(), choices=ROLE_CHOICES, description=ROLE_HINT,
                      validators=[InputRequired(message="Choose a role")])


class ButtonForm(FlaskForm):
    """A form that is only a button: its CSRF token is all it carries."""


class ClaimLettersForm(FlaskForm):
    """The schools to issue claim codes for, at once (choices: the schools that need one)."""

    schools = SelectMultipleField(
        "Which schools should get a claim letter?", widget=GovCheckboxesInput(), coerce=int, validate_choice=False,
        description="Each chosen school gets a new claim code and a letter to its headteacher.",
        validators=[DataRequired(message="Choose at least one school")],
    )  # fmt: skip
    submit = SubmitField("Issue codes and show the letters", widget=GovSubmitInput())

    def validate_schools(self, field) -> None:
        offered = {choice.value for choice in field.choices}
        if not set(field.data or []) <= offered:
            raise ValidationError("A school you chose has an approver or a claim code now: choose again from the list")


class InviteForm(FlaskForm):
    name = name_field()
    email = email_field(hint="Their work email address. The invitation goes there.")
    role = role_field()
    services = services_field("Services they may use", "Only for end users: approvers have every service.")
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class SuspendForm(FlaskForm):
    reason = required_text(
        "Why are you suspending this account?", "Enter the reason for suspending the account", max_length=1000,
        too_long="Keep the reason to 1000 characters or fewer", multiline=True,
        hint="They are emailed this reason. It is kept in the audit log.",
    )  # fmt: skip
    submit = SubmitField("Suspend account", widget=GovSubmitInput())


class ServicesForm(FlaskForm):
    services = services_field("Services they may use")
    submit = SubmitField("Save services", widget=GovSubmitInput())


class RoleForm(FlaskForm):
    role = role_field("Their role")
    submit = SubmitField("Change role", widget=GovSubmitInput())


class HandOverForm(FlaskForm):
    to_user = RadioField("Who should become approver instead of you?", widget=GovRadioInput(), coerce=int,
                         validators=[InputRequired(message="Choose who becomes approver")])
    submit = SubmitField("Hand over the approver role", widget=GovSubmitInput())

    def __init__(self, *args, people: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.to_user.choices = [SelectChoice(p["id"], f"{p['name']} ({p['email']})") for p in people]


class CapsForm(FlaskForm):
    approver_cap = IntegerField(
        "Most approvers", widget=GovTextInput(), description="Leave empty for the default.",
        validators=[Optional(), NumberRange(min=1, max=1000, message="Enter a number from 1 to 1000")],
    )
    end_user_cap = IntegerField(
        "Most end users", widget=GovTextInput(), description="Leave empty for the default.",
        validators=[Optional(), NumberRange(min=0, max=100000, message="Enter a number from 0 to 100000")],
    )
    submit = SubmitField("Save limits", widget=GovSubmitInput())


# ----------------------------------------------------------------------------- public forms


class FindOrganisationForm(Form):
    """Finding the organisation to ask for an account at (a GET form: no CSRF token)."""

    q = StringField(
        "Your school or organisation",
        widget=GovTextInput(),
        description="Part of its name, its DfE number (like 873/2001) or its URN",
        filters=[squash_spaces],
        validators=[Length(max=100, message="Search must be 100 characters or fewer")],
    )


class AccountRequestForm(FlaskForm):
    name = name_field("Your full name")
    email = email_field("Your work email address", "We email you here when your request is decided.")
    reason = required_text(
        "Why do you need an account?", "Say why you need an account", max_length=2000,
        too_long="Keep it to 2000 characters or fewer", multiline=True,
        hint="For example, your job and what you will use Gatehouse for. Your school's approvers read this.",
    )  # fmt: skip
    services = services_field("Services you need", "Tick all that apply. Your approver can change them.")
    submit = SubmitField("Send request", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[SelectChoice("approve", "Approve: send them an invitation"),
                 SelectChoice("reject", "Reject")],
        validators=[InputRequired(message="Choose approve or reject")],
    )
    role = RadioField("Role if approved", widget=GovRadioInput(), choices=ROLE_CHOICES, default="end_user",
                      description=ROLE_HINT,
                      validators=[Optional()])
    services = services_field("Services if approved", "Only for end users: approvers have every service.")
    reason = TextAreaField(
        "Reason if rejected",
        widget=GovTextArea(),
        description="The requester is emailed this.",
        filters=[strip],
        validators=[Length(max=2000, message="Keep the reason to 2000 characters or fewer")],
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def validate_reason(self, field) -> None:
        if self.decision.data == "reject" and not field.data:
            raise ValidationError("Enter the reason for rejecting the request")

    def validate_role(self, field) -> None:
        if self.decision.data == "approve" and field.data not in ROLES:
            raise ValidationError("Choose a role")


class ClaimCodeForm(FlaskForm):
    code = StringField(
        "Claim code",
        widget=GovTextInput(),
        description="16 letters and numbers from your letter, like K7M2-Q9XD-4HRT-B0CE",
        filters=[strip],
        validators=[DataRequired(message="Enter the claim code from your letter"), Length(max=40)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ClaimNewAccountForm(FlaskForm):
    name = name_field("Your full name")
    email = email_field("Your work email address", "You sign in with this address.")
    password = new_password_field("Choose a password")
    confirm = confirm_password_field()
    submit = SubmitField("Create account and become approver", widget=GovSubmitInput())


class AcceptInvitationForm(FlaskForm):
    password = new_password_field("Choose a password")
    confirm = confirm_password_field()
    submit = SubmitField("Set password and sign in", widget=GovSubmitInput())


# ----------------------------------------------------------------------------- oversight


class OversightFilterForm(Form):
    """The oversight page's filters, read from the query string (no CSRF token)."""

    q = StringField(
        "Search organisations",
        widget=GovTextInput(),
        description="Part of a name, a DfE number or a URN",
        filters=[squash_spaces],
        validators=[Length(max=100, message="Search must be 100 characters or fewer")],
    )
    show = SelectField("Show", widget=GovSelect(), choices=[SelectChoice(k, v) for k, v in FILTERS.items()],
                       validate_choice=False)

    def validate_show(self, field) -> None:
        if field.data and field.data not in FILTERS:
            raise ValidationError("Choose what to show from the list")

    def query_args(self) -> dict[str, str]:
        return {name: getattr(self, name).data for name in ("q", "show") if getattr(self, name).data}

    def error_list(self) -> list[dict]:
        return [{"text": errors[0], "href": f"#{name}"} for name, errors in self.errors.items()]
