"""Database reads behind the metrics of METRICS.md (Contribution Activity, Time to Value, and the
adoption side of Reuse and Collaboration), for one project, a set of projects, or the program.

Conventions, as METRICS.md states them and as applied here:
- `projects` is a queryset of catalog projects; None means the program (every listed project).
- A period is [start, end) in UTC; `start` and `end` are dates.
- Accounts flagged `is_bot` are left out everywhere, as authors and as responders.
- A person is the portal user an account is linked to, else the account itself. A git account's login
  is the lower-cased e-mail, and a commit that the forge could not tie to any account (GitHub does this
  for unknown addresses) is its lower-cased author e-mail too: both are the person "that e-mail", or
  the user/bot a git account of that login says it is.
- A person's business unit is the practitioner profile's (reached through the ORM: the community app
  is not imported here), else, for people without a portal account or unit, the unit the organisation
  directory gave their forge account (ForgeAccount.business_unit).

Every function runs a fixed number of set-based queries: aggregates, or values lists of the period's
rows grouped by author, whatever the number of rows.

The figures live by family: contribution (Contribution Activity), time_to_value (Time to Value), reuse
(adoptions), value (the value of reuse), dependencies (what repositories' manifests declare); rows holds what they share (who a row's person is, scopes, periods); newcomers the labels
that set an issue aside for newcomers.
"""

from metrics.selectors.contribution import contribution_activity, contributors_per_bucket, merged_per_bucket
from metrics.selectors.dependencies import repository_dependencies
from metrics.selectors.newcomers import NEWCOMER_LABELS, newcomer_labelled
from metrics.selectors.reuse import reuse_adoptions
from metrics.selectors.rows import bounds as period_bounds
from metrics.selectors.time_to_value import FirstResponses, first_responses, time_to_value
from metrics.selectors.value import reuse_value, reuse_value_settings, value_money

__all__ = [
    "NEWCOMER_LABELS",
    "contribution_activity",
    "contributors_per_bucket",
    "FirstResponses",
    "first_responses",
    "merged_per_bucket",
    "newcomer_labelled",
    "period_bounds",
    "repository_dependencies",
    "reuse_adoptions",
    "reuse_value",
    "reuse_value_settings",
    "time_to_value",
    "value_money",
]
