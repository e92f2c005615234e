"""Account forms: change password, set up two-step verification, confirm with a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from domain.security import password_policy
from forms.auth import confirm_password_field, new_password_field, totp_code_field


def current_password_field() -> PasswordField:
    return PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password"), Length(max=password_policy.MAX_LENGTH)],
    )


class ChangePasswordForm(FlaskForm):
    current_password = current_password_field()
    password = new_password_field()
    confirm = confirm_password_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class TwoFactorSetupForm(FlaskForm):
    code = totp_code_field()
    current_password = current_password_field()
    submit = SubmitField("Turn on two-step verification", widget=GovSubmitInput())


class ConfirmPasswordForm(FlaskForm):
    current_password = current_password_field()
    submit = SubmitField("Continue", widget=GovSubmitInput())
