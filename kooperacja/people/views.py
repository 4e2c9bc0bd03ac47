"""Pages of the people context. Thin: accessor (policy), form, one service call, redirect or render — and the access
log written for every person whose data a page shows (categories shown, purpose, channel "page", resource)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kooperacja.people import forms, policies, selectors, services
from kooperacja.people.access import log_reads
from kooperacja.people.models import HouseholdMember, Person, PersonMerge
from kooperacja.people.pesel import pesel_mask
from kooperacja.privacy.models import Channel, DataCategory, Purpose

PAGE_SIZE = 20
IDENTITY = DataCategory.IDENTITY
CONTACT = DataCategory.CONTACT
FAMILY = DataCategory.FAMILY
REASON_LABELS = {
    selectors.Reason.SAME_PESEL: gettext_lazy("same PESEL"),
    selectors.Reason.BIRTH_DATE_AND_NAME: gettext_lazy("same birth date and a similar name"),
    selectors.Reason.ADDRESS_AND_NAME: gettext_lazy("same address and a similar name"),
}

Crumbs = list[tuple[str, str]]


def _home() -> Crumbs:
    return [(_("Persons and households"), reverse("people:search"))]


def _person_crumbs(person: Person, categories: set[str]) -> Crumbs:
    label = person.full_name if IDENTITY in categories else _("Person")
    return [*_home(), (label, reverse("people:person_detail", args=[person.pk]))]


def _shown(categories: set[str], wanted: tuple[str, ...] = policies.PEOPLE_CATEGORIES) -> list[str]:
    return sorted(c for c in wanted if c in categories)


def _reason_labels(reasons: list[str]) -> list[str]:
    return [str(REASON_LABELS.get(reason, reason)) for reason in reasons]


# --- search ----------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search persons. The query travels in a POST body, never in the URL (no personal data in URLs or logs)."""
    form = forms.SearchForm(request.POST or None)
    q = pesel = ""
    if request.method == "POST" and form.is_valid():
        q, pesel = form.cleaned_data["q"], form.cleaned_data["pesel"]
    searched = bool(q.strip() or pesel.strip())
    page = Paginator(selectors.person_search(actor=request.user, q=q, pesel=pesel), PAGE_SIZE).get_page(
        request.POST.get("page")
    )
    rows = list(page.object_list)
    log_reads(
        actor=request.user,
        shown=[(person, [IDENTITY]) for person in rows],
        resource="people:search",
        channel=Channel.PAGE,
        purpose=Purpose.INTAKE,
    )
    return render(
        request,
        "people/search.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "searched": searched,
            "q": q,
            "pesel": pesel,
            "may_create": policies.can_create_person(request.user),
            "crumbs": [],
        },
    )


