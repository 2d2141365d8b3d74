"""Notifications: on the site always, by e-mail to addresses a mail server could deliver."""

import pytest
from django.core import mail

from catalog.models import Notification
from catalog.notifications import deliverable, notification_send, notifications_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("ada@example.com", True),
        ("ada@corp.acme.com", True),
        ("dev@acme.example", False),
        ("x@host.EXAMPLE", False),
        ("x@a.invalid", False),
        ("x@box.test", False),
        ("x@localhost", True),  # a local mail server may well deliver to it
        ("x@app.localhost", False),
        ("", False),
    ],
)
def test_reserved_example_and_test_domains_are_not_deliverable(address, expected):
    assert deliverable(address) is expected


def test_a_person_at_a_reserved_domain_is_told_on_the_site_only(django_capture_on_commit_callbacks):
    real, fictional = UserFactory(email="ada@example.com"), UserFactory(email="demo@acme.example")

    with django_capture_on_commit_callbacks(execute=True):
        notification_send(user=fictional, message="Your project was approved.")
        notifications_send(users=[real, fictional], message="You earned a badge.")

    assert Notification.objects.filter(user=fictional).count() == 2
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_a_long_message_makes_a_subject_cut_after_a_whole_word(django_capture_on_commit_callbacks):
    person = UserFactory(email="ada@example.com")
    message = (
        "The catalog's assets your projects use: EKS Cluster Module: deprecated, 2 releases behind, "
        "2.5.0 → 3.1.0 (used by Agent Desktop Widgets), and 2 more"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(user=person, message=message)
        notification_send(user=person, message="Your project was approved.")

    long, short = (sent.subject for sent in mail.outbox)
    assert long == (
        "[InnerSource Portal] The catalog's assets your projects use: EKS Cluster Module: deprecated, "
        "2 releases behind, 2.5.0 → 3.1.0 (used by…"
    )
    assert short == "[InnerSource Portal] Your project was approved."
    assert Notification.objects.get(user=person, message=message), "the site keeps the whole message"
