"""Fixtures shared by the community tests."""

from types import SimpleNamespace

import pytest

from catalog.models import ProjectRole
from community.models import Membership, Practitioner
from tests.factories import ProjectFactory, UserFactory, make_owner


@pytest.fixture
def world(db, starter, outsider, program_office):
    """A listed project with an owner, a maintainer, a trusted committer and a member, and a person to
    act upon (to appoint, to thank)."""
    project = ProjectFactory(name="Design Tokens", slug="design-tokens")
    make_owner(project, starter)
    maintainer = UserFactory(username="maintainer", first_name="Maya")
    ProjectRole.objects.create(project=project, user=maintainer, role=ProjectRole.Role.MAINTAINER)
    committer = UserFactory(username="committer", first_name="Cody")
    committer_role = ProjectRole.objects.create(
        project=project, user=committer, role=ProjectRole.Role.TRUSTED_COMMITTER
    )
    member = UserFactory(username="member", first_name="Mel")
    membership = Membership.objects.create(project=project, user=member)
    target = UserFactory(username="target", first_name="Tara", last_name="Target")
    Practitioner.objects.create(user=target, display_name="Tara Target", bio="I like tokens.")
    actors = {
        "anonymous": None,
        "outsider": outsider,
        "member": member,
        "trusted_committer": committer,
        "maintainer": maintainer,
        "owner": starter,
        "program_office": program_office,
    }
    return SimpleNamespace(
        project=project,
        committer=committer,
        committer_role=committer_role,
        member=member,
        membership=membership,
        target=target,
        actors=actors,
    )
