import random
from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Concat, Lower, Trim, Upper
from django.urls import reverse
from django.utils import timezone

from catalog.crypto import EncryptedCharField
from catalog.permissions import EDITOR_ROLES, is_program_office, viewer_unit_id


class BusinessUnit(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Lifecycle(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    INCUBATING = "incubating", "Incubating"
    ACTIVE = "active", "Active"
    MAINTAINED = "maintained", "Maintained"
    DEPRECATED = "deprecated", "Deprecated"
    ARCHIVED = "archived", "Archived"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class AssetKind(models.TextChoices):
    LIBRARY = "library", "Library"
    SERVICE = "service", "Service / API"
    TEMPLATE = "template", "Template"
    TOOL = "tool", "Tool"
    DATASET = "dataset", "Dataset"
    MODEL = "model", "Model"
    DOCUMENTATION = "documentation", "Documentation"
    PIPELINE = "pipeline", "Pipeline"


class Visibility(models.TextChoices):
    COMPANY = "company", "Everyone in the company"
    UNITS = "units", "Only some business units"


class ProjectQuerySet(models.QuerySet):
    def listed(self):
        """Projects the catalog shows: approved and not merged into another."""
        return self.filter(review_status=ReviewStatus.APPROVED, merged_into__isnull=True)

    def visible_to(self, user):
        """The projects this person may know of; the one rule every page, API view, template, task and
        export applies (catalog.selectors.project_for_viewer fetches one project by it).

        - The program office sees every project.
        - Anyone who holds a role on a project (its owners, maintainers and trusted committers, a starter
          whose registration waits for review) sees it.
        - Everyone else sees approved projects (and the redirect of one merged away) that are open to the
          whole company, or restricted to units that include the person's business unit, which only a
          trusted source sets (catalog.permissions.viewer_unit_id).
        Anonymous visitors (and `None`: what anyone may see, as exports and the home page show) see the
        approved (or merged-away) projects open to the whole company."""
        if is_program_office(user):
            return self
        return self.filter(visible_to_q(user))

    def editable_by(self, user):
        if is_program_office(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            pk__in=ProjectRole.objects.filter(user=user, role__in=EDITOR_ROLES).values("project")
        )


def visible_to_q(user) -> Q:
    """The condition of ProjectQuerySet.visible_to for someone outside the program office."""
    published = Q(review_status=ReviewStatus.APPROVED) | Q(merged_into__isnull=False)
    audience = Q(visibility=Visibility.COMPANY)
    if user is None or not user.is_authenticated:
        return published & audience
    unit = viewer_unit_id(user)
    if unit is not None:
        shared = Project.visible_units.through.objects.filter(businessunit_id=unit).values("project_id")
        audience |= Q(business_unit_id=unit) | Q(pk__in=shared)
    roles = ProjectRole.objects.filter(user=user).values("project_id")
    return (published & audience) | Q(pk__in=roles)


class Project(models.Model):
    """An InnerSource community around one or more repositories, offering assets."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, help_text="One sentence: what it is and who it is for.")
    motivation = models.TextField(blank=True, help_text="Why it exists and why others should reuse it.")
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="projects")
    lifecycle = models.CharField(max_length=20, choices=Lifecycle.choices, default=Lifecycle.PROPOSED)
    topics = models.ManyToManyField(Topic, blank=True, related_name="projects")
    languages = models.ManyToManyField(Language, blank=True, related_name="projects")
    license = models.CharField(max_length=80, blank=True)
    docs_url = models.URLField(blank=True)
    contributing_url = models.URLField(blank=True, verbose_name="contribution guidelines")
    communication_url = models.CharField(
        max_length=300, blank=True, verbose_name="communication channel", help_text="A chat channel or URL."
    )
    skills_wanted = models.JSONField(default=list, blank=True)
    contributions_wanted = models.TextField(blank=True, help_text="What help the community is looking for.")
    logo_url = models.URLField(blank=True)
    declared_readiness = models.JSONField(
        default=list,
        blank=True,
        help_text="Readiness items the starter declares until synced data is available.",
    )

    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.COMPANY, db_index=True
    )
    visible_units = models.ManyToManyField(
        BusinessUnit,
        blank=True,
        related_name="shared_projects",
        help_text="Besides the host unit, the units that see a restricted project.",
    )

    review_status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_note = models.TextField(blank=True)
    featured = models.BooleanField(default=False)
    verified = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    activity_score = models.IntegerField(default=0, db_index=True)
    activity_score_explanation = models.JSONField(default=list, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["review_status", "created_at"], name="project_review_queue")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:project", kwargs={"slug": self.slug})

    @property
    def wants_contributions(self) -> bool:
        return bool(self.contributions_wanted.strip())

    @property
    def is_listed(self) -> bool:
        return self.review_status == ReviewStatus.APPROVED and self.merged_into_id is None

    @property
    def is_restricted(self) -> bool:
        return self.visibility == Visibility.UNITS

    def is_visible_to(self, user) -> bool:
        """ProjectQuerySet.visible_to for this one project."""
        return Project.objects.filter(pk=self.pk).visible_to(user).exists()


class ProjectRole(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MAINTAINER = "maintainer", "Maintainer"
        TRUSTED_COMMITTER = "trusted_committer", "Trusted committer"

    EDITOR_ROLES = EDITOR_ROLES

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "role"], name="unique_project_role")
        ]
        indexes = [models.Index(fields=["user", "role"], name="projectrole_user_role")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.project}"


class Forge(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    GIT = "git", "git"


class Repository(models.Model):
    """A source repository of a project, with the statistics the sync brings."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="repositories")
    forge = models.CharField(max_length=10, choices=Forge.choices)
    url = models.CharField(max_length=400, unique=True, help_text="https://, ssh:// or git@host:path")
    full_name = models.CharField(
        max_length=200, blank=True, db_index=True, help_text="owner/name on the forge"
    )
    default_branch = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    stars = models.PositiveIntegerField(default=0)
    forks = models.PositiveIntegerField(default=0)
    watchers = models.PositiveIntegerField(default=0, help_text="subscribers")
    open_issues = models.PositiveIntegerField(default=0)
    license = models.CharField(max_length=80, blank=True)
    topics = models.JSONField(default=list, blank=True)
    participation = models.JSONField(default=list, blank=True, help_text="weekly commits, oldest first")
    files_present = models.JSONField(default=list, blank=True)
    has_good_first_issues = models.BooleanField(default=False)
    forge_created_at = models.DateTimeField(null=True, blank=True)
    forge_updated_at = models.DateTimeField(null=True, blank=True)
    forge_pushed_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Encrypted at rest: checking a signature needs the secret itself, so it cannot be hashed.
    webhook_secret = EncryptedCharField(
        max_length=500,
        blank=True,
        help_text="this repository's own webhook secret (else the global one); its webhook's URL then "
        "names it: /webhooks/github/?repository=owner/name",
    )

    class Meta:
        verbose_name_plural = "repositories"
        ordering = ["url"]
        # catalog.repositories.repositories_by_url looks URLs up case-insensitively (GitHub and GitLab paths
        # ignore case) on every registration and edit: indexed, not a scan of the table.
        indexes = [models.Index(Lower("url"), name="repository_url_lower")]

    def __str__(self) -> str:
        return self.full_name or self.url


class Asset(models.Model):
    """Something reusable a project offers: a library, a service, a template, a dataset..."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assets")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    description = models.CharField(max_length=300)
    url = models.URLField(blank=True, help_text="Where to get it: package, endpoint, download or docs.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="assets")
    languages = models.ManyToManyField(Language, blank=True, related_name="assets")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "slug"], name="unique_asset_slug_per_project")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:asset", kwargs={"slug": self.project.slug, "asset_slug": self.slug})


def adoption_team_key(team="team"):
    """A team's name as adoptions compare it: trimmed, case-insensitive. The database computes it (for
    the unique constraint, the look-up of an existing adoption and the distinct counts alike), so that
    all three agree on SQLite and PostgreSQL. Pass a field name, or a Value for a name typed in."""
    return Lower(Trim(team))


def adoption_product_key(product="product"):
    """A product's name as adoptions compare it (see adoption_team_key)."""
    return Lower(Trim(product))


def adoption_identity():
    """One value per distinct adoption (asset, business unit, team, product), for Count(distinct=True):
    the figures count teams using an asset, not rows, even where old or hand-edited rows overlap. The
    separator is a control character that no typed name contains."""
    sep = models.Value("\x1f")
    return Concat(
        Cast("asset_id", models.CharField()),
        sep,
        Cast("business_unit_id", models.CharField()),
        sep,
        adoption_team_key(),
        sep,
        adoption_product_key(),
        output_field=models.CharField(),
    )


class AdoptionQuerySet(models.QuerySet):
    def active(self, *, on: date | None = None):
        """Adoptions in use on a day (today by default): since <= day < ended_on (ended_on is exclusive)."""
        day = on or timezone.now().date()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), since__lte=day)

    def ended(self, *, on: date | None = None):
        """Adoptions no longer in use on a day (today by default): history."""
        return self.filter(ended_on__lte=on or timezone.now().date())

    def same_as(self, *, asset, business_unit, team: str, product: str):
        """Adoptions of the same asset by the same team of the same unit for the same product, names
        compared as the unique constraint compares them."""
        return self.alias(team_key=adoption_team_key(), product_key=adoption_product_key()).filter(
            asset=asset,
            business_unit=business_unit,
            team_key=adoption_team_key(models.Value(team)),
            product_key=adoption_product_key(models.Value(product)),
        )


