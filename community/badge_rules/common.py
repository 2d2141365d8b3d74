"""What every badge rule shares: the thresholds a badge may override, and the conditions on people,
catalog projects and human authors (what a rule returns: community.badge_rules.qualifiers)."""

from django.db.models import F, Q

from catalog.models import Project
from metrics.models import Review

# Defaults for the thresholds a badge's `parameters` may override in the admin.
DEFAULTS = {
    "helping_hand": {"count": 10, "business_days": 2},
    "cross_team": {"count": 3},
    "sprint_streak": {"count": 6},
    "mentor": {"count": 5},
    "solve_once": {"count": 5},
}


def param(badge, rule: str, name: str) -> int:
    value = (badge.parameters or {}).get(name, DEFAULTS[rule][name])
    return int(value)


def people(path: str, user_ids: list[int] | None) -> Q:
    """Rows whose person (`path` leads to a user id) is among `user_ids`; None: everyone known."""
    if user_ids is None:
        return Q(**{f"{path}__isnull": False})
    return Q(**{f"{path}__in": user_ids})


def listed(path: str) -> Q:
    return Q(**{f"{path}__in": Project.objects.listed().values("pk")})


# An author account that is not a bot (joining through `author` also leaves out rows with no author).
HUMAN = Q(author__is_bot=False)


def reviews_of_others(user_ids) -> Q:
    """Submitted, non-pending reviews by a human of a request that is not their own nor a bot's. The
    request's author is someone else when it is another account and, if both are linked, another user
    (a person may review from a second account of theirs: still their own request); a request whose
    author account is gone (GitHub's "ghost") is someone else's."""
    someone_else = Q(pull_request__author__isnull=True) | (
        Q(pull_request__author__is_bot=False)
        & ~Q(author_id=F("pull_request__author_id"))
        & (
            Q(pull_request__author__user_id__isnull=True)
            | ~Q(author__user_id=F("pull_request__author__user_id"))
        )
    )
    return (
        people("author__user_id", user_ids)
        & HUMAN
        & Q(submitted_at__isnull=False)
        & ~Q(state=Review.ReviewState.PENDING)
        & someone_else
    )