# --- persons ---------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    institutions = policies.recording_institutions(request.user)
    if not institutions:
        raise PermissionDenied(_("Only an OPS, a CUS or a PCPR records persons."))
    form = forms.PersonForm(request.POST or None, institutions=institutions)
    candidates: list[selectors.Candidate] = []
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=request.user,
                institution=form.cleaned_data.get("institution"),
                confirm_not_duplicate=form.cleaned_data["confirm_not_duplicate"],
                **form.person_values(),
            )
        except services.DuplicateCandidates as exc:
            candidates = exc.candidates
            form.show_duplicate_confirmation()
            log_reads(
                actor=request.user,
                shown=[(c.person, [IDENTITY, CONTACT]) for c in candidates],
                resource="people:person_create:duplicates",
                channel=Channel.PAGE,
                purpose=Purpose.INTAKE,
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The person was recorded."))
            return redirect("people:person_detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {
            "form": form,
            "title": _("Record a person"),
            "candidates": [(c, _reason_labels(c.reasons)) for c in candidates],
            "cancel_url": reverse("people:search"),
            "crumbs": _home(),
        },
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    person, categories = policies.get_person_for_actor(request.user, pk)
    shown = _shown(categories)
    memberships = selectors.person_memberships(person=person) if FAMILY in categories else []
    pesel = services.person_pesel(person) if IDENTITY in categories else ""
    may_edit = policies.can_edit_person(request.user, person)
    log_reads(
        actor=request.user,
        shown=[(person, shown)],
        resource=f"people:person_detail:{person.pk}",
        channel=Channel.PAGE,
    )
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "shown": [DataCategory(c).label for c in shown],
            "identity": IDENTITY in categories,
            "contact": CONTACT in categories,
            "family": FAMILY in categories,
            "pesel": pesel if may_edit else pesel_mask(pesel),
            "pesel_masked": bool(pesel) and not may_edit,
            "memberships": memberships,
            "merges": selectors.person_merges(person=person) if may_edit else [],
            "may_edit": may_edit,
            "may_merge": policies.can_merge_any(request.user, person),
            "may_add_household": may_edit and policies.can_create_person(request.user),
            "crumbs": _home(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    person, categories = policies.get_person_for_actor(request.user, pk, need="write")
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    initial["pesel"] = services.person_pesel(person)
    form = forms.PersonForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        values = form.person_values()
        pesel = values.pop("pesel")
        try:
            services.person_update(actor=request.user, person=person, pesel=pesel, **values)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("people:person_detail", pk=person.pk)
    if request.method == "GET":
        log_reads(
            actor=request.user,
            shown=[(person, _shown(categories, (IDENTITY, CONTACT)))],
            resource=f"people:person_edit:{person.pk}",
            channel=Channel.PAGE,
        )
    return render(
        request,
        "people/person_form.html",
        {
            "form": form,
            "title": _("Change the person's data"),
            "candidates": [],
            "cancel_url": reverse("people:person_detail", args=[person.pk]),
            "crumbs": _person_crumbs(person, categories),
        },
    )


# --- merges ----------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_merge(request: HttpRequest, pk: Any) -> HttpResponse:
    """Choose the other record (a duplicate of this one), see both side by side, confirm: the other one is merged
    into this one (this one survives)."""
    survivor, categories = policies.get_person_for_actor(request.user, pk)
    if not policies.can_merge_any(request.user, survivor):
        raise PermissionDenied(_("Merging records needs a case coordinator or a manager."))
    other: Person | None = None
    other_id = request.POST.get("other") or request.GET.get("other")
    if other_id:
        other, _other_categories = policies.get_person_for_actor(request.user, other_id)
        if other.pk == survivor.pk or not policies.can_merge_persons(request.user, survivor, other):
            raise PermissionDenied(_("You may merge only records that your institution sees both of."))
    confirming = request.method == "POST" and request.POST.get("action") == "merge"
    form = forms.MergeForm(request.POST if confirming else None)
    if confirming and other is not None and form.is_valid():
        try:
            services.person_merge(
                actor=request.user, survivor=survivor, merged=other, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The records were merged. The merge can be undone on this page."))
            return redirect("people:person_detail", pk=survivor.pk)
    q = request.POST.get("q", "") if request.POST.get("action") == "find" else ""
    found: list[Person] = []
    if other is None:
        candidates = selectors.person_duplicates(
            actor=request.user,
            first_name=survivor.first_name,
            last_name=survivor.last_name,
            birth_date=survivor.birth_date,
            pesel=services.person_pesel(survivor),
            street=survivor.street,
            postal_code=survivor.postal_code,
            town=survivor.town,
            exclude=survivor,
        )
        found = [c.person for c in candidates]
        if q:
            found = [p for p in selectors.person_search(actor=request.user, q=q)[:PAGE_SIZE] if p.pk != survivor.pk]
    pair = [survivor, other] if other is not None else [survivor]
    log_reads(
        actor=request.user,
        shown=[(p, [IDENTITY, CONTACT]) for p in pair] + [(p, [IDENTITY]) for p in found],
        resource=f"people:person_merge:{survivor.pk}" + (f":{other.pk}" if other is not None else ""),
        channel=Channel.PAGE,
        purpose=Purpose.INTAKE,
    )
    records = [
        {
            "person": p,
            "pesel": pesel_mask(services.person_pesel(p)),
            "memberships": selectors.person_memberships(person=p),
        }
        for p in pair
    ]
    return render(
        request,
        "people/merge.html",
        {
            "survivor": survivor,
            "other": other,
            "records": records,
            "found": found,
            "q": q,
            "form": form,
            "crumbs": _person_crumbs(survivor, categories),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    merge = get_object_or_404(PersonMerge.objects.select_related("survivor", "merged"), pk=pk)
    survivor, categories = policies.get_person_for_actor(request.user, merge.survivor_id)
    if not services.can_unmerge(request.user, merge):
        raise PermissionDenied(_("You may not undo this merge."))
    if request.method == "POST":
        try:
            services.person_unmerge(actor=request.user, merge=merge)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The merge was undone: both records are separate again."))
        return redirect("people:person_detail", pk=survivor.pk)
    return render(
        request,
        "people/unmerge.html",
        {"merge": merge, "survivor": survivor, "crumbs": _person_crumbs(survivor, categories)},
    )


# --- households ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.households_for(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    log_reads(
        actor=request.user,
        shown=selectors.household_list_reads(actor=request.user, households=list(page.object_list)),
        resource="people:household_list",
        channel=Channel.PAGE,
    )
    return render(
        request,
        "people/household_list.html",
        {
            "page": page,
            "may_create": policies.can_create_person(request.user),
            "page_query": "",
            "crumbs": _home(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    institutions = policies.recording_institutions(request.user)
    if not institutions:
        raise PermissionDenied(_("Only an OPS, a CUS or a PCPR records households."))
    form = forms.HouseholdForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            household = services.household_create(actor=request.user, **data)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The household was recorded. Add its members now."))
            return redirect("people:household_detail", pk=household.pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": _("Record a household"),
            "submit_label": _("Save"),
            "cancel_url": reverse("people:household_list"),
            "crumbs": _home(),
        },
    )


def _household_crumbs(household: Any) -> Crumbs:
    return [
        *_home(),
        (_("Households"), reverse("people:household_list")),
        (household.name, reverse("people:household_detail", args=[household.pk])),
    ]


@login_required
@require_GET
def household_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    household, person_ids = policies.get_household_for_actor(request.user, pk)
    members = selectors.household_members(household=household, person_ids=person_ids)
    hidden = household.members.exclude(person_id__in=person_ids).values("person_id").distinct().count()
    log_reads(
        actor=request.user,
        shown=[(m.person, [IDENTITY, FAMILY]) for m in {m.person_id: m for m in members}.values()],
        resource=f"people:household_detail:{household.pk}",
        channel=Channel.PAGE,
    )
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "members": members,
            "hidden": hidden,
            "may_edit": policies.can_edit_household(request.user, household),
            "crumbs": [*_home(), (_("Households"), reverse("people:household_list"))],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: Any) -> HttpResponse:
    household, _person_ids = policies.get_household_for_actor(request.user, pk, need="write")
    finding = request.POST.get("action") == "find"
    q = request.POST.get("q", "") if finding else ""
    preselected = request.GET.get("person") or (request.POST.get("person") if not finding else None)
    persons: list[Person] = []
    if preselected:
        try:
            person, _categories = policies.get_person_for_actor(request.user, preselected)
            persons = [person]
        except Http404:
            persons = []
    if q:
        persons += [p for p in selectors.person_search(actor=request.user, q=q)[:PAGE_SIZE] if p not in persons]
    persons = [p for p in persons if policies.can_edit_person(request.user, p)]
    adding = request.method == "POST" and not finding
    form = forms.MemberAddForm(request.POST if adding else None, persons=persons, initial={"person": preselected})
    if adding and form.is_valid():
        chosen = next(p for p in persons if str(p.pk) == form.cleaned_data["person"])
        try:
            services.household_member_add(
                actor=request.user,
                household=household,
                person=chosen,
                relation=form.cleaned_data["relation"],
                since=form.cleaned_data["since"],
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The member was added."))
            return redirect("people:household_detail", pk=household.pk)
    log_reads(
        actor=request.user,
        shown=[(p, [IDENTITY]) for p in persons],
        resource=f"people:member_add:{household.pk}",
        channel=Channel.PAGE,
        purpose=Purpose.INTAKE,
    )
    return render(
        request,
        "people/member_add.html",
        {
            "household": household,
            "form": form,
            "q": q,
            "persons": persons,
            "crumbs": _household_crumbs(household),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(HouseholdMember.objects.select_related("household", "person"), pk=pk)
    household, person_ids = policies.get_household_for_actor(request.user, member.household_id, need="write")
    if member.person_id not in person_ids:
        raise Http404
    form = forms.MemberEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_member_end(actor=request.user, member=member, until=form.cleaned_data["until"])
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The membership was ended."))
            return redirect("people:household_detail", pk=household.pk)
    log_reads(
        actor=request.user,
        shown=[(member.person, [IDENTITY, FAMILY])],
        resource=f"people:member_end:{member.pk}",
        channel=Channel.PAGE,
    )
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": _("End a membership"),
            "intro": member.person.full_name,
            "submit_label": _("End the membership"),
            "cancel_url": reverse("people:household_detail", args=[household.pk]),
            "crumbs": _household_crumbs(household),
        },
    )