class Adoption(models.Model):
    """A team or product of a business unit declares that it uses an asset."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="adoptions")
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, related_name="adoptions")
    team = models.CharField(max_length=120)
    product = models.CharField(max_length=120, blank=True)
    since = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["-since"]
        indexes = [
            models.Index(fields=["asset", "ended_on"], name="adoption_asset_active"),
            models.Index(fields=["created_at"], name="adoption_created"),
        ]
        constraints = [
            # A team declares once that it uses an asset for a product: "Use this" again is the same
            # fact. Two units may each have a team of the same name, so the unit is part of the key.
            # Ended adoptions are history and do not stand in the way of adopting again.
            models.UniqueConstraint(
                "asset",
                "business_unit",
                adoption_team_key(),
                adoption_product_key(),
                condition=Q(ended_on__isnull=True),
                name="adoption_one_active_per_team",
                violation_error_message="This team already uses this asset for this product.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} uses {self.asset}"


class ProjectChange(models.Model):
    """Who changed what on a project, and when."""

    class Action(models.TextChoices):
        REGISTERED = "registered", "registered"
        EDITED = "edited", "edited"
        RESUBMITTED = "resubmitted", "resubmitted"
        APPROVED = "approved", "approved"
        CHANGES_REQUESTED = "changes_requested", "requested changes"
        REJECTED = "rejected", "rejected"
        FEATURED = "featured", "featured"
        UNFEATURED = "unfeatured", "unfeatured"
        VERIFIED = "verified", "verified"
        UNVERIFIED = "unverified", "removed verification"
        ARCHIVED = "archived", "archived"
        MERGED = "merged", "merged"
        ADOPTED = "adopted", "recorded an adoption"
        IMPORTED = "imported", "imported"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField(blank=True)
    changed_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.project}"


class ImportedEntry(models.Model):
    """Where a project came from when an import wrote it, and the values that import last wrote.

    A field whose current value differs from the one recorded here was edited in the portal since,
    and a later import keeps that edit unless told to overwrite.
    """

    class Source(models.TextChoices):
        SAP = "sap", "SAP portal repos.json"
        INNERSOURCE = "innersource", "innersource.json"
        BACKSTAGE = "backstage", "Backstage catalog-info.yaml"

    source = models.CharField(max_length=20, choices=Source.choices)
    external_key = models.CharField(
        max_length=400, help_text="repository URL, Backstage entity reference or project slug"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="imported_entries")
    imported_values = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_key"], name="unique_imported_entry")
        ]
        verbose_name_plural = "imported entries"

    def __str__(self) -> str:
        return f"{self.source}:{self.external_key}"


class EntryType(models.TextChoices):
    PROJECT = "project", "Project"
    ASSET = "asset", "Asset"


# Sample keys are drawn uniformly from [0, SAMPLE_KEY_RANGE).
SAMPLE_KEY_RANGE = 2**31 - 1


def sample_key_new() -> int:
    return random.randrange(SAMPLE_KEY_RANGE)


class IdArrayField(ArrayField):
    """PostgreSQL's bigint[]. On SQLite the column exists but stays null: inserting null needs no cast
    (ArrayField's `%s::bigint[]` placeholder is PostgreSQL syntax)."""

    def get_placeholder_sql(self, value, compiler, connection) -> tuple[str, list]:
        if connection.vendor == "postgresql":
            return super().get_placeholder_sql(value, compiler, connection)
        return "%s", [value]


class SearchEntry(models.Model):
    """The catalog's search index: one row per listed project and per asset of a listed project.

    Rebuilt by catalog.search_index.entries_rebuild whenever a project, its assets, roles or adoptions
    change, so that search and facets read one indexed table.
    """

    entry_type = models.CharField(max_length=10, choices=EntryType.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="search_entries")
    asset = models.OneToOneField(Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.CharField(max_length=120)
    path = models.CharField(max_length=300, help_text="where the entry's page is")
    summary = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, db_index=True)
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.CASCADE, related_name="+")
    lifecycle = models.CharField(max_length=20, choices=Lifecycle.choices, db_index=True)
    wants_contributions = models.BooleanField(default=False, db_index=True)
    # A project restricted to named business units: its entries are searched only by people who see it.
    restricted = models.BooleanField(default=False, db_index=True)
    featured = models.BooleanField(default=False)
    verified = models.BooleanField(default=False)
    activity_score = models.IntegerField(default=0, db_index=True)
    adoption_count = models.IntegerField(default=0, db_index=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    languages = models.ManyToManyField(Language, blank=True, related_name="+")
    keywords = models.TextField(blank=True, help_text="topics, languages, skills, maintainers, assets")
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(db_index=True)
    # A random number per row: the matches with the smallest keys are a uniform random sample of all the
    # matches, from which a broad search (PostgreSQL) estimates its counts (catalog.selectors).
    sample_key = models.IntegerField(default=sample_key_new, db_index=True, editable=False)
    # PostgreSQL only, like search_vector: copies of the topics and languages relations (filled where the
    # search vector is), so that one pass over the index rows counts every facet, and a language or topic
    # filter can use a GIN index (created by migration 0009). Null on SQLite, which reads the relations.
    topic_ids = IdArrayField(models.BigIntegerField(), null=True, editable=False)
    language_ids = IdArrayField(models.BigIntegerField(), null=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["name"], name="searchentry_name"),
            # The order of a broad search and of the plain catalog, walked by PostgreSQL a page at a time.
            models.Index(
                fields=["-featured", "-activity_score", "name", "id"], name="searchentry_static_order"
            ),
            # Exact name or slug matches, looked up first by a broad search.
            models.Index(Upper("name"), name="searchentry_upper_name"),
            models.Index(fields=["slug"], name="searchentry_slug"),
        ]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return self.name


