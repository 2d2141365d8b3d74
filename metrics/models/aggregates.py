"""Daily aggregates of repository activity, kept by the writes of the activity rows (metrics.daily) so
that a report of any period reads days, not rows. Keyed by repository (not project): a repository moved
to another project takes its days along, and a scope is a join away."""

from django.db import models

from catalog.models import Repository
from metrics.models.activity import ForgeAccount


class RequestDay(models.Model):
    """Pull/merge requests of one repository on one UTC day, bot-authored ones left out (as METRICS.md).

    `ended` counts the requests that stopped being open that day (closed or merged, whichever came
    first, never before their creation): the requests open at some moment of [start, end) are those
    opened before `end` less those ended before `start`."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    opened = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)
    declined = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["repository", "day"], name="unique_request_day")]

    def __str__(self) -> str:
        return f"requests of {self.repository_id} on {self.day}"


class ContributorDay(models.Model):
    """Who contributed to one repository on one UTC day: one row per forge account, or per lower-cased
    author e-mail for a commit no account claims. Who the person is (the account's linked user), their
    business unit and whether the account is a bot are read when a report is computed, so linking an
    identity or flagging a bot never leaves these rows stale.

    `commits` counts non-merge commits authored that day; `actions` the requests opened, reviews
    submitted (pending ones left out), issues opened and comments written that day."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # "a:<account id>" or "e:<e-mail>": one unique key for both kinds of rows.
    who = models.CharField(max_length=260)
    # Indexed by contributorday_account_day (its first column), so no index of its own.
    account = models.ForeignKey(
        ForgeAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    email = models.CharField(max_length=255, blank=True)
    commits = models.IntegerField(default=0)
    actions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository", "day", "who"], name="unique_contributor_day")
        ]
        indexes = [
            models.Index(fields=["account", "day"], name="contributorday_account_day"),
            # Only commits no account claims carry an e-mail: a partial index keeps the rest out of it.
            models.Index(
                fields=["email", "day"],
                condition=models.Q(account__isnull=True),
                name="contributorday_email_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.who} in {self.repository_id} on {self.day}"
