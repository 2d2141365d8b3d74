"""The `__any_of` lookup (catalog.lookups): the same rows as `__in`, on SQLite and on PostgreSQL (where it
is sent as one array parameter), for a plain field, a relation and an empty list."""

import pytest
from django.db import connection

from catalog.models import Project
from tests.factories import ProjectFactory


@pytest.mark.django_db
def test_any_of_finds_what_in_finds_on_fields_and_relations() -> None:
    projects = [ProjectFactory() for _ in range(4)]
    wanted = [projects[0].pk, projects[2].pk, 10**9]
    assert set(Project.objects.filter(pk__any_of=wanted)) == set(Project.objects.filter(pk__in=wanted))
    assert set(Project.objects.filter(pk__any_of=wanted)) == {projects[0], projects[2]}
    units = [projects[1].business_unit_id]
    assert set(Project.objects.filter(business_unit_id__any_of=units)) == set(
        Project.objects.filter(business_unit_id__in=units)
    )
    assert set(Project.objects.filter(business_unit__any_of=units)) == set(
        Project.objects.filter(business_unit__in=units)
    )
    assert not Project.objects.filter(pk__any_of=[]).exists()
    assert set(Project.objects.exclude(pk__any_of=wanted)) == {projects[1], projects[3]}


@pytest.mark.django_db
def test_any_of_is_one_parameter_on_postgresql() -> None:
    ids = list(range(1, 501))
    sql, params = Project.objects.filter(pk__any_of=ids).values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s)" in sql
        assert list(params) == [ids]  # the ids travel as one array, not 500 placeholders
    else:
        assert " IN (" in sql
        assert list(params) == ids
