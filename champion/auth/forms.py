"""Sign-up and sign-in forms; field names and autocomplete hints follow SPEC §4."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from champion.auth.emails import EmailAddressError, email_address
from champion.auth.passwords import password_problem


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def valid_email(form: FlaskForm, field: EmailField) -> None:
    """The one email rule (champion.auth.emails), as a form validator."""
    if field.data:
        try:
            email_address(field.data)
        except EmailAddressError as exc:
            raise ValidationError(
                f"Enter a valid email address, like name@hospital.org ({exc.reason}).") from exc


class NewPasswordForm(FlaskForm):
    """A new password typed twice, at least PASSWORD_MIN_LENGTH characters."""

    password = PasswordField(
        "Password",
        validators=[InputRequired("Choose a password."), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            InputRequired("Type the password again."),
            EqualTo("password", "The two passwords don't match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field: PasswordField) -> None:
        email = self.email.data if "email" in self._fields else getattr(
            self, "email_for_check", None)
        problem = password_problem(field.data or "", current_app.config["PASSWORD_MIN_LENGTH"],
                                   email)
        if problem:
            raise ValidationError(problem)


class SetPasswordForm(NewPasswordForm):
    """Setting a password from a link: the account is known from the link."""


class RegistrationForm(NewPasswordForm):
    name = StringField(
        "Full name",
        validators=[InputRequired("Enter your name."), Length(max=120)],
        filters=[strip],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    email = EmailField(
        "Email",
        validators=[
            InputRequired("Enter your email address."),
            valid_email,
            Length(max=254),
        ],
        filters=[strip],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[InputRequired("Enter your email address."), Length(max=254)],
        filters=[strip],
        render_kw={"autocomplete": "username", "maxlength": 254},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")


class LogoutForm(FlaskForm):
    """Signing out is a POST, so another site can't sign a learner out."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[InputRequired("Enter your email address."), Length(max=254)],
        filters=[strip],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
