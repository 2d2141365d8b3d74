from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.validators import RegexValidator
from django.forms.models import model_to_dict

from catalog.forms import split_words
from catalog.models import BusinessUnit, Project
from community.models import Practitioner, Skill
from community.selectors import identity_claimed, plain_text
from community.services import KUDOS_MAX, ProfileFields

User = get_user_model()

MAX_INTERESTS = 20
MAX_INTEREST_LENGTH = 40

# GitHub: letters, digits and single hyphens, not at either end, at most 39 characters.
github_login_validator = RegexValidator(
    r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$",
    "A GitHub login has letters, digits and single hyphens (not at the start or end).",
)
gitlab_username_validator = RegexValidator(
    r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
    "A GitLab username has letters, digits, underscores, dots and hyphens.",
)


IDENTITY_HELP = (
    "Typed here it stays unverified and counts none of that account's activity until you prove it "
    "(connect the account in your account settings) or the program office confirms it."
)


def forge_identity_field(*, label: str, max_length: int, validator: RegexValidator) -> forms.CharField:
    """An optional forge account name the person types: unverified until proven (IDENTITY_HELP)."""
    return forms.CharField(
        max_length=max_length, required=False, label=label, validators=[validator], help_text=IDENTITY_HELP
    )


class ProfileForm(forms.Form):
    """A person's own profile. Interests are typed as comma-separated words, as in the catalog's forms.
    Commit e-mail addresses are the account's, added and verified on allauth's e-mail page."""

    display_name = forms.CharField(max_length=150, label="Name", help_text="How colleagues know you.")
    # The unit itself comes from a trusted source (it decides what the person sees); here they only ask.
    requested_business_unit = forms.ModelChoiceField(
        queryset=BusinessUnit.objects.all(),
        required=False,
        label="Ask to change my business unit",
        empty_label="(no change)",
        help_text="Your business unit comes from the company sign-in, the organisation directory or the "
        "program office. Pick another one to ask the program office to change it.",
    )
    team = forms.CharField(max_length=150, required=False)
    bio = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you work on, and what you can help others with.",
    )
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Used to suggest projects that want your skills.",
    )
    interests = forms.CharField(
        max_length=1000,
        required=False,
        help_text="Comma-separated topics you care about, e.g. kafka, accessibility",
    )
    github_login = forge_identity_field(label="GitHub login", max_length=39, validator=github_login_validator)
    gitlab_username = forge_identity_field(
        label="GitLab username", max_length=100, validator=gitlab_username_validator
    )
    visibility = forms.ChoiceField(
        choices=Practitioner.Visibility.choices,
        label="Who sees my profile",
        help_text="“Only me”: colleagues see your name and nothing else. The program office sees all.",
    )
    show_projects = forms.BooleanField(required=False, label="Show the projects I belong to")
    show_badges = forms.BooleanField(required=False, label="Show my journey stage and badges")
    show_activity = forms.BooleanField(
        required=False, label="Show my participation level and recent contributions"
    )

    def __init__(self, *args, user: AbstractBaseUser, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not Skill.objects.exists():
            del self.fields["skills"]  # an empty box of checkboxes until the program office lists skills

    def clean_interests(self) -> list[str]:
        interests: dict[str, str] = {}
        for word in split_words(self.cleaned_data["interests"]):
            if len(word) > MAX_INTEREST_LENGTH:
                raise forms.ValidationError(
                    f"“{word[:20]}…” is long for a tag: {MAX_INTEREST_LENGTH} at most."
                )
            interests.setdefault(word.lower(), word)  # one spelling per tag, the first typed
        if len(interests) > MAX_INTERESTS:
            raise forms.ValidationError(f"At most {MAX_INTERESTS} interests.")
        return list(interests.values())

    def _identity(self, field: str) -> str:
        value = self.cleaned_data[field].strip()
        if identity_claimed(field=field, value=value, exclude_user=self.user):
            raise forms.ValidationError(
                "Another person has proven this account is theirs. If it is yours, ask the program office."
            )
        return value

    def clean_github_login(self) -> str:
        return self._identity("github_login")

    def clean_gitlab_username(self) -> str:
        return self._identity("gitlab_username")

    def to_fields(self) -> ProfileFields:
        data = self.cleaned_data
        return ProfileFields(
            display_name=data["display_name"].strip(),
            requested_business_unit=data["requested_business_unit"],
            team=data["team"].strip(),
            bio=data["bio"].strip(),
            skills=list(data.get("skills", [])),
            interests=data["interests"],
            github_login=data["github_login"],
            gitlab_username=data["gitlab_username"],
            visibility=data["visibility"],
            show_activity=data["show_activity"],
            show_badges=data["show_badges"],
            show_projects=data["show_projects"],
        )

    @staticmethod
    def initial_from(practitioner: Practitioner) -> dict:
        stored = ["display_name", "requested_business_unit", "team", "bio", "github_login", "gitlab_username"]
        shown = ["visibility", "show_activity", "show_badges", "show_projects"]
        return {
            **model_to_dict(practitioner, fields=stored + shown),
            "skills": list(practitioner.skills.all()) if practitioner.pk else [],
            "interests": ", ".join(practitioner.interests),
        }


class KudosForm(forms.Form):
    message = forms.CharField(
        label="Say thank you",
        # Room for markup that sanitising removes; the clean text must fit KUDOS_MAX.
        max_length=4 * KUDOS_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": KUDOS_MAX}),
        help_text=f"Plain text, up to {KUDOS_MAX} characters. The person is told, and it shows on their profile.",
    )
    project = forms.ModelChoiceField(
        queryset=Project.objects.listed(),
        to_field_name="slug",
        required=False,
        label="For their help on (optional)",
    )

    def clean_message(self) -> str:
        text = plain_text(self.cleaned_data["message"])
        if not text:
            raise forms.ValidationError("Write a few words of thanks.")
        if len(text) > KUDOS_MAX:
            raise forms.ValidationError(f"At most {KUDOS_MAX} characters, please (this is {len(text)}).")
        return text

    def __init__(self, *args, giver: AbstractBaseUser | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only projects the giver can see may be named (a restricted project's name is not theirs to reveal).
        if giver is not None:
            self.fields["project"].queryset = Project.objects.listed().visible_to(giver)


class TrustedCommitterForm(forms.Form):
    """Who to appoint or remove, by username; the reason recorded comes from the evidence, not the form."""

    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        to_field_name="username",
        label="Person",
        error_messages={"invalid_choice": "There is no active person with this username."},
    )
