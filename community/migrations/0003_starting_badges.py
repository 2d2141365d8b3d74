"""The starting set of badges from JOURNEY.md. They are data: the program office edits them in the
admin afterwards, so this migration only creates the ones missing and its reverse removes them."""

from django.db import migrations

BADGES = [
    {
        "slug": "rule-keeper",
        "name": "Rule Keeper",
        "tier": "bronze",
        "rule": "rules_accepted",
        "parameters": {},
        "description": "Accepted the rules of engagement that every InnerSource community here works by.",
        "how_to_earn": "Read the rules of engagement (open everything, failure is necessary, focus, pay it "
        "forward, respect and patience, plan as a team) and accept them.",
    },
    {
        "slug": "community-member",
        "name": "Community Member",
        "tier": "bronze",
        "rule": "community_member",
        "parameters": {},
        "description": "Joined the community of a project in the catalog.",
        "how_to_earn": "Find a project you use or care about in the catalog and join its community.",
    },
    {
        "slug": "first-contribution",
        "name": "First Contribution",
        "tier": "bronze",
        "rule": "first_contribution",
        "parameters": {},
        "description": "Had a first pull or merge request merged in a catalog project.",
        "how_to_earn": "Pick an issue a project asks help with (look for good first issues), open a pull or "
        "merge request, and work with the trusted committers until it is merged.",
    },
    {
        "slug": "first-review",
        "name": "First Review",
        "tier": "bronze",
        "rule": "first_review",
        "parameters": {},
        "description": "Reviewed a pull or merge request opened by someone else.",
        "how_to_earn": "Review a colleague's pull or merge request in a catalog project: approve it, ask for "
        "changes or leave review comments. Reviewing your own request does not count.",
    },
    {
        "slug": "helping-hand",
        "name": "Helping Hand",
        "tier": "silver",
        "rule": "helping_hand",
        "parameters": {"count": 10, "business_days": 2},
        "description": "Was the first to answer 10 issues or requests of others within 2 business days.",
        "how_to_earn": "Be the first person to comment on or review issues and requests others open, within "
        "2 business days (weekends do not count). Ten such first responses earn the badge.",
    },
    {
        "slug": "cross-team-contributor",
        "name": "Cross-Team Contributor",
        "tier": "silver",
        "rule": "cross_team",
        "parameters": {"count": 3},
        "description": "Had requests merged in projects of 3 business units other than one's own.",
        "how_to_earn": "Contribute beyond your own unit: get pull or merge requests merged in projects hosted "
        "by three different business units other than the one on your profile.",
    },
    {
        "slug": "trusted-committer",
        "name": "Trusted Committer",
        "tier": "silver",
        "rule": "trusted_committer",
        "parameters": {},
        "auto_revoke": True,
        "description": "Is a trusted committer of a project: reviews, guides and merges contributions.",
        "how_to_earn": "Contribute and review steadily in a project until its maintainers appoint you "
        "trusted committer. The badge follows the role: it is withdrawn when the role ends.",
    },
    {
        "slug": "sprint-streak",
        "name": "Sprint Streak",
        "tier": "silver",
        "rule": "sprint_streak",
        "parameters": {"count": 6},
        "multiple": True,
        "description": "Contributed in 6 consecutive two-week sprints; granted again for each new streak.",
        "how_to_earn": "Contribute something (a commit, request, review, issue or comment) in a catalog "
        "project in each of six two-week sprints in a row. Sprints start every other Monday.",
    },
    {
        "slug": "mentor",
        "name": "Mentor",
        "tier": "gold",
        "rule": "mentor",
        "parameters": {"count": 5},
        "description": "Reviewed the first merged request of 5 first-time contributors.",
        "how_to_earn": "Welcome newcomers: review the first pull or merge request of people who have never "
        "contributed before and help them get it merged. Five such newcomers earn the badge.",
    },
    {
        "slug": "starter",
        "name": "Starter",
        "tier": "gold",
        "rule": "starter",
        "parameters": {},
        "description": "Reached the Starter stage of the journey by kick-starting an InnerSource project.",
        "how_to_earn": "Own an approved project in the catalog that has received a merged contribution from "
        "someone of another business unit, after becoming a Contributor.",
    },
    {
        "slug": "solve-once-solve-for-many",
        "name": "Solve Once, Solve for Many",
        "tier": "gold",
        "rule": "solve_once",
        "parameters": {"count": 5},
        "description": "Maintains an asset that 5 other business units actively use.",
        "how_to_earn": "Own or maintain a project whose asset is adopted, and still in use, by five business "
        "units other than the project's own. Ask the teams that use it to declare their adoption.",
    },
]


def badges_create(apps, schema_editor):
    Badge = apps.get_model("community", "Badge")
    for spec in BADGES:
        fields = {k: v for k, v in spec.items() if k != "slug"}
        Badge.objects.get_or_create(slug=spec["slug"], defaults=fields)


def badges_delete(apps, schema_editor):
    Badge = apps.get_model("community", "Badge")
    Badge.objects.filter(slug__in=[spec["slug"] for spec in BADGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0002_journey_badges_rules_guides")]

    operations = [migrations.RunPython(badges_create, badges_delete)]
