from django.conf import settings
from django.db import models


class Practitioner(models.Model):
    """The public profile of a person inside the company (grown by the community app)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practitioner"
    )
    display_name = models.CharField(max_length=150)
    business_unit = models.ForeignKey(
        "catalog.BusinessUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="practitioners"
    )
    team = models.CharField(max_length=150, blank=True)
    bio = models.TextField(blank=True)
    github_login = models.CharField(max_length=100, blank=True, db_index=True)
    gitlab_username = models.CharField(max_length=100, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.display_name
