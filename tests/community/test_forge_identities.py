"""Forge identities are proven, not claimed: a GitHub login or GitLab username typed on a profile
attributes nothing until the forge's own sign-in (allauth's social account) proves it or the program office
confirms it; commit e-mail addresses count once allauth has verified them."""

from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter as social_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client, RequestFactory

from catalog.models import Forge, Notification, Repository
from community import identity
from community.models import BadgeAward, Membership, Practitioner, RulesAcceptance, RulesVersion, Stage
from metrics.models import ForgeAccount
from metrics.services import activity_upsert
from metrics.sync.records import AccountRecord, ActivityBatch, CommitRecord, PullRequestRecord
from tests.factories import ProjectFactory, UserFactory

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def forge_sign_in(settings):
    """GitHub and GitLab sign-in configured, as portal/settings/accounts.py does when their client ids are set."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {"APPS": [{"client_id": "github-client", "secret": "s"}]},
        "gitlab": {"APPS": [{"client_id": "gitlab-client", "secret": "s"}]},
    }


@pytest.fixture
def history(db):
    """Octo Cat's merged requests on a catalog project, synced before Octo Cat has an account."""
    project = ProjectFactory(name="Design Tokens")
    repository = Repository.objects.create(
        project=project, forge=Forge.GITHUB, url="https://github.com/acme/tokens"
    )
    _merged(repository, login="Octo-Cat", numbers=range(1, 4))
    return repository


def _merged(repository, *, login: str, numbers) -> set[int]:
    author = AccountRecord(login=login, external_id="583231")
    requests = [
        PullRequestRecord(
            forge_id=number, number=number, title=f"Change {number}", state="merged", author=author,
            created_at=WHEN, updated_at=WHEN + timedelta(hours=5), merged_at=WHEN + timedelta(hours=5),
        )
        for number in numbers
    ]  # fmt: skip
    return activity_upsert(repository=repository, batch=ActivityBatch(pull_requests=requests), announce=False)


def _ready_to_contribute(user, repository) -> None:
    """Everything the Contributor stage asks for but merged requests: a community, the rules."""
    Membership.objects.create(project=repository.project, user=user)
    rules = RulesVersion.current()
    if rules:
        RulesAcceptance.objects.create(user=user, rules=rules)


def _edit_profile(user, **fields) -> None:
    client = Client()
    client.force_login(user)
    response = client.post(
        "/practitioners/me/edit/", {"display_name": "Someone", "visibility": "company", **fields}
    )
    assert response.status_code == 302, response.context["form"].errors


def _stage(user) -> str:
    return Practitioner.objects.get(user=user).stage


def _earned(user) -> set[str]:
    return set(
        BadgeAward.objects.filter(user=user, revoked_at__isnull=True).values_list("badge__slug", flat=True)
    )


def test_typing_someone_elses_github_login_attributes_none_of_their_activity_stage_or_badges(history):
    mallory = UserFactory(username="mallory")
    _ready_to_contribute(mallory, history)

    _edit_profile(mallory, github_login="octo-cat")
    # Later deliveries by that login do not reach Mallory either.
    user_ids = _merged(history, login="Octo-Cat", numbers=[4])

    account = ForgeAccount.objects.get(forge=Forge.GITHUB, login="octo-cat")
    assert account.user is None and user_ids == set()
    practitioner = Practitioner.objects.get(user=mallory)
    assert (practitioner.github_login, practitioner.github_login_verified) == ("octo-cat", False)
    assert _stage(mallory) == Stage.EXPLORER
    assert "first-contribution" not in _earned(mallory)


# allauth's flow, driven the way its own tests do: a SocialLogin as the provider's callback builds it,
# handed to complete_social_login (the forge's HTTP round trip is the only part left out).


def _request(user=None):
    request = RequestFactory().get("/accounts/github/login/callback/")
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    from django.contrib.auth.models import AnonymousUser

    request.user = user or AnonymousUser()
    return request


def social_login(*, provider: str, extra_data: dict, user=None, connect=False):
    """Sign in with (or, `connect`, link to the signed-in `user`) the forge account whose user payload
    is `extra_data`: the provider builds the SocialLogin from it as its OAuth callback does, and allauth
    completes it."""
    request = _request(user)
    with context.request_context(request):
        sociallogin = (
            social_adapter().get_provider(request, provider).sociallogin_from_response(request, extra_data)
        )
        sociallogin.state = {"process": "connect" if connect else "login"}
        response = complete_social_login(request, sociallogin)
    assert response.status_code == 302, response
    return sociallogin


