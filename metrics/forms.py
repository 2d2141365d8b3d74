"""Forms of the metrics pages."""

from django import forms

__all__ = ["ReuseValueSettingsForm"]


def _optional_amount(*, max_digits: int, label: str, help_text: str) -> forms.DecimalField:
    """An amount of money in the program's currency, to the cent; empty means "not set"."""
    return forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=max_digits,
        decimal_places=2,
        label=label,
        help_text=help_text,
    )


class ReuseValueSettingsForm(forms.Form):
    engineer_day_cost = _optional_amount(
        max_digits=12,
        label="Cost of an engineer-day",
        help_text="Fully loaded (salary, overheads): what a day of one engineer costs the company. "
        "Empty: the value of reuse is shown in engineer-days only.",
    )
    currency = forms.RegexField(
        regex=r"^[A-Za-z]{3}$",
        max_length=3,
        label="Currency",
        help_text="Its ISO 4217 code: EUR, USD, GBP…",
        error_messages={"invalid": "Give a three-letter currency code, such as EUR."},
    )
    program_yearly_cost = _optional_amount(
        max_digits=14,
        label="The program's yearly cost",
        help_text="What the InnerSource program itself costs a year (its office, tools, time granted). "
        "The dashboards compare the value of reuse with it, prorated to the period shown.",
    )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()
