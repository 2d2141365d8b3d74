from django import forms


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
