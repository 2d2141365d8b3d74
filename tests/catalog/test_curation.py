import pytest
from django.core import mail
from django.urls import reverse

from catalog.models.notifications import Notification
from catalog.models.projects import Lifecycle, ProjectChange, ProjectRole, ReviewStatus
from catalog.models.repositories import Repository
from catalog.models.search import SearchEntry
from catalog.search_index import entries_rebuild
from community.models import Membership
from tests.factories import (
    AdoptionFactory,
    AssetFactory,
    BusinessUnitFactory,
    ProjectFactory,
    UserFactory,
    make_owner,
)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 403), ("owner", 403), ("program_office", 200)],
)
def test_only_the_program_office_sees_the_review_queue(
    client, registration, starter, outsider, program_office, who, expected
):
    users = {"outsider": outsider, "owner": starter, "program_office": program_office}
    if who in users:
        client.force_login(users[who])
    response = client.get(reverse("catalog:review_queue"))
    assert response.status_code == expected
    if expected == 200:
        assert "Design Tokens" in response.content.decode()


def test_approving_lists_the_project_and_tells_the_starter(
    client, registration, starter, program_office, django_capture_on_commit_callbacks
):
    client.force_login(program_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:review", args=[registration.slug]), {"decision": "approve"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.APPROVED
    assert registration.lifecycle == Lifecycle.INCUBATING
    assert SearchEntry.objects.filter(project=registration).exists()
    assert Notification.objects.filter(user=starter, message__contains="approved").exists()
    assert mail.outbox[-1].to == [starter.email]
    assert "approved" in mail.outbox[-1].subject
    assert ProjectChange.objects.filter(
        project=registration, action="approved", actor=program_office
    ).exists()


def test_requesting_changes_needs_a_reason_and_the_starter_resubmits_by_editing(
    client, registration, starter, program_office, django_capture_on_commit_callbacks
):
    client.force_login(program_office)
    client.post(
        reverse("catalog:review", args=[registration.slug]), {"decision": "request_changes", "note": ""}
    )
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("catalog:review", args=[registration.slug]),
            {"decision": "request_changes", "note": "Please add a CONTRIBUTING guide."},
        )
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.CHANGES_REQUESTED
    assert "Please add a CONTRIBUTING guide." in mail.outbox[-1].body
    client.force_login(starter)
    page = client.get(registration.get_absolute_url()).content.decode()
    assert "Please add a CONTRIBUTING guide." in page
    response = client.post(
        reverse("catalog:edit", args=[registration.slug]),
        {
            "name": "Design Tokens",
            "description": "Colours and spacing.",
            "business_unit": registration.business_unit_id,
            "lifecycle": "proposed",
            "contributing_url": "https://git.acme.example/tokens/CONTRIBUTING.md",
        },
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.PENDING
    assert ProjectChange.objects.filter(project=registration, action="resubmitted").exists()


def test_rejecting_tells_the_starter_why(client, registration, starter, program_office):
    client.force_login(program_office)
    client.post(
        reverse("catalog:review", args=[registration.slug]),
        {"decision": "reject", "note": "Duplicate of X.", "confirm": "yes"},
    )
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.REJECTED
    assert Notification.objects.filter(user=starter, message__contains="rejected").exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("trusted_committer", False),
        ("maintainer", True),
        ("owner", True),
        ("program_office", True),
    ],
)
def test_only_owners_maintainers_and_the_program_office_edit_a_project(
    client, db, program_office, who, allowed
):
    project = ProjectFactory(name="Ledger")
    people = {}
    for role in ("owner", "maintainer", "trusted_committer"):
        people[role] = UserFactory(username=role)
        ProjectRole.objects.create(project=project, user=people[role], role=role)
    people["outsider"] = UserFactory(username="someone-else")
    people["program_office"] = program_office
    if who in people:
        client.force_login(people[who])
    data = {
        "name": "Ledger renamed",
        "description": "New words.",
        "business_unit": project.business_unit_id,
        "lifecycle": "active",
    }
    response = client.post(reverse("catalog:edit", args=[project.slug]), data)
    project.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert project.name == "Ledger renamed"
        change = ProjectChange.objects.get(project=project, action="edited")
        assert change.changed_fields["name"] == ["Ledger", "Ledger renamed"]
    else:
        assert response.status_code in (302, 403)
        if who == "anonymous":
            assert "/accounts/login/" in response["Location"]
        assert project.name == "Ledger"


@pytest.mark.parametrize("who", ["anonymous", "outsider", "owner"])
def test_curation_actions_are_refused_to_everyone_but_the_program_office(
    client, registration, starter, outsider, who
):
    if who != "anonymous":
        client.force_login(starter if who == "owner" else outsider)
    for url, data in [
        (reverse("catalog:review", args=[registration.slug]), {"decision": "approve"}),
        (
            reverse("catalog:review", args=[registration.slug]),
            {"decision": "reject", "note": "No.", "confirm": "yes"},
        ),
        (reverse("catalog:curate", args=[registration.slug]), {"action": "feature"}),
        (reverse("catalog:curate", args=[registration.slug]), {"action": "archive", "confirm": "yes"}),
        (reverse("catalog:merge", args=[registration.slug]), {"target": "anything", "confirm": "yes"}),
    ]:
        assert client.post(url, data).status_code in (302, 403)
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.PENDING
    assert not registration.featured
    assert registration.lifecycle == Lifecycle.PROPOSED


