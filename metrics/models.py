"""Repository activity as the forges report it, keyed by the forges' own ids so that upserts are idempotent."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.models import Forge, Repository


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


class SyncState(models.Model):
    """Where the incremental sync of one repository stands, and how it last went."""

    repository = models.OneToOneField(Repository, on_delete=models.CASCADE, related_name="sync_state")
    cursors = models.JSONField(
        default=dict, blank=True, help_text="per endpoint: the last `since` / `updated_after`"
    )
    etags = models.JSONField(
        default=dict, blank=True, help_text="per request URL: the ETag of its last answer"
    )
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_request_count = models.IntegerField(default=0)
    consecutive_failures = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="rate limited or backing off until"
    )

    def __str__(self) -> str:
        return f"sync of {self.repository}"


class WebhookDelivery(models.Model):
    """A webhook as it arrived; processed by a task. The delivery id makes redeliveries no-ops."""

    forge = models.CharField(max_length=10, choices=Forge.choices)
    delivery_id = models.CharField(max_length=100)
    event = models.CharField(max_length=50)
    action = models.CharField(max_length=50, blank=True)
    repository = models.ForeignKey(
        Repository, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries"
    )
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["forge", "delivery_id"], name="unique_delivery")]
        # The pending sweep reads only unprocessed deliveries, a handful among all ever received.
        indexes = [
            models.Index(
                fields=["received_at"], condition=models.Q(processed_at__isnull=True), name="webhook_pending"
            )
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.forge} {self.event} {self.delivery_id}"


class UsageKind(models.TextChoices):
    PAGE_VIEW = "page_view", "Page view"
    SEARCH = "search", "Search"
    RESULT_CLICK = "result_click", "Search result click"
    CONTRIBUTE_CLICK = "contribute_click", "Contribute click"
    ASSET_DOWNLOAD = "asset_download", "Asset download"
    TEMPLATE_DOWNLOAD = "template_download", "Template download"
    USE_THIS = "use_this", "“Use this” / adoption"
    REPORTED_CONSUMPTION = "reported_consumption", "Consumption reported through the API"
    SIGN_UP = "sign_up", "Sign-up"


CONSUMPTION_KINDS = (
    UsageKind.ASSET_DOWNLOAD,
    UsageKind.TEMPLATE_DOWNLOAD,
    UsageKind.USE_THIS,
    UsageKind.REPORTED_CONSUMPTION,
)


class UsageEvent(models.Model):
    """One thing a person did on the portal (or reported through the API). `event_id` is minted when
    the event is recorded, so the drain from Redis can insert idempotently."""

    event_id = models.UUIDField(unique=True)
    kind = models.CharField(max_length=30, choices=UsageKind.choices)
    occurred_at = models.DateTimeField()
    # "u:<user id>" for a signed-in person, "v:<pseudonymous id>" for an anonymous visitor, "" when unknown.
    visitor = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Indexed by usage_project_kind_time (its first column), so no index of its own.
    project = models.ForeignKey(
        "catalog.Project", null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    # Only consumption events name an asset: a partial index (usage_asset) instead of one on every row.
    asset = models.ForeignKey(
        "catalog.Asset", null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    business_unit = models.ForeignKey(
        "catalog.BusinessUnit", null=True, blank=True, on_delete=models.SET_NULL
    )
    path = models.CharField(max_length=500, blank=True)
    query = models.CharField(max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    result_count = models.IntegerField(null=True, blank=True)
    position = models.IntegerField(null=True, blank=True)
    search_event_id = models.UUIDField(
        null=True, blank=True, help_text="for a click: the search it came from"
    )
    consumer = models.CharField(
        max_length=150, blank=True, help_text="a team or system reporting consumption"
    )
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "occurred_at"], name="usage_kind_time"),
            models.Index(fields=["project", "kind", "occurred_at"], name="usage_project_kind_time"),
            # Every index costs the drain a write per event (tens of thousands a second); these two
            # columns are set on a small share of events (clicks, consumptions), so only those are indexed.
            models.Index(
                fields=["search_event_id"],
                condition=models.Q(search_event_id__isnull=False),
                name="usage_search_event",
            ),
            models.Index(fields=["asset"], condition=models.Q(asset__isnull=False), name="usage_asset"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


class DailyRollup(models.Model):
    """Events of one kind on one day, per project, asset and business unit (null: not applicable).

    A day is rebuilt as a whole (delete, then insert), so rebuilding is idempotent."""

    day = models.DateField()
    kind = models.CharField(max_length=30, choices=UsageKind.choices)
    project = models.ForeignKey("catalog.Project", null=True, blank=True, on_delete=models.CASCADE)
    asset = models.ForeignKey("catalog.Asset", null=True, blank=True, on_delete=models.CASCADE)
    business_unit = models.ForeignKey("catalog.BusinessUnit", null=True, blank=True, on_delete=models.CASCADE)
    events = models.PositiveIntegerField(default=0)
    quantity = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day", "kind"], name="rollup_day_kind"),
            models.Index(fields=["project", "day"], name="rollup_project_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.day}: {self.events}"


class ReportSnapshot(models.Model):
    """The figures of one dashboard (report, previous period, trend, most adopted, searches) for one scope
    and period, computed in the background (metrics.snapshots.snapshot_compute) so that a dashboard request
    reads one row instead of scanning activity.

    `data` is null while the first computation is pending. `refreshing_since` marks a computation
    queued and not finished: it is set by a conditional UPDATE, so concurrent requests queue it once."""

    scope_key = models.CharField(max_length=100, help_text="program, unit:<id> or project:<id>, + hidden set")
    start = models.DateField()
    end = models.DateField(help_text="Exclusive")
    params = models.JSONField(default=dict, help_text="What the task needs to recompute it: see ReportScope")
    data = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True, help_text="When the computation started")
    refreshing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when the model lived in the portal app (metrics 0007).
        db_table = "portal_reportsnapshot"
        constraints = [
            models.UniqueConstraint(fields=["scope_key", "start", "end"], name="report_snapshot_scope_period")
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.start}–{self.end}"


class ManifestFile(models.Model):
    """A dependency manifest of a repository's default branch (metrics.manifests reads which files are
    ones) with the dependencies it declares, as the sync last read it. `blob_sha` is the git blob id the
    listing showed: the file is read again only when it changes (metrics.sync.manifest_scan). A file
    that could not be read keeps why in `error`, and no dependencies."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="manifest_files")
    # Bounded so that the unique index stays within PostgreSQL's key size; longer paths are not read.
    path = models.CharField(max_length=400)
    blob_sha = models.CharField(max_length=64, default="")
    # [{"purl": ..., "version": ..., "line": ...}] in the order the file writes them (metrics.manifests).
    dependencies = models.JSONField(default=list, blank=True)
    error = models.TextField(default="", blank=True)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository", "path"], name="unique_manifest_path"),
        ]

    def __str__(self) -> str:
        return self.path


class ReuseValueSettings(models.Model):
    """The program office's figures behind the value of reuse in money (metrics.value): what an
    engineer-day costs and what the program itself costs a year. One row (pk 1), changed on the
    "Value of reuse" settings page (metrics.services.reuse_value_settings_update, audited)."""

    engineer_day_cost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="fully loaded, per engineer-day"
    )
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217 code")
    program_yearly_cost = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="the program office's own yearly cost",
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "reuse value settings"

    def __str__(self) -> str:
        return "Value of reuse: settings"