def test_a_login_proven_by_linking_the_github_account_attributes_its_activity_stage_and_badges(history):
    octo = UserFactory(username="octo")
    _ready_to_contribute(octo, history)
    Practitioner.objects.create(user=octo, display_name="Octo Cat")

    social_login(
        provider="github",
        extra_data={"id": 583231, "login": "Octo-Cat"},
        user=octo,
        connect=True,
    )

    assert SocialAccount.objects.get(user=octo).provider == "github"  # allauth linked it, really
    practitioner = Practitioner.objects.get(user=octo)
    assert (practitioner.github_login, practitioner.github_login_verified) == ("Octo-Cat", True)
    assert ForgeAccount.objects.get(forge=Forge.GITHUB, login="octo-cat").user == octo
    assert _stage(octo) == Stage.CONTRIBUTOR
    assert "first-contribution" in _earned(octo)
    # Later deliveries are attributed by the verified login.
    assert _merged(history, login="octo-cat", numbers=[5]) == {octo.pk}
    assert (
        "verified by the forge's own sign-in"
        in LogEntry.objects.get(object_id=str(practitioner.pk)).change_message
    )


def test_a_proof_takes_the_login_from_whoever_merely_typed_it(history):
    mallory, octo = UserFactory(username="mallory"), UserFactory(username="octo")
    _edit_profile(mallory, github_login="Octo-Cat")

    social_login(provider="github", extra_data={"id": 583231, "login": "Octo-Cat"}, user=octo, connect=True)

    assert Practitioner.objects.get(user=mallory).github_login == ""
    assert Practitioner.objects.get(user=octo).github_login_verified


def test_signing_in_with_gitlab_proves_the_gitlab_username(db):
    ForgeAccount.objects.create(forge=Forge.GITLAB, login="dev.ops")
    social_login(
        provider="gitlab", extra_data={"id": 77, "username": "Dev.Ops", "email": "devops@acme.example"}
    )
    user = SocialAccount.objects.get(provider="gitlab", uid="77").user
    practitioner = Practitioner.objects.get(user=user)
    assert (practitioner.gitlab_username, practitioner.gitlab_username_verified) == ("Dev.Ops", True)
    assert ForgeAccount.objects.get(forge=Forge.GITLAB).user == user


def test_a_typed_login_is_unverified_and_the_profile_says_how_to_prove_it(db):
    person = UserFactory(username="pat")
    _edit_profile(person, github_login="pat-gh")
    client = Client()
    client.force_login(person)
    page = client.get("/practitioners/pat/").content.decode()
    assert "pat-gh" in page and "not verified" in page and "/accounts/3rdparty/" in page
    edit = client.get("/practitioners/me/edit/").content.decode()
    assert "/accounts/email/" in edit and "/accounts/3rdparty/" in edit


def test_retyping_a_verified_login_in_another_case_keeps_it_and_changing_it_lets_the_activity_go(history):
    octo = UserFactory(username="octo")
    social_login(provider="github", extra_data={"id": 583231, "login": "Octo-Cat"}, user=octo, connect=True)

    _edit_profile(octo, github_login="OCTO-CAT")
    assert Practitioner.objects.get(user=octo).github_login_verified
    assert ForgeAccount.objects.get(login="octo-cat").user == octo

    _edit_profile(octo, github_login="someone-else")
    practitioner = Practitioner.objects.get(user=octo)
    assert (practitioner.github_login, practitioner.github_login_verified) == ("someone-else", False)
    assert ForgeAccount.objects.get(login="octo-cat").user is None


def test_the_program_office_confirms_typed_identities_in_bulk(history, office_admin):
    octo, gitlabber = UserFactory(username="octo"), UserFactory(username="gl")
    _ready_to_contribute(octo, history)
    _edit_profile(octo, github_login="octo-cat")
    _edit_profile(gitlabber, gitlab_username="gl.person")
    client = Client()
    client.force_login(office_admin)

    response = client.post(
        "/admin/community/practitioner/",
        {"action": "confirm_forge_identities", "_selected_action": list(Practitioner.objects.values_list("pk", flat=True))},
    )  # fmt: skip

    assert response.status_code == 302
    assert Practitioner.objects.get(user=octo).github_login_verified
    assert Practitioner.objects.get(user=gitlabber).gitlab_username_verified
    assert ForgeAccount.objects.get(login="octo-cat").user == octo
    assert _stage(octo) == Stage.CONTRIBUTOR
    assert Notification.objects.filter(
        user=octo, message__contains="confirmed your GitHub login octo-cat"
    ).exists()
    entry = LogEntry.objects.get(object_id=str(octo.practitioner.pk))
    assert entry.user == office_admin and "verified by the program office" in entry.change_message


def test_the_office_leaves_alone_a_typed_login_that_another_person_has_proven(history, program_office):
    octo, mallory = UserFactory(username="octo"), UserFactory(username="mallory")
    social_login(provider="github", extra_data={"id": 583231, "login": "Octo-Cat"}, user=octo, connect=True)
    mallory_profile = Practitioner.objects.create(user=mallory, display_name="M", github_login="octo-cat")

    confirmed, skipped = identity.forge_identities_confirm(practitioners=[mallory_profile], by=program_office)

    assert (confirmed, skipped) == (0, 1)
    assert ForgeAccount.objects.get(login="octo-cat").user == octo


