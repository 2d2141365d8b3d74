"""Views of the community app: journey (routes in community/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from community.journey_page import journey_status, plural
from community.models import STAGE_ORDER, Stage, StageChange


def change_reason(change: StageChange) -> str:
    """One line on why a recorded change happened, from the evidence recorded with it."""
    data = change.evidence or {}
    if change.to_stage == Stage.STARTER:
        slugs = ", ".join(data.get("cross_unit_projects") or [])
        return f"owns {slugs}, which received a contribution from another business unit"
    if change.to_stage == Stage.TRUSTED_COMMITTER:
        return "appointed trusted committer"
    if STAGE_ORDER.index(change.to_stage) < STAGE_ORDER.index(change.from_stage):
        return "no trusted-committer role any more"
    if change.to_stage == Stage.CONTRIBUTOR:
        merged, communities = data.get("merged_requests", 0), data.get("communities", 0)
        parts = [
            f"{merged} merged {plural(merged, 'contribution', 'contributions')}",
            f"{communities} {plural(communities, 'community', 'communities')}",
        ]
        if data.get("rules_version"):
            parts.append(f"rules of engagement v{data['rules_version']} accepted")
        return ", ".join(parts)
    return ""


@login_required
def journey(request: HttpRequest) -> HttpResponse:
    """Where the person stands on the journey, what the next stage takes and brings."""
    status = journey_status(user=request.user)
    for change in status["history"]:
        change.reason = change_reason(change)
    return render(request, "community/journey.html", status)
