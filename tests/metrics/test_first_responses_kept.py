"""The first response kept on each issue and request, and a request's approval by another person
(metrics.daily.responses), follow every write that can change them, and stays equal to the first response computed from every comment and review row
(tests/metrics/raw_time_to_value.py): the sync's batches (a comment arriving in a later batch than its
request), single-row saves, a comment moved to another item, identities linked and unlinked in bulk, a
bot flag set by save and cleared in bulk, an account deleted, a user deleted, and the rebuild."""

from datetime import UTC, date, datetime, timedelta

import pytest

from catalog.models import Forge
from community.identity import email_address_verified
from metrics.daily import rebuild_daily_aggregates
from metrics.models import ForgeAccount, Issue, PullRequest
from metrics.selectors import first_responses
from metrics.services import activity_upsert
from metrics.sync.records import AccountRecord, ActivityBatch, CommentRecord, PullRequestRecord, ReviewRecord
from tests.activity import account, comment, issue, pr, repo, review
from tests.factories import UserFactory
from tests.metrics.raw_time_to_value import raw_first_responses

pytestmark = pytest.mark.django_db

ASKED = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
WHOLE = (date(2000, 1, 1), date(2027, 1, 1))


def kept(item) -> datetime | None:
    return type(item).objects.values_list("first_response_at", flat=True).get(pk=item.pk)


def approved(request) -> bool:
    return PullRequest.objects.values_list("approved_by_another", flat=True).get(pk=request.pk)


def assert_equal_to_every_row() -> None:
    start, end = WHOLE
    assert first_responses(projects=None, start=start, end=end) == raw_first_responses(
        projects=None, start=start, end=end
    )


def test_each_change_of_who_responded_moves_the_kept_first_response():
    repository = repo()
    alice, alice_too, bob = account("alice"), account("alice-work"), account("bob")
    bot = account("helper[bot]", bot=True)
    request = pr(repository, alice, ASKED)
    question = issue(repository, alice, ASKED)
    for item in (request, question):
        comment(alice, ASKED + timedelta(minutes=30), on=item)  # the author's own comment never counts
        comment(alice_too, ASKED + timedelta(hours=1), on=item)
        comment(bot, ASKED + timedelta(hours=2), on=item)
        comment(bob, ASKED + timedelta(hours=5), on=item)
    review(request, bob, None, state="pending")  # not submitted: no response
    review(request, alice_too, ASKED + timedelta(hours=8))  # an approval
    assert kept(request) == kept(question) == ASKED + timedelta(hours=1)
    assert approved(request)
    assert_equal_to_every_row()

    # Two accounts of one person (linked in bulk, as identity verification does): only Bob answered.
    person = UserFactory()
    ForgeAccount.objects.filter(pk__in=[alice.pk, alice_too.pk]).update(user=person)
    assert kept(request) == kept(question) == ASKED + timedelta(hours=5)
    assert not approved(request)  # approving one's own request is no approval
    assert_equal_to_every_row()

    # Bob found to be a bot (saved): nobody answered; cleared in bulk: he did again.
    bob.is_bot = True
    bob.save(update_fields=["is_bot"])
    assert kept(request) is None and kept(question) is None
    assert_equal_to_every_row()
    ForgeAccount.objects.filter(pk=bob.pk).update(is_bot=False)
    assert kept(request) == ASKED + timedelta(hours=5)
    assert_equal_to_every_row()

    # The person's user deleted: the two accounts are two people again.
    person.delete()
    assert kept(request) == kept(question) == ASKED + timedelta(hours=1)
    assert approved(request)
    assert_equal_to_every_row()

    # The second account deleted: its comments have no author, and answer nothing.
    alice_too.delete()
    assert kept(request) == kept(question) == ASKED + timedelta(hours=5)
    assert not approved(request)
    assert_equal_to_every_row()

    # A comment saved on its own answers at once; moved to another request, it answers that one.
    carl = account("carl")
    early = comment(carl, ASKED + timedelta(hours=3), on=request)
    assert kept(request) == ASKED + timedelta(hours=3)
    other = pr(repository, alice, ASKED)
    assert kept(other) is None
    early.pull_request = other
    early.save()
    assert kept(request) == ASKED + timedelta(hours=5)
    assert kept(other) == ASKED + timedelta(hours=3)
    # A submitted review answers too.
    review(request, carl, ASKED + timedelta(hours=4), state="commented")
    assert kept(request) == ASKED + timedelta(hours=4)
    assert_equal_to_every_row()


def test_a_verified_address_links_accounts_and_their_responses_follow():
    repository = repo(forge=Forge.GITLAB)
    dev = UserFactory()
    author = account("dev", user=dev, forge=Forge.GITLAB)
    other_self = account("dev-laptop", forge=Forge.GITLAB)
    ForgeAccount.objects.filter(pk=other_self.pk).update(email="dev@corp.example")
    question = issue(repository, author, ASKED)
    comment(other_self, ASKED + timedelta(hours=2), on=question)
    assert kept(question) == ASKED + timedelta(hours=2)
    assert email_address_verified(user=dev, email="dev@corp.example")
    assert kept(question) is None
    assert_equal_to_every_row()


def test_a_comment_in_a_later_batch_answers_a_request_written_before():
    repository = repo()
    ana, ben = AccountRecord(login="ana"), AccountRecord(login="ben")
    request = PullRequestRecord(
        forge_id=7, number=7, title="t", state="open", author=ana, created_at=ASKED, updated_at=ASKED
    )
    activity_upsert(repository=repository, batch=ActivityBatch(pull_requests=[request]))
    stored = PullRequest.objects.get(number=7)
    assert kept(stored) is None
    # GitHub brings a request's conversation comments through the issues API, with the request's number.
    said = CommentRecord(
        forge_id=1, kind="issue", author=ben, created_at=ASKED + timedelta(hours=6),
        updated_at=ASKED + timedelta(hours=6), issue_number=7,
    )  # fmt: skip
    activity_upsert(repository=repository, batch=ActivityBatch(comments=[said]))
    assert kept(stored) == ASKED + timedelta(hours=6)
    reviewed = ReviewRecord(
        pull_request_number=7,
        forge_id=2,
        author=ben,
        state="approved",
        submitted_at=ASKED + timedelta(hours=2),
    )
    activity_upsert(repository=repository, batch=ActivityBatch(reviews=[reviewed]))
    assert kept(stored) == ASKED + timedelta(hours=2)
    assert_equal_to_every_row()


def test_the_rebuild_repairs_first_responses_changed_past_the_services():
    repository = repo()
    request = pr(repository, account("ana"), ASKED)
    comment(account("ben"), ASKED + timedelta(hours=1), on=request)
    question = issue(repository, account("cid"), ASKED)
    comment(account("dee"), ASKED + timedelta(hours=2), on=question)
    # Written past every service and receiver (a restore, raw SQL).
    PullRequest.objects.filter(pk=request.pk).update(first_response_at=None)
    Issue.objects.filter(pk=question.pk).update(first_response_at=ASKED)
    rebuild_daily_aggregates()
    assert kept(request) == ASKED + timedelta(hours=1)
    assert kept(question) == ASKED + timedelta(hours=2)