def test_feature_verify_and_archive(client, program_office):
    project = ProjectFactory(name="Ledger")
    entries_rebuild(project_ids=[project.pk])
    client.force_login(program_office)
    url = reverse("catalog:curate", args=[project.slug])
    said = [
        [str(m) for m in client.post(url, {"action": action}, follow=True).context["messages"]]
        for action in ("feature", "verify", "unverify", "verify")
    ]
    # Each action says what it did, to which project.
    assert said == [
        ["Featured: Ledger."],
        ["Verified: Ledger."],
        ["No longer verified: Ledger."],
        ["Verified: Ledger."],
    ]
    project.refresh_from_db()
    assert project.featured and project.verified
    assert SearchEntry.objects.get(project=project).featured
    archived = client.post(url, {"action": "archive", "confirm": "yes"}, follow=True)
    assert [str(m) for m in archived.context["messages"]] == ["Archived: Ledger."]
    project.refresh_from_db()
    assert project.lifecycle == Lifecycle.ARCHIVED
    assert list(ProjectChange.objects.filter(project=project).values_list("action", flat=True)) == [
        "archived",
        "verified",
        "unverified",
        "verified",
        "featured",
    ]


def test_merging_duplicates_keeps_adoptions_members_and_repositories(client, program_office):
    unit = BusinessUnitFactory()
    keep = ProjectFactory(name="Ledger SDK", business_unit=unit)
    duplicate = ProjectFactory(name="Ledger Kit", business_unit=unit)
    asset = AssetFactory(project=duplicate, slug="client")
    AssetFactory(project=keep, slug="client")
    AdoptionFactory(asset=asset)
    AdoptionFactory(asset=asset)
    member = UserFactory(username="maintainer-of-duplicate")
    ProjectRole.objects.create(project=duplicate, user=member, role="maintainer")
    Membership.objects.create(project=duplicate, user=UserFactory(username="fan"))
    Repository.objects.create(
        project=duplicate, forge="github", url="https://github.acme.example/x/ledger-kit"
    )
    entries_rebuild(project_ids=[keep.pk, duplicate.pk])
    client.force_login(program_office)
    response = client.post(
        reverse("catalog:merge", args=[duplicate.slug]), {"target": keep.slug, "confirm": "yes"}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert sorted(keep.assets.values_list("slug", flat=True)) == ["client", "client-2"]
    assert sum(a.adoptions.count() for a in keep.assets.all()) == 2
    assert not ProjectRole.objects.filter(project=keep, user=member).exists()
    assert sorted(
        Membership.objects.filter(project=keep, left_at__isnull=True).values_list("user__username", flat=True)
    ) == ["fan", "maintainer-of-duplicate"]
    assert keep.repositories.count() == 1
    assert not SearchEntry.objects.filter(project=duplicate).exists()
    assert client.get(duplicate.get_absolute_url())["Location"] == keep.get_absolute_url()


def test_merging_into_an_unknown_project_is_refused_with_a_message(client, program_office):
    project = ProjectFactory(name="Ledger")
    client.force_login(program_office)
    response = client.post(
        reverse("catalog:merge", args=[project.slug]), {"target": "nope", "confirm": "yes"}
    )
    assert response.status_code == 200
    assert "No other approved project is called “nope”." in response.content.decode()
    project.refresh_from_db()
    assert project.merged_into is None


@pytest.fixture
def merge_candidates(db):
    from catalog.search_index import entries_rebuild

    duplicate = ProjectFactory(name="Ledger Two")
    keep = ProjectFactory(name="Payments Ledger")
    twin_a = ProjectFactory(name="Twin", slug="twin-a")
    twin_b = ProjectFactory(name="Twin", slug="twin-b")
    entries_rebuild(project_ids=[p.pk for p in (duplicate, keep, twin_a, twin_b)])
    return duplicate


@pytest.mark.parametrize(
    ("typed", "kept", "error"),
    [
        ("Payments Ledger (payments-ledger)", "payments-ledger", ""),  # chosen from the list
        ("payments ledger", "payments-ledger", ""),  # the one project with that name, any case
        ("payments-ledger", "payments-ledger", ""),  # its slug
        ("Twin (twin-b)", "twin-b", ""),
        ("Twin", None, "Several projects are called “Twin”: choose one from the list."),
        ("Ledger Two", None, "No other approved project is called “Ledger Two”."),  # itself
        ("Payments Ledgr", None, "Did you mean"),
    ],
)
def test_the_project_to_keep_is_found_by_its_name(
    client, program_office, merge_candidates, typed, kept, error
):
    client.force_login(program_office)
    response = client.post(reverse("catalog:merge", args=["ledger-two"]), {"target": typed})
    page = response.content.decode()
    if kept:
        assert f'<input type="hidden" name="target" value="{kept}">' in page  # the confirmation page
    else:
        assert error in page and 'aria-invalid="true"' in page


def test_the_merge_page_offers_projects_by_name_as_the_office_types(
    client, program_office, merge_candidates, starter
):
    url = reverse("catalog:merge_targets", args=["ledger-two"])
    client.force_login(program_office)
    options = client.get(url, {"target": "ledger"}).content.decode()
    assert '<option value="Payments Ledger (payments-ledger)">' in options
    assert "ledger-two" not in options  # not the duplicate itself
    assert client.get(url, {"target": ""}).content.decode().strip() == ""
    client.force_login(starter)
    assert client.get(url, {"target": "ledger"}).status_code == 403


def test_a_signed_in_person_declares_an_adoption(client, starter):
    asset = AssetFactory(slug="sdk")
    unit = BusinessUnitFactory(name="Retail", slug="retail")
    client.force_login(starter)
    url = reverse("catalog:adopt", args=[asset.project.slug, asset.slug])
    response = client.post(
        url, {"business_unit": unit.pk, "team": "Checkout", "product": "Web shop", "since": "2026-01-05"}
    )
    assert response.status_code == 302
    adoption = asset.adoptions.get()
    assert (adoption.team, adoption.business_unit, adoption.created_by) == ("Checkout", unit, starter)
    response = client.post(url, {"business_unit": unit.pk, "team": ""})
    assert response.status_code == 400
    assert asset.adoptions.count() == 1


def test_the_project_page_shows_readiness_adoptions_and_how_to_contribute(client, db):
    project = ProjectFactory(
        name="Ledger", declared_readiness=["README", "LICENSE"], contributions_wanted="Help with docs"
    )
    AdoptionFactory(asset=AssetFactory(project=project))
    body = client.get(project.get_absolute_url()).content.decode()
    assert "2 of 9" in body
    assert "as declared by the project" in body
    assert "1 active adoption" in body
    assert "Help with docs" in body
    repository = Repository.objects.create(
        project=project,
        forge="github",
        url="https://github.acme.example/a/b",
        files_present=["README", "CONTRIBUTING", "CODEOWNERS"],
        has_good_first_issues=True,
        last_synced_at="2026-11-01T00:00:00Z",
    )
    assert repository.pk
    body = client.get(project.get_absolute_url()).content.decode()
    assert "4 of 9" in body
    assert "from the synced repository" in body


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("outsider", False), ("owner", True), ("program_office", True)],
)
def test_only_editors_add_and_change_assets(client, program_office, outsider, who, allowed):
    project = ProjectFactory(name="Ledger")
    owner = UserFactory(username="the-owner")
    make_owner(project, owner)
    people = {"owner": owner, "outsider": outsider, "program_office": program_office}
    if who in people:
        client.force_login(people[who])
    data = {
        "name": "Ledger CLI",
        "kind": "tool",
        "description": "Query the ledger from a terminal.",
        "topics": "cli",
    }
    response = client.post(reverse("catalog:asset_new", args=[project.slug]), data)
    if not allowed:
        assert response.status_code in (302, 403)
        assert not project.assets.exists()
        return
    asset = project.assets.get()
    assert response["Location"] == asset.get_absolute_url()
    assert asset.slug == "ledger-cli"
    assert SearchEntry.objects.filter(asset=asset, kind="tool").exists()
    data["description"] = "Query and export the ledger."
    client.post(reverse("catalog:asset_edit", args=[project.slug, asset.slug]), data)
    asset.refresh_from_db()
    assert asset.description == "Query and export the ledger."


