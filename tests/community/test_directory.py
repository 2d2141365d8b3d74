"""The organisation directory: HR's CSV or Backstage's Users and Groups, imported by the program office.
People count by their unit before they ever sign in, and link to their entry when they do (by a verified
e-mail address or a proven login), taking its unit. The company sign-on's unit claim sets the unit too."""

import logging
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter as social_adapter
from allauth.socialaccount.helpers import complete_social_login
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory

from catalog.models import Forge, Repository
from community.directory import DirectoryFormatError, directory_import, parse_backstage, parse_csv
from community.models import DirectoryEntry, Practitioner, UnitSource
from metrics.engagement import community_engagement
from metrics.models import ForgeAccount
from metrics.selectors import contribution_activity
from metrics.services import activity_upsert
from metrics.sync.records import AccountRecord, ActivityBatch, CommitRecord, PullRequestRecord
from tests.factories import BusinessUnitFactory, ProjectFactory, UserFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)
PERIOD = {"start": date(2026, 3, 1), "end": date(2026, 4, 1)}
ADMIN_IMPORT = "/admin/community/directoryentry/import/"


@pytest.fixture
def units(db):
    return {
        "payments": BusinessUnitFactory(name="Payments", slug="payments"),
        "retail": BusinessUnitFactory(name="Retail", slug="retail"),
    }


def _import(path: str, format: str) -> str:
    out = StringIO()
    call_command("import_directory", str(FIXTURES / path), format=format, stdout=out)
    return out.getvalue()


# The import ----------------------------------------------------------------------------------------


def test_the_hr_csv_records_everyone_with_their_unit_and_says_which_units_it_does_not_know(units):
    output = _import("directory/hr-export.csv", "csv")

    entries = {e.email: e for e in DirectoryEntry.objects.select_related("business_unit")}
    assert set(entries) == {
        "ada.lovelace@acme.example", "grace.hopper@acme.example", "lin.retail@acme.example", "sam.unknown@acme.example",
    }  # fmt: skip
    assert entries["grace.hopper@acme.example"].business_unit == units["payments"]  # by slug
    assert entries["lin.retail@acme.example"].business_unit == units["retail"]
    assert entries["sam.unknown@acme.example"].business_unit is None
    assert "no business unit is named Moon Base" in output
    assert (
        entries["ada.lovelace@acme.example"].github_login,
        entries["ada.lovelace@acme.example"].gitlab_username,
    ) == (
        "ada-gh",
        "ada.gl",
    )
    # Their logins and addresses carry the unit before any of them signs in.
    assert ForgeAccount.objects.get(forge=Forge.GITHUB, login="lin-gh").business_unit == units["retail"]
    assert (
        ForgeAccount.objects.get(forge=Forge.GIT, login="ada.lovelace@acme.example").business_unit
        == units["payments"]
    )
    # Importing again changes nothing.
    assert "0 people were added, 0 updated, 4 unchanged" in _import("directory/hr-export.csv", "csv")


def test_backstage_users_take_the_unit_of_their_team_or_its_parent_group_and_their_forge_annotations(units):
    _import("directory/acme-org.yaml", "backstage")

    ada = DirectoryEntry.objects.get(email="ada.lovelace@acme.example")
    assert (ada.display_name, ada.business_unit, ada.source) == (
        "Ada Lovelace",
        units["payments"],
        "backstage",
    )
    assert (ada.github_login, ada.gitlab_username, ada.external_key) == (
        "ada-gh",
        "ada.gl",
        "user:default/ada.lovelace",
    )
    assert DirectoryEntry.objects.get(email="grace.hopper@acme.example").business_unit == units["payments"]
    assert DirectoryEntry.objects.count() == 2  # a User without an address cannot be linked to anyone


def test_backstages_own_example_users_are_recorded_once_per_address(db):
    team = BusinessUnitFactory(name="Team A", slug="team-a")
    files = [("team-a-group.yaml", (FIXTURES / "backstage" / "team-a-group.yaml").read_bytes())]

    report = directory_import(records=parse_backstage(files), source=DirectoryEntry.Source.BACKSTAGE)

    assert set(DirectoryEntry.objects.values_list("email", flat=True)) == {
        "breanna-davison@example.com", "janelle-dawe@example.com", "nigel-manning@example.com", "guest@example.com",
    }  # fmt: skip
    assert set(DirectoryEntry.objects.values_list("business_unit", flat=True)) == {team.pk}
    # The example defines the guest twice (two namespaces, one address): the second is reported, not kept.
    assert len(report.notes) == 1 and "guest@example.com is already" in report.notes[0]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("name,business_unit\nAda,Payments\n", "lacks the column(s) email"),
        (
            "email,business_unit\nnot-an-address,Payments\n",
            "line 2: “not-an-address” is not an e-mail address",
        ),
        ("email,business_unit,github_login\nada@acme.example,Payments,-bad-\n", "GitHub login"),
    ],
)
def test_a_bad_csv_is_refused_with_its_line_and_writes_nothing(units, tmp_path, content, error):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=error.replace("(", r"\(").replace(")", r"\)")):
        call_command("import_directory", str(path), format="csv", stdout=StringIO())
    assert not DirectoryEntry.objects.exists()


