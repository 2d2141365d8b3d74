"""The people side of the portal: profiles, memberships, the journey, badges, rules, guides, kudos."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.models import NamedModel


class Stage(models.TextChoices):
    EXPLORER = "explorer", "Explorer"
    CONTRIBUTOR = "contributor", "Contributor"
    TRUSTED_COMMITTER = "trusted_committer", "Trusted Committer"
    STARTER = "starter", "Starter"


STAGE_ORDER = [Stage.EXPLORER, Stage.CONTRIBUTOR, Stage.TRUSTED_COMMITTER, Stage.STARTER]


class ParticipationLevel(models.TextChoices):
    OPEN = "open", "Open"
    ACTIVE = "active", "Active"
    ONGOING = "ongoing", "Ongoing"
    DEDICATED = "dedicated", "Dedicated"


class UnitSource(models.TextChoices):
    """Where a person's business unit came from: only these sources are trusted to set it."""

    SSO = "sso", "company single sign-on"
    DIRECTORY = "directory", "organisation directory"
    PROGRAM_OFFICE = "program_office", "program office"


class Skill(NamedModel):
    """The curated skills vocabulary the program office manages."""

    description = models.CharField(max_length=200, blank=True)


class Practitioner(models.Model):
    """The profile of a person inside the company, and where they stand on the journey."""

    class Visibility(models.TextChoices):
        COMPANY = "company", "Everyone in the company"
        PRIVATE = "private", "Only me"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practitioner"
    )
    display_name = models.CharField(max_length=150)
    # The unit decides which restricted projects the person sees and where their work counts in every
    # unit-based figure, so only a trusted source sets it (community.identity.practitioner_unit_set).
    # What the person asks for on their profile waits in requested_business_unit until confirmed.
    business_unit = models.ForeignKey(
        "catalog.BusinessUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="practitioners"
    )
    # db_default: bulk writers outside the ORM (the benchmark's COPY) may leave these columns out.
    business_unit_source = models.CharField(
        max_length=20, choices=UnitSource.choices, blank=True, default="", db_default=""
    )
    requested_business_unit = models.ForeignKey(
        "catalog.BusinessUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_requested_at = models.DateTimeField(null=True, blank=True)
    team = models.CharField(max_length=150, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    skills = models.ManyToManyField(Skill, blank=True, related_name="practitioners")
    interests = models.JSONField(
        default=list, blank=True, help_text="free tags: topics the person cares about"
    )
    # A login typed on the profile is a claim: it attributes nothing until it is verified, by linking the
    # forge account through its sign-in (allauth's social account), by the organisation directory, or by
    # the program office (community.identity). Commit e-mail addresses are allauth's EmailAddress rows,
    # which count once verified.
    github_login = models.CharField(max_length=100, blank=True, db_index=True)
    github_login_verified = models.BooleanField(default=False, db_default=False)
    gitlab_username = models.CharField(max_length=100, blank=True, db_index=True)
    gitlab_username_verified = models.BooleanField(default=False, db_default=False)
    # What others may see of the profile; the person always sees everything.
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.COMPANY)
    show_activity = models.BooleanField(default=True)
    show_badges = models.BooleanField(default=True)
    show_projects = models.BooleanField(default=True)
    # Derived by community.journey from evidence; stored so that lists and dashboards read one column.
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.EXPLORER, db_index=True)
    stage_since = models.DateTimeField(default=timezone.now)
    participation_level = models.CharField(
        max_length=10, choices=ParticipationLevel.choices, default=ParticipationLevel.OPEN, db_index=True
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name


class DirectoryEntry(models.Model):
    """A person as the organisation directory knows them (HR's CSV export, Backstage's User entities),
    whether or not they have a portal account yet. The program office imports it (`import_directory`, or
    the admin), so it is a trusted source: its unit counts for the person's forge activity before they
    ever sign in (through metrics' ForgeAccount.business_unit), and when they sign in, their account links
    to the entry by a verified e-mail address or a proven forge login and takes its unit."""

    class Source(models.TextChoices):
        CSV = "csv", "HR CSV export"
        BACKSTAGE = "backstage", "Backstage"

    email = models.EmailField(unique=True, help_text="lower-cased")
    display_name = models.CharField(max_length=150, blank=True)
    business_unit = models.ForeignKey(
        "catalog.BusinessUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_entries",
    )
    github_login = models.CharField(max_length=100, blank=True, db_index=True)
    gitlab_username = models.CharField(max_length=100, blank=True, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    external_key = models.CharField(
        max_length=255, blank=True, help_text="e.g. Backstage's user:default/name"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_entry",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        verbose_name_plural = "directory entries"

    def __str__(self) -> str:
        return self.display_name or self.email


class Membership(models.Model):
    """A person in a project's community. Leaving keeps the row (with left_at) as history."""

    project = models.ForeignKey("catalog.Project", on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], condition=Q(left_at__isnull=True), name="one_active_membership"
            )
        ]
        indexes = [models.Index(fields=["user", "left_at"], name="membership_user_active")]

    def __str__(self) -> str:
        return f"{self.user} in {self.project}"


class JourneySettings(models.Model):
    """The thresholds of the journey; one row, edited by the program office in the admin."""

    contributor_merged_requests = models.PositiveIntegerField(default=1)
    contributor_communities = models.PositiveIntegerField(default=1)
    trusted_committer_merged = models.PositiveIntegerField(default=10)
    trusted_committer_reviews = models.PositiveIntegerField(default=10)
    trusted_committer_window_days = models.PositiveIntegerField(default=180)

    class Meta:
        verbose_name_plural = "journey settings"

    def __str__(self) -> str:
        return "Journey thresholds"

    @classmethod
    def current(cls) -> "JourneySettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class StageContent(models.Model):
    """What each stage brings: learning resources, skills and incentives (Markdown, edited by the office)."""

    stage = models.CharField(max_length=20, choices=Stage.choices, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    learning = models.TextField(blank=True)
    skills = models.TextField(blank=True)
    incentives = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.get_stage_display()


class StageChange(models.Model):
    """A recorded move on the journey, with the evidence that caused it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="stagechange_user"),
            models.Index(fields=["to_stage", "created_at"], name="stagechange_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.from_stage} → {self.to_stage}"


class Badge(models.Model):
    """A badge is data: the admin edits and extends them; `rule` names the set-based rule that awards it."""

    class Tier(models.TextChoices):
        BRONZE = "bronze", "Bronze"
        SILVER = "silver", "Silver"
        GOLD = "gold", "Gold"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300)
    how_to_earn = models.TextField(blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    rule = models.CharField(max_length=50, help_text="the rule in community.badges.RULES that awards it")
    parameters = models.JSONField(default=dict, blank=True, help_text="the rule's thresholds")
    multiple = models.BooleanField(default=False, help_text="granted again for each new achievement")
    auto_revoke = models.BooleanField(default=False, help_text="withdrawn when the rule no longer holds")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards")
    # "" for a badge granted once; for multiple grants, what this grant is for (e.g. a streak's first sprint).
    key = models.CharField(max_length=100, blank=True, default="")
    evidence = models.JSONField(default=dict, blank=True)
    awarded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["badge", "user", "key"], name="unique_badge_award")]
        indexes = [models.Index(fields=["user", "revoked_at"], name="badgeaward_user")]

    def __str__(self) -> str:
        return f"{self.badge} for {self.user}"


class RulesVersion(models.Model):
    """The rules of engagement, versioned: a new version asks everyone to accept again."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="Rules of engagement")
    body = models.TextField(help_text="Markdown")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @classmethod
    def current(cls) -> "RulesVersion | None":
        return cls.objects.filter(published_at__lte=timezone.now()).order_by("-version").first()


class RulesAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rules_acceptances"
    )
    rules = models.ForeignKey(RulesVersion, on_delete=models.CASCADE, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "rules"], name="accept_once_per_version")]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.rules}"


class Guide(models.Model):
    """A curated guide or a template of the library; its text lives in versions."""

    class Kind(models.TextChoices):
        GUIDE = "guide", "Guide"
        TEMPLATE = "template", "Template"

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    filename = models.CharField(max_length=200, blank=True, help_text="templates: the file it becomes")
    in_starter_kit = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "title"]

    def __str__(self) -> str:
        return self.title


class GuideVersion(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    body = models.TextField(help_text="Markdown; templates may use {{ project.name }} and the like")
    note = models.CharField(max_length=300, blank=True, help_text="what changed")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["guide", "version"], name="unique_guide_version")]

    def __str__(self) -> str:
        return f"{self.guide} v{self.version}"


class Kudos(models.Model):
    """A public thank-you to a person for a contribution."""

    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given")
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_received"
    )
    project = models.ForeignKey("catalog.Project", null=True, blank=True, on_delete=models.SET_NULL)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "kudos"
        indexes = [models.Index(fields=["receiver", "created_at"], name="kudos_receiver")]

    def __str__(self) -> str:
        return f"{self.giver} thanks {self.receiver}"
