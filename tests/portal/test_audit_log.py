"""The program office's audit log of owner and admin actions."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import BusinessUnit, ProjectChange
from portal.views import AUDIT_PAGE_SIZE
from tests.factories import ProjectFactory, UserFactory, make_owner


def _admin_entry(*, user, target, label: str, flag: int = CHANGE, at=None, message: str = "") -> LogEntry:
    """A row of Django's admin log about `target`, as the admin (or a token service) writes it."""
    fields = {"action_time": at} if at is not None else {}
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        object_repr=label,
        action_flag=flag,
        change_message=message,
        **fields,
    )


def test_owner_edits_and_admin_changes_show_with_who_and_when(program_office, starter):
    project = ProjectFactory(name="Ledger")
    make_owner(project, starter)
    ProjectChange.objects.create(
        project=project,
        actor=starter,
        action=ProjectChange.Action.EDITED,
        changed_fields={"description": ["a", "b"]},
    )
    unit = BusinessUnit.objects.create(name="Fresh Unit", slug="fresh-unit")
    _admin_entry(user=program_office, target=unit, label=str(unit), flag=ADDITION)
    client = Client()
    client.force_login(program_office)
    page = client.get("/audit/").content.decode()
    assert "Ledger" in page and "Sam Starter" in page and "description" in page
    assert "Fresh Unit" in page and "Added business unit" in page


@pytest.mark.parametrize("who", ["starter", "outsider"])
def test_only_the_program_office_reads_it(request, who):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    assert client.get("/audit/").status_code == 403


def test_the_audit_log_runs_a_bounded_number_of_queries(program_office, django_assert_max_num_queries):
    for _ in range(60):
        ProjectChange.objects.create(project=ProjectFactory(), actor=program_office, action="edited")
    client = Client()
    client.force_login(program_office)
    with django_assert_max_num_queries(12):
        response = client.get("/audit/?page=2")
    assert response.status_code == 200
    assert response.context["changes"].number == 2


def test_making_and_revoking_an_api_token_is_audited(program_office, starter):
    client = Client()
    client.force_login(starter)
    client.post("/practitioners/me/tokens/", {"name": "CI publisher"})
    token = starter.api_tokens.get()
    client.post(f"/practitioners/me/tokens/{token.pk}/revoke/")
    entries = list(LogEntry.objects.filter(user=starter).order_by("pk"))
    assert [(e.action_flag, e.change_message) for e in entries] == [
        (ADDITION, "Created an API token"),
        (CHANGE, "Revoked an API token"),
    ]
    assert all(e.object_id == str(token.pk) for e in entries)
    # Another person's token cannot be revoked, and the refused attempt writes nothing.
    outsider_client = Client()
    outsider_client.force_login(program_office)
    outsider_client.post(f"/practitioners/me/tokens/{token.pk}/revoke/")
    assert LogEntry.objects.count() == 2
    page = outsider_client.get("/audit/").content.decode()
    assert "Created an API token" in page and "Revoked an API token" in page and "CI publisher" in page


# Filters, CSV exports ------------------------------------------------------------------------------

CHANGES_CSV = "/audit/project-changes.csv"
ADMIN_CSV = "/audit/admin-changes.csv"


def _at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def log(program_office, starter):
    """Four project changes and two admin entries on fixed days of March 2026 (the 28 Feb one included)."""
    ledger = ProjectFactory(name="Ledger")
    kafka = ProjectFactory(name="Kafka Toolkit")
    Action = ProjectChange.Action
    for project, actor, action, created_at in (
        (kafka, starter, Action.REGISTERED, datetime(2026, 2, 28, 8, tzinfo=UTC)),
        (ledger, starter, Action.EDITED, _at(1, 10)),
        # The last second of 2 March: still on the 2nd for a filter that ends that day.
        (ledger, program_office, Action.APPROVED, _at(2, 23, 59, 59)),
        (kafka, program_office, Action.FEATURED, _at(5, 0)),
    ):
        ProjectChange.objects.create(
            project=project,
            actor=actor,
            action=action,
            created_at=created_at,
            changed_fields={"description": ["a", "b"]} if action == Action.EDITED else {},
        )
    unit = BusinessUnit.objects.create(name="Fresh Unit", slug="fresh-unit")
    for user, when, repr_, message in (
        (program_office, _at(2), "Fresh Unit", ""),
        (starter, _at(6), "CI publisher", "Created an API token"),
    ):
        _admin_entry(user=user, target=unit, label=repr_, flag=ADDITION, at=when, message=message)
    client = Client()
    client.force_login(program_office)
    return client


