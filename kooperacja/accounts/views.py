from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kooperacja.accounts.selectors import ACTIVE_MEMBERSHIP_SESSION_KEY, memberships_for


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html")


@login_required
@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Make another of the user's own current memberships the active one."""
    try:
        wanted = int(request.POST.get("membership", ""))
    except ValueError:
        wanted = -1
    if memberships_for(user=request.user).filter(pk=wanted).exists():
        request.session[ACTIVE_MEMBERSHIP_SESSION_KEY] = wanted
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)
