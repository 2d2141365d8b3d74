"""A project's page, its registration (with the look-alikes check as one types) and its editing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from catalog import selectors, services
from catalog.forms import (
    DescriptorForm,
    ProjectForm,
    RegistrationForm,
    ReviewForm,
    typed_registration,
)
from catalog.models import Adoption, ProjectRelation, ProjectRole
from catalog.permissions import can_edit_project, is_program_office
from catalog.project_panels import project_panels
from catalog.readiness import project_readiness
from catalog.readme import project_readme
from catalog.selectors import (
    ADOPTION_RELATED,
    RegistrationCheck,
    adoptions_shown,
    project_consumption,
    project_for_viewer,
    similar_entries,
)
from catalog.standing import score_standing


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
        # What its code uses from the catalog, and how far behind (adoptions found in code).
        "consumes": project_consumption(project=project, viewer=request.user),
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


def _registration_checked(
    form: ProjectForm, *, viewer, exclude_pk: int | None = None, confirmed_different: bool | None = None
) -> RegistrationCheck:
    """selectors.registration_check on what the form registers, its errors put on the form."""
    check = selectors.registration_check(
        registration=form.registration(),
        viewer=viewer,
        exclude_pk=exclude_pk,
        confirmed_different=confirmed_different,
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
                viewer=request.user, registration=typed_registration(descriptor)
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
    duplicates = selectors.project_duplicates(
        viewer=request.user, registration=typed_registration(request.GET, cut=True)
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
