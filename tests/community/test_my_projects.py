"""A maintainer's "My projects" (community.maintainer, /practitioners/me/projects/): their projects, their
registrations, the first-time contributions nobody answered and the trusted-committer candidates."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from catalog.models import ProjectRole, ReviewStatus
from community.maintainer import my_projects
from community.models import JourneySettings
from community.selectors import trusted_committer_candidates_by_project
from metrics.models import Review
from tests.activity import account, comment, pr, repo, review
from tests.factories import ForgeAccountFactory, ProjectFactory, PullRequestFactory, UserFactory, make_owner

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def maintainer(db):
    return UserFactory(username="maya", first_name="Maya")


@pytest.fixture
def ledger(maintainer):
    project = ProjectFactory(name="Ledger")
    ProjectRole.objects.create(project=project, user=maintainer, role=ProjectRole.Role.MAINTAINER)
    return project


def _waiting(entries) -> dict[str, list[int]]:
    return {entry.project.slug: [request.number for request in entry.waiting] for entry in entries}


def test_only_first_time_contributions_nobody_else_answered_wait(ledger, maintainer):
    repository = repo(ledger)
    maya = account("maya", user=maintainer)
    opened = NOW - 3 * DAY

    def request(author, **kwargs):
        return pr(repository, author, opened, **kwargs)

    newcomer = request(account("new"))
    own_comment_only = request(account("talker"))
    comment(own_comment_only.author, opened + DAY, on=own_comment_only)
    answered = request(account("answered"))
    comment(maya, opened + DAY, on=answered)
    approved = request(account("approved"))
    review(approved, maya, opened + DAY)
    review_in_draft = request(account("pending-review"))
    review(review_in_draft, maya, None, state=Review.ReviewState.PENDING)
    regular = account("regular")
    pr(repository, regular, opened - 30 * DAY, merged=opened - 29 * DAY)
    request(regular)
    # Another account of a person whose work was merged before is not a newcomer either.
    person = UserFactory(username="two-accounts")
    pr(repository, account("two-gh", user=person), opened - 30 * DAY, merged=opened - 29 * DAY)
    request(account("two-gl", user=person, forge="gitlab"))
    committer = UserFactory(username="committer")
    ProjectRole.objects.create(project=ledger, user=committer, role=ProjectRole.Role.TRUSTED_COMMITTER)
    request(account("committer", user=committer))
    request(account("drafting"), draft=True)
    request(account("dependabot", bot=True))
    request(account("declined"), closed=opened + DAY)
    # A merge elsewhere does not make someone a regular here.
    visitor = account("visitor")
    pr(repo(), visitor, opened - 30 * DAY, merged=opened - 29 * DAY)
    visiting = request(visitor)

    [entry] = my_projects(user=maintainer, now=NOW)
    expected = [newcomer, own_comment_only, review_in_draft, visiting]
    assert [r.number for r in entry.waiting] == [r.number for r in expected]
    assert entry.needs_attention


def test_registrations_come_first_and_sent_back_ones_wait_for_their_owners(ledger, maintainer):
    sent_back = ProjectFactory(
        name="Zebra", review_status=ReviewStatus.CHANGES_REQUESTED, review_note="Add a README."
    )
    pending = ProjectFactory(name="Yak", review_status=ReviewStatus.PENDING)
    make_owner(sent_back, maintainer)
    make_owner(pending, maintainer)
    merged_away = ProjectFactory(name="Old", merged_into=ledger)
    make_owner(merged_away, maintainer)
    ProjectFactory(name="Someone else's", slug="other")  # no role: not listed

    entries = my_projects(user=maintainer, now=NOW)
    assert [e.project.slug for e in entries] == ["zebra", "yak", "ledger"]
    assert [e.sent_back for e in entries] == [True, False, False]
    assert [e.needs_attention for e in entries] == [True, False, False]
    assert entries[0].role_labels == ["Owner"]


def test_a_trusted_committer_is_not_told_about_a_sent_back_registration_they_cannot_resubmit(maintainer):
    project = ProjectFactory(slug="sent", review_status=ReviewStatus.CHANGES_REQUESTED)
    ProjectRole.objects.create(project=project, user=maintainer, role=ProjectRole.Role.TRUSTED_COMMITTER)
    [entry] = my_projects(user=maintainer, now=NOW)
    assert not entry.runs_it and not entry.sent_back


def _merged_and_reviewed(project, person_account, *, merged: int, reviews: int, when: datetime) -> None:
    repository = repo(project)
    other = ForgeAccountFactory()
    for _ in range(merged):
        pr(repository, person_account, when - DAY, merged=when)
    for _ in range(reviews):
        review(pr(repository, other, when - DAY), person_account, when)


def test_candidates_are_counted_per_project_and_shown_to_those_who_appoint(ledger, maintainer):
    JourneySettings.objects.filter(pk=JourneySettings.current().pk).update(
        trusted_committer_merged=2, trusted_committer_reviews=2
    )
    ProjectRole.objects.filter(project=ledger, user=maintainer).delete()
    ProjectRole.objects.create(project=ledger, user=maintainer, role=ProjectRole.Role.TRUSTED_COMMITTER)
    wallet = ProjectFactory(name="Wallet")
    make_owner(wallet, maintainer)
    helper = UserFactory(username="helper", first_name="Hal")
    helper_account = account("helper", user=helper)
    when = NOW - 10 * DAY
    # Enough on each project, and on Ledger only one short of the thresholds twice over: the counts of
    # one project never make up for another's.
    _merged_and_reviewed(wallet, helper_account, merged=2, reviews=2, when=when)
    _merged_and_reviewed(ledger, helper_account, merged=1, reviews=1, when=when)

    by_project = trusted_committer_candidates_by_project(project_ids=[ledger.pk, wallet.pk], now=NOW)
    assert by_project[ledger.pk] == []
    assert [(c.user, c.merged, c.reviews) for c in by_project[wallet.pk]] == [(helper, 2, 2)]

    _merged_and_reviewed(ledger, helper_account, merged=1, reviews=1, when=when)
    entries = {e.project.slug: e for e in my_projects(user=maintainer, now=NOW)}
    # A trusted committer of Ledger does not appoint there; the owner of Wallet does.
    assert entries["ledger"].candidates == []
    assert [c.user for c in entries["wallet"].candidates] == [helper]


def test_the_number_of_queries_does_not_grow_with_the_projects(maintainer, django_assert_num_queries):
    def project_with_a_newcomer(n: int) -> None:
        project = ProjectFactory(slug=f"p{n}")
        make_owner(project, maintainer)
        pr(repo(project), account(f"newcomer{n}"), NOW - DAY)

    project_with_a_newcomer(0)
    JourneySettings.current()  # created on first use: not a query of the page's
    with django_assert_num_queries(4):
        assert len(my_projects(user=maintainer, now=NOW)) == 1
    for n in range(1, 4):
        project_with_a_newcomer(n)
    with django_assert_num_queries(4):
        entries = my_projects(user=maintainer, now=NOW)
    assert [len(e.waiting) for e in entries] == [1, 1, 1, 1]


def test_the_page_lists_what_waits_with_links_to_act_on(client, ledger, maintainer):
    repository = repo(ledger)
    repository.url = "https://github.com/acme/ledger"
    repository.save()
    PullRequestFactory(
        repository=repository, author=account("newbie"), created_at=NOW - 2 * DAY, title="Fix rounding"
    )
    sent_back = ProjectFactory(
        name="Zebra", review_status=ReviewStatus.CHANGES_REQUESTED, review_note="Add a README."
    )
    make_owner(sent_back, maintainer)
    client.force_login(maintainer)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("community:projects_mine")).content.decode()
    assert "2 of your 2 projects need you." in page
    assert "Changes requested" in page and "“Add a README.”" in page
    assert reverse("catalog:edit", args=["zebra"]) in page
    number = repository.pull_requests.get().number
    assert f'href="https://github.com/acme/ledger/pull/{number}"' in page
    assert "Fix rounding" in page and "by newbie" in page and "2\xa0days ago" in page
    assert page.index("Zebra") < page.index("Ledger")


def test_someone_without_a_role_is_pointed_to_registering_and_anonymous_visitors_sign_in(client, outsider):
    url = reverse("community:projects_mine")
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(outsider)
    page = client.get(url).content.decode()
    assert "You hold no role on a project yet." in page
    assert reverse("catalog:register") in page
