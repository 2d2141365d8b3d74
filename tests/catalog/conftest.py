import pytest

from catalog.models import Lifecycle, ReviewStatus
from tests.factories import ProjectFactory, make_owner


@pytest.fixture
def registration(starter):
    """Design Tokens, just registered by the starter: proposed, waiting for review, theirs."""
    project = ProjectFactory(
        name="Design Tokens",
        slug="design-tokens",
        review_status=ReviewStatus.PENDING,
        lifecycle=Lifecycle.PROPOSED,
        created_by=starter,
    )
    make_owner(project, starter)
    return project
