"""Views of the community app: badges (routes in community/urls.py).

The list of badges (with how many people hold each) is public, as the catalog is; a badge's page names
its holders, people's data, and so is for signed-in people only. Holders are listed alphabetically,
never ranked, and only those whose profile shows their badges to the company.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from community.models import Badge, BadgeAward, Practitioner

HOLDERS_PER_PAGE = 50


def badges(request):
    """Every active badge by tier, with how many people hold it, and which ones the viewer holds."""
    listed = (
        Badge.objects.filter(active=True)
        .annotate(holders=Count("awards__user", filter=Q(awards__revoked_at__isnull=True), distinct=True))
        .order_by("name")
    )
    mine: dict[int, int] = {}
    if request.user.is_authenticated:
        mine = dict(
            BadgeAward.objects.filter(user=request.user, revoked_at__isnull=True)
            .values("badge_id")
            .annotate(n=Count("pk"))
            .values_list("badge_id", "n")
        )
    by_tier = {tier: [] for tier in Badge.Tier.values}
    for badge in listed:
        badge.held = mine.get(badge.pk, 0)
        by_tier.setdefault(badge.tier, []).append(badge)
    tiers = [
        {"value": value, "label": label, "badges": by_tier[value]}
        for value, label in Badge.Tier.choices
        if by_tier.get(value)
    ]
    return render(
        request, "community/badges.html", {"tiers": tiers, "held_count": sum(1 for n in mine.values() if n)}
    )


@login_required
def badge(request, slug):
    """A badge, how to earn it, and its holders who show their badges, alphabetically and paginated."""
    badge = get_object_or_404(Badge, slug=slug)
    current = BadgeAward.objects.filter(badge=badge, revoked_at__isnull=True)
    holders = (
        get_user_model()
        .objects.filter(
            pk__in=current.values("user_id"),
            practitioner__visibility=Practitioner.Visibility.COMPANY,
            practitioner__show_badges=True,
        )
        .annotate(
            grants=Count(
                "badge_awards", filter=Q(badge_awards__badge=badge, badge_awards__revoked_at__isnull=True)
            )
        )
        .order_by("practitioner__display_name", "username")
        .values("username", "practitioner__display_name", "grants")
    )
    page = Paginator(holders, HOLDERS_PER_PAGE).get_page(request.GET.get("page"))
    total = current.values("user_id").distinct().count()
    mine = []
    if request.user.is_authenticated:
        mine = list(current.filter(user=request.user).order_by("awarded_at"))
    context = {
        "badge": badge,
        "page": page,
        "total": total,
        "hidden": max(total - page.paginator.count, 0),
        "mine": mine,
    }
    return render(request, "community/badge_detail.html", context)
