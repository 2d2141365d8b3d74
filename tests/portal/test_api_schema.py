"""The whole API, run from its own OpenAPI schema by schemathesis: generated requests (valid and not)
must never get a server error, and every response must match what the schema says."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.services import api_token_create
from tests.factories import AdoptionFactory, AssetFactory, ProjectFactory, make_owner


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    """schemathesis calls the WSGI handler directly, whose request signals close "old" database
    connections (and with them the test's transaction); Django's own test client unhooks them too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def office_token(program_office, settings):
    """A program-office token, so that every write path (not only the refusals) is exercised."""
    settings.API_WRITE_RATE = "100000/minute"
    project = ProjectFactory(name="Payments SDK")
    make_owner(project, program_office)
    AdoptionFactory(asset=AssetFactory(project=project))
    _record, token = api_token_create(user=program_office, name="schemathesis")
    return token


# Read over WSGI at collection: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_no_generated_request_gets_a_server_error_or_breaks_the_schema(case, office_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {office_token}"}, checks=CHECKS)
