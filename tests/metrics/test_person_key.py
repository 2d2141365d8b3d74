"""The person of a row, told in Python (metrics.selectors.rows.People.of) and by the database
(person_key, for grouped queries): the same key for every kind of account, or none."""

from datetime import UTC, datetime

import pytest

from metrics.models import PullRequest
from metrics.selectors.rows import ACCOUNT, MERGER, People, person_key
from tests.activity import account, pr, repo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_the_database_tells_each_rows_person_as_people_does():
    repository = repo()
    linked = account("ana", user=UserFactory())
    linked_git = account("ben@acme.example", user=UserFactory(), forge="git")
    git = account("carl@acme.example", forge="git")
    github = account("dora")
    authors = [linked, linked_git, git, github, None]
    for n, author in enumerate(authors):  # each request merged by the next author in the list
        pr(repository, author, WHEN, merged=WHEN, merged_by=authors[(n + 1) % len(authors)])

    rows = PullRequest.objects.annotate(key=person_key(), merger_key=person_key("merged_by"))
    people = People()
    told = [
        (people.of(row)[0], people.of(row, "merged_by")[0], row["key"], row["merger_key"])
        for row in rows.values(*ACCOUNT, *MERGER, "key", "merger_key").order_by("pk")
    ]

    assert [(python, merger) for python, merger, _sql, _sql_merger in told] == [
        (sql, sql_merger) for _python, _merger, sql, sql_merger in told
    ]
    # Each kind of account has a key of its own kind, and a row without one has none.
    assert [key for key, *_ in told] == [
        f"u:{linked.user_id}",
        f"u:{linked_git.user_id}",
        "e:carl@acme.example",
        f"a:{github.pk}",
        None,
    ]
