"""Repository activity as the forges report it, keyed by the forges' own ids so that upserts are idempotent."""

from django.conf import settings
from django.db import models

from catalog.models import Forge, Repository
from metrics.signals import forge_accounts_changed

# The fields of an account that decide whose a row is (metrics.selectors.rows.person_key) and whether
# it is a person's at all.
IDENTITY_FIELDS = frozenset({"user", "user_id", "is_bot"})


class ForgeAccountQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """A bulk change of who an account is (its user, or whether it is a bot) changes who responded to
        whom: the receivers of `forge_accounts_changed` (the first responses kept on issues and
        requests) follow it, whoever makes the change (identity linking, bulk_update, the admin)."""
        if not IDENTITY_FIELDS.intersection(kwargs):
            return super().update(**kwargs)
        ids = list(self.values_list("pk", flat=True))
        updated = super().update(**kwargs)
        if ids:
            forge_accounts_changed.send(sender=ForgeAccount, account_ids=ids)
        return updated


class ForgeAccount(models.Model):
    """A person (or bot) as a forge or git knows them; linked to a portal user when identities match.

    `login` is the GitHub login, the GitLab username, or for plain git the lower-cased e-mail address.
    """

    forge = models.CharField(max_length=10, choices=Forge.choices)
    login = models.CharField(max_length=255)
    external_id = models.CharField(max_length=64, blank=True, help_text="the forge's numeric user id")
    name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    is_bot = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forge_accounts",
    )
    # The unit the organisation directory gives this login or address (set by the community app's
    # directory import): it counts the person's work for their unit before they have a portal account.
    # A linked user's own (trusted) unit comes first wherever a unit is read.
    business_unit = models.ForeignKey(
        "catalog.BusinessUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ForgeAccountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["forge", "login"], name="unique_forge_login")]
        indexes = [models.Index(fields=["user"], name="forgeaccount_user")]

    def __str__(self) -> str:
        return f"{self.login} ({self.forge})"


class State(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    MERGED = "merged", "Merged"


class PullRequest(models.Model):
    """A GitHub pull request or a GitLab merge request."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="pull_requests")
    forge_id = models.BigIntegerField()
    number = models.IntegerField()
    title = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices)
    draft = models.BooleanField(default=False)
    author = models.ForeignKey(
        ForgeAccount, null=True, on_delete=models.SET_NULL, related_name="pull_requests"
    )
    merged_by = models.ForeignKey(
        ForgeAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    labels = models.JSONField(default=list, blank=True)
    additions = models.IntegerField(default=0)
    deletions = models.IntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    ready_for_review_at = models.DateTimeField(null=True, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Whether a person other than its author (not a bot) approved it; kept with first_response_at.
    approved_by_another = models.BooleanField(default=False)
    # The first response by another person (not a bot), whenever it came; NULL: none yet. Kept by
    # metrics.daily.responses from the comments and reviews, so that a report reads one row per item.
    first_response_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["repository", "number"], name="unique_pr_number")]
        indexes = [
            models.Index(fields=["repository", "created_at"], name="pr_repo_created"),
            models.Index(fields=["repository", "merged_at"], name="pr_repo_merged"),
            models.Index(fields=["repository", "closed_at"], name="pr_repo_closed"),
            models.Index(fields=["author", "merged_at"], name="pr_author_merged"),
        ]

    def __str__(self) -> str:
        return f"{self.repository} #{self.number}"


class Review(models.Model):
    class ReviewState(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        COMMENTED = "commented", "Commented"
        DISMISSED = "dismissed", "Dismissed"
        PENDING = "pending", "Pending"

    pull_request = models.ForeignKey(PullRequest, on_delete=models.CASCADE, related_name="reviews")
    forge_id = models.BigIntegerField()
    author = models.ForeignKey(ForgeAccount, null=True, on_delete=models.SET_NULL, related_name="reviews")
    state = models.CharField(max_length=20, choices=ReviewState.choices)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pull_request", "forge_id"], name="unique_review")]
        indexes = [models.Index(fields=["author", "submitted_at"], name="review_author_submitted")]

    def __str__(self) -> str:
        return f"{self.state} review of {self.pull_request_id}"


class Issue(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="issues")
    forge_id = models.BigIntegerField()
    number = models.IntegerField()
    title = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices)
    author = models.ForeignKey(ForgeAccount, null=True, on_delete=models.SET_NULL, related_name="issues")
    labels = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # The first response by another person (not a bot), whenever it came; NULL: none yet. Kept by
    # metrics.daily.responses from the comments and reviews, so that a report reads one row per item.
    first_response_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["repository", "number"], name="unique_issue_number")]
        indexes = [
            models.Index(fields=["repository", "created_at"], name="issue_repo_created"),
            models.Index(fields=["repository", "closed_at"], name="issue_repo_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.repository} issue #{self.number}"


class Comment(models.Model):
    """A comment on an issue or a request (GitHub issue/review comments, GitLab notes)."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "Issue or conversation comment"
        REVIEW = "review", "Review (diff) comment"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="comments")
    forge_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    issue = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    pull_request = models.ForeignKey(
        PullRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(ForgeAccount, null=True, on_delete=models.SET_NULL, related_name="comments")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository", "kind", "forge_id"], name="unique_comment"),
        ]
        indexes = [
            models.Index(fields=["issue", "created_at"], name="comment_issue_created"),
            models.Index(fields=["pull_request", "created_at"], name="comment_pr_created"),
            models.Index(fields=["author", "created_at"], name="comment_author_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} comment {self.forge_id}"


class Commit(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="commits")
    sha = models.CharField(max_length=64)
    author = models.ForeignKey(ForgeAccount, null=True, on_delete=models.SET_NULL, related_name="commits")
    author_name = models.CharField(max_length=255, blank=True)
    author_email = models.CharField(max_length=255, blank=True)
    authored_at = models.DateTimeField()
    is_merge = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["repository", "sha"], name="unique_commit")]
        indexes = [
            models.Index(fields=["repository", "authored_at"], name="commit_repo_authored"),
            models.Index(fields=["author", "authored_at"], name="commit_author_authored"),
        ]

    def __str__(self) -> str:
        return self.sha[:12]


class Release(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="releases")
    forge_id = models.CharField(max_length=64, help_text="the forge's id, or the tag where there is none")
    tag = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    draft = models.BooleanField(default=False)
    prerelease = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        ForgeAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["repository", "forge_id"], name="unique_release")]
        indexes = [models.Index(fields=["repository", "published_at"], name="release_repo_published")]

    def __str__(self) -> str:
        return self.tag
