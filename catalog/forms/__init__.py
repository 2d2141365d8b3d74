"""The catalog's forms, by what they are about: projects (registration, editing, descriptors), assets and
adoptions, the program office's curation."""

from catalog.forms.assets import AdoptionEndForm, AdoptionForm, AssetForm
from catalog.forms.curation import PICKED_PROJECT, MergeForm, ReviewForm, picked_project_text
from catalog.forms.projects import (
    FORGE_CHOICES,
    DescriptorForm,
    ProjectForm,
    RegistrationForm,
    forge_help_text,
    maintainers_for,
    repository_urls_checked,
    split_words,
    typed_registration,
)

__all__ = [
    "FORGE_CHOICES",
    "PICKED_PROJECT",
    "AdoptionEndForm",
    "AdoptionForm",
    "AssetForm",
    "DescriptorForm",
    "MergeForm",
    "ProjectForm",
    "RegistrationForm",
    "ReviewForm",
    "forge_help_text",
    "maintainers_for",
    "picked_project_text",
    "repository_urls_checked",
    "split_words",
    "typed_registration",
]
