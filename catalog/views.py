import dataclasses
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from catalog import curation, selectors, services
from catalog.dates import day_text
from catalog.forms import (
    AdoptionEndForm,
    AdoptionForm,
    AssetForm,
    DescriptorForm,
    MergeForm,
    ProjectForm,
    RegistrationForm,
    ReviewForm,
    picked_project_text,
    split_words,
)
from catalog.models import Adoption, Project, ProjectRelation, ProjectRole, ReviewStatus
from catalog.packages import install_snippet
from catalog.permissions import can_edit_project, can_end_adoption, is_program_office
from catalog.project_panels import project_panels
from catalog.readiness import project_readiness
from catalog.readme import project_readme
from catalog.selectors import (
    ADOPTION_RELATED,
    adoptions_shown,
    asset_for_viewer,
    latest_release,
    project_for_viewer,
    projects_named,
    similar_entries,
)
from catalog.selectors.projects import RegistrationCheck
from catalog.selectors.suggestions import search_suggestions
from catalog.standing import score_standing


def program_office_required(request: HttpRequest) -> None:
    if not is_program_office(request.user):
        raise PermissionDenied("Only the program office curates the catalog.")


def search(request: HttpRequest) -> HttpResponse:
    query = selectors.CatalogQuery.from_params(request.GET)
    results = selectors.catalog_search(query=query, viewer=request.user)
    search_id = uuid.uuid4()
    if query.q or request.GET:
        # Usage recording (metrics' middleware) reads this after the response; catalog never imports metrics.
        request.usage_search = {
            "event_id": search_id,
            "query": query.q,
            "filters": {k: v for k, v in request.GET.lists() if k not in {"q", "page"}},
            "result_count": results.total,
        }
    context = {
        "results": results,
        "filters": selectors.filter_links(results=results),
        "sorts": selectors.SORTS,
        "params": request.GET,
        "facet_titles": selectors.FACET_TITLES,
        "search_id": search_id,
    }
    if request.htmx and request.htmx.target == "catalog-results":
        return render(request, "catalog/_results.html", context)
    return render(request, "catalog/search.html", context)


def search_suggest(request: HttpRequest) -> JsonResponse:
    """The search box's suggestions for what is typed so far (static/js/combobox.js shows them)."""
    suggestions = search_suggestions(text=request.GET.get("q", "")[:200], viewer=request.user)
    return JsonResponse({"suggestions": [dataclasses.asdict(s) for s in suggestions]})


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug, merged=True)
    if project.merged_into_id:
        return redirect(project.merged_into)
    roles = list(project.roles.select_related("user").order_by("role", "user__first_name"))
    assets = list(
        project.assets.prefetch_related(
            Prefetch("adoptions", queryset=Adoption.objects.active().select_related(*ADOPTION_RELATED))
        )
    )
    adoptions = [adoption for asset in assets for adoption in asset.adoptions.all()]
    adoptions_shown(adoptions, viewer=request.user)
    editable = can_edit_project(request.user, project)
    relations = project.relations.shown_to(request.user)
    repositories = list(project.repositories.all())
    context = {
        "project": project,
        "owners": [r.user for r in roles if r.role == ProjectRole.Role.OWNER],
        "maintainers": [r.user for r in roles if r.role == ProjectRole.Role.MAINTAINER],
        "trusted_committers": [r.user for r in roles if r.role == ProjectRole.Role.TRUSTED_COMMITTER],
        "assets": assets,
        "adoptions": sorted(adoptions, key=lambda a: a.since, reverse=True),
        "adopting_units": sorted({a.business_unit.name for a in adoptions}),
        # Who adopted (teams, products, units) is people's data: anonymous visitors see how many.
        "adopters_hidden": not request.user.is_authenticated,
        "repositories": repositories,
        "readme": project_readme(repositories=repositories),
        "readiness": project_readiness(project=project),
        "standing": score_standing(score=project.activity_score)
        if project.activity_score_explanation
        else None,
        "good_first_issues": any(r.has_good_first_issues for r in repositories),
        "panels": project_panels(project=project, viewer=request.user),
        "similar": similar_entries(viewer=request.user, project=project),
        "can_edit": editable,
        # Memberships belong to the community app; read through the ORM relation (no import of community).
        "is_member": request.user.is_authenticated
        and project.memberships.filter(user=request.user, left_at__isnull=True).exists(),
        # Owners lead the community: they are not offered to leave it.
        "is_owner": any(r.role == ProjectRole.Role.OWNER and r.user_id == request.user.pk for r in roles),
        "changes": list(project.changes.select_related("actor")[:10]) if editable else [],
        "review_form": ReviewForm() if is_program_office(request.user) else None,
        "topics": list(project.topics.all()),
        "languages": list(project.languages.all()),
        "links": list(project.links.select_related("asset")),
        # ("depends on", [...]), ("provides API", [...]), … in that order; kinds without any left out.
        "relations": [
            (label, group)
            for kind, label in ProjectRelation.Kind.choices
            if (group := [r for r in relations if r.kind == kind])
        ],
    }
    return render(request, "catalog/project_detail.html", context)


