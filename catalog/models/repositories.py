"""The source repositories of a project, with the statistics the sync brings."""

from django.db import models
from django.db.models.functions import Lower

from catalog.crypto import EncryptedCharField
from catalog.models.projects import Project


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
    # The README of the default branch as the sync last read it (metrics.sync.readme); empty when none.
    readme_path = models.CharField(max_length=500, blank=True, default="", help_text="path in the repository")
    readme_sha = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="git blob id of the README: the sync reads it again when it changes",
    )
    readme_text = models.TextField(
        blank=True, default="", help_text="the README's Markdown, its first 200 KB at most"
    )
    readme_truncated = models.BooleanField(default=False, help_text="the README is longer than what is kept")
    # The size of the default branch's source code (catalog.effort turns it into build effort), written by
    # the sync (metrics.sync.code_size): non-blank lines per language, how they were had, and a digest of
    # the source files' blob ids, so that an unchanged tree is not counted again.
    code_lines = models.JSONField(
        default=dict, blank=True, help_text="non-blank lines of source code per language, default branch"
    )
    code_lines_basis = models.CharField(
        max_length=20,
        blank=True,
        default="",
        help_text="counted (lines read from the files) or bytes (each file's size ÷ bytes per line)",
    )
    code_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    code_counted_at = models.DateTimeField(null=True, blank=True)
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
