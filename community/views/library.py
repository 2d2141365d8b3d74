"""Views of the community app: library (routes in community/urls.py).

Guides are read by anyone. Templates can be previewed and downloaded by anyone with placeholders; filled
in for a project only when that project is listed or the person may edit it, so that a pending
registration's details never leak through a template.
"""

import logging

from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode

from catalog.models import Project
from catalog.permissions import is_program_office
from catalog.selectors import project_for_viewer
from community.library import (
    LibraryError,
    content_type_for,
    download_name,
    render_markdown,
    starter_kit_zip,
    template_render,
)
from community.models import Guide, GuideVersion
from metrics.models import UsageKind
from metrics.usage import usage_record

logger = logging.getLogger(__name__)


def _choosable_projects(user) -> list[Project]:
    """The projects offered in the "fill in for" list: the ones a person owns or maintains, or every
    listed project for the program office."""
    if not user.is_authenticated:
        return []
    if is_program_office(user):
        projects: QuerySet = Project.objects.listed()
    else:
        projects = Project.objects.editable_by(user).filter(merged_into__isnull=True)
    return list(projects.only("name", "slug").order_by("name"))


def _project_for_rendering(request: HttpRequest) -> Project | None:
    """The project named by ?project=, if this person may see it; 404 otherwise, for a hidden project as
    for a missing one (catalog.selectors.project_for_viewer)."""
    slug = request.GET.get("project", "").strip()
    if not slug:
        return None
    return project_for_viewer(viewer=request.user, slug=slug)


def _chosen_version(request: HttpRequest, versions: list[GuideVersion]) -> GuideVersion:
    """?version=N, or the latest version."""
    wanted = request.GET.get("version", "").strip()
    if not wanted:
        return versions[0]
    for version in versions:
        if str(version.version) == wanted:
            return version
    raise Http404("This guide has no such version.")


def _query(**params) -> str:
    params = {key: value for key, value in params.items() if value}
    return f"?{urlencode(params)}" if params else ""


def guidelines(request: HttpRequest) -> HttpResponse:
    """The library: guides to read, templates to take, and the starter kit."""
    entries = list(
        Guide.objects.annotate(
            latest_version=Max("versions__version"), updated_at=Max("versions__created_at")
        ).filter(latest_version__isnull=False)
    )
    projects = _choosable_projects(request.user)
    project = _project_for_rendering(request)
    return render(
        request,
        "community/guidelines.html",
        {
            "guides": [g for g in entries if g.kind == Guide.Kind.GUIDE],
            "templates": [g for g in entries if g.kind == Guide.Kind.TEMPLATE],
            "kit": [g for g in entries if g.kind == Guide.Kind.TEMPLATE and g.in_starter_kit and g.filename],
            "projects": projects,
            "project": project,
        },
    )


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A guide rendered safely, or a template's preview; either with its version history."""
    guide = get_object_or_404(Guide, slug=slug)
    versions = list(guide.versions.all())
    if not versions:
        raise Http404("This guide has no text yet.")
    version = _chosen_version(request, versions)
    version.guide = guide
    context = {
        "guide": guide,
        "version": version,
        "versions": versions,
        "is_latest": version.pk == versions[0].pk,
    }
    if guide.kind == Guide.Kind.GUIDE:
        context["body_html"] = render_markdown(version.body)
    else:
        project = _project_for_rendering(request)
        try:
            context["preview"] = template_render(version=version, project=project)
        except LibraryError as error:
            context["error"] = str(error)
        context.update(
            project=project,
            projects=_choosable_projects(request.user),
            download_url=reverse("community:guide_download", kwargs={"slug": guide.slug})
            + _query(
                project=project.slug if project else "",
                version="" if context["is_latest"] else version.version,
            ),
        )
    return render(request, "community/guide_detail.html", context)


def _attachment(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def guide_download(request: HttpRequest, slug: str) -> HttpResponse:
    """A template as the file it becomes, filled in for ?project= when given; counted."""
    guide = get_object_or_404(Guide, slug=slug, kind=Guide.Kind.TEMPLATE)
    versions = list(guide.versions.all())
    if not versions:
        raise Http404("This template has no text yet.")
    version = _chosen_version(request, versions)
    version.guide = guide
    project = _project_for_rendering(request)
    try:
        content = template_render(version=version, project=project)
    except LibraryError as error:
        logger.error("template %s v%s cannot be rendered: %s", guide.slug, version.version, error)
        return HttpResponse(str(error), status=500, content_type="text/plain; charset=utf-8")
    # The full path keeps which version was taken (?version=) beside the project the event names.
    usage_record(
        kind=UsageKind.TEMPLATE_DOWNLOAD, request=request, project=project, path=request.get_full_path()
    )
    return _attachment(content, filename=download_name(guide), content_type=content_type_for(guide.filename))


def starter_kit(request: HttpRequest) -> HttpResponse:
    """Every starter-kit template in one zip, filled in for ?project= when given; counted."""
    project = _project_for_rendering(request)
    try:
        archive = starter_kit_zip(project=project)
    except LibraryError as error:
        logger.error("the starter kit cannot be built: %s", error)
        return HttpResponse(str(error), status=500, content_type="text/plain; charset=utf-8")
    usage_record(kind=UsageKind.TEMPLATE_DOWNLOAD, request=request, project=project, path=request.path)
    name = f"{project.slug}-starter-kit.zip" if project else "innersource-starter-kit.zip"
    return _attachment(archive, filename=name, content_type="application/zip")
