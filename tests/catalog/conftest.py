import pytest

from tests.factories import pending_registration


@pytest.fixture
def registration(starter):
    """Design Tokens, just registered by the starter: proposed, waiting for review, theirs."""
    return pending_registration(starter=starter, name="Design Tokens", slug="design-tokens")
