"""Forms of an asset and of its adoptions."""

from django import forms
from django.forms.models import model_to_dict

from catalog.effort import MAX_OVERRIDE_DAYS, effort_override_clean
from catalog.forms.projects import entry_fields, entry_initial
from catalog.models import (
    Adoption,
    Asset,
    AssetKind,
)
from catalog.packages import HELP_TEXT as PACKAGE_URL_HELP
from catalog.packages import MAX_LENGTH as PACKAGE_URL_MAX_LENGTH
from catalog.packages import package_url_clean
from catalog.services import AssetFields


class AdoptionForm(forms.ModelForm):
    class Meta:
        model = Adoption
        fields = ["business_unit", "team", "product", "since"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"})}
        labels = {"product": "Product (optional)"}


class AdoptionEndForm(forms.Form):
    """When a team stopped using an asset; catalog.services.adoption_end checks the date."""

    on = forms.DateField(
        required=False,
        label="Ended on",
        help_text="The first day the team no longer uses it. Empty means today.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AssetForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=AssetKind.choices)
    description = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Where to get it",
        help_text="Package, endpoint, download or docs.",
    )
    package_url = forms.CharField(
        required=False,
        max_length=PACKAGE_URL_MAX_LENGTH,
        label="Package URL",
        help_text=PACKAGE_URL_HELP,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "off", "autocomplete": "off"}),
    )
    topics = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated; empty: the project's"
    )
    languages = forms.CharField(
        required=False, max_length=300, help_text="Comma-separated; empty: the project's"
    )
    estimated_effort_days = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=MAX_OVERRIDE_DAYS,
        decimal_places=1,
        label="Build effort (engineer-days)",
        help_text="What building it anew would take a team. Empty: estimated from the size of the "
        "project's code (COCOMO II); the value of reuse multiplies it by the teams reusing it.",
    )
    effort_override_reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Why this figure",
        help_text="Required with a figure; shown beside it on the dashboards and in the audit log.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_package_url(self) -> str:
        return package_url_clean(self.cleaned_data["package_url"])

    def clean(self):
        data = super().clean()
        if "estimated_effort_days" in data and "effort_override_reason" in data:
            try:
                data["estimated_effort_days"], data["effort_override_reason"] = effort_override_clean(
                    data["estimated_effort_days"], data["effort_override_reason"]
                )
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data

    def to_fields(self) -> AssetFields:
        data = self.cleaned_data
        return AssetFields(
            **entry_fields(data),
            kind=data["kind"],
            url=data["url"],
            package_url=data["package_url"],
            effort_days=data["estimated_effort_days"],
            effort_reason=data["effort_override_reason"],
        )

    @staticmethod
    def initial_from(asset: Asset) -> dict:
        return {
            **model_to_dict(asset, fields=["name", "kind", "description", "url", "package_url"]),
            "estimated_effort_days": asset.effort_days_override,
            "effort_override_reason": asset.effort_override_reason,
            **entry_initial(asset),
        }