def test_a_yaml_that_is_not_a_mapping_is_a_clear_error():
    with pytest.raises(DirectoryFormatError, match="must be a mapping"):
        parse_backstage([("org.yaml", b"- just\n- a list\n")])
    with pytest.raises(DirectoryFormatError, match="(?i)not valid YAML at line"):
        parse_backstage([("org.yaml", b"kind: [unclosed\n")])
    assert parse_csv("email,business_unit\n", name="empty.csv") == []


def hr_export() -> SimpleUploadedFile:
    return SimpleUploadedFile("hr.csv", (FIXTURES / "directory" / "hr-export.csv").read_bytes())


def test_the_program_office_imports_the_directory_in_the_admin(client, units, office_admin):
    client.force_login(office_admin)

    response = client.post(ADMIN_IMPORT, {"files": hr_export(), "format": "csv"})

    assert response.status_code == 200
    assert "4 people were added" in response.content.decode()
    assert DirectoryEntry.objects.count() == 4


def test_checking_a_file_in_the_admin_writes_nothing_and_a_bad_file_is_a_form_error(
    client, units, office_admin
):
    client.force_login(office_admin)
    response = client.post(ADMIN_IMPORT, {"files": hr_export(), "format": "csv", "check_only": "on"})
    assert "4 people would be added" in response.content.decode()
    bad = SimpleUploadedFile("bad.csv", b"name\nAda\n")
    response = client.post(ADMIN_IMPORT, {"files": bad, "format": "csv"})
    assert (
        response.status_code == 200
        and "lacks the column(s) business_unit, email" in response.content.decode()
    )
    assert not DirectoryEntry.objects.exists() and not ForgeAccount.objects.exists()


# People count by their unit before they sign in ----------------------------------------------------


def _history(project) -> None:
    """Ada (Payments) and Grace (Payments) contribute to a Retail project, with no portal account."""
    repository = Repository.objects.create(
        project=project, forge=Forge.GITHUB, url="https://github.com/acme/shop"
    )
    requests, commits = [], []
    for number, login in enumerate(["ada-gh", "ada-gh", "grace-gh"], start=1):
        author = AccountRecord(login=login)
        requests.append(
            PullRequestRecord(
                forge_id=number, number=number, title="t", state="merged", author=author, created_at=WHEN,
                updated_at=WHEN, merged_at=WHEN + timedelta(hours=3), merged_by=author,
            )
        )  # fmt: skip
        commits.append(
            CommitRecord(
                sha=f"{number:040d}", author=author, author_name=login, author_email="", authored_at=WHEN
            )
        )
    activity_upsert(repository=repository, batch=ActivityBatch(pull_requests=requests, commits=commits))


@pytest.mark.parametrize("order", ["directory first", "history first"])
def test_a_history_by_people_known_only_to_the_directory_counts_for_their_unit(units, order):
    project = ProjectFactory(name="Shop", business_unit=units["retail"])
    before = contribution_activity(projects=None, **PERIOD)

    if order == "directory first":
        _import("directory/acme-org.yaml", "backstage")
        _history(project)
    else:
        _history(project)
        before = contribution_activity(projects=None, **PERIOD)
        _import("directory/acme-org.yaml", "backstage")

    figures = contribution_activity(projects=None, **PERIOD)
    if order == "history first":
        # Without the directory nobody's unit is known: no ratio, no elephant factor.
        assert (before["innersource_ratio"], before["elephant_factor"]) == (None, 0)
    assert figures["innersource_ratio"] == 1.0  # every merged request crossed from Payments to Retail
    assert figures["elephant_factor"] == 1  # one unit makes all of the commits
    assert figures["contributors"] == 2
    assert community_engagement(projects=None, **PERIOD)["contributor_business_units"] == 1
    assert not ForgeAccount.objects.filter(user__isnull=False).exists()  # still nobody's account


# Linking on sign-in -----------------------------------------------------------------------------------


def test_signing_in_with_a_verified_address_links_the_entry_and_takes_its_unit_and_logins(units):
    _import("directory/acme-org.yaml", "backstage")
    project = ProjectFactory(name="Shop", business_unit=units["retail"])
    _history(project)
    ada = UserFactory(username="ada", email="ada.lovelace@acme.example")  # a verified address

    response = Client().post("/accounts/login/", {"login": ada.email, "password": "correct horse battery"})

    assert response.status_code == 302
    entry = DirectoryEntry.objects.get(email="ada.lovelace@acme.example")
    assert entry.user == ada
    practitioner = Practitioner.objects.get(user=ada)
    assert (practitioner.business_unit, practitioner.business_unit_source) == (
        units["payments"],
        UnitSource.DIRECTORY,
    )
    assert (practitioner.github_login, practitioner.github_login_verified) == ("ada-gh", True)
    assert (practitioner.gitlab_username, practitioner.gitlab_username_verified) == ("ada.gl", True)
    assert ForgeAccount.objects.get(forge=Forge.GITHUB, login="ada-gh").user == ada
    # The figures read the same unit through her account now.
    assert contribution_activity(projects=None, **PERIOD)["innersource_ratio"] == 1.0