def _page(client: Client, query: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """The page's project changes (slug, action) and admin entries (object), in the order shown."""
    response = client.get("/audit/", query)
    assert response.status_code == 200
    changes = [(change.project.slug, change.action) for change in response.context["changes"]]
    return changes, [entry.object_repr for entry in response.context["admin_changes"]]


def _csv(client: Client, path: str, query: dict) -> list[dict[str, str]]:
    response = client.get(path, query)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize(
    ("query", "changes", "admin"),
    [
        (
            {},
            [
                ("kafka-toolkit", "featured"),
                ("ledger", "approved"),
                ("ledger", "edited"),
                ("kafka-toolkit", "registered"),
            ],
            ["CI publisher", "Fresh Unit"],
        ),
        # A full name in any case (in no single column), and a part of an e-mail address.
        (
            {"person": "sam STARTER"},
            [("ledger", "edited"), ("kafka-toolkit", "registered")],
            ["CI publisher"],
        ),
        (
            {"person": "office@example"},
            [("kafka-toolkit", "featured"), ("ledger", "approved")],
            ["Fresh Unit"],
        ),
        # By name, or by a part of the slug only ("kafka-tool" is not in "Kafka Toolkit").
        (
            {"project": "LEDG"},
            [("ledger", "approved"), ("ledger", "edited")],
            ["CI publisher", "Fresh Unit"],
        ),
        (
            {"project": "kafka-tool"},
            [("kafka-toolkit", "featured"), ("kafka-toolkit", "registered")],
            ["CI publisher", "Fresh Unit"],
        ),
        ({"action": "featured"}, [("kafka-toolkit", "featured")], ["CI publisher", "Fresh Unit"]),
        # Both days included, up to their last second.
        (
            {"date_from": "2026-03-01", "date_to": "2026-03-02"},
            [("ledger", "approved"), ("ledger", "edited")],
            ["Fresh Unit"],
        ),
        ({"date_to": "2026-03-01"}, [("ledger", "edited"), ("kafka-toolkit", "registered")], []),
        ({"date_from": "2026-03-03"}, [("kafka-toolkit", "featured")], ["CI publisher"]),
        (
            {"person": "starter", "project": "ledger", "date_from": "2026-03-01"},
            [("ledger", "edited")],
            ["CI publisher"],
        ),
    ],
)
def test_each_filter_narrows_the_page_and_its_csv_exports_alike(log, query, changes, admin):
    assert _page(log, query) == (changes, admin)
    rows = _csv(log, CHANGES_CSV, query)
    assert [(row["project_slug"], row["action"]) for row in rows] == [
        (slug, ProjectChange.Action(action).label) for slug, action in changes
    ]
    assert [row["object"] for row in _csv(log, ADMIN_CSV, query)] == admin


def test_the_csv_says_when_who_which_project_and_what_with_the_days_in_its_name(log):
    query = {"date_from": "2026-03-01", "date_to": "2026-03-02"}
    response = log.get(CHANGES_CSV, query)
    assert response["Content-Disposition"] == (
        'attachment; filename="audit-project-changes-2026-03-01-to-2026-03-02.csv"'
    )
    assert _csv(log, CHANGES_CSV, query)[1] == {
        "when_utc": "2026-03-01T10:00:00Z",
        "who": "Sam Starter",
        "who_email": "starter@example.com",
        "project_slug": "ledger",
        "project": "Ledger",
        "action": "edited",
        "note": "",
        "changed_fields": "description",
    }
    assert _csv(log, ADMIN_CSV, {"person": "starter"}) == [
        {
            "when_utc": "2026-03-06T12:00:00Z",
            "who": "Sam Starter",
            "who_email": "starter@example.com",
            "action": "added",
            "object_type": "business unit",
            "object": "CI publisher",
            "message": "Created an API token",
        }
    ]
    no_days = log.get(ADMIN_CSV)
    assert no_days["Content-Disposition"] == 'attachment; filename="audit-admin-changes-start-to-now.csv"'


def test_cells_a_spreadsheet_would_run_as_formulas_are_exported_as_text(program_office):
    mallory = UserFactory(username="mallory", first_name="@SUM(A1)", last_name="")
    project = ProjectFactory(name="+cmd|' /C calc'!A0", slug="calc")
    ProjectChange.objects.create(
        project=project, actor=mallory, action="edited", note='=HYPERLINK("http://evil")', created_at=_at(1)
    )
    _admin_entry(user=mallory, target=project, label="-2+3", at=_at(1))
    client = Client()
    client.force_login(program_office)
    [change] = _csv(client, CHANGES_CSV, {})
    assert (change["who"], change["project"], change["note"]) == (
        "'@SUM(A1)",
        "'+cmd|' /C calc'!A0",
        '\'=HYPERLINK("http://evil")',
    )
    [entry] = _csv(client, ADMIN_CSV, {})
    assert (entry["who"], entry["object"]) == ("'@SUM(A1)", "'-2+3")


def test_the_csv_holds_every_matching_change_not_one_page(program_office):
    project = ProjectFactory()
    ProjectChange.objects.bulk_create(
        ProjectChange(project=project, actor=program_office, action="edited", created_at=_at(1, minute=n))
        for n in range(AUDIT_PAGE_SIZE + 10)
    )
    client = Client()
    client.force_login(program_office)
    assert len(_csv(client, CHANGES_CSV, {"person": "office"})) == AUDIT_PAGE_SIZE + 10


@pytest.mark.parametrize("path", [CHANGES_CSV, ADMIN_CSV])
@pytest.mark.parametrize("who", ["starter", "outsider"])
def test_only_the_program_office_exports_it(request, log, who, path):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2026-13-40"}, "date_from"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
        ({"action": "erased"}, "action"),
    ],
)
def test_filters_that_do_not_parse_are_a_form_error_not_a_failure(log, query, field):
    page = log.get("/audit/", query)
    assert page.status_code == 200
    assert list(page.context["form"].errors) == [field]
    html = page.content.decode()
    assert 'aria-invalid="true"' in html and "could not be read" in html
    assert "changes" not in page.context  # no table that the filters would not narrow
    for path in (CHANGES_CSV, ADMIN_CSV):
        response = log.get(path, query)
        assert response.status_code == 400 and field.encode() in response.content


