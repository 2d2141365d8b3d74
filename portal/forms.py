from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.text import capfirst

from catalog.models import ProjectChange
from portal.audit import AuditFilters


class SignupForm(forms.Form):
    """What allauth's sign-up asks besides e-mail and password: the name colleagues know you by."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")

    field_order = ["first_name", "last_name"]

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="What is it for?",
        help_text="E.g. “release pipeline” or “team dashboard script”.",
    )


class AuditLogFilterForm(forms.Form):
    """The audit log's filters (GET). Person and days narrow both tables; project and action only the
    project changes, as admin entries have neither."""

    person = forms.CharField(
        required=False, max_length=150, label="Person", help_text="Name, username or e-mail."
    )
    project = forms.CharField(required=False, max_length=200, label="Project", help_text="Name or slug.")
    action = forms.ChoiceField(
        required=False,
        label="Action",
        choices=[
            ("", "Any action"),
            *((value, capfirst(label)) for value, label in ProjectChange.Action.choices),
        ],
    )
    date_from = forms.DateField(
        required=False, label="From (UTC day)", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To (UTC day, included)", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", "The last day comes before the first: pick a day on or after it.")
        return cleaned

    def filters(self) -> AuditFilters:
        return AuditFilters(**self.cleaned_data)

    def query(self) -> str:
        """The filters given, as a query string for the links that must keep them (pages, CSV exports)."""
        return urlencode(
            {
                name: value.isoformat() if isinstance(value, date) else value
                for name, value in self.cleaned_data.items()
                if value
            }
        )
