"""The JSON API at /api/v1/: one NinjaAPI, each context adds its router.

Authentication: a personal token (`Authorization: Bearer …`) or the browser session (with CSRF).
Errors always have the same body: {"code": ..., "message": ..., "fields": {...}}.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from kooperacja.accounts.api import BearerTokenAuth
from kooperacja.accounts.api import router as accounts_router
from kooperacja.cases.api import router as cases_router
from kooperacja.directory.api import router as directory_router
from kooperacja.governance.api import router as governance_router
from kooperacja.monitoring.api import router as monitoring_router
from kooperacja.people.api import router as people_router
from kooperacja.privacy.api import router as privacy_router
from kooperacja.referrals.api import router as referrals_router
from kooperacja.territory.api import router as territory_router

api = NinjaAPI(
    title="Kooperacja API",
    version="1",
    description="JSON API of Kooperacja. Authenticate with `Authorization: Bearer <token>` "
    "(create a token under Account → API tokens) or with the browser session.",
    auth=[BearerTokenAuth(), django_auth],
    urls_namespace="api-v1",
)


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, object]:
    return {"code": code, "message": message, "fields": fields or {}}


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body("forbidden", str(exc) or _("You may not do this.")), status=403)


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body("unauthorised", _("Sign in or send a valid API token.")), status=401)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", []) if part not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(error.get("msg", "")))
    return api.create_response(request, error_body("invalid", _("The request is not valid."), fields), status=422)


@api.exception_handler(DjangoValidationError)
def _domain_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {
            name: [str(message) for error in errors for message in error.messages]
            for name, errors in exc.error_dict.items()
        }
    else:
        fields = {"__all__": [str(m) for m in exc.messages]}
    return api.create_response(request, error_body("invalid", _("The request is not valid."), fields), status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found", 409: "conflict"}
    return api.create_response(
        request, error_body(codes.get(exc.status_code, "error"), str(exc)), status=exc.status_code
    )


api.add_router("/accounts/", accounts_router)
api.add_router("/territory/", territory_router)
api.add_router("/directory/", directory_router)
api.add_router("/people/", people_router)
api.add_router("/privacy/", privacy_router)
api.add_router("/cases/", cases_router)
api.add_router("/referrals/", referrals_router)
api.add_router("/governance/", governance_router)
api.add_router("/monitoring/", monitoring_router)
