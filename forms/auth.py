"""Sign-in, second-step and password-reset forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp, ValidationError

from domain.security import password_policy, two_factor

EMAIL_FORMAT = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address in the correct format, like name@example.com"
)


class PasswordPolicy:
    """WTForms validator: the password policy, checked against ``form.policy_email`` when set."""

    def __call__(self, form, field) -> None:
        found = password_policy.problems(field.data or "", email=getattr(form, "policy_email", None))
        if found:
            raise ValidationError(found[0])


def new_password_field(label: str = "New password") -> PasswordField:
    """A new-password field with the policy (length, common passwords, not the email address)."""
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description=f"Use at least {password_policy.MIN_LENGTH} characters. A few random words are easy to "
        "remember and hard to guess.",
        validators=[InputRequired(message="Enter a new password"), PasswordPolicy()],
    )


def confirm_password_field() -> PasswordField:
    """A field that must repeat the ``password`` field."""
    return PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your new password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"), Length(max=password_policy.MAX_LENGTH)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SixDigitCode:
    """WTForms validator: six digits, ignoring spaces and hyphens."""

    def __call__(self, form, field) -> None:
        code = two_factor.normalise_code(field.data or "")
        if not code.isdigit() or len(code) != two_factor.DIGITS:
            raise ValidationError("The code must be 6 digits")


def totp_code_field() -> StringField:
    """The field for a 6-digit code from an authenticator app."""
    return StringField(
        "Code from your authenticator app",
        widget=GovTextInput(),
        description="The 6-digit code changes every 30 seconds.",
        validators=[InputRequired(message="Enter the 6-digit code from your authenticator app"), SixDigitCode()],
    )


class TotpCodeForm(FlaskForm):
    code = totp_code_field()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SignInTwoFactorSetupForm(FlaskForm):
    """Enrolment during sign-in: the password was typed a moment ago, so only the code."""

    code = totp_code_field()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        "Recovery code",
        widget=GovTextInput(),
        description="One of the codes you saved when you set up two-step verification, like 7k2m-q9xd-4hrt-b0ce.",
        validators=[InputRequired(message="Enter one of your recovery codes"), Length(max=64)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=254), EMAIL_FORMAT],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    password = new_password_field()
    confirm = confirm_password_field()
    submit = SubmitField("Save new password", widget=GovSubmitInput())
