"""Secure messages forms: writing, replying, confirming, archiving, searching, templates and saved lists."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, Form, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forms.filters import squash_spaces, strip
from models.messages import MAX_BODY, MAX_NAME, MAX_SUBJECT


def _subject() -> StringField:
    return StringField(
        "Subject",
        widget=GovTextInput(),
        description="Say what it is about. The email telling people it has arrived does not include it.",
        filters=[squash_spaces],
        validators=[
            DataRequired("Enter a subject"),
            Length(max=MAX_SUBJECT, message=f"The subject must be {MAX_SUBJECT} characters or fewer"),
        ],
    )


def _body(label: str = "Message") -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            DataRequired("Enter your message"),
            Length(max=MAX_BODY, message=f"The message must be {MAX_BODY:,} characters or fewer"),
        ],
    )


def _name(label: str, what: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[squash_spaces],
        validators=[
            DataRequired(f"Enter a name for {what}"),
            Length(max=MAX_NAME, message=f"The name must be {MAX_NAME} characters or fewer"),
        ],
    )


def _attachments() -> MultipleFileField:
    return MultipleFileField(
        "Attach files (optional)",
        widget=GovFileInput(multiple=True),
        description="You can choose several at once. They are encrypted while stored and deleted with the message. "
        "Programs and scripts cannot be attached.",
    )


def _confirm() -> BooleanField:
    return BooleanField(
        "Ask them to confirm receipt",
        widget=GovCheckboxInput(),
        description="They get a 'Confirm receipt' button; if nobody presses it in time, they and the LA are reminded.",
    )


class ComposeForm(FlaskForm):
    """Start a conversation with one organisation."""

    recipient = SelectField("To", widget=GovSelect(), coerce=int, validate_choice=False,
                            validators=[DataRequired("Choose who the message is for")])  # fmt: skip
    subject = _subject()
    body = _body()
    attachments = _attachments()
    confirm_receipt = _confirm()
    submit = SubmitField("Send message", widget=GovSubmitInput())


class ReplyForm(FlaskForm):
    """Reply in a conversation."""

    body = _body("Your reply")
    attachments = _attachments()
    submit = SubmitField("Send reply", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A button that changes something (archive, confirm receipt, mark unread, delete): CSRF only."""


class SearchForm(Form):
    """Search a box of conversations (a GET form: it changes nothing)."""

    q = StringField(
        "Search by subject or organisation",
        widget=GovTextInput(),
        filters=[squash_spaces],
        validators=[Optional(), Length(max=100, message="Search for 100 characters or fewer")],
    )


class BulkForm(FlaskForm):
    """The LA writes to a group of schools: one conversation per school."""

    group = SelectField("To", widget=GovSelect(), validate_choice=False,
                        validators=[DataRequired("Choose a group of schools")])  # fmt: skip
    subject = _subject()
    body = _body()
    attachments = _attachments()
    confirm_receipt = _confirm()
    submit = SubmitField("Send to every school in the group", widget=GovSubmitInput())


class TemplateForm(FlaskForm):
    """An LA message template."""

    name = _name("Template name", "the template")
    subject = _subject()
    body = _body()
    confirm_receipt = _confirm()
    submit = SubmitField("Save template", widget=GovSubmitInput())


class GroupForm(FlaskForm):
    """A saved list of schools."""

    name = _name("List name", "the list")
    schools = SelectMultipleField("Schools", widget=GovCheckboxesInput(), coerce=int, validate_choice=False)
    submit = SubmitField("Save list", widget=GovSubmitInput())

    def validate_schools(self, field) -> None:
        if not field.data:
            raise ValidationError("Select at least one school")
