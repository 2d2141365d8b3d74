"""The project page's "Activity" panel (registered in catalog.project_panels by MetricsConfig.ready):
what a reader judging whether to rely on a project wants from its repositories. The latest release and
when, open issues and those set aside for newcomers, the last commit, stars and forks. Four queries."""

from django.db.models import Count, Max, Sum

from catalog.models import Project
from catalog.project_panels import ProjectPanel
from catalog.selectors import latest_release
from metrics.models import Commit, Issue, State
from metrics.selectors import newcomer_labelled


def activity_panel(*, project: Project, viewer) -> dict | None:
    """None before any repository of the project was synced: there is nothing to say yet."""
    repositories = project.repositories.filter(last_synced_at__isnull=False)
    totals = repositories.aggregate(stars=Sum("stars"), forks=Sum("forks"), synced=Count("pk"))
    if not totals["synced"]:
        return None
    release = latest_release(project=project)
    issues = Issue.objects.filter(repository__project=project, state=State.OPEN).aggregate(
        open=Count("pk"), newcomer=Count("pk", filter=newcomer_labelled())
    )
    last_commit = Commit.objects.filter(repository__project=project).aggregate(at=Max("authored_at"))["at"]
    return {
        "release": release,
        "open_issues": issues["open"],
        "newcomer_issues": issues["newcomer"],
        "last_commit": last_commit,
        "stars": totals["stars"] or 0,
        "forks": totals["forks"] or 0,
    }


ACTIVITY_PANEL = ProjectPanel(
    key="activity", template="metrics/_project_activity.html", context=activity_panel, order=10
)
