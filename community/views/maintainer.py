"""Views of the community app: a maintainer's "My projects" (routes in community/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from community.maintainer import WAITING_LIMIT, my_projects


@login_required
def projects_mine(request: HttpRequest) -> HttpResponse:
    """The projects the person holds a role on, and what waits for them there."""
    entries = my_projects(user=request.user, now=timezone.now())
    waiting = sum(len(entry.waiting) for entry in entries)
    context = {
        "entries": entries,
        "attention": [entry for entry in entries if entry.needs_attention],
        "waiting_capped": waiting >= WAITING_LIMIT,
    }
    return render(request, "community/projects_mine.html", context)
