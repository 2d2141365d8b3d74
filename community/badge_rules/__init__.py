"""The set-based rules behind the badges (JOURNEY.md, "Badges"); community.badges runs them.

A rule is `rule(badge, user_ids, now) -> set[Qualifier]`: the people (among `user_ids`, or everyone when
None) for whom the badge's rule holds at `now`, with a key (what a grant is for, used by badges granted
many times) and the evidence stored on the award. Every rule runs a fixed number of queries, whatever
the number of people, and reads rows in proportion to the people, not to the activity: aggregates
grouped by person, one row per streak, or (helping_hand) the first responses counted per person in
the database. A rule's cost hardly depends on how many people it is asked about, so the nightly run
asks once for everyone (community.badges.badges_evaluate_in_chunks).

Choices made here, where JOURNEY.md and METRICS.md leave them open:
- Forge activity counts in catalog projects (approved, not merged away: `Project.objects.listed()`),
  as "a merged request in a catalog project" does for the Contributor stage.
- A person is the portal user a forge account is linked to; unlinked accounts earn nothing (there is
  nobody to award), but they still count as the *others* (the authors helped, the mentees).
- Bots are left out as in METRICS.md (`ForgeAccount.is_bot`, set at sync from `[bot]` logins, forge
  user types and PORTAL_BOT_LOGINS): they earn nothing, and a bot's request is not "someone else's".
- Profile, role, membership and acceptance rules read the current state; forge activity is read up to
  `now` (activity stamped later is ignored), and adoptions are those active on `now`'s day.
- Sprints are fixed 14-day windows from Monday 2024-01-01 UTC, so that a streak's key (the date its
  first sprint starts) never moves.
"""

from community.badge_rules.bronze import community_member, first_contribution, first_review, rules_accepted
from community.badge_rules.gold import mentor, solve_once, starter
from community.badge_rules.qualifiers import Qualifier, Rule
from community.badge_rules.silver import cross_team, first_responses_in_time, helping_hand, trusted_committer
from community.badge_rules.sprints import SPRINT_EPOCH, SprintIndex, sprint_start, sprint_streak, streaks

__all__ = [
    "RULES",
    "SPRINT_EPOCH",
    "Qualifier",
    "SprintIndex",
    "first_responses_in_time",
    "sprint_start",
    "streaks",
]

RULES: dict[str, Rule] = {
    "rules_accepted": rules_accepted,
    "community_member": community_member,
    "first_contribution": first_contribution,
    "first_review": first_review,
    "helping_hand": helping_hand,
    "cross_team": cross_team,
    "trusted_committer": trusted_committer,
    "sprint_streak": sprint_streak,
    "mentor": mentor,
    "starter": starter,
    "solve_once": solve_once,
}
