"""Portal usage: the events recorded and their daily rollups."""

from django.conf import settings
from django.db import models


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

    A day is rebuilt as a whole (delete, then insert), so rebuilding is idempotent. Search rows also
    count the searches' outcomes (metrics.rollups.search_outcomes), so that zero-result searches and
    click-through outlive the raw events too; on the rows of other kinds they are 0."""

    day = models.DateField()
    kind = models.CharField(max_length=30, choices=UsageKind.choices)
    project = models.ForeignKey("catalog.Project", null=True, blank=True, on_delete=models.CASCADE)
    asset = models.ForeignKey("catalog.Asset", null=True, blank=True, on_delete=models.CASCADE)
    business_unit = models.ForeignKey("catalog.BusinessUnit", null=True, blank=True, on_delete=models.CASCADE)
    events = models.PositiveIntegerField(default=0)
    quantity = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)
    with_results = models.PositiveIntegerField(default=0)
    # Searches with results that got a result click, whenever the click came (a late click recounts
    # its search's row: metrics.rollups.searches_clicked).
    clicked = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day", "kind"], name="rollup_day_kind"),
            models.Index(fields=["project", "day"], name="rollup_project_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.day}: {self.events}"


class VisitorDay(models.Model):
    """A visitor with a page view on one UTC day, per project (null: pages of no project). Rebuilt with
    the day's rollups (metrics.rollups.rollup_day), from the same raw events: the distinct visitors of
    any period are the distinct visitors of its days, so a period reads these rows rather than its
    events, and days past the raw events' retention keep their visitors as they keep their rollups."""

    day = models.DateField()
    project = models.ForeignKey(
        "catalog.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The visitor as metrics.rollups.visitor_key tells it: the recorded visitor id, else "u:<user id>".
    visitor = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # The program's reads (a range of days, distinct visitors) are index-only on (day, visitor);
            # a project's start from the project.
            models.Index(fields=["day", "visitor"], name="visitorday_day_visitor"),
            models.Index(fields=["project", "day"], name="visitorday_project_day"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} on {self.day}"


class SearchDay(models.Model):
    """The searches of one query on one UTC day, rebuilt with the day's rollups (metrics.rollups): how
    many, how many found nothing, and how many different signed-in people typed it (`people`; among
    the searches that found nothing: `zero_people`). The dashboards' top searches of any period read
    these rows rather than the period's search events, and outlive the raw events' retention."""

    day = models.DateField()
    query = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    zero_people = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="unique_search_day")]
        indexes = [models.Index(fields=["query", "day"], name="searchday_query_day")]

    def __str__(self) -> str:
        return f"{self.query!r} on {self.day}: {self.searches}"


class SearchPersonDay(models.Model):
    """A signed-in person ("u:<user id>") who typed a query on one UTC day, and whether one of those
    searches found nothing: the distinct people of a query over a period, for the queries whose days'
    `people` alone cannot tell (metrics.searches)."""

    day = models.DateField()
    query = models.CharField(max_length=200)
    person = models.CharField(max_length=64)
    zero = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["query", "day", "person"], name="unique_search_person_day")
        ]
        indexes = [models.Index(fields=["day"], name="searchpersonday_day")]

    def __str__(self) -> str:
        return f"{self.person} typed {self.query!r} on {self.day}"
