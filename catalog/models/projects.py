"""Projects and what describes them: business units, topics, languages, lifecycle, review, visibility
(ProjectQuerySet.visible_to: who may know of a project), the roles people hold and the change log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from catalog.permissions import EDITOR_ROLES, is_program_office, viewer_unit_id


class NamedModel(models.Model):
    """A row known by its unique name, listed in name order: a business unit, a vocabulary word."""

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BusinessUnit(NamedModel):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)


class Topic(NamedModel):
    """A word projects and assets are tagged with."""


class Language(NamedModel):
    """A programming language projects and assets are written in."""


class Lifecycle(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    INCUBATING = "incubating", "Incubating"
    ACTIVE = "active", "Active"
    MAINTAINED = "maintained", "Maintained"
    DEPRECATED = "deprecated", "Deprecated"
    ARCHIVED = "archived", "Archived"


# The lifecycles a project may be registered with: it is registered to be used and contributed to, so
# one on its way out (deprecated, archived) is not offered; its owners change the lifecycle later.
# Maintained stays: a mature project may join the catalog.
REGISTRABLE_LIFECYCLES = (Lifecycle.PROPOSED, Lifecycle.INCUBATING, Lifecycle.ACTIVE, Lifecycle.MAINTAINED)


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


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
        # The duplicates radar (catalog.radar): the program office's decisions on a cluster.
        NOT_DUPLICATES = "not_duplicates", "marked not duplicates"
        OWNERS_TOLD = "owners_told", "told the owners of look-alikes"

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
