from datetime import UTC, datetime

from metrics.models import ForgeAccount, PullRequest
from metrics.services import activity_upsert
from metrics.sync.records import AccountRecord, ActivityBatch, CommitRecord, PullRequestRecord
from tests import activity
from tests.factories import UserFactory

WHEN = datetime(2026, 3, 2, 9, tzinfo=UTC)


def pull_request(number: int, author: AccountRecord) -> PullRequestRecord:
    return PullRequestRecord(
        forge_id=number,
        number=number,
        title="t",
        state="open",
        author=author,
        created_at=WHEN,
        updated_at=WHEN,
    )


def commit(sha: str, author: AccountRecord, *, name: str, email: str) -> CommitRecord:
    """A commit by `author` (the forge's account) that names its author `name` <`email`> itself."""
    return CommitRecord(sha=sha, author=author, author_name=name, author_email=email, authored_at=WHEN)


def test_an_account_first_seen_without_an_e_mail_is_linked_when_a_commit_brings_it(db):
    repo = activity.repo()
    person = UserFactory(username="ana", email="ana@acme.example")
    activity_upsert(
        repository=repo, batch=ActivityBatch(pull_requests=[pull_request(1, AccountRecord(login="Ana"))])
    )
    assert ForgeAccount.objects.get(login="ana").user is None
    by_ana = commit(
        "a" * 40, AccountRecord(login="ana", email="ANA@acme.example"), name="Ana", email="ana@acme.example"
    )
    user_ids = activity_upsert(repository=repo, batch=ActivityBatch(commits=[by_ana]))
    assert ForgeAccount.objects.get(login="ana").user == person
    assert user_ids == {person.pk}


def test_upserting_the_same_batch_twice_changes_nothing(db):
    repo = activity.repo()
    batch = ActivityBatch(
        pull_requests=[pull_request(n, AccountRecord(login=f"dev{n}")) for n in range(1, 4)]
    )
    activity_upsert(repository=repo, batch=batch)
    first = sorted(PullRequest.objects.values_list("pk", "number", "author_id"))
    activity_upsert(repository=repo, batch=batch)
    assert sorted(PullRequest.objects.values_list("pk", "number", "author_id")) == first
    assert ForgeAccount.objects.count() == 3


def test_bots_are_recognised_by_suffix_type_and_configuration(db, settings):
    settings.PORTAL_BOT_LOGINS = {"release-robot"}
    repo = activity.repo()
    authors = [
        AccountRecord(login="renovate[bot]"),
        AccountRecord(login="ci-app", is_bot=True),
        AccountRecord(login="Release-Robot"),
        AccountRecord(login="human"),
    ]
    activity_upsert(
        repository=repo,
        batch=ActivityBatch(pull_requests=[pull_request(n + 1, a) for n, a in enumerate(authors)]),
    )
    assert dict(ForgeAccount.objects.values_list("login", "is_bot")) == {
        "renovate[bot]": True,
        "ci-app": True,
        "release-robot": True,
        "human": False,
    }


def test_a_practitioners_linked_github_login_attributes_the_account(db):
    from community.models import Practitioner

    person = UserFactory(username="bea", email="bea@acme.example")
    Practitioner.objects.create(
        user=person, display_name="Bea", github_login="BeaCodes", github_login_verified=True
    )
    user_ids = activity_upsert(
        repository=activity.repo(),
        batch=ActivityBatch(pull_requests=[pull_request(1, AccountRecord(login="beacodes"))]),
    )
    assert ForgeAccount.objects.get(login="beacodes").user == person
    assert user_ids == {person.pk}


def test_a_login_typed_on_a_profile_but_not_verified_attributes_nothing(db):
    from community.models import Practitioner

    person = UserFactory(username="mal")
    Practitioner.objects.create(user=person, display_name="Mal", github_login="BeaCodes")
    user_ids = activity_upsert(
        repository=activity.repo(),
        batch=ActivityBatch(pull_requests=[pull_request(1, AccountRecord(login="beacodes"))]),
    )
    assert ForgeAccount.objects.get(login="beacodes").user is None
    assert user_ids == set()


def test_an_account_address_nobody_has_verified_attributes_nothing(db):
    from allauth.account.models import EmailAddress

    person = UserFactory(username="dee", email="dee@acme.example", verified_email=False)
    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
    by_dee = commit(
        "d" * 40, AccountRecord(login=person.email, email=person.email), name="Dee", email=person.email
    )
    activity_upsert(repository=activity.repo(), batch=ActivityBatch(commits=[by_dee]))
    assert ForgeAccount.objects.get().user is None


def test_an_e_mail_in_another_case_still_links_the_account(db):
    person = UserFactory(username="cy", email="Cy.Person@Acme.example")
    address = "cy.person@acme.example"
    by_cy = commit("b" * 40, AccountRecord(login=address, email=address), name="Cy", email=address)
    activity_upsert(repository=activity.repo(), batch=ActivityBatch(commits=[by_cy]))
    assert ForgeAccount.objects.get().user == person
