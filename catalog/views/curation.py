"""The program office's curation: the review queue and decisions, flags, archive and merge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import curation, selectors
from catalog.forms import (
    MergeForm,
    ReviewForm,
    picked_project_text,
)
from catalog.models import Adoption, Project, ProjectRole, ReviewStatus
from catalog.permissions import is_program_office
from catalog.readiness import project_readiness
from catalog.selectors import (
    projects_named,
)


def program_office_required(request: HttpRequest) -> None:
    if not is_program_office(request.user):
        raise PermissionDenied("Only the program office curates the catalog.")


def _with_review_facts(projects: list[Project], viewer) -> list[Project]:
    """What a reviewer weighs for each registration (repositories prefetched): its look-alikes and its
    readiness, for all of them in a fixed number of queries."""
    duplicates = selectors.registrations_duplicates(projects=projects, viewer=viewer)
    for project in projects:
        project.possible_duplicates = duplicates[project.pk]
        project.readiness = project_readiness(project=project)
    return projects


def _registrations():
    return Project.objects.filter(merged_into__isnull=True).select_related("business_unit", "created_by")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    program_office_required(request)
    pending = list(
        _registrations()
        .filter(review_status__in=[ReviewStatus.PENDING, ReviewStatus.CHANGES_REQUESTED])
        .prefetch_related("repositories")
        .order_by("created_at")[:100]
    )
    return render(
        request,
        "catalog/review_queue.html",
        {"pending": _with_review_facts(pending, request.user), "review_form": ReviewForm()},
    )


def _confirmed(request: HttpRequest) -> bool:
    """Merge, archive and reject act only on a POST that confirms, sent from their confirmation page."""
    return request.method == "POST" and request.POST.get("confirm") == "yes"


@login_required
def project_review(request: HttpRequest, slug: str) -> HttpResponse:
    """One registration's decision: the form (GET), its errors, and the confirmation a rejection asks."""
    program_office_required(request)
    project = get_object_or_404(_registrations().prefetch_related("repositories"), slug=slug)
    # Back to the project's page when the decision was sent from there, else to the queue.
    came_from_project = request.POST.get("next") == project.get_absolute_url()
    back = project.get_absolute_url() if came_from_project else reverse("catalog:review_queue")
    context = {"project": project, "next": back if came_from_project else "", "back": back}
    if request.method != "POST":
        _with_review_facts([project], request.user)
        return render(request, "catalog/project_review.html", {**context, "form": ReviewForm()})
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _with_review_facts([project], request.user)
        return render(request, "catalog/project_review.html", {**context, "form": form}, status=400)
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    if decision == "reject" and not _confirmed(request):
        return render(request, "catalog/project_reject.html", {**context, "note": note.strip()})
    curation.project_review(project=project, reviewer=request.user, decision=decision, note=note)
    messages.success(request, f"{project.name}: {project.get_review_status_display().lower()}.")
    return redirect(back)


# What each curation action did, said back to the program office after it ("Featured: Ledger.").
CURATION_DONE = {
    "feature": "Featured",
    "unfeature": "No longer featured",
    "verify": "Verified",
    "unverify": "No longer verified",
    "archive": "Archived",
}


@login_required
@require_POST
def project_curate(request: HttpRequest, slug: str) -> HttpResponse:
    """Feature, verify or archive (program office); archiving asks to confirm first."""
    program_office_required(request)
    project = get_object_or_404(Project, slug=slug, merged_into__isnull=True)
    action = request.POST.get("action", "")
    if action in {"feature", "unfeature"}:
        curation.project_flag_set(
            project=project, user=request.user, flag="featured", value=action == "feature"
        )
    elif action in {"verify", "unverify"}:
        curation.project_flag_set(
            project=project, user=request.user, flag="verified", value=action == "verify"
        )
    elif action == "archive" and not _confirmed(request):
        editors = project.roles.filter(role__in=ProjectRole.EDITOR_ROLES).select_related("user")
        context = {
            "project": project,
            "adoptions": Adoption.objects.active().filter(asset__project=project).count(),
            "editors": [role.user for role in editors.order_by("role", "user__first_name")],
            "note": request.POST.get("note", "")[:500],
        }
        return render(request, "catalog/project_archive.html", context)
    elif action == "archive":
        curation.project_archive(project=project, user=request.user, note=request.POST.get("note", "")[:500])
    else:
        messages.error(request, "Unknown curation action.")
        return redirect(project)
    messages.success(request, f"{CURATION_DONE[action]}: {project.name}.")
    return redirect(project)


@login_required
def merge_targets(request: HttpRequest, slug: str) -> HttpResponse:
    """The merge page's list of projects to keep, for what is typed so far (<option>s of its datalist)."""
    program_office_required(request)
    source = get_object_or_404(Project, slug=slug, merged_into__isnull=True)
    entries = projects_named(
        text=request.GET.get("target", "")[:200], viewer=request.user, exclude_id=source.pk
    )
    options = [
        (picked_project_text(name=entry.name, slug=entry.slug), entry.business_unit.name) for entry in entries
    ]
    return render(request, "catalog/_merge_targets.html", {"options": options})


@login_required
def project_merge(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the project to keep, read what the merge will do (whose roles change), then confirm.
    A link may name the project to keep (?target=) to go straight to the confirmation."""
    program_office_required(request)
    source = get_object_or_404(Project, slug=slug, merged_into__isnull=True)
    data = request.POST if request.method == "POST" else (request.GET if "target" in request.GET else None)
    form = MergeForm(data, source=source, viewer=request.user)
    if data is not None and form.is_valid() and _confirmed(request):
        target = curation.project_merge(
            source=source,
            target=form.cleaned_data["target"],
            user=request.user,
            maintainer_ids=form.cleaned_data["maintainers"],
        )
        messages.success(request, f"{source.name} was merged into {target.name}.")
        return redirect(target)
    return render(request, "catalog/project_merge.html", {"project": source, "form": form, "plan": form.plan})
