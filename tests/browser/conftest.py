"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked `browser`. Without chromium the tests are skipped, except on CI
(the CI environment variable is set), where a missing browser is a failure rather than a silent skip.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from tests.factories import UserFactory

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _unavailable(reason: str) -> None:
    """Skip locally; on CI a missing tool is an error, so that the browser suite cannot vanish unnoticed."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    marker = pytest.mark.browser
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(marker)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium (never a downloaded browser), headless, without background network chatter."""
    executable = shutil.which("chromium")
    if not executable:
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "en-GB"}


@pytest.fixture(autouse=True)
def _page_timeouts(request):
    """Fail fast: the portal answers locally in milliseconds, so 5 s of waiting means something is wrong."""
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        page.set_default_timeout(5_000)
        page.set_default_navigation_timeout(10_000)


# --- accessibility -------------------------------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.0/2.1 A and AA violations that axe-core finds on the current page."""
    if not AXE_JS.exists():
        _unavailable(f"axe-core is missing at {AXE_JS} (run `npm ci` in {ROOT})")
    # Evaluated through the DevTools protocol: an inline <script> tag would be refused by the portal's CSP.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v.get("impact") in {"serious", "critical"}]


def format_violations(violations: list[dict], where: str = "") -> str:
    lines = [
        f"{len(violations)} serious/critical accessibility violation(s){' on ' + where if where else ''}:"
    ]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    target: {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """No serious or critical violation in the light colour scheme nor in the dark one (the page is left
    light, Playwright's default)."""
    failures = []
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        violations = axe_violations(page)
        if violations:
            failures.append(format_violations(violations, f"{where or page.url}, {scheme}"))
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def axe():
    """`axe(page, where)` fails the test with rule id, impact and targets of each serious or critical violation,
    in light and in dark."""
    return assert_accessible


# --- people ------------------------------------------------------------------------------------------------------


def make_person(username: str, *, program_office: bool = False, **fields):
    """A user who can sign in with the real login page (e-mail + PASSWORD)."""
    from allauth.account.models import EmailAddress

    user = UserFactory(username=username, **fields)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if program_office:
        # The group comes from a data migration, but transactional tests flush the tables between tests.
        group, _ = Group.objects.get_or_create(name=settings.PROGRAM_OFFICE_GROUP)
        user.groups.add(group)
    return user


def sign_in(page, live_server, user, *, next_path: str = "") -> None:
    """Sign in through /accounts/login/ as a person would, and check that it worked."""
    url = f"{live_server.url}/accounts/login/"
    if next_path:
        url += f"?next={next_path}"
    page.goto(url)
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"login failed for {user.email}: still on {page.url}"
    # The top bar then has the person's menu (My projects, My journey, ..., Sign out).
    page.locator("summary.nav__account").wait_for(state="attached")


@pytest.fixture
def person(transactional_db):
    return make_person


@pytest.fixture
def login(live_server):
    def _login(page, user, next_path: str = ""):
        sign_in(page, live_server, user, next_path=next_path)

    return _login


# --- catalog data ------------------------------------------------------------------------------------------------


@pytest.fixture
def kafka_catalog(transactional_db):
    """Two Kafka projects (one with two assets), a payments project with an asset, all listed and indexed.

    Kafka Connect Toolkit is featured and the most active, and its description mentions a schema registry
    client: so only the exact-name rule can put "Kafka Schema Registry Client" above it for that query.
    """
    from catalog.models import AssetKind, Forge, Repository
    from catalog.search_index import entries_rebuild
    from tests.factories import AdoptionFactory, AssetFactory, BusinessUnitFactory, ProjectFactory

    data_platform = BusinessUnitFactory(name="Data Platform", slug="data-platform")
    payments = BusinessUnitFactory(name="Payments", slug="payments")
    toolkit = ProjectFactory(
        name="Kafka Connect Toolkit",
        description="Kafka Connect connectors, with a schema registry client built in, for every team.",
        business_unit=data_platform,
        featured=True,
        activity_score=80,
        contributions_wanted="Connectors for more databases.",
        # What a synced project shows in its side column: long labels, long values, long URLs.
        activity_score_explanation=[
            {"label": "Base activity", "value": "50 + 95 forks × 5 + 17 watchers + 282 stars ÷ 3 = 636"},
            {
                "label": "Commit participation multiplier",
                "value": "18.8 commits a week on average over the last 13 weeks: × 1.1429 (8/7 at 10 or more)",
            },
            {"label": "Score", "value": "round(726.9 − 50) = 677"},
        ],
        communication_url="https://chat.example.com/channels/kafka-connect-toolkit-contributors",
        docs_url="https://docs.example.com/data-platform/kafka-connect-toolkit/",
    )
    Repository.objects.create(
        project=toolkit,
        forge=Forge.GITHUB,
        url="https://github.example.com/data-platform/kafka-connect-toolkit",
    )
    registry = ProjectFactory(
        name="Kafka Schema Registry Client",
        description="A typed client for the company's schema registry.",
        business_unit=data_platform,
        activity_score=40,
    )
    ledger = ProjectFactory(
        name="Payments Ledger",
        description="Double-entry bookkeeping service for card and bank payments.",
        business_unit=payments,
        activity_score=60,
    )
    sink = AssetFactory(
        project=toolkit,
        name="Kafka JDBC Sink Connector",
        description="Streams topics into any JDBC database.",
    )
    reconciliation = AssetFactory(
        project=ledger,
        name="Ledger Reconciliation Job",
        description="Nightly job that matches ledger entries with bank statements.",
    )
    AssetFactory(
        project=toolkit,
        name="Event Hub Connector Guide",
        kind=AssetKind.DOCUMENTATION,
        description="How to run connectors on the shared event hub.",
    )
    accounts = BusinessUnitFactory(name="Accounts & Savings", slug="accounts-savings")
    AdoptionFactory(
        asset=sink, business_unit=accounts, team="Retail Onboarding", product="Mobile Banking App"
    )
    AdoptionFactory(asset=sink, business_unit=payments, team="Card Disputes", product="Chargeback Console")
    entries_rebuild(project_ids=[toolkit.pk, registry.pk, ledger.pk])
    return {
        "toolkit": toolkit,
        "registry": registry,
        "ledger": ledger,
        "sink": sink,
        "reconciliation": reconciliation,
    }


@pytest.fixture(autouse=True)
def _keep_the_data_migrations(django_db_serialized_rollback):
    """Live-server tests empty every table when they end; restoring the serialized database keeps what
    the data migrations wrote (the program office group, badges, rules, the library) for later tests."""
