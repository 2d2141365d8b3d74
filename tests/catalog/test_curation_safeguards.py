"""Curation that cannot slip: a merge hands out no ownership, merge, archive and reject ask to confirm
(without JavaScript), a review decision has no default, and the queue shows what a reviewer needs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import selectors
from catalog.models.notifications import Notification
from catalog.models.projects import Lifecycle, Project, ProjectChange, ProjectRole, ReviewStatus
from catalog.models.repositories import Repository
from catalog.permissions import can_edit_project
from community.models import Membership
from tests.factories import (
    AdoptionFactory,
    AssetFactory,
    BusinessUnitFactory,
    ProjectFactory,
    UserFactory,
    pending_registration,
)


def _roles(project) -> set[tuple[str, str]]:
    return set(ProjectRole.objects.filter(project=project).values_list("user__username", "role"))


def _members(project) -> set[str]:
    return set(
        Membership.objects.filter(project=project, left_at__isnull=True).values_list(
            "user__username", flat=True
        )
    )


def _confirm_merge(client, merge_case, *maintainers):
    """Confirms the merge of the registration into Ledger SDK, making `maintainers` its maintainers."""
    return client.post(
        merge_case["url"],
        {"target": "ledger-sdk", "confirm": "yes", "maintainers": [person.pk for person in maintainers]},
    )


@pytest.fixture
def merge_case(db, starter):
    """An established project (owner Kim, maintainer Max) and a registration of the same thing by Sam,
    with a maintainer, a trusted committer, a community member, an asset in use and a repository."""
    unit = BusinessUnitFactory(name="Payments", slug="payments")
    keep = ProjectFactory(name="Ledger SDK", business_unit=unit)
    keeper = UserFactory(username="keeper", first_name="Kim", last_name="Keeper")
    ProjectRole.objects.create(project=keep, user=keeper, role=ProjectRole.Role.OWNER)
    kept_maintainer = UserFactory(username="kept-maintainer", first_name="Max", last_name="Kept")
    ProjectRole.objects.create(project=keep, user=kept_maintainer, role=ProjectRole.Role.MAINTAINER)
    kept_committer = UserFactory(username="kept-committer", first_name="Kai", last_name="Committer")
    ProjectRole.objects.create(project=keep, user=kept_committer, role=ProjectRole.Role.TRUSTED_COMMITTER)
    duplicate = pending_registration(
        starter=starter, name="Ledger Kit", slug="ledger-kit", business_unit=unit
    )
    helper = UserFactory(username="helper", first_name="Hana", last_name="Helper")
    ProjectRole.objects.create(project=duplicate, user=helper, role=ProjectRole.Role.MAINTAINER)
    committer = UserFactory(username="committer", first_name="Cem", last_name="Committer")
    ProjectRole.objects.create(project=duplicate, user=committer, role=ProjectRole.Role.TRUSTED_COMMITTER)
    fan = UserFactory(username="fan", first_name="Fay", last_name="Fan")
    Membership.objects.create(project=duplicate, user=fan)
    asset = AssetFactory(project=duplicate, name="Ledger Client", slug="client")
    AdoptionFactory(asset=asset)
    Repository.objects.create(project=duplicate, forge="git", url="https://git.acme.example/pay/ledger-kit")
    return {
        "keep": keep,
        "duplicate": duplicate,
        "keeper": keeper,
        "kept_committer": kept_committer,
        "starter": starter,
        "helper": helper,
        "committer": committer,
        "fan": fan,
        "url": reverse("catalog:merge", args=[duplicate.slug]),
    }


# --- merge: no ownership handed out ---------------------------------------------------------------------


def test_merging_a_registration_keeps_the_kept_projects_owners_and_makes_the_registrants_people_members(
    client, program_office, merge_case
):
    keep, starter = merge_case["keep"], merge_case["starter"]
    client.force_login(program_office)

    response = _confirm_merge(client, merge_case)

    assert response.status_code == 302
    assert Project.objects.get(slug="ledger-kit").merged_into == keep
    assert _roles(keep) == {
        ("keeper", "owner"),
        ("kept-maintainer", "maintainer"),
        ("kept-committer", "trusted_committer"),
    }
    assert not can_edit_project(starter, keep)
    assert _members(keep) == {"starter", "helper", "committer", "fan"}
    # They moved: the duplicate's community is left (kept as history), not counted twice.
    assert not _members(merge_case["duplicate"])
    assert Membership.objects.filter(project=merge_case["duplicate"], user=merge_case["fan"]).exists()
    change = ProjectChange.objects.get(project=keep, action="merged")
    assert "Sam Starter" in change.note and "members" in change.note
    assert Notification.objects.filter(
        user=starter, message__contains="merged Ledger Kit into Ledger SDK"
    ).exists()


def test_merging_into_a_restricted_project_never_names_it_to_those_who_cannot_see_it(
    client, program_office, merge_case
):
    from catalog.models import Visibility
    from community.models import Practitioner

    keep = merge_case["keep"]
    keep.visibility = Visibility.UNITS
    keep.save()
    # The fan belongs to the kept project's unit (a trusted unit): they see it and join its community.
    Practitioner.objects.create(user=merge_case["fan"], display_name="Fay", business_unit=keep.business_unit)
    client.force_login(program_office)

    page = client.post(merge_case["url"], {"target": "ledger-sdk"}).content.decode()
    assert "Leaves the community" in page

    _confirm_merge(client, merge_case, merge_case["helper"])

    assert _members(keep) == {"fan", "helper"}  # the helper, made maintainer, sees it now
    assert not _members(merge_case["duplicate"])
    for blind in ("starter", "committer"):
        told = Notification.objects.get(user__username=blind, message__contains="merged")
        assert "Ledger SDK" not in told.message and "restricted" in told.message
    assert Notification.objects.filter(user=merge_case["fan"], message__contains="Ledger SDK").exists()


def test_after_the_merge_the_registrant_cannot_remove_the_kept_projects_trusted_committers(
    client, program_office, merge_case
):
    client.force_login(program_office)
    _confirm_merge(client, merge_case)
    client.force_login(merge_case["starter"])

    response = client.post(
        "/catalog/ledger-sdk/community/trusted-committers/remove/", {"user": "kept-committer"}
    )

    assert response.status_code == 403
    assert ("kept-committer", "trusted_committer") in _roles(merge_case["keep"])
    assert client.get("/catalog/ledger-sdk/edit/").status_code == 403


def test_the_program_office_may_make_the_duplicates_owners_and_maintainers_maintainers_of_the_kept_project(
    client, program_office, merge_case
):
    client.force_login(program_office)

    response = _confirm_merge(client, merge_case, merge_case["helper"])

    assert response.status_code == 302
    keep = merge_case["keep"]
    assert ("helper", "maintainer") in _roles(keep)
    assert not ProjectRole.objects.filter(project=keep, user=merge_case["starter"]).exists()
    assert (
        not ProjectRole.objects.filter(project=keep, role="owner").exclude(user__username="keeper").exists()
    )
    assert "helper" in _members(keep)
    assert Notification.objects.filter(user=merge_case["helper"], message__contains="maintainer").exists()


def test_only_the_duplicates_owners_and_maintainers_can_be_made_maintainers(
    client, program_office, merge_case
):
    client.force_login(program_office)

    response = _confirm_merge(client, merge_case, merge_case["committer"])

    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    assert Project.objects.get(slug="ledger-kit").merged_into is None
    assert ("committer", "maintainer") not in _roles(merge_case["keep"])


def test_a_person_already_in_the_kept_community_keeps_one_membership_and_a_merged_registration_leaves_the_queue(
    client, program_office, merge_case
):
    keep, fan = merge_case["keep"], merge_case["fan"]
    Membership.objects.create(project=keep, user=fan)
    ProjectRole.objects.create(project=merge_case["duplicate"], user=merge_case["keeper"], role="owner")
    client.force_login(program_office)

    page = client.get(merge_case["url"], {"target": "ledger-sdk"}).content.decode()
    assert _row(page, "Fay Fan")[:3] == ["Fay Fan", "Member", "Member (already)"]
    assert _row(page, "Kim Keeper")[:3] == ["Kim Keeper", "Owner", "Owner (unchanged); joins as member"]
    response = _confirm_merge(client, merge_case, merge_case["keeper"])
    assert "Kim Keeper is already owner of Ledger SDK." in response.content.decode()
    response = _confirm_merge(client, merge_case)

    assert response.status_code == 302
    assert Membership.objects.filter(project=keep, user=fan, left_at__isnull=True).count() == 1
    assert ("keeper", "owner") in _roles(keep)
    queue = client.get(reverse("catalog:review_queue")).content.decode()
    assert 'id="review-ledger-kit"' not in queue
    assert "Nothing waits for review." in queue


# --- merge, archive and reject ask to confirm -------------------------------------------------------------


def _state() -> list:
    return [
        list(Project.objects.order_by("pk").values_list("slug", "merged_into", "lifecycle", "review_status")),
        sorted(ProjectRole.objects.values_list("project__slug", "user__username", "role")),
        sorted(Membership.objects.values_list("project__slug", "user__username", "left_at")),
        sorted(Repository.objects.values_list("project__slug", "url")),
        list(ProjectChange.objects.values_list("project__slug", "action")),
        Notification.objects.count(),
    ]


def _row(body: str, name: str) -> list[str]:
    """The cells of the table row that names this person, as text."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", body, re.S) if f">{name}<" in r)
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_a_merge_shows_what_will_move_and_whose_roles_change_and_changes_nothing_until_confirmed(
    client, program_office, merge_case
):
    client.force_login(program_office)
    before = _state()

    for response in (
        client.get(merge_case["url"], {"target": "ledger-sdk"}),
        client.post(merge_case["url"], {"target": "ledger-sdk"}),
    ):
        assert response.status_code == 200
        body = response.content.decode()
        assert "Merge Ledger Kit into Ledger SDK?" in body
        assert "Ledger Client" in body and "1 active adoption" in body
        assert "https://git.acme.example/pay/ledger-kit" in body
        # Person | in the duplicate | on the kept project after the merge
        assert _row(body, "Sam Starter")[:3] == ["Sam Starter", "Owner", "Member"]
        assert _row(body, "Hana Helper")[:3] == ["Hana Helper", "Maintainer", "Member"]
        assert _row(body, "Cem Committer")[:3] == ["Cem Committer", "Trusted committer", "Member"]
        assert _row(body, "Fay Fan")[:3] == ["Fay Fan", "Member", "Member"]
        assert _row(body, "Kim Keeper")[:3] == ["Kim Keeper", "—", "Owner (unchanged)"]
        assert _row(body, "Max Kept")[:3] == ["Max Kept", "—", "Maintainer (unchanged)"]
        # A box per owner and maintainer of the duplicate, none ticked; none for the others.
        boxes = re.findall(r'<input[^>]*name="maintainers"[^>]*>', body)
        assert sorted(re.search(r'value="(\d+)"', box).group(1) for box in boxes) == sorted(
            [str(merge_case["starter"].pk), str(merge_case["helper"].pk)]
        )
        assert not any("checked" in box for box in boxes)
        assert 'name="confirm" value="yes"' in body

    assert _state() == before