def test_owners_name_maintainers_by_e_mail_and_unknown_addresses_are_refused(client, db):
    project = ProjectFactory(name="Ledger")
    owner = UserFactory(username="the-owner")
    make_owner(project, owner)
    colleague = UserFactory(username="colleague")
    client.force_login(owner)
    data = {
        "name": "Ledger",
        "description": "x",
        "business_unit": project.business_unit_id,
        "lifecycle": "active",
    }
    response = client.post(
        reverse("catalog:edit", args=[project.slug]), {**data, "maintainer_emails": "nobody@example.com"}
    )
    assert "No portal account for nobody@example.com" in response.content.decode()
    client.post(reverse("catalog:edit", args=[project.slug]), {**data, "maintainer_emails": colleague.email})
    assert ProjectRole.objects.filter(project=project, user=colleague, role="maintainer").exists()
    client.post(reverse("catalog:edit", args=[project.slug]), {**data, "maintainer_emails": ""})
    assert not ProjectRole.objects.filter(project=project, user=colleague).exists()
    assert ProjectRole.objects.filter(project=project, user=owner, role="owner").exists()


def test_the_project_page_shows_a_failing_sync_with_its_error(client, db):
    project = ProjectFactory(name="Ledger")
    Repository.objects.create(
        project=project,
        forge="github",
        url="https://github.acme.example/risk/old-rules-engine",
        last_error="GitHub answered 404 Not Found for /repos/risk/old-rules-engine",
    )
    body = client.get(project.get_absolute_url()).content.decode()
    assert "Sync failing" in body
    assert "GitHub answered 404 Not Found for /repos/risk/old-rules-engine" in body
