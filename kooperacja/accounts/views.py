"""Pages of accounts: sign in and out, passwords, "My account" with memberships and personal API tokens.

Thin: policy accessor, form, one service call, redirect or render.
"""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kooperacja.accounts import forms, policies, selectors, services
from kooperacja.accounts.selectors import ACTIVE_MEMBERSHIP_SESSION_KEY

# --- signing in and passwords (Django's views, our forms and templates) -------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    # Not redirect_authenticated_user: a signed-in user sent here for a page they may not open would loop.

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The interface speaks the language the user chose last time, on any computer.
        _set_language_cookie(response, form.get_user().preferred_language)
        return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in user's choice is also remembered as their preferred language."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_preferred_language(actor=request.user, language=language)
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = forms.PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        return {"valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever can read the account's mailbox has proven who they are: lift a lockout of the account.
        axes_reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- My account ------------------------------------------------------------------------------------------------------


def _profile_context(request: HttpRequest, token_form: forms.ApiTokenForm | None = None) -> dict[str, Any]:
    return {
        "memberships": selectors.request_memberships(request),
        "active": request.active_membership,  # type: ignore[attr-defined]
        "tokens": selectors.api_tokens_for(user=request.user),
        "token_form": token_form or forms.ApiTokenForm(auto_id="token_%s"),
    }


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Make another of the user's own current memberships the active one (anyone else's: 404)."""
    membership = policies.get_membership_for_actor(request.user, request.POST.get("membership"))
    request.session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("core:home")
    return redirect(next_url)


@login_required
@require_http_methods(["GET", "POST"])
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Create a token; the answer to the POST is the only place its secret is ever shown."""
    form = forms.ApiTokenForm(request.POST or None, auto_id="token_%s")
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            response = render(request, "accounts/api_token_created.html", {"token": token, "secret": secret})
            add_never_cache_headers(response)
            return response
    return render(request, "accounts/api_token_form.html", {"token_form": form})


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = policies.get_api_token_for_actor(request.user, pk, need="write")
    if request.method == "POST":
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
        return redirect("accounts:profile")
    return render(request, "accounts/api_token_revoke.html", {"token": token})


def _add_errors(form: forms.ApiTokenForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)
