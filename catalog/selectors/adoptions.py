"""How an adoption is shown to a person: the one rule for what an adoption found in code may say.

A declared adoption names the team that declared it. One found in code names the project whose
repository uses the asset, its repository and the manifest: a restricted project's name must not reach
someone who may not see it (ProjectQuerySet.visible_to), so for them it is "a project of <unit>" and the
place in code is left out. Every page, API view and export listing adoptions passes them through
adoptions_shown."""

from collections.abc import Sequence

from catalog.models import Adoption, AdoptionSource, Project

__all__ = ["ADOPTION_RELATED", "adoptions_shown"]

# What adoptions_shown reads of each adoption: select_related these to keep it to one query in all.
ADOPTION_RELATED = ("business_unit", "repository__project")


def adoptions_shown(adoptions: Sequence[Adoption], *, viewer) -> Sequence[Adoption]:
    """Sets on each adoption `shown_team` (the name to show for who uses the asset) and `consumer`
    (the project found using it in code, when the viewer may see it; else None), in one query."""
    consuming = {
        adoption.repository.project_id
        for adoption in adoptions
        if adoption.source == AdoptionSource.DETECTED and adoption.repository is not None
    }
    seen = (
        set(Project.objects.visible_to(viewer).filter(pk__in=consuming).values_list("pk", flat=True))
        if consuming
        else set()
    )
    for adoption in adoptions:
        adoption.consumer = None
        adoption.shown_team = adoption.team
        if adoption.source != AdoptionSource.DETECTED:
            continue
        project = adoption.repository.project if adoption.repository is not None else None
        if project is not None and project.pk in seen:
            adoption.consumer = project
        else:
            adoption.shown_team = f"A project of {adoption.business_unit.name}"
    return adoptions
