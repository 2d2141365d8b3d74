"""Forms of a project: registration and editing, and the descriptor file that fills them."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.db.models import F
from django.db.models.functions import Lower
from django.forms.models import model_to_dict

from catalog.descriptors import DescriptorError, parse_descriptor
from catalog.models import (
    REGISTRABLE_LIFECYCLES,
    Asset,
    BusinessUnit,
    Forge,
    Lifecycle,
    Project,
    Visibility,
)
from catalog.readiness import READINESS_ITEMS
from catalog.repositories import forge_hosts, repository_forge_chosen
from catalog.selectors import Registration
from catalog.services import SIMPLE_FIELDS, ProjectFields

User = get_user_model()


def split_words(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def entry_fields(data: dict) -> dict:
    """The name, description, topics and languages typed in a project's or an asset's form, as
    catalog.services.EntryFields takes them: trimmed, at most 20 topics and 10 languages (as the API's
    word lists allow)."""
    return {
        "name": data["name"].strip(),
        "description": data["description"].strip(),
        "topics": split_words(data["topics"])[:20],
        "languages": split_words(data["languages"])[:10],
    }


def entry_initial(entry: Project | Asset) -> dict[str, str]:
    """A project's or an asset's topics and languages as its form shows them, comma-separated."""
    return {
        "topics": ", ".join(topic.name for topic in entry.topics.all()),
        "languages": ", ".join(language.name for language in entry.languages.all()),
    }


# What the look-alikes check reads of each field as the starter types: the form's own lengths.
TYPED_LENGTHS = {
    "name": 120,
    "repository_urls": 2000,
    "description": 300,
    "motivation": 5000,
    "topics": 500,
    "skills_wanted": 500,
}


def typed_registration(data, *, cut: bool = False) -> Registration:
    """What the registration form's fields say before it is submitted: as a descriptor file filled them,
    or as typed so far (`cut` at the form's own lengths, and at 20 topics and skills)."""

    def typed(field: str) -> str:
        value = data.get(field, "")
        return value[: TYPED_LENGTHS[field]] if cut else value

    most = 20 if cut else None
    return Registration(
        name=typed("name"),
        repository_urls=typed("repository_urls").split(),
        description=typed("description"),
        motivation=typed("motivation"),
        topic_names=split_words(typed("topics"))[:most],
        skills=split_words(typed("skills_wanted"))[:most],
    )


def repository_urls_checked(urls: list[str]) -> list[str]:
    """The rules for a project's repository URLs, shared by the forms and the API."""
    validate = URLValidator(schemes=["http", "https", "ssh", "git"])
    for url in urls:
        if url.startswith("git@"):
            continue
        try:
            validate(url)
        except forms.ValidationError as error:
            raise forms.ValidationError(f"“{url}” is not a repository URL.") from error
    if len(urls) > 20:
        raise forms.ValidationError("At most 20 repositories per project.")
    return urls


# One choice for all of a project's repositories rather than one per URL: a project's repositories
# nearly always live on one forge, the ones on known hosts need none (forge_of), and a syntax inside
# the list of URLs (git@host:path already has a colon) would be one more thing to learn and get wrong.
FORGE_CHOICES = [("", "Detect from the host"), (Forge.GITHUB, "GitHub"), (Forge.GITLAB, "GitLab")]


def forge_help_text() -> str:
    """Which hosts the portal recognises by itself, as the configuration says now."""
    by_forge: dict[str, list[str]] = {}
    for host, forge in sorted(forge_hosts().items()):
        by_forge.setdefault(forge, []).append(host)
    known = "; ".join(
        f"{', '.join(by_forge[forge])} ({label})" for forge, label in FORGE_CHOICES[1:] if forge in by_forge
    )
    return (
        f"Repositories on {known} are recognised by their host. For repositories on other hosts, "
        "choose the forge that serves them; otherwise they are read as plain git."
    )


def maintainers_for(emails: list[str]) -> list:
    """The active accounts of these e-mail addresses, in order; every address must have one. An address
    counts only once its owner verified it (allauth's EmailAddress): a role is not handed to whoever
    signed up with a colleague's address."""
    wanted = [e.lower() for e in emails]
    addresses = User.objects.filter(is_active=True).annotate(
        address=Lower("emailaddress__email"), address_verified=F("emailaddress__verified")
    )
    users = {user.address: user for user in addresses.filter(address__in=wanted, address_verified=True)}
    unknown = [e for e in wanted if e not in users]
    if unknown:
        raise forms.ValidationError(
            f"No portal account for {', '.join(unknown)}. Ask them to sign up first, then add them."
        )
    return [users[e] for e in wanted]


class ProjectForm(forms.Form):
    """Registration and editing of a project; lists are typed as comma-separated words."""

    name = forms.CharField(max_length=120)
    description = forms.CharField(
        max_length=300,
        help_text="One sentence: what it is and who it is for.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    business_unit = forms.ModelChoiceField(queryset=BusinessUnit.objects.all(), label="Host business unit")
    lifecycle = forms.ChoiceField(choices=Lifecycle.choices, initial=Lifecycle.PROPOSED)
    motivation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why it exists and why others should reuse it.",
    )
    repository_urls = forms.CharField(
        required=False,
        label="Repositories",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One URL per line: GitHub, GitLab or any git repository.",
    )
    forge = forms.ChoiceField(choices=FORGE_CHOICES, required=False, label="Forge")
    topics = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. kafka, streaming"
    )
    languages = forms.CharField(required=False, max_length=300, help_text="Comma-separated, e.g. Python, Go")
    license = forms.CharField(required=False, max_length=80)
    docs_url = forms.URLField(required=False, label="Documentation URL", assume_scheme="https")
    contributing_url = forms.URLField(
        required=False, label="Contribution guidelines URL", assume_scheme="https"
    )
    communication_url = forms.CharField(required=False, max_length=300, label="Communication channel")
    skills_wanted = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated skills you look for."
    )
    contributions_wanted = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What help you want. Leave empty if you are not looking for contributions now.",
    )
    logo_url = forms.URLField(required=False, label="Logo URL", assume_scheme="https")
    maintainer_emails = forms.CharField(
        required=False,
        max_length=1000,
        label="Maintainers",
        help_text="E-mail addresses of people with a portal account, comma-separated. You are the owner.",
    )
    declared_readiness = forms.MultipleChoiceField(
        required=False,
        choices=READINESS_ITEMS,
        widget=forms.CheckboxSelectMultiple,
        label="What the repository already has",
    )
    visibility = forms.TypedChoiceField(
        choices=Visibility.choices,
        initial=Visibility.COMPANY,
        required=False,
        empty_value=Visibility.COMPANY,
        widget=forms.RadioSelect,
        label="Who may see it",
        help_text="InnerSource works best open to everyone; restrict only what must be (e.g. export control).",
    )
    visible_units = forms.ModelMultipleChoiceField(
        queryset=BusinessUnit.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Business units that see it (when restricted)",
        help_text="The host unit, the project's people and the program office always see it.",
    )
    # Shown only for a restricted project (static/js/forms.js; every field shows without script).
    visible_units.shown_when = f"visibility={Visibility.UNITS}"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forge"].help_text = forge_help_text()

    def clean_repository_urls(self) -> list[str]:
        return repository_urls_checked(split_words(self.cleaned_data["repository_urls"].replace(" ", "\n")))

    def clean_maintainer_emails(self) -> list:
        return maintainers_for(split_words(self.cleaned_data["maintainer_emails"])[:20])

    def to_fields(self) -> ProjectFields:
        data = self.cleaned_data
        return ProjectFields(
            **entry_fields(data),
            business_unit=data["business_unit"],
            motivation=data["motivation"].strip(),
            lifecycle=data["lifecycle"],
            license=data["license"].strip(),
            repository_urls=data["repository_urls"],
            repository_forge=data["forge"],
            docs_url=data["docs_url"],
            contributing_url=data["contributing_url"],
            communication_url=data["communication_url"].strip(),
            skills_wanted=split_words(data["skills_wanted"])[:20],
            contributions_wanted=data["contributions_wanted"].strip(),
            logo_url=data["logo_url"],
            declared_readiness=list(data["declared_readiness"]),
            maintainers=data["maintainer_emails"],
            visibility=data["visibility"],
            visible_units=list(data["visible_units"]),
        )

    def registration(self) -> Registration:
        """What the valid form registers, for the look-alikes check (selectors.registration_check)."""
        data = self.cleaned_data
        return Registration(
            name=data["name"],
            repository_urls=data["repository_urls"],
            description=data["description"],
            motivation=data["motivation"],
            topic_names=split_words(data["topics"]),
            skills=split_words(data["skills_wanted"]),
        )

    @staticmethod
    def initial_from(project: Project) -> dict:
        return {
            **model_to_dict(project, fields=SIMPLE_FIELDS),  # as stored; the others as the form writes them
            "repository_urls": "\n".join(r.url for r in project.repositories.all()),
            "forge": repository_forge_chosen(repositories=project.repositories.all()),
            **entry_initial(project),
            "skills_wanted": ", ".join(project.skills_wanted),
            "visible_units": [unit.pk for unit in project.visible_units.all()],
            "maintainer_emails": ", ".join(
                role.user.email for role in project.roles.filter(role="maintainer").select_related("user")
            ),
        }


class RegistrationForm(ProjectForm):
    not_a_duplicate = forms.BooleanField(
        required=False, label="I checked the similar projects above: mine is a different one."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lifecycle"].choices = [(value, value.label) for value in REGISTRABLE_LIFECYCLES]


class DescriptorForm(forms.Form):
    """Upload or paste an innersource.json or catalog-info.yaml to fill the registration form."""

    descriptor_file = forms.FileField(required=False, label="Upload a file")
    descriptor_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label="…or paste its content"
    )

    def clean(self):
        data = super().clean()
        upload = data.get("descriptor_file")
        text = data.get("descriptor_text", "")
        if upload:
            if upload.size > 256 * 1024:
                raise forms.ValidationError("The file is larger than 256 KB.")
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError as error:
                raise forms.ValidationError("The file is not UTF-8 text.") from error
        if not text.strip():
            raise forms.ValidationError(
                "Upload an innersource.json or catalog-info.yaml, or paste its content."
            )
        try:
            data["initial"] = parse_descriptor(text)
        except DescriptorError as error:
            raise forms.ValidationError(str(error)) from error
        return data
