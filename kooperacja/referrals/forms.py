"""Forms of the referrals context (the services validate again; the forms give the user clear messages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kooperacja.core.forms import AccessibleFormMixin
from kooperacja.directory.models import Institution, Service
from kooperacja.people.models import Person
from kooperacja.referrals.models import DeclineReason, Outcome, Urgency


class RecipientSearchForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Find an institution"),
        required=False,
        max_length=100,
        help_text=_("Part of its name; without it the list shows the institutions of your county and partnerships."),
    )


class RecipientForm(AccessibleFormMixin, forms.Form):
    """Step 1: the recipient (any active institution but the sender; the list offers those nearby and the sender's
    partners, or the matches of a search) and, in a family's case, the member of the household to refer."""

    recipient = forms.ModelChoiceField(
        label=_("Recipient institution"), queryset=Institution.objects.none(), empty_label=None
    )
    person = forms.ModelChoiceField(label=_("Member of the household"), queryset=Person.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        exclude: Any = None,
        offered: list[Institution] | None = None,
        members: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        queryset = Institution.objects.filter(is_active=True).order_by("name")
        if exclude is not None:
            queryset = queryset.exclude(pk=exclude)
        field = self.fields["recipient"]
        field.queryset = queryset  # type: ignore[attr-defined]
        if offered is not None:
            # Validation accepts any active institution; the list shows only what the page offers.
            field.widget.choices = [(institution.pk, institution.name) for institution in offered]
        if members is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = members  # type: ignore[attr-defined]
            self.fields["person"].required = True
            self.fields["person"].label_from_instance = lambda person: person.full_name  # type: ignore[attr-defined]
        self._describe()


class ReferralForm(AccessibleFormMixin, forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("(no particular service)"),
        help_text=_("Its capacity and similar services nearby are shown before you send."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    reason = forms.CharField(
        label=_("What is asked"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the recipient is asked to do. Write nothing beyond the data categories you share."),
        max_length=4000,
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories to share"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, recipient: Institution, options: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(institution=recipient).order_by("name")  # type: ignore[attr-defined]
        self.options = options
        self.fields["categories"].choices = [  # type: ignore[attr-defined]
            (o.category, f"{o.label} — {o.why}") for o in options if o.allowed
        ]
        self._describe()


class NoteForm(AccessibleFormMixin, forms.Form):
    note = forms.CharField(
        label=pgettext_lazy("referral", "Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class DeclineForm(NoteForm):
    reason = forms.ChoiceField(label=_("Reason for declining"), choices=DeclineReason.choices)
    reason_text = forms.CharField(
        label=_("Reason (other)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the reason is “other”."),
        max_length=2000,
    )


class CompleteForm(NoteForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    work_done = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    feedback = forms.CharField(
        label=_("Feedback to the sender"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class CancelForm(NoteForm):
    reason_text = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CommentForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Only what the referral already shares."),
    )


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "decline": DeclineForm,
    "complete": CompleteForm,
    "cancel": CancelForm,
}


class DeadlineRuleForm(AccessibleFormMixin, forms.Form):
    urgent_days = forms.IntegerField(label=_("Urgent: answer within (working days)"), min_value=1, max_value=60)
    normal_days = forms.IntegerField(label=_("Normal: answer within (working days)"), min_value=1, max_value=60)
    reminder_days = forms.IntegerField(
        label=_("Reminder (working days before the deadline)"), min_value=0, max_value=30
    )
    expire_after_days = forms.IntegerField(
        label=_("Expires (working days after the deadline)"), min_value=0, max_value=60
    )
