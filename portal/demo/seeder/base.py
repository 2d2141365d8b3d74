"""What every step of the demo seeder shares: the seeded generator, the moment the demo ends, and the
rows the earlier steps wrote."""

import hashlib
import random
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from catalog.models import (
    Asset,
    BusinessUnit,
    Language,
    Lifecycle,
    Project,
    ProjectChange,
    ProjectRole,
    Topic,
)
from portal.demo import words as data

SEED = 2026

User = get_user_model()
Role = ProjectRole.Role
Action = ProjectChange.Action
RETIRED = (Lifecycle.DEPRECATED, Lifecycle.ARCHIVED)


def duration(days: float) -> timedelta:
    """A span of whole seconds, so that the generated moments carry no microsecond noise."""
    return timedelta(seconds=int(days * 86400))


def digest(text: str, length: int) -> str:
    """Stands in for the random strings Django would draw, so that reruns write the same bytes."""
    return hashlib.sha256(f"seed-demo:{text}".encode()).hexdigest()[:length]


class SeederBase:
    """The state the steps share; every step draws from the one generator, in the order `run` calls them."""

    def __init__(self, *, now: datetime | None = None) -> None:
        # The moment the demo ends: whole seconds, like every moment drawn from it (see `duration`).
        self.base = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
        self.rng = random.Random(SEED)
        self.unit_specs = {u.slug: u for u in data.UNITS}
        self.units: dict[str, BusinessUnit] = {}
        self.people: dict[str, list[AbstractUser]] = {u.slug: [] for u in data.UNITS}
        self.known: dict[str, AbstractUser] = {}
        self.topics: dict[str, Topic] = {}
        self.languages: dict[str, Language] = {}
        self.projects: list[tuple[data.ProjectSpec, Project]] = []
        self.owners: dict[str, AbstractUser] = {}  # by project slug
        self.assets: list[Asset] = []
        self.counts: dict[str, int] = {}

    def ago(self, days: float) -> datetime:
        return self.base - duration(days)

    def not_after_base(self, moment: datetime) -> datetime:
        return min(moment, self.base - timedelta(hours=1))

    def pick(self, pool: list[AbstractUser], exclude: list[AbstractUser]) -> AbstractUser:
        return self.rng.choice([person for person in pool if person not in exclude])