# The adoptions an asset page lists at once; the rest behind "Show all".
ADOPTIONS_SHOWN = 10


def _adoption_initial(user) -> dict:
    """The "Use this" form as the person would fill it: today, and their unit and team from their profile
    (read through the ORM relation: catalog imports nothing of community)."""
    initial: dict = {"since": timezone.now().date()}
    profile = getattr(user, "practitioner", None) if user.is_authenticated else None
    if profile is not None:
        if profile.business_unit_id:
            initial["business_unit"] = profile.business_unit_id
        if profile.team:
            initial["team"] = profile.team
    return initial


def _asset_page(request: HttpRequest, project: Project, asset, form: AdoptionForm, status: int = 200):
    """The asset page: its active adoptions (each with an End button for whoever may end it), the
    past ones, and the "Use this" form."""
    editable = can_edit_project(request.user, project)
    adoptions = list(
        adoptions_shown(asset.adoptions.active().select_related(*ADOPTION_RELATED), viewer=request.user)
    )
    teams = asset.adoptions.active().team_count() if adoptions else 0
    for adoption in adoptions:
        adoption.endable = can_end_adoption(request.user, adoption, edits_project=editable)
    # Who adopted (teams, products, units) is people's data: anonymous visitors see how many, no names.
    adopters_hidden = not request.user.is_authenticated
    past = asset.adoptions.ended().select_related(*ADOPTION_RELATED).order_by("-ended_on", "-pk")
    # "How to use it": the latest release of the project's repositories, and what to paste to use it.
    release = latest_release(project=project)
    snippet = (
        install_snippet(package_url=asset.package_url, version=release.tag if release else None)
        if asset.package_url
        else None
    )
    return render(
        request,
        "catalog/asset_detail.html",
        {
            "project": project,
            "asset": asset,
            "adoptions": adoptions[:ADOPTIONS_SHOWN],
            "more_adoptions": adoptions[ADOPTIONS_SHOWN:],
            "adoption_count": len(adoptions),
            "team_count": teams,
            "past_adoptions": [] if adopters_hidden else adoptions_shown(list(past), viewer=request.user),
            "adopters_hidden": adopters_hidden,
            "form": form,
            "can_edit": editable,
            "release": release,
            "snippet": snippet,
            "similar": similar_entries(viewer=request.user, asset=asset),
        },
        status=status,
    )


def asset_detail(request: HttpRequest, slug: str, asset_slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug)
    asset = asset_for_viewer(project=project, asset_slug=asset_slug)
    return _asset_page(request, project, asset, AdoptionForm(initial=_adoption_initial(request.user)))


@login_required
def asset_edit(request: HttpRequest, slug: str, asset_slug: str | None = None) -> HttpResponse:
    """Add an asset to a project (no asset_slug) or change one: owners, maintainers, program office."""
    project = project_for_viewer(viewer=request.user, slug=slug)
    if not can_edit_project(request.user, project):
        raise PermissionDenied(
            "Only the project's owners and maintainers (or the program office) edit its assets."
        )
    asset = asset_for_viewer(project=project, asset_slug=asset_slug) if asset_slug else None
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            asset = services.asset_save(
                project=project, user=request.user, fields=form.to_fields(), asset=asset
            )
            messages.success(request, f"Saved {asset.name}.")
            return redirect(asset)
    else:
        form = AssetForm(initial=AssetForm.initial_from(asset) if asset else None)
    return render(request, "catalog/asset_edit.html", {"form": form, "project": project, "asset": asset})


