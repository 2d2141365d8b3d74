"""The program office's forms: a review decision and a merge."""

import re

from django import forms

from catalog.curation import MergePlan, project_merge_plan
from catalog.models import (
    EntryType,
    Project,
    ProjectRole,
)
from catalog.selectors import corrected_query, projects_named, visible_entries


class ReviewForm(forms.Form):
    # No decision is chosen in advance: a reviewer who types a note and sends without choosing is asked
    # to choose, rather than approving by default.
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("request_changes", "Request changes"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision: approve, request changes or reject."},
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason / note to the starter",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in {"request_changes", "reject"} and not data.get("note", "").strip():
            self.add_error("note", "Say why, so that the starter knows what to change.")
        return data


# A project as the merge page's list offers it: "Payments SDK (payments-sdk)".
PICKED_PROJECT = re.compile(r".*\((?P<slug>[-a-zA-Z0-9_]+)\)")


def picked_project_text(*, name: str, slug: str) -> str:
    return f"{name} ({slug})"


class MergeForm(forms.Form):
    """Which project keeps the duplicate's assets and people; which of the duplicate's owners and
    maintainers also become its maintainers (none unless ticked: everyone else joins as a member)."""

    target = forms.CharField(
        label="Keep this project",
        max_length=250,
        help_text="Type its name and choose it from the list. The duplicate is folded into it.",
    )
    maintainers = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Also make maintainers of the kept project",
    )

    def __init__(self, *args, source: Project, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.viewer = viewer
        self.plan: MergePlan | None = None
        owners_and_maintainers = source.roles.filter(role__in=ProjectRole.EDITOR_ROLES).select_related("user")
        self.fields["maintainers"].choices = [
            (role.user_id, role.user.get_full_name() or role.user.get_username())
            for role in owners_and_maintainers
        ]

    def clean_target(self) -> Project:
        """The listed project named: "Name (slug)" as the list offers it, a slug, or a name that only
        one other listed project has."""
        text = self.cleaned_data["target"].strip()
        others = Project.objects.listed().exclude(pk=self.source.pk)
        picked = PICKED_PROJECT.fullmatch(text)
        slug = picked.group("slug") if picked else text
        target = others.filter(slug=slug).first()
        if target is not None:
            return target
        named = [
            entry
            for entry in projects_named(text=text, viewer=self.viewer, exclude_id=self.source.pk)
            if entry.name.casefold() == text.casefold()
        ]
        if len(named) == 1:
            return others.get(pk=named[0].project_id)
        if named:
            raise forms.ValidationError(f"Several projects are called “{text}”: choose one from the list.")
        # What it may have been meant to say: the names that match, else those of the typo-corrected words.
        close = [entry.name for entry in projects_named(text=text, viewer=self.viewer, limit=3)]
        if not close:
            entries = visible_entries(self.viewer).filter(entry_type=EntryType.PROJECT)
            corrected = corrected_query(text, entries=entries)
            close = [entry.name for entry in projects_named(text=corrected, viewer=self.viewer, limit=3)]
        hint = f" Did you mean {', '.join(f'“{name}”' for name in close)}?" if close else ""
        raise forms.ValidationError(f"No other approved project is called “{text}”.{hint}")

    def clean(self):
        data = super().clean()
        if data.get("target") is not None:
            # What the merge will do, for the confirmation page; project_merge carries out the same plan.
            self.plan = project_merge_plan(source=self.source, target=data["target"])
            eligible = {person.user.pk for person in self.plan.may_maintain}
            for person in self.plan.moving:
                if person.user.pk in set(data.get("maintainers", [])) - eligible:
                    self.add_error(
                        "maintainers",
                        f"{person.user.get_full_name() or person.user.get_username()} is already "
                        f"{' and '.join(person.in_kept).lower()} of {data['target'].name}.",
                    )
        return data
