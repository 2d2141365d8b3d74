"""What imports of catalog files leave on a project: where it came from and the values last imported,
the links the file gives, and the relations it declares."""

from django.db import models
from django.utils import timezone

from catalog.models.assets import Asset
from catalog.models.projects import Project


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
