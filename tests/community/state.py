"""What the community's writes may touch, read in one value: a refused write leaves it as it was."""

from catalog.models import Notification, ProjectChange, ProjectRole
from community.models import Kudos, Membership, Practitioner, RulesAcceptance


def community_state() -> dict:
    return {
        "memberships": sorted(Membership.objects.values_list("project_id", "user_id", "left_at")),
        "roles": sorted(ProjectRole.objects.values_list("project_id", "user_id", "role")),
        "changes": ProjectChange.objects.count(),
        "kudos": Kudos.objects.count(),
        "acceptances": sorted(RulesAcceptance.objects.values_list("user_id", "rules_id")),
        "profiles": sorted(Practitioner.objects.values_list("user_id", "display_name")),
        "notifications": Notification.objects.count(),
    }
