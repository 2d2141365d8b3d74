from types import SimpleNamespace

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from catalog.models.assets import Adoption, Asset, AssetKind
from catalog.models.projects import (
    BusinessUnit,
    Language,
    Lifecycle,
    Project,
    ProjectRole,
    ReviewStatus,
    Topic,
)
from catalog.models.repositories import Repository
from community.models import Membership, Practitioner, RulesAcceptance, RulesVersion
from metrics.models import Comment, Commit, ForgeAccount, Issue, PullRequest, Review


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Person"
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """The account's address, verified as allauth records it (by mail or the company sign-on): a
        test person's commits under it are theirs. `UserFactory(verified_email=False)` leaves it out."""
        if create and user.email and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
            )


class BusinessUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessUnit
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Unit {n}")
    slug = factory.Sequence(lambda n: f"unit-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    # From the name, as registration makes it ("Project 3": "project-3"); a test gives another when it needs one.
    slug = factory.LazyAttribute(lambda project: slugify(project.name))
    description = "A reusable thing for everyone."
    business_unit = factory.SubFactory(BusinessUnitFactory)
    lifecycle = Lifecycle.ACTIVE
    review_status = ReviewStatus.APPROVED
    created_at = factory.LazyFunction(timezone.now)


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Asset {n}")
    slug = factory.LazyAttribute(lambda asset: slugify(asset.name))  # as for projects
    kind = AssetKind.LIBRARY
    description = "A library."


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adoption

    asset = factory.SubFactory(AssetFactory)
    business_unit = factory.SubFactory(BusinessUnitFactory)
    team = factory.Sequence(lambda n: f"Team {n}")


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory)
    display_name = factory.LazyAttribute(lambda p: p.user.username)


class RepositoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Repository

    project = factory.SubFactory(ProjectFactory)
    forge = "github"
    url = factory.Sequence(lambda n: f"https://forge.example/team/r{n}")


# --- activity, as the sync records it (metrics) ------------------------------------------------------


class ForgeAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForgeAccount

    forge = "github"
    login = factory.Sequence(lambda n: f"login{n}")


class ThreadFactory(factory.django.DjangoModelFactory):
    """What a pull request and an issue have alike: a numbered thread someone opened on a repository,
    last updated when it was opened."""

    class Meta:
        abstract = True

    repository = factory.SubFactory(RepositoryFactory)
    number = factory.Sequence(lambda n: n + 1)
    forge_id = factory.LazyAttribute(lambda thread: thread.number)
    author = factory.SubFactory(ForgeAccountFactory)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda thread: thread.created_at)


class PullRequestFactory(ThreadFactory):
    """A request opened at `created_at`; with `merged_at` merged (and closed then), with `closed_at`
    alone declined."""

    class Meta:
        model = PullRequest

    merged_at = None
    closed_at = factory.LazyAttribute(lambda pr: pr.merged_at)
    state = factory.LazyAttribute(
        lambda pr: "merged" if pr.merged_at else "closed" if pr.closed_at else "open"
    )


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    pull_request = factory.SubFactory(PullRequestFactory)
    forge_id = factory.Sequence(lambda n: n + 1)
    author = factory.SubFactory(ForgeAccountFactory)
    state = Review.ReviewState.APPROVED
    submitted_at = factory.LazyFunction(timezone.now)


class IssueFactory(ThreadFactory):
    class Meta:
        model = Issue

    closed_at = None
    state = factory.LazyAttribute(lambda issue: "closed" if issue.closed_at else "open")


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on `pull_request` or on `issue` (give one)."""

    class Meta:
        model = Comment

    pull_request = None
    issue = None
    repository = factory.LazyAttribute(lambda c: (c.pull_request or c.issue).repository)
    forge_id = factory.Sequence(lambda n: n + 1)
    kind = "issue"
    author = factory.SubFactory(ForgeAccountFactory)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda c: c.created_at)


class CommitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commit

    repository = factory.SubFactory(RepositoryFactory)
    sha = factory.Sequence(lambda n: f"{n + 1:040x}")
    author = factory.SubFactory(ForgeAccountFactory)
    authored_at = factory.LazyFunction(timezone.now)


def make_owner(project: Project, user) -> None:
    ProjectRole.objects.get_or_create(project=project, user=user, role=ProjectRole.Role.OWNER)


def accept_rules(user, version: RulesVersion | None = None) -> None:
    """`user` accepts the rules of engagement: `version`, or the current one."""
    RulesAcceptance.objects.create(user=user, rules=version or RulesVersion.current())


def person_in_unit(username: str, unit: BusinessUnit | None = None, *, display_name: str = "", **user_fields):
    """A user whose practitioner profile puts them in `unit` (which decides the restricted projects they
    see), named `display_name` (their username unless given)."""
    user = UserFactory(username=username, **user_fields)
    PractitionerFactory(user=user, display_name=display_name or username, business_unit=unit)
    return user


def defence_member():
    """Someone of the unit "defence", to which the tests' restricted projects are often kept."""
    return person_in_unit("defence-member", BusinessUnitFactory(slug="defence"), display_name="D")