@login_required
@require_POST
def asset_adopt(request: HttpRequest, slug: str, asset_slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug)
    if not project.is_listed:
        raise PermissionDenied("Only assets of approved projects can be adopted.")
    asset = asset_for_viewer(project=project, asset_slug=asset_slug)
    form = AdoptionForm(request.POST)
    if form.is_valid():
        try:
            adoption, created = services.adoption_create(asset=asset, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        return _asset_page(request, project, asset, form, status=400)
    if created:
        messages.success(request, f"Recorded: {adoption.team} uses {asset.name}. Thank you for telling us.")
    else:
        messages.info(
            request,
            f"This is already recorded: {adoption.team} ({adoption.business_unit.name}) uses {asset.name}"
            f"{f' for {adoption.product}' if adoption.product else ''} since {day_text(adoption.since)}. "
            "Nothing new was added.",
        )
    return redirect(asset)


@login_required
def adoption_end(request: HttpRequest, slug: str, asset_slug: str, adoption_id: int) -> HttpResponse:
    """End an adoption: the End button (a POST without `confirm`) shows what will happen and asks to
    confirm, without JavaScript; the confirmed POST ends it. Who recorded it, the asset's editors and
    the program office may."""
    project = project_for_viewer(viewer=request.user, slug=slug)
    asset = asset_for_viewer(project=project, asset_slug=asset_slug)
    adoption = get_object_or_404(
        asset.adoptions.select_related("business_unit", "created_by"), pk=adoption_id
    )
    adoption.asset = asset
    if not can_end_adoption(request.user, adoption):  # before the confirmation page, too
        raise PermissionDenied(services.ADOPTION_END_REFUSED)
    confirmed = request.method == "POST" and "confirm" in request.POST
    form = AdoptionEndForm(request.POST if confirmed else None, initial={"on": timezone.now().date()})
    if confirmed and form.is_valid():
        try:
            services.adoption_end(adoption=adoption, user=request.user, on=form.cleaned_data["on"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Ended: {adoption.team} no longer uses {asset.name}.")
            return redirect(asset)
    return render(
        request,
        "catalog/adoption_end.html",
        {"project": project, "asset": asset, "adoption": adoption, "form": form},
        status=400 if form.errors else 200,
    )


def _registration_checked(
    form: ProjectForm, *, viewer, exclude_pk: int | None = None, confirmed_different: bool | None = None
) -> RegistrationCheck:
    """selectors.registration_check on the form's name and repositories (and, for a new registration,
    what it does: an edit is never held up, and its page lists no look-alikes), its errors put on the
    form."""
    data = form.cleaned_data
    meaning = {}
    if confirmed_different is not None:
        meaning = {
            "description": data["description"],
            "motivation": data["motivation"],
            "topic_names": split_words(data["topics"]),
            "skills": split_words(data["skills_wanted"]),
        }
    check = selectors.registration_check(
        viewer=viewer,
        name=data["name"],
        repository_urls=data["repository_urls"],
        exclude_pk=exclude_pk,
        confirmed_different=confirmed_different,
        **meaning,
    )
    for field, message in check.errors.items():
        form.add_error(field, message)
    return check


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a project, from the form or from an innersource.json / catalog-info.yaml."""
    descriptor_form = DescriptorForm()
    duplicates: list[dict] = []
    if request.method == "POST" and "load_descriptor" in request.POST:
        descriptor_form = DescriptorForm(request.POST, request.FILES)
        if descriptor_form.is_valid():
            descriptor = descriptor_form.cleaned_data["initial"]
            form = RegistrationForm(initial=descriptor)
            messages.info(request, "We filled the form from your file. Check it, complete it and submit.")
            for warning in descriptor.warnings():
                messages.warning(request, warning)
            # The look-alikes of the file's name and repositories, now rather than at submission.
            duplicates = selectors.project_duplicates(
                viewer=request.user,
                name=descriptor.get("name", ""),
                repository_urls=descriptor.get("repository_urls", "").split(),
                description=descriptor.get("description", ""),
                motivation=descriptor.get("motivation", ""),
                topic_names=split_words(descriptor.get("topics", "")),
                skills=split_words(descriptor.get("skills_wanted", "")),
            )
        else:
            form = RegistrationForm()
    elif request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            check = _registration_checked(
                form, viewer=request.user, confirmed_different=form.cleaned_data["not_a_duplicate"]
            )
            duplicates = check.duplicates
            if not check.errors:
                project = services.project_register(user=request.user, fields=form.to_fields())
                messages.success(
                    request,
                    f"Thank you! {project.name} is registered and waits for the program office's review. "
                    "We will tell you here and by e-mail.",
                )
                return redirect(project)
    else:
        form = RegistrationForm()
    return render(
        request,
        "catalog/register.html",
        {"form": form, "descriptor_form": descriptor_form, "duplicates": duplicates},
    )


@login_required
def register_duplicates(request: HttpRequest) -> HttpResponse:
    """As the starter types: projects that look like the one being registered, by repository, name and
    what it does. Each field is cut at the form's own length."""
    typed = request.GET
    duplicates = selectors.project_duplicates(
        viewer=request.user,
        name=typed.get("name", "")[:120],
        repository_urls=typed.get("repository_urls", "")[:2000].split(),
        description=typed.get("description", "")[:300],
        motivation=typed.get("motivation", "")[:5000],
        topic_names=split_words(typed.get("topics", "")[:500])[:20],
        skills=split_words(typed.get("skills_wanted", "")[:500])[:20],
    )
    # The "I checked them" box comes with the look-alikes, as the person left it.
    form = RegistrationForm(initial={"not_a_duplicate": request.GET.get("not_a_duplicate") == "on"})
    return render(request, "catalog/_duplicates.html", {"duplicates": duplicates, "form": form})


@login_required
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug)
    if not can_edit_project(request.user, project):
        raise PermissionDenied("Only the project's owners and maintainers (or the program office) edit it.")
    if request.method == "POST":
        form = ProjectForm(request.POST)
        if form.is_valid():
            check = _registration_checked(form, viewer=request.user, exclude_pk=project.pk)
            if not check.errors:
                services.project_update(project=project, user=request.user, fields=form.to_fields())
                messages.success(request, "Saved.")
                return redirect(project)
    else:
        form = ProjectForm(initial=ProjectForm.initial_from(project))
    return render(request, "catalog/project_edit.html", {"form": form, "project": project})


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
