"""Fixtures shared by the community tests."""

import pytest

from community.models import Practitioner
from tests.factories import ProjectFactory, ProjectPeople, UserFactory, project_people


@pytest.fixture
def world(db, starter, outsider, program_office) -> ProjectPeople:
    """A listed project with an owner, a maintainer, a trusted committer and a member, and a person to
    act upon (to appoint, to thank)."""
    project = ProjectFactory(name="Design Tokens")
    world = project_people(project, owner=starter, outsider=outsider, program_office=program_office)
    world.target = UserFactory(username="target", first_name="Tara", last_name="Target")
    Practitioner.objects.create(user=world.target, display_name="Tara Target", bio="I like tokens.")
    return world
