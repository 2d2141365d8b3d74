"""An explorer signs up, accepts the rules, gets a first project suggested, joins its community, and the
journey page then says that only a merged contribution is missing for Contributor."""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Topic
from catalog.search_index import entries_rebuild
from community.models import Membership, Practitioner, RulesAcceptance, RulesVersion, Stage
from tests.factories import BusinessUnitFactory, ProjectFactory

EMAIL = "kim.streams@example.com"
SIGNUP_PASSWORD = "Exactly-once, at least twice"


def test_an_explorer_signs_up_accepts_the_rules_joins_a_suggested_community_and_sees_what_is_left(
    page, live_server, transactional_db, axe
):
    base = live_server.url
    # Version 1 comes from a data migration, but transactional tests flush the tables between tests.
    RulesVersion.objects.get_or_create(
        version=1,
        defaults={
            "title": "Rules of engagement",
            "body": "Be kind. Open an issue before a large change.",
            "published_at": timezone.now() - timedelta(days=1),
        },
    )
    assert RulesVersion.current().version == 1  # a newer version would make "v1 accepted" below wrong
    data_platform = BusinessUnitFactory(name="Data Platform", slug="data-platform")
    streams = ProjectFactory(
        name="Kafka Streams Starter",
        description="Templates and examples for stream processing on the shared Kafka clusters.",
        business_unit=data_platform,
        activity_score=20,
        skills_wanted=["Kafka"],
        contributions_wanted="Examples of exactly-once processing.",
    )
    streams.topics.add(Topic.objects.get_or_create(name="kafka")[0])
    # Busier and also asking for help, but about nothing the explorer cares for: only the match of
    # interests can put Kafka Streams Starter above it.
    ledger = ProjectFactory(
        name="Payments Ledger",
        description="Double-entry bookkeeping service for card and bank payments.",
        business_unit=BusinessUnitFactory(name="Payments", slug="payments"),
        activity_score=90,
        skills_wanted=["Go"],
        contributions_wanted="Reconciliation reports.",
    )
    entries_rebuild(project_ids=[streams.pk, ledger.pk])

    # Sign up.
    page.goto(f"{base}/accounts/signup/")
    # Every field is required, and its label says so to a screen reader too ("Password (required)").
    page.get_by_role("textbox", name="Email (required)", exact=True).fill(EMAIL)
    page.get_by_role("textbox", name="First name (required)", exact=True).fill("Kim")
    page.get_by_role("textbox", name="Last name (required)", exact=True).fill("Streams")
    page.get_by_label(re.compile(r"^Password \*? ?\(required\)$")).fill(SIGNUP_PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(SIGNUP_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    # The address is confirmed first (so that sign-up never tells whether an address has an account);
    # following the mailed link in the same browser signs the person in.
    expect(page).to_have_url(f"{base}/accounts/confirm-email/")
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(f"{base}{link}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("summary.nav__account")).to_have_text("Kim")
    expect(page).to_have_url(f"{base}/")
    user = get_user_model().objects.get(email=EMAIL)
    assert (user.first_name, user.last_name) == ("Kim", "Streams")

    # Say what interests them, on the profile form.
    page.goto(f"{base}/practitioners/me/edit/")
    expect(page.get_by_role("textbox", name=re.compile(r"^Name\b"))).to_have_value("Kim Streams")
    page.get_by_label("Interests").fill("kafka")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message--success")).to_have_text("Your profile is saved.")
    expect(page).to_have_url(f"{base}/practitioners/{user.username}/")
    assert Practitioner.objects.get(user=user).interests == ["kafka"]
    expect(page.locator("h1")).to_have_text("Kim Streams")
    axe(page, "the explorer's own profile page, with its flash message")

    # Accept the rules of engagement.
    page.goto(f"{base}/rules/")
    expect(page.locator("h1")).to_have_text("Rules of engagement")
    accept = page.get_by_role("button", name="I accept the rules of engagement")
    expect(accept).to_be_visible()
    axe(page, "/rules/ before accepting")
    accept.click()
    expect(page.locator(".message--success")).to_have_text("Thank you for accepting the rules of engagement.")
    agreement = page.get_by_role("region", name="Your agreement")
    expect(agreement.locator(".badge--ok")).to_have_text("Accepted")
    expect(agreement).to_contain_text("You accepted version 1 on")
    expect(accept).to_have_count(0)
    assert RulesAcceptance.objects.filter(user=user, rules__version=1).exists()

    # The home page suggests a first project, and says why.
    page.goto(f"{base}/")
    suggestions = page.get_by_role("region", name="Your first project")
    expect(suggestions.locator(".card__title")).to_have_text(["Kafka Streams Starter", "Payments Ledger"])
    expect(
        suggestions.get_by_role("list", name="Why we suggest Kafka Streams Starter").get_by_role("listitem")
    ).to_have_text(["Matches your interests: Kafka"])
    expect(
        suggestions.get_by_role("list", name="Why we suggest Payments Ledger").get_by_role("listitem")
    ).to_have_text(["Is looking for contributors"])

    # Follow it and join the community.
    suggestions.get_by_role("link", name="Kafka Streams Starter").click()
    expect(page).to_have_url(f"{base}/catalog/kafka-streams-starter/")
    expect(page.locator("h1")).to_have_text("Kafka Streams Starter")
    page.get_by_role("button", name="Join the community").click()
    expect(page.locator(".message--success")).to_have_text("Welcome to the Kafka Streams Starter community!")
    expect(page).to_have_url(f"{base}/catalog/kafka-streams-starter/")
    expect(page.get_by_role("button", name="Leave the community")).to_be_visible()
    assert Membership.objects.filter(user=user, project=streams, left_at__isnull=True).count() == 1

    # The journey page: still an Explorer, and only the merged contribution is missing for Contributor.
    page.goto(f"{base}/journey/")
    expect(page.locator("h1")).to_have_text("Your InnerSource journey")
    expect(page.get_by_role("heading", name="Where you stand: Explorer")).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_have_text("Explorer (your stage)")
    next_stage = page.get_by_role("region", name="Next stage: Contributor")
    expect(next_stage.get_by_role("img", name="2 of 3 done")).to_be_attached()
    expect(next_stage.get_by_role("list", name="What it takes")).to_match_aria_snapshot(
        """
        - list "What it takes":
          - /children: equal
          - listitem:
            - text: "Missing: 0 of 1 merged contribution to a catalog project ·"
            - link "find a first project"
            - text: ·
            - link "link your GitHub or GitLab account"
            - text: Your merged requests count once the portal knows your account on the forge (or the e-mail address of your commits).
          - listitem: "Done: 1 of 1 community joined"
          - listitem: "Done: Rules of engagement v1 accepted"
        """
    )
    expect(page.get_by_text("are waiting for you")).to_have_count(0)
    expect(page.get_by_role("region", name="Rules of engagement")).to_contain_text(
        "You accepted version 1. Thank you."
    )
    assert Practitioner.objects.get(user=user).stage == Stage.EXPLORER
    axe(page, "/journey/")
