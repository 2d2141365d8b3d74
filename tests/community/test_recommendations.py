from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Language, ProjectRole, ReviewStatus, Topic
from community.models import Membership, Practitioner, Skill, Stage
from community.recommendations import first_projects_for, home_suggestions
from metrics.models import State
from tests.activity import repo
from tests.factories import (
    CommentFactory,
    ForgeAccountFactory,
    IssueFactory,
    ProjectFactory,
    PullRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def explorer(user=None, *, skills=(), interests=(), stage=Stage.EXPLORER):
    user = user or UserFactory()
    practitioner = Practitioner.objects.create(
        user=user, display_name=user.username, interests=list(interests), stage=stage
    )
    for name in skills:
        practitioner.skills.add(Skill.objects.get_or_create(name=name)[0])
    return user


def wanting(name, **fields):
    fields.setdefault("contributions_wanted", "Docs and tests")
    return ProjectFactory(name=name, slug=name.lower().replace(" ", "-"), **fields)


def pull_request(repository, *, author, days_ago=10, answered_after_hours=None, responder=None):
    created = timezone.now() - timedelta(days=days_ago)
    pr = PullRequestFactory(repository=repository, author=author, created_at=created)
    if answered_after_hours is not None:
        at = created + timedelta(hours=answered_after_hours)
        CommentFactory(pull_request=pr, author=responder or ForgeAccountFactory(), created_at=at)
    return pr


def issue(repository, *, labels, state=State.OPEN, title="Fix the docs", days_ago=5):
    created = timezone.now() - timedelta(days=days_ago)
    return IssueFactory(repository=repository, labels=labels, state=state, title=title, created_at=created)


def names(suggestions):
    return [s.project.name for s in suggestions]


def test_a_project_matching_the_persons_skills_ranks_above_one_that_does_not():
    user = explorer(skills=["Kafka"])
    wanting("Alpha Unrelated", skills_wanted=["Cobol"], activity_score=50)
    wanting("Beta Streams", skills_wanted=["kafka"], activity_score=50)
    assert names(first_projects_for(user=user)) == ["Beta Streams", "Alpha Unrelated"]


def test_reasons_mention_the_matched_skills_and_interests():
    user = explorer(skills=["Kafka", "python"], interests=["Observability"])
    project = wanting("Streams", skills_wanted=["Kafka"])
    project.languages.add(Language.objects.create(name="Python"))
    project.topics.add(Topic.objects.create(name="observability"))
    (suggestion,) = first_projects_for(user=user)
    assert "matches your skills: Kafka, Python" in suggestion.reasons
    assert "matches your interests: observability" in suggestion.reasons


def test_a_project_that_answers_newcomers_fast_ranks_above_a_slow_one_all_else_equal():
    user = explorer()
    slow, fast = wanting("Aardvark Slow"), wanting("Zebra Fast")
    pull_request(repo(slow), author=ForgeAccountFactory(), answered_after_hours=24 * 9)
    pull_request(repo(fast), author=ForgeAccountFactory(), answered_after_hours=5)
    suggestions = first_projects_for(user=user)
    assert names(suggestions) == ["Zebra Fast", "Aardvark Slow"]
    assert "answers newcomers in about 5 hours" in suggestions[0].reasons
    assert not any("answers newcomers" in reason for reason in suggestions[1].reasons)


def test_an_unanswered_request_counts_as_slow_and_the_authors_own_comment_is_no_answer():
    user = explorer()
    ignored, answered = wanting("Aardvark Ignoring"), wanting("Zebra Answering")
    author = ForgeAccountFactory()
    pull_request(repo(ignored), author=author, days_ago=20, answered_after_hours=1, responder=author)
    pull_request(repo(answered), author=ForgeAccountFactory(), days_ago=20, answered_after_hours=30)
    assert names(first_projects_for(user=user)) == ["Zebra Answering", "Aardvark Ignoring"]


def test_items_the_project_team_opens_itself_do_not_count_as_newcomers_waiting():
    user = explorer()
    planning, other = wanting("Aardvark Planning"), wanting("Zebra Other")
    owner = UserFactory()
    ProjectRole.objects.create(project=planning, user=owner, role=ProjectRole.Role.OWNER)
    team_account = ForgeAccountFactory(login="owner", user=owner)
    planning_repo = repo(planning)
    pull_request(planning_repo, author=ForgeAccountFactory(), answered_after_hours=2)
    # The owner's own backlog item, waiting for a contributor for 60 days, is nobody's slow answer.
    pull_request(planning_repo, author=team_account, days_ago=60)
    pull_request(repo(other), author=ForgeAccountFactory(), answered_after_hours=20)
    suggestions = first_projects_for(user=user)
    assert names(suggestions) == ["Aardvark Planning", "Zebra Other"]
    assert "answers newcomers in about 2 hours" in suggestions[0].reasons


def test_projects_the_person_belongs_to_or_holds_a_role_in_are_excluded():
    user = explorer()
    member, committer, left, other = (wanting(n) for n in ("Member", "Committer", "Left", "Other"))
    Membership.objects.create(project=member, user=user)
    ProjectRole.objects.create(project=committer, user=user, role=ProjectRole.Role.TRUSTED_COMMITTER)
    Membership.objects.create(project=left, user=user, left_at=timezone.now())
    assert sorted(names(first_projects_for(user=user))) == ["Left", "Other"]


def test_projects_not_wanting_contributions_or_not_listed_are_excluded():
    user = explorer()
    wanting("Quiet", contributions_wanted="")
    wanting("Blank", contributions_wanted="  \n ")
    wanting("Pending", review_status=ReviewStatus.PENDING)
    wanting("Open")
    assert names(first_projects_for(user=user)) == ["Open"]


def test_good_first_issues_are_shown_three_per_project_and_counted():
    user = explorer()
    project = wanting("Docs")
    repository = repo(project)
    for days in range(1, 6):
        issue(repository, labels=["Good First Issue"], title=f"Issue {days}", days_ago=days)
    issue(repository, labels=["help wanted", "bug"], title="Help", days_ago=10)
    issue(repository, labels=["good first issue"], state=State.CLOSED, title="Closed")
    issue(repository, labels=["not a good first issue"], title="Tricky")
    issue(repository, labels=["bug"], title="Bug")
    (suggestion,) = first_projects_for(user=user)
    assert [i.title for i in suggestion.good_first_issues] == ["Issue 1", "Issue 2", "Issue 3"]
    assert "6 good first issues open" in suggestion.reasons
    assert suggestion.good_first_issues[0].url.startswith(f"{repository.url}/issues/")


def test_nothing_is_suggested_to_an_anonymous_visitor(client):
    from django.contrib.auth.models import AnonymousUser

    wanting("Open")
    assert first_projects_for(user=AnonymousUser()) == []
    assert home_suggestions(user=AnonymousUser()) is None
    page = client.get(reverse("portal:home")).content.decode()
    assert "Your first project" not in page


def test_the_home_page_shows_suggestions_to_a_signed_in_explorer(client):
    user = explorer(skills=["Kafka"])
    project = wanting("Event Bus", skills_wanted=["Kafka"])
    issue(repo(project), labels=["good first issue"], title="Document the retry settings")
    client.force_login(user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Your first project" in page
    assert "Event Bus" in page
    assert "Matches your skills: Kafka" in page
    assert "Document the retry settings" in page


def test_someone_without_a_profile_yet_counts_as_an_explorer(client):
    wanting("Event Bus")
    client.force_login(UserFactory())
    assert "Your first project" in client.get(reverse("portal:home")).content.decode()


FITS = "Projects that want help and fit what you know"
NO_PROFILE = "Add your skills and interests</a> to see the ones that fit what you know."
NONE_FITS = "None of the projects that want help matches"


@pytest.mark.parametrize(
    ("skills", "interests", "says", "reason"),
    [
        ((), (), NO_PROFILE, None),
        (("Cobol",), (), NONE_FITS, None),
        (("Kafka",), (), FITS, "Matches your skills: Kafka"),
        ((), ("kafka",), FITS, "Matches your interests: Kafka"),
    ],
)
def test_the_suggestions_say_they_fit_only_when_they_match_what_the_person_said(
    client, skills, interests, says, reason
):
    user = explorer(skills=skills, interests=interests)
    wanting("Event Bus", skills_wanted=["Kafka"])
    client.force_login(user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Event Bus" in page
    assert [text for text in (FITS, NO_PROFILE, NONE_FITS) if text in page] == [says]
    assert ("Matches your" in page) == (reason is not None)
    if reason:
        assert reason in page


def test_a_contributor_does_not_get_first_project_suggestions(client):
    user = explorer(stage=Stage.CONTRIBUTOR)
    wanting("Event Bus")
    client.force_login(user)
    assert home_suggestions(user=user) is None
    assert "Your first project" not in client.get(reverse("portal:home")).content.decode()


def _catalog(start, stop):
    for n in range(start, stop):
        project = wanting(f"Project {n:02d}", skills_wanted=["Kafka"], activity_score=n)
        project.topics.add(Topic.objects.get_or_create(name=f"topic {n % 4}")[0])
        project.languages.add(Language.objects.get_or_create(name="Python")[0])
        repository = repo(project)
        pull_request(repository, author=ForgeAccountFactory(), answered_after_hours=n + 1)
        issue(repository, labels=["good first issue"])
        issue(repository, labels=["help wanted"])


def test_the_suggestions_run_a_bounded_number_of_queries(django_assert_max_num_queries):
    user = explorer(skills=["Kafka"], interests=["topic 1"])
    _catalog(0, 3)
    fresh = type(user).objects.get  # a new user object per request, as a real request has
    with CaptureQueriesContext(connection) as few:
        first_projects_for(user=fresh(pk=user.pk))
    _catalog(3, 30)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as many:
        suggestions = first_projects_for(user=fresh(pk=user.pk), limit=5)
    assert len(suggestions) == 5
    assert all(s.good_first_issues for s in suggestions)
    assert len(many) == len(few)