def test_the_page_links_keep_the_filters(program_office, starter):
    project = ProjectFactory(name="Ledger")
    ProjectChange.objects.bulk_create(
        ProjectChange(project=project, actor=actor, action="edited", created_at=_at(1, minute=n))
        for n in range(AUDIT_PAGE_SIZE + 10)
        for actor in (starter, program_office)
    )
    _admin_entry(user=starter, target=project, label="Ledger", at=_at(2))
    client = Client()
    client.force_login(program_office)
    query = {"person": "starter", "project": "ledg", "date_from": "2026-03-01"}
    page = client.get("/audit/", query)
    html = page.content.decode()
    kept = "person=starter&amp;project=ledg&amp;date_from=2026-03-01"
    assert f'href="?{kept}&amp;page=2&amp;admin_page=1"' in html
    assert f'href="/audit/project-changes.csv?{kept}"' in html
    assert f'href="/audit/admin-changes.csv?{kept}"' in html
    # The admin table says it was narrowed by person and days only.
    assert 'id="admin-filters-ignored"' in html
    second = client.get("/audit/", {**query, "page": 2})
    assert second.context["changes"].paginator.count == AUDIT_PAGE_SIZE + 10
    assert {change.actor for change in second.context["changes"]} == {starter}


def test_the_filtered_page_runs_a_fixed_number_of_queries_however_many_rows_it_shows(program_office):
    def rows(count: int) -> None:
        for n in range(count):
            actor = UserFactory(first_name=f"Ann{n}")
            ProjectChange.objects.create(
                project=ProjectFactory(), actor=actor, action="edited", created_at=_at(2)
            )
            _admin_entry(user=actor, target=actor, label=str(actor), at=_at(2))

    client = Client()
    client.force_login(program_office)
    query = {"person": "ann", "project": "project", "action": "edited", "date_from": "2026-03-01"}

    def queries() -> tuple[int, object]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/audit/", query)
        return len(captured), response

    rows(1)
    few, _ = queries()
    rows(AUDIT_PAGE_SIZE)
    # Per table a count and one page that brings its projects and people along (select_related): the
    # same queries for one row as for a full page of each.
    many, page = queries()
    assert many == few
    assert len(page.context["changes"]) == len(page.context["admin_changes"]) == AUDIT_PAGE_SIZE
