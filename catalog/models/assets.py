"""What projects offer for reuse (assets) and who declared they use it (adoptions)."""

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Concat, Lower, Trim
from django.urls import reverse
from django.utils import timezone

from catalog.models.projects import BusinessUnit, Language, Project, Topic
from catalog.models.repositories import Repository
from catalog.packages import MAX_LENGTH as MAX_PACKAGE_URL
from catalog.packages import package_key, validate_package_url


class AssetKind(models.TextChoices):
    LIBRARY = "library", "Library"
    SERVICE = "service", "Service / API"
    TEMPLATE = "template", "Template"
    TOOL = "tool", "Tool"
    DATASET = "dataset", "Dataset"
    MODEL = "model", "Model"
    DOCUMENTATION = "documentation", "Documentation"
    PIPELINE = "pipeline", "Pipeline"


class Asset(models.Model):
    """Something reusable a project offers: a library, a service, a template, a dataset..."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assets")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    description = models.CharField(max_length=300)
    url = models.URLField(blank=True, help_text="Where to get it: package, endpoint, download or docs.")
    # Its package coordinates as a Package URL (catalog/packages.py: the types read, the install snippet).
    package_url = models.CharField(
        max_length=MAX_PACKAGE_URL,
        blank=True,
        default="",
        validators=[validate_package_url],
        help_text="The package as a Package URL (purl): pkg:npm/%40acme/design-tokens, pkg:pypi/acme-retry…",
    )
    # Which package that is (catalog.packages.package_key), kept by save(): the dependencies found in code
    # are matched on it, through its index.
    package_key = models.CharField(
        max_length=MAX_PACKAGE_URL, blank=True, default="", db_index=True, editable=False
    )
    # What building it would take, in engineer-days, when its maintainers know better than the size of
    # its code says (catalog.effort): the figure and why; empty, the estimate from the code is used.
    effort_days_override = models.DecimalField(
        max_digits=9, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    effort_override_reason = models.TextField(blank=True, default="")
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

    def save(self, *args, **kwargs):
        self.package_key = (package_key(self.package_url) or "") if self.package_url else ""
        if kwargs.get("update_fields") is not None and "package_url" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "package_key"}
        super().save(*args, **kwargs)

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

    def team_count(self) -> int:
        """How many teams these adoptions are: a team (of a unit, names compared as the unique constraint
        compares them) using an asset for two products is one team."""
        return self.values("business_unit_id", team_key=adoption_team_key()).distinct().count()

    def same_as(self, *, asset, business_unit, team: str, product: str):
        """Adoptions of the same asset by the same team of the same unit for the same product, names
        compared as the unique constraint compares them."""
        return self.alias(team_key=adoption_team_key(), product_key=adoption_product_key()).filter(
            asset=asset,
            business_unit=business_unit,
            team_key=adoption_team_key(models.Value(team)),
            product_key=adoption_product_key(models.Value(product)),
        )


class AdoptionSource(models.TextChoices):
    DECLARED = "declared", "Declared"  # a team said so ("Use this", the API, an import)
    DETECTED = "detected", "Found in code"  # a dependency manifest of a synced repository names it


class Adoption(models.Model):
    """A team or product of a business unit uses an asset: declared by the team, or detected in the
    dependency manifests of one of its project's repositories (then its team is that project's name, and
    it ends when the dependency is removed)."""

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
    source = models.CharField(max_length=10, choices=AdoptionSource.choices, default=AdoptionSource.DECLARED)
    # Where a detected adoption was found: the consuming repository, the version it uses as written there,
    # the manifest and line.
    repository = models.ForeignKey(
        Repository, null=True, blank=True, on_delete=models.SET_NULL, related_name="detected_adoptions"
    )
    version = models.CharField(max_length=100, blank=True, default="")
    manifest_path = models.CharField(max_length=500, blank=True, default="")
    manifest_line = models.PositiveIntegerField(default=0)

    # Set by catalog.selectors.adoptions_shown for a viewer: the name to show, and the consuming project
    # found in code when the viewer may see it.
    shown_team: str
    consumer: "Project | None"

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
                condition=Q(ended_on__isnull=True, source=AdoptionSource.DECLARED),
                name="adoption_one_active_per_team",
                violation_error_message="This team already uses this asset for this product.",
            ),
            # A repository's manifests name an asset once or several times: one adoption.
            models.UniqueConstraint(
                fields=["asset", "repository"],
                condition=Q(ended_on__isnull=True, source=AdoptionSource.DETECTED),
                name="adoption_one_active_per_repository",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} uses {self.asset}"
