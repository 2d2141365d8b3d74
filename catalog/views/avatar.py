"""The project image that exports point to (catalog/avatars.py)."""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from catalog.avatars import avatar_svg
from catalog.selectors import project_for_viewer


@require_safe
def project_avatar(request: HttpRequest, slug: str) -> HttpResponse:
    """A project's generated image, for those who may see the project (404 for the others, as for a
    project that does not exist)."""
    project = project_for_viewer(viewer=request.user, slug=slug)
    response = HttpResponse(avatar_svg(name=project.name, key=project.slug), content_type="image/svg+xml")
    # The image changes only with the name. Private: a restricted project's image stays out of shared caches.
    patch_cache_control(response, private=True, max_age=3600)
    return response