class SearchTerm(models.Model):
    """The catalog's vocabulary, used to suggest close matches for typos and empty searches."""

    word = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.word


class ProjectLink(models.Model):
    """A link a catalog file gives for a project (Backstage's metadata.links: dashboards, runbooks, chat…),
    kept as written and listed on the project's page. Only web and mail addresses are kept, so that a
    link on the page cannot run script."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    # The asset the link is about, when the entity that gave it became an asset of this project (an API).
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="links")
    # The imported entity that wrote it (its entity reference); a later import of that entity replaces
    # its own links and no others.
    source_ref = models.CharField(max_length=400, blank=True)
    url = models.CharField(max_length=2000)
    title = models.CharField(max_length=200, blank=True)
    icon = models.CharField(max_length=60, blank=True)
    type = models.CharField(max_length=60, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["project", "source_ref"], name="projectlink_source")]

    def __str__(self) -> str:
        return self.title or self.url


class ProjectRelationQuerySet(models.QuerySet):
    def shown_to(self, user) -> list["ProjectRelation"]:
        """The relations as this person may see them. A target in the catalog that the person may not
        see (ProjectQuerySet.visible_to) is left out, name and all, so the page tells nothing of it;
        a target the catalog does not hold is shown as the reference the file gave."""
        relations = list(self.select_related("target_project", "target_asset__project"))
        targets = {r.target_project_id for r in relations if r.target_project_id}
        visible = (
            set(Project.objects.filter(pk__in=targets).visible_to(user).values_list("pk", flat=True))
            if targets
            else set()
        )
        return [r for r in relations if r.target_project_id is None or r.target_project_id in visible]


class ProjectRelation(models.Model):
    """A relation an imported entity declares (Backstage's dependsOn, providesApis, consumesApis, and
    system, domain or subcomponentOf as "part of"), kept on the project the entity became. The target
    is the entity reference as written; target_project (and target_asset, for an API that became an
    asset) point to the catalog entry it names once the catalog holds it."""

    class Kind(models.TextChoices):
        DEPENDS_ON = "depends_on", "depends on"
        PROVIDES_API = "provides_api", "provides API"
        CONSUMES_API = "consumes_api", "consumes API"
        PART_OF = "part_of", "part of"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="relations")
    source_ref = models.CharField(max_length=400, help_text="the entity that declares it")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    target_ref = models.CharField(max_length=400, db_index=True, help_text="kind:namespace/name")
    target_project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    objects = ProjectRelationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source_ref", "kind", "target_ref"], name="unique_project_relation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()} {self.target_ref}"

    @property
    def target_name(self) -> str:
        """The catalog entry's name, or the reference as Backstage writes it short (no default namespace)."""
        if self.target_asset_id:
            return self.target_asset.name
        if self.target_project_id:
            return self.target_project.name
        kind, _, rest = self.target_ref.partition(":")
        namespace, _, name = rest.rpartition("/")
        return f"{kind}:{name}" if namespace in ("", "default") else self.target_ref

    @property
    def target_url(self) -> str:
        if self.target_asset_id:
            return self.target_asset.get_absolute_url()
        if self.target_project_id:
            return self.target_project.get_absolute_url()
        return ""


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message shown on the site to one person (and usually also sent by e-mail): every app notifies
    (catalog.notifications), so it lives in the base app."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        # The table it had when the portal app held it: moved by state alone (catalog 0015).
        db_table = "portal_notification"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read")]

    def __str__(self) -> str:
        return self.message
