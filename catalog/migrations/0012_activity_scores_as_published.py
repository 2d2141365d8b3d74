"""Recompute every stored activity score with the score as the published JavaScript computes it (both
multipliers run from 1 to 2; they were read as 0.01 to 1.01 and 1/7 to 8/7), and the search index's copy.

The nightly refresh (catalog.tasks) would get there too; this makes every figure right from the deploy on.
It reads the historical models and calls the pure scoring functions, as project_score_refresh does."""

from django.db import migrations
from django.utils import timezone

from catalog.scoring import activity_score_explained, repository_mapping


def recompute(apps, schema_editor):
    Project = apps.get_model("catalog", "Project")
    SearchEntry = apps.get_model("catalog", "SearchEntry")
    now = timezone.now()
    projects = Project.objects.prefetch_related("repositories").only(
        "pk", "contributing_url", "created_at", "updated_at", "description", "motivation",
        "activity_score", "activity_score_explanation",
    )  # fmt: skip
    for project in projects.iterator(chunk_size=500):
        best = None
        for repository in project.repositories.all():
            mapping = repository_mapping(
                stars=repository.stars,
                forks=repository.forks,
                watchers=repository.watchers,
                open_issues=repository.open_issues,
                created_at=repository.forge_created_at or project.created_at,
                updated_at=repository.forge_updated_at or project.updated_at,
                description=repository.description or project.description,
                participation=repository.participation,
                has_guidelines=bool(project.contributing_url) or "CONTRIBUTING" in repository.files_present,
                motivation=project.motivation,
            )
            try:
                scored = activity_score_explained(mapping, now=now)
            except ValueError:
                continue  # statistics the score cannot read (as the JavaScript would give NaN): left out
            if best is None or scored[0] >= best[0]:
                best = scored
        score, explanation = best or (0, [])
        if (project.activity_score, project.activity_score_explanation) != (score, explanation):
            Project.objects.filter(pk=project.pk).update(
                activity_score=score, activity_score_explanation=explanation
            )
            SearchEntry.objects.filter(project_id=project.pk).update(activity_score=score)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_project_links_and_relations")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