def test_an_address_the_person_has_not_verified_links_nothing(units):
    _import("directory/acme-org.yaml", "backstage")
    mallory = UserFactory(username="mallory", email="ada.lovelace@acme.example", verified_email=False)
    EmailAddress.objects.create(user=mallory, email=mallory.email, verified=False, primary=True)

    Client().post("/accounts/login/", {"login": mallory.email, "password": "correct horse battery"})

    assert DirectoryEntry.objects.get(email="ada.lovelace@acme.example").user is None
    assert not Practitioner.objects.filter(user=mallory, business_unit__isnull=False).exists()


def test_verifying_the_address_later_links_the_entry(units):
    _import("directory/hr-export.csv", "csv")
    lin = UserFactory(username="lin", email="lin.private@example.org")
    address = EmailAddress.objects.create(user=lin, email="lin.retail@acme.example", verified=False)
    from allauth.account.models import EmailConfirmationHMAC

    client = Client()
    client.force_login(lin)
    client.post(f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")

    assert DirectoryEntry.objects.get(email="lin.retail@acme.example").user == lin
    assert Practitioner.objects.get(user=lin).business_unit == units["retail"]


def test_the_directory_does_not_override_a_unit_the_program_office_set(units, program_office):
    ada = UserFactory(username="ada", email="ada.lovelace@acme.example")
    practitioner = Practitioner.objects.create(
        user=ada,
        display_name="Ada",
        business_unit=units["retail"],
        business_unit_source=UnitSource.PROGRAM_OFFICE,
    )
    _import("directory/acme-org.yaml", "backstage")  # links her at once: her address is verified
    assert DirectoryEntry.objects.get(email=ada.email).user == ada
    practitioner.refresh_from_db()
    assert (practitioner.business_unit, practitioner.business_unit_source) == (
        units["retail"],
        "program_office",
    )


# The company sign-on's unit claim -------------------------------------------------------------------


@pytest.fixture
def company_sso(settings):
    """The OIDC provider as portal/settings/accounts.py configures it from OIDC_CLIENT_ID and friends."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "company-sso",
                    "name": "Company SSO",
                    "client_id": "portal",
                    "secret": "s",
                    "settings": {"server_url": "https://sso.acme.example"},
                }
            ]
        }
    }
    settings.OIDC_BUSINESS_UNIT_CLAIM = "department"


def sso_sign_in(claims: dict) -> None:
    """Sign in through the company sign-on with this userinfo: the OIDC provider builds the SocialLogin
    from it as its callback does, and allauth completes it (the HTTP round trip is what is left out)."""
    request = RequestFactory().get("/accounts/oidc/company-sso/login/callback/")
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    request.user = AnonymousUser()
    with context.request_context(request):
        provider = social_adapter().get_provider(request, "company-sso")
        sociallogin = provider.sociallogin_from_response(request, {"userinfo": claims})
        sociallogin.state = {"process": "login"}
        response = complete_social_login(request, sociallogin)
    assert response.status_code == 302, response


CLAIMS = {"sub": "u-1", "email": "rita@acme.example", "email_verified": True, "name": "Rita Risk"}


def test_the_sign_on_sets_the_unit_its_claim_names_by_name_or_slug(units, company_sso):
    sso_sign_in({**CLAIMS, "department": "Payments"})
    user = EmailAddress.objects.get(email="rita@acme.example").user
    practitioner = Practitioner.objects.get(user=user)
    assert (practitioner.business_unit, practitioner.business_unit_source) == (
        units["payments"],
        UnitSource.SSO,
    )

    sso_sign_in(
        {**CLAIMS, "department": "retail"}
    )  # moved in the company's directory: the next sign-in says so
    practitioner.refresh_from_db()
    assert practitioner.business_unit == units["retail"]


def test_an_unknown_unit_in_the_claim_is_logged_and_ignored(units, company_sso, caplog):
    with caplog.at_level(logging.WARNING, logger="community.signin"):
        sso_sign_in({**CLAIMS, "department": "Moon Base"})
    user = EmailAddress.objects.get(email="rita@acme.example").user
    assert not Practitioner.objects.filter(user=user, business_unit__isnull=False).exists()
    assert "Moon Base" in caplog.text


def test_without_the_setting_the_sign_on_sets_no_unit(units, company_sso, settings):
    settings.OIDC_BUSINESS_UNIT_CLAIM = ""
    sso_sign_in({**CLAIMS, "department": "Payments"})
    user = EmailAddress.objects.get(email="rita@acme.example").user
    assert not Practitioner.objects.filter(user=user, business_unit__isnull=False).exists()


def test_a_csv_the_reader_cannot_read_is_a_clear_error_not_a_crash():
    huge_field = "email,business_unit\n" + '"' + "x" * 200_000 + '",payments\n'
    with pytest.raises(DirectoryFormatError, match="not a CSV file this import reads"):
        parse_csv(huge_field, name="hr.csv")