def pending_registration(*, starter, repository_url: str = "", **fields) -> Project:
    """A project just registered by `starter`: proposed, waiting for review, theirs (with its repository
    on plain git when `repository_url` is given)."""
    project = ProjectFactory(
        review_status=ReviewStatus.PENDING, lifecycle=Lifecycle.PROPOSED, created_by=starter, **fields
    )
    make_owner(project, starter)
    if repository_url:
        Repository.objects.create(project=project, forge="git", url=repository_url)
    return project


def toolkit_and_ledger(*, toolkit_fields: dict | None = None, ledger_fields: dict | None = None) -> dict:
    """The two listed projects the catalog tests search among, with `*_fields` added to each: the Kafka
    Connect Toolkit of Data Platform (topic kafka, wanting contributions) and the busier Payments Ledger
    of Payments (in Python). Returns them and their units by name ("toolkit", "ledger", "data",
    "payments")."""
    payments = BusinessUnitFactory(name="Payments", slug="payments")
    data = BusinessUnitFactory(name="Data Platform", slug="data-platform")
    toolkit = ProjectFactory(
        name="Kafka Connect Toolkit",
        business_unit=data,
        contributions_wanted="More connectors",
        activity_score=300,
        **(toolkit_fields or {}),
    )
    toolkit.topics.add(Topic.objects.create(name="kafka"))
    ledger = ProjectFactory(
        name="Payments Ledger", business_unit=payments, activity_score=900, **(ledger_fields or {})
    )
    ledger.languages.add(Language.objects.create(name="Python"))
    return {"toolkit": toolkit, "ledger": ledger, "data": data, "payments": payments}


def registration_form_data(*, unit: BusinessUnit, **fields) -> dict:
    """What the registration form posts for a new project of `unit`: the fields it requires, with `fields`
    added or replacing them."""
    return {
        "name": "New Project",
        "description": "A new project for every team.",
        "business_unit": unit.pk,
        "lifecycle": "incubating",
        **fields,
    }


# --- a project's people, one in each role (the permission tables go through them) -------------------

ROLES = ["anonymous", "outsider", "member", "trusted_committer", "maintainer", "owner", "program_office"]


class ProjectPeople(SimpleNamespace):
    """A project, one person in each of ROLES (`actors`; None is the anonymous visitor) and the rows that
    make its member and trusted committer; a test's fixture adds what else it needs."""

    @property
    def maintainer(self):
        return self.actors["maintainer"]

    @property
    def committer(self):
        return self.actors["trusted_committer"]

    @property
    def member(self):
        return self.actors["member"]


def project_people(project: Project, *, owner, outsider, program_office) -> ProjectPeople:
    """`owner` made the project's owner, and a maintainer, a trusted committer and a member of it."""
    make_owner(project, owner)
    maintainer = UserFactory(username="maintainer", first_name="Maya")
    ProjectRole.objects.create(project=project, user=maintainer, role=ProjectRole.Role.MAINTAINER)
    committer = UserFactory(username="committer", first_name="Cody")
    committer_role = ProjectRole.objects.create(
        project=project, user=committer, role=ProjectRole.Role.TRUSTED_COMMITTER
    )
    member = UserFactory(username="member", first_name="Mel")
    membership = Membership.objects.create(project=project, user=member)
    actors = {
        "anonymous": None,
        "outsider": outsider,
        "member": member,
        "trusted_committer": committer,
        "maintainer": maintainer,
        "owner": owner,
        "program_office": program_office,
    }
    return ProjectPeople(project=project, actors=actors, committer_role=committer_role, membership=membership)


# --- a newcomer's sign-up, as they fill in the form ---------------------------------------------------

NEWCOMER_SIGN_UP = {
    "email": "new.person@acme.example",
    "first_name": "Nia",
    "last_name": "Newcomer",
    "password1": "a-long-pass-phrase-1",
    "password2": "a-long-pass-phrase-1",
}