def test_the_merge_page_first_asks_which_project_to_keep(client, program_office, merge_case):
    client.force_login(program_office)
    response = client.get(merge_case["url"])
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="target"' in body
    assert 'name="confirm"' not in body


def test_archiving_says_what_happens_and_changes_nothing_until_confirmed(client, program_office):
    project = ProjectFactory(name="Ledger")
    AdoptionFactory(asset=AssetFactory(project=project))
    client.force_login(program_office)
    url = reverse("catalog:curate", args=[project.slug])
    before = _state()

    response = client.post(url, {"action": "archive"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Archive Ledger?" in body
    assert "1 active adoption" in body
    assert 'name="confirm" value="yes"' in body
    assert _state() == before

    response = client.post(url, {"action": "archive", "note": "Replaced by Ledger 2.", "confirm": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.lifecycle == Lifecycle.ARCHIVED
    assert ProjectChange.objects.get(project=project, action="archived").note == "Replaced by Ledger 2."


def test_rejecting_shows_who_is_told_with_which_note_and_changes_nothing_until_confirmed(
    client, registration, program_office
):
    client.force_login(program_office)
    url = reverse("catalog:review", args=[registration.slug])
    before = _state()

    response = client.post(url, {"decision": "reject", "note": "We already have Brand Kit."})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Reject Design Tokens?" in body
    assert "Sam Starter" in body
    assert "We already have Brand Kit." in body
    assert 'name="confirm" value="yes"' in body
    assert _state() == before

    response = client.post(
        url, {"decision": "reject", "note": "We already have Brand Kit.", "confirm": "yes"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.REJECTED
    assert registration.review_note == "We already have Brand Kit."


# --- the decision has no default ---------------------------------------------------------------------------


def _decision_radios(body: str) -> list[str]:
    return re.findall(r'<input[^>]*name="decision"[^>]*>', body)


def test_no_review_decision_is_chosen_in_advance(client, registration, program_office):
    client.force_login(program_office)
    for url in (reverse("catalog:review_queue"), registration.get_absolute_url()):
        radios = _decision_radios(client.get(url).content.decode())
        assert len(radios) == 3, url
        assert not any("checked" in radio for radio in radios), url


def test_a_note_sent_without_a_decision_is_refused_next_to_the_field_and_approves_nothing(
    client, registration, program_office
):
    client.force_login(program_office)
    before = _state()

    response = client.post(
        reverse("catalog:review", args=[registration.slug]), {"note": "Not reusable: it is one team's app."}
    )

    assert response.status_code == 400
    body = response.content.decode()
    # The error is inside the decision's fieldset, which names it for screen readers.
    fieldset = re.search(r'<fieldset[^>]*aria-describedby="([^"]+)"[^>]*>(.*?)</fieldset>', body, re.S)
    assert fieldset, "the decision fieldset names its error"
    error = re.search(rf'id="{fieldset.group(1)}"[^>]*>(.*?)</ul>', fieldset.group(2), re.S)
    assert error and "Choose a decision" in re.sub(r"<[^>]+>", "", error.group(1))
    assert "Not reusable: it is one team&#x27;s app." in body  # the note typed is kept
    assert not any("checked" in radio for radio in _decision_radios(body))
    assert _state() == before
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.PENDING


def test_a_rejection_or_a_change_request_still_needs_a_note(client, registration, program_office):
    client.force_login(program_office)
    for decision in ("reject", "request_changes"):
        response = client.post(
            reverse("catalog:review", args=[registration.slug]), {"decision": decision, "confirm": "yes"}
        )
        assert response.status_code == 400
        assert "Say why, so that the starter knows what to change." in response.content.decode()
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.PENDING


# --- the queue shows repository, readiness and look-alikes --------------------------------------------------


def _add_registration(n: int, starter) -> Project:
    project = ProjectFactory(
        name=f"Fraud Signals {n}",
        slug=f"fraud-signals-{n}",
        review_status=ReviewStatus.PENDING,
        lifecycle=Lifecycle.PROPOSED,
        created_by=starter,
        declared_readiness=["README", "LICENSE"],
    )
    Repository.objects.create(project=project, forge="git", url=f"https://git.acme.example/risk/fraud-{n}")
    ProjectFactory(name=f"Fraud Signal {n}", slug=f"fraud-signal-{n}")  # an approved look-alike
    return project


def _queue_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("catalog:review_queue"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_review_queue_shows_repository_readiness_and_look_alikes_in_a_fixed_number_of_queries(
    client, program_office, starter
):
    client.force_login(program_office)
    _add_registration(1, starter)
    one, body = _queue_queries(client)
    assert 'href="https://git.acme.example/risk/fraud-1"' in body
    assert "2 of 9" in body
    assert 'href="/catalog/fraud-signal-1/"' in body
    assert 'href="/catalog/fraud-signals-1/merge/?target=fraud-signal-1"' in body

    for n in range(2, 6):
        _add_registration(n, starter)
    five, body = _queue_queries(client)

    assert five == one
    for n in range(1, 6):
        assert f'href="https://git.acme.example/risk/fraud-{n}"' in body
        assert f'href="/catalog/fraud-signal-{n}/"' in body


def test_look_alikes_of_many_registrations_are_those_of_each_one(db, program_office, starter):
    registrations = [_add_registration(n, starter) for n in range(1, 4)]
    other = ProjectFactory(name="Fraud Signals")
    Repository.objects.create(project=other, forge="git", url="https://git.acme.example/risk/other")
    queue = list(
        Project.objects.filter(pk__in=[p.pk for p in registrations]).prefetch_related("repositories")
    )

    together = selectors.registrations_duplicates(projects=queue, viewer=program_office)

    for project in queue:
        alone = selectors.project_duplicates(
            viewer=program_office,
            registration=selectors.Registration(
                name=project.name, repository_urls=[r.url for r in project.repositories.all()]
            ),
            exclude_pk=project.pk,
        )
        assert together[project.pk] == alone
        assert {d["name"] for d in alone} >= {"Fraud Signals", project.name.replace("Signals", "Signal")}