def test_the_office_leaves_alone_a_login_that_two_people_typed(history, program_office):
    alice, mallory = UserFactory(username="alice"), UserFactory(username="mallory")
    profiles = [
        Practitioner.objects.create(user=alice, display_name="A", github_login="alice-gh"),
        Practitioner.objects.create(user=mallory, display_name="M", github_login="Alice-GH"),
    ]

    confirmed, skipped = identity.forge_identities_confirm(practitioners=profiles, by=program_office)

    assert (confirmed, skipped) == (0, 2)
    assert not Practitioner.objects.filter(github_login_verified=True).exists()


def test_only_the_program_office_confirms_identities(db, outsider):
    profile = Practitioner.objects.create(user=outsider, display_name="O", github_login="octo-cat")
    with pytest.raises(identity.PermissionDenied):
        identity.forge_identities_confirm(practitioners=[profile], by=outsider)
    assert not Practitioner.objects.get(pk=profile.pk).github_login_verified


def _commit(repository, email: str) -> set[int]:
    """A commit under `email` in a plain git repository of the same project."""
    repository, _ = Repository.objects.get_or_create(
        url="https://git.acme.example/tokens.git",
        defaults={"project": repository.project, "forge": Forge.GIT},
    )
    commit = CommitRecord(
        sha=("c" * 39) + str(len(email) % 10), author=AccountRecord(login=email, email=email),
        author_name="Someone", author_email=email, authored_at=WHEN,
    )  # fmt: skip
    return activity_upsert(repository=repository, batch=ActivityBatch(commits=[commit]), announce=False)


def test_a_commit_address_counts_only_once_verified(history):
    person = UserFactory(username="tara")
    address = EmailAddress.objects.create(user=person, email="tara.home@example.org", verified=False)

    assert _commit(history, "tara.home@example.org") == set()
    assert ForgeAccount.objects.get(forge=Forge.GIT).user is None

    # Tara follows the link of the mail allauth sent: the history becomes hers at once.
    client = Client()
    client.force_login(person)
    response = client.post(f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")
    assert response.status_code == 302
    assert EmailAddress.objects.get(pk=address.pk).verified
    assert ForgeAccount.objects.get(forge=Forge.GIT).user == person


def test_removing_an_address_lets_go_of_every_account_it_attributed(history):
    person = UserFactory(username="tara")
    address = EmailAddress.objects.create(user=person, email="tara.home@example.org", verified=True)
    ForgeAccount.objects.create(forge=Forge.GITHUB, login="tara-gh", email="Tara.Home@example.org")
    identity.email_address_verified(user=person, email=address.email)
    assert ForgeAccount.objects.get(login="tara-gh").user == person

    client = Client()
    client.force_login(person)
    response = client.post("/accounts/email/", {"action_remove": "", "email": "tara.home@example.org"})

    assert response.status_code == 302 and not EmailAddress.objects.filter(pk=address.pk).exists()
    assert ForgeAccount.objects.get(login="tara-gh").user is None


def test_an_unverified_account_address_attributes_nothing(history):
    newbie = UserFactory(username="newbie", email="victim@acme.example", verified_email=False)
    # As allauth's sign-up records an address it has not verified yet.
    EmailAddress.objects.create(user=newbie, email=newbie.email, verified=False, primary=True)
    assert _commit(history, "victim@acme.example") == set()
    assert ForgeAccount.objects.get(forge=Forge.GIT).user is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_extra_addresses_unverified_and_lets_go_of_what_typed_claims_attributed():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("community", "0007_practitioner_unit_from_trusted_sources")]
    executor.migrate(before)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "community"]
    old = executor.loader.project_state(before + others).apps
    user = old.get_model("auth", "User").objects.create(username="typist", email="typist@acme.example")
    old.get_model("account", "EmailAddress").objects.create(
        user_id=user.pk, email="typist@acme.example", verified=True, primary=True
    )
    old.get_model("community", "Practitioner").objects.create(
        user_id=user.pk, display_name="T", github_login="Victim-GH", extra_emails=["Home@Example.org"]
    )
    accounts = old.get_model("metrics", "ForgeAccount").objects
    accounts.create(forge="github", login="victim-gh", user_id=user.pk)  # linked by the typed login
    accounts.create(forge="git", login="home@example.org", user_id=user.pk)  # by the typed address
    accounts.create(forge="github", login="own-gh", email="typist@acme.example", user_id=user.pk)
    # Someone else who signed up with an address they never verified got that address's history.
    squatter = old.get_model("auth", "User").objects.create(username="squatter", email="ceo@acme.example")
    old.get_model("account", "EmailAddress").objects.create(
        user_id=squatter.pk, email="ceo@acme.example", verified=False, primary=True
    )
    accounts.create(forge="git", login="ceo@acme.example", user_id=squatter.pk)
    accounts.create(forge="github", login="ceo-gh", email="CEO@acme.example", user_id=squatter.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    address = EmailAddress.objects.get(email="home@example.org")
    assert (address.user_id, address.verified, address.primary) == (user.pk, False, False)
    linked = dict(ForgeAccount.objects.values_list("login", "user_id"))
    assert linked == {
        "victim-gh": None,
        "home@example.org": None,
        "own-gh": user.pk,
        "ceo@acme.example": None,
        "ceo-gh": None,
    }
    assert not Practitioner.objects.get(user_id=user.pk).github_login_verified
