"""Forms of the account pages. They validate input; the writes happen in services (or Django's auth views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from kooperacja.accounts.services import api_token_max_days
from kooperacja.core.forms import AccessibleFormMixin


class LoginForm(AccessibleFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(AccessibleFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(AccessibleFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(AccessibleFormMixin, auth_forms.SetPasswordForm):
    pass


class ApiTokenForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script or program that will use it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built here, not on the class: the limits come from the settings.
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=api_token_max_days(),
            initial=settings.API_TOKEN_DEFAULT_DAYS,
            help_text=_("After this many days the token stops working (at most %(max)d).")
            % {"max": api_token_max_days()},
        )
        self._describe()
