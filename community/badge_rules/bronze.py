"""Bronze badges: the first steps (rules accepted, a community joined, a first contribution and review)."""

from django.db.models import Count, Min

from community.badge_rules.common import HUMAN, listed, people, reviews_of_others
from community.badge_rules.qualifiers import Qualifier, per_person
from community.models import Membership, RulesAcceptance
from metrics.models import PullRequest, Review


def rules_accepted(badge, user_ids, now) -> set[Qualifier]:
    """Accepted any version of the rules of engagement (the badge stays when a new version comes)."""
    rows = (
        RulesAcceptance.objects.filter(people("user_id", user_ids))
        .values("user_id")
        .annotate(first=Min("accepted_at"), version=Min("rules__version"))
        .order_by()
    )
    return per_person(rows, accepted_at="first", rules_version="version")


def community_member(badge, user_ids, now) -> set[Qualifier]:
    """Is in at least one project community now (a membership not left)."""
    rows = (
        Membership.objects.filter(people("user_id", user_ids), left_at__isnull=True)
        .values("user_id")
        .annotate(communities=Count("project_id", distinct=True), first=Min("joined_at"))
        .order_by()
    )
    return per_person(rows, communities="communities", joined_at="first")


def first_contribution(badge, user_ids, now) -> set[Qualifier]:
    """Has a merged pull/merge request in a catalog project."""
    rows = (
        PullRequest.objects.filter(
            people("author__user_id", user_ids), HUMAN, listed("repository__project"), merged_at__lte=now
        )
        .values("author__user_id")
        .annotate(first=Min("merged_at"), merged=Count("pk"))
        .order_by()
    )
    return per_person(rows, person="author__user_id", first_merged_at="first", merged="merged")


def first_review(badge, user_ids, now) -> set[Qualifier]:
    """Has reviewed (approved, requested changes or commented on) someone else's request."""
    rows = (
        Review.objects.filter(
            reviews_of_others(user_ids), listed("pull_request__repository__project"), submitted_at__lte=now
        )
        .values("author__user_id")
        .annotate(first=Min("submitted_at"), reviews=Count("pk"))
        .order_by()
    )
    return per_person(rows, person="author__user_id", first_review_at="first", reviews="reviews")
