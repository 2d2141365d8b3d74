"""Writes to the projects' change log (ProjectChange), which the project page and the audit log read."""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from catalog.models import ProjectChange


@transaction.atomic
def project_changes_record(
    *,
    project_ids: Iterable[int],
    actor: User | None,
    action: str,
    note: str = "",
    created_at: datetime | None = None,
) -> list[ProjectChange]:
    """The same change, by the same person at the same moment, on each of these projects (each once, in
    the order given): one insert however many they are."""
    created_at = created_at or timezone.now()
    return ProjectChange.objects.bulk_create(
        ProjectChange(project_id=project_id, actor=actor, action=action, note=note, created_at=created_at)
        for project_id in dict.fromkeys(project_ids)
    )
