"""The invented organisation that `manage.py seed_demo` builds: Acme Group, its units, people and projects.

Everything here is fiction written for the demo. The command draws from these lists with a fixed random
seed, so keep the order of every list stable: reordering changes the generated data.
"""

import re
from typing import NamedTuple

from django.utils.text import slugify


class UnitSpec(NamedTuple):
    slug: str
    name: str
    repo_owner: str  # the organisation or group on the forges, e.g. github.acme.example/payments
    teams: tuple[str, ...]
    products: tuple[str, ...]


class ProjectSpec(NamedTuple):
    name: str
    unit: str  # UnitSpec.slug
    description: str
    motivation: str
    topics: str  # space-separated names from TOPICS
    languages: str  # space-separated names from LANGUAGES
    assets: tuple[str, ...]  # "kind:Name", kind being a catalog.models.AssetKind value


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(
        "payments",
        "Payments",
        "payments",
        ("Payments Core", "Card Issuing", "Payment Gateway", "Settlement & Clearing", "Instant Payments"),
        ("Acme Pay", "Card Platform", "Merchant Gateway", "SEPA Hub", "Payouts API"),
    ),
    UnitSpec(
        "retail-banking",
        "Retail Banking",
        "retail",
        ("Accounts & Savings", "Lending Journeys", "Branch Systems", "Digital Onboarding", "Mortgages"),
        ("Online Banking", "Loan Origination", "Branch Desktop", "Account Opening", "Mortgage Advisor"),
    ),
    UnitSpec(
        "data-platform",
        "Data Platform",
        "data",
        ("Data Engineering", "Streaming Platform", "Analytics Engineering", "ML Platform", "Data Governance"),
        ("Lakehouse", "Event Hub", "Metrics Store", "Feature Store", "Data Catalog"),
    ),
    UnitSpec(
        "cloud-infrastructure",
        "Cloud Infrastructure",
        "cloud",
        ("Platform Engineering", "Site Reliability", "Networking", "Developer Experience", "Cloud Security"),
        ("Landing Zone", "Kubernetes Platform", "CI/CD Platform", "Observability Stack", "Secrets Service"),
    ),
    UnitSpec(
        "mobile",
        "Mobile",
        "mobile",
        ("iOS Core", "Android Core", "Mobile Platform", "App Growth", "Wallet App"),
        ("Acme Mobile Banking", "Acme Wallet", "Business App", "Card Controls", "Mobile Onboarding"),
    ),
    UnitSpec(
        "risk-compliance",
        "Risk & Compliance",
        "risk",
        (
            "Fraud Analytics",
            "AML Engineering",
            "Regulatory Reporting",
            "Credit Risk Models",
            "Privacy Engineering",
        ),
        ("Fraud Shield", "AML Monitor", "RegReport", "Credit Decisioning", "Consent Manager"),
    ),
    UnitSpec(
        "customer-experience",
        "Customer Experience",
        "cx",
        ("Web Frontend", "Design System", "Contact Centre", "Personalisation", "Customer Insights"),
        ("Public Website", "Customer Portal", "Agent Desktop", "Chat Assistant", "Customer 360"),
    ),
    UnitSpec(
        "corporate-it",
        "Corporate IT",
        "corp-it",
        (
            "Identity & Access",
            "Workplace Engineering",
            "Finance Systems",
            "HR Systems",
            "InnerSource Program Office",
        ),
        ("Employee Portal", "SSO Gateway", "Expense Tool", "HR Hub", "Service Desk"),
    ),
)

TOPICS: tuple[str, ...] = (
    "kafka", "streaming", "event-driven", "payments", "iso20022", "open-banking", "lending", "authentication",
    "oauth", "openid-connect", "security", "observability", "opentelemetry", "logging", "terraform", "aws",
    "kubernetes", "helm", "ci-cd", "containers", "feature-flags", "react", "design-system", "accessibility",
    "ios", "android", "mobile", "machine-learning", "fraud-detection", "data-quality", "data-catalog", "etl",
    "spark", "dbt", "analytics", "reporting", "gdpr", "pii", "compliance", "api", "graphql", "sdk", "testing",
    "caching", "documentation", "innersource",
)  # fmt: skip

LANGUAGES: tuple[str, ...] = (
    "Python",
    "Java",
    "Go",
    "TypeScript",
    "Kotlin",
    "Swift",
    "Scala",
    "Rust",
    "HCL",
    "SQL",
)

# What a project asks contributors for, by topic: the first matches become its skills_wanted.
TOPIC_SKILLS: dict[str, str] = {
    "kafka": "Kafka",
    "streaming": "Stream processing",
    "terraform": "Terraform",
    "kubernetes": "Kubernetes",
    "react": "React",
    "accessibility": "Accessibility testing",
    "machine-learning": "Machine learning",
    "observability": "OpenTelemetry",
    "security": "Threat modelling",
    "oauth": "OAuth 2.0",
    "ios": "SwiftUI",
    "android": "Jetpack Compose",
    "spark": "Spark",
    "dbt": "dbt",
    "data-quality": "Data modelling",
    "api": "API design",
    "testing": "Test automation",
    "documentation": "Technical writing",
    "ci-cd": "CI/CD pipelines",
    "gdpr": "Privacy engineering",
}

CONTRIBUTION_ASKS: tuple[str, ...] = (
    "examples for common use cases",
    "a friendlier getting-started guide",
    "test coverage for the edge cases in our issue list",
    "support for the next LTS runtime",
    "performance benchmarks",
    "a migration guide from the legacy solution",
    "reviews of open pull requests",
    "triaging incoming issues",
    "better error messages",
    "metrics and tracing",
    "documentation of the configuration options",
    "upgrading our dependencies",
)

CONTRIBUTIONS_WANTED = (
    "We would welcome help with {first} and {second}. Look for issues labelled “good first issue”, "
    "or say hello in #{channel} before starting something bigger."
)

FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Aleksander", "Amara", "Anders", "Ana", "Arjun", "Beatriz", "Ben", "Camille", "Carlos", "Chen",
    "Chiara", "Daniel", "Deepa", "Elena", "Emeka", "Emma", "Fatima", "Felix", "Freya", "Gabriel", "Hana",
    "Hugo", "Ines", "Isaac", "Jakub", "James", "Jana", "Jonas", "Julia", "Kai", "Kenji", "Laila", "Lars",
    "Leila", "Liam", "Lucia", "Mateo", "Maya", "Mei", "Mohammed", "Nadia", "Nikolai", "Noah", "Olga",
    "Omar", "Paula", "Pedro", "Quinn", "Rafael", "Rania", "Rosa", "Sami", "Sara", "Sofia", "Tariq", "Thomas",
    "Tomasz", "Uma", "Valentina", "Victor", "Yara", "Yusuf", "Zoe",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Abbott", "Adeyemi", "Almeida", "Andersen", "Bauer", "Becker", "Bianchi", "Brennan", "Castillo", "Chowdhury",
    "Costa", "Dubois", "Eklund", "Fischer", "Garcia", "Haddad", "Hansen", "Ito", "Jansen", "Kaur", "Kowalski",
    "Laine", "Larsen", "Lindqvist", "Lopez", "Mahler", "Marino", "Mensah", "Moreau", "Nakamura", "Novak",
    "Nowak", "Okafor", "Olsen", "Patel", "Petrov", "Quinlan", "Rahman", "Reyes", "Richter", "Rossi", "Santos",
    "Schmidt", "Silva", "Sorensen", "Tanaka", "Varga", "Vogel", "Wagner", "Walsh", "Weber", "Wong", "Yilmaz",
    "Zhang",
)  # fmt: skip

JOB_TITLES: tuple[str, ...] = (
    "Software engineer",
    "Senior software engineer",
    "Staff engineer",
    "Backend engineer",
    "Frontend engineer",
    "Data engineer",
    "Site reliability engineer",
    "Product owner",
    "Engineering manager",
    "Solution architect",
    "QA engineer",
    "Security engineer",
)

BIO_ENDINGS: tuple[str, ...] = (
    "Happy to pair on anything JVM.",
    "Cares about good docs and fast builds.",
    "Reviews pull requests on Fridays.",
    "Ask me about our team's CI setup.",
    "Interested in event-driven design.",
    "Runs the internal testing guild.",
    "Enjoys untangling legacy code.",
    "Keen on accessibility and plain language.",
    "Moved here from the contact centre team.",
    "Likes small, well-named libraries.",
    "Maintains the team's on-call runbooks.",
    "Learning Rust in the evenings.",
)


class KnownAccount(NamedTuple):
    username: str  # also the e-mail's local part
    first_name: str
    last_name: str
    password: str
    unit: str
    team: str
    kind: str  # "superuser", "office" (program office staff) or "practitioner"
    bio: str


# The three accounts the command prints, to log in with e-mail and password.
KNOWN_ACCOUNTS: tuple[KnownAccount, ...] = (
    KnownAccount("admin", "Morgan", "Avery", "demo-admin", "corporate-it", "Identity & Access", "superuser",
                 "Runs the portal and the identity platform behind it."),
    KnownAccount("office", "Priya", "Okonkwo", "demo-office", "corporate-it", "InnerSource Program Office", "office",
                 "Leads the InnerSource Program Office: ask me how to get your project listed."),
    KnownAccount("dev", "Dana", "Eriksen", "demo-dev", "payments", "Payments Core", "practitioner",
                 "Backend engineer in Payments Core; maintains the Ledger Events SDK."),
)  # fmt: skip

# Review queue content: three waiting registrations and one sent back with a reason.
PENDING_PROJECTS: tuple[str, ...] = (
    "Event Replay Service",
    "Expense Receipts OCR",
    "Branch Appointment Booking",
)
CHANGES_REQUESTED: dict[str, str] = {
    "Credit Risk Model Library": (
        "Thanks for registering! Before we list it, please say in the description which teams may reuse "
        "the models, add a chat channel, and confirm the licence: model code under Apache-2.0 needs a "
        "sign-off from Model Risk."
    ),
}
FEATURED_PROJECTS: tuple[str, ...] = (
    "Ledger Events SDK",
    "Kafka Connect Toolkit",
    "Terraform Modules for AWS",
    "Design Tokens",
    "Feature Flag Service",
    "Authentication Gateway",
    "Observability Starter",
    "PII Scanner",
)
LIFECYCLE_OVERRIDES: dict[str, str] = {
    "Mobile Crash Triage Bot": "deprecated",
    "Developer Laptop Setup": "deprecated",
    "Payments Test Harness": "archived",
    "Cost Explorer Reports": "archived",
}
PROPRIETARY_PROJECTS: tuple[str, ...] = (
    "Customer 360 Dataset",
    "Fraud Scoring Model",
    "Card Tokenisation Service",
    "AML Rules Engine",
    "Regulatory Reporting Framework",
)
DEV_PROJECTS: tuple[str, ...] = ("Ledger Events SDK", "Payment Status Webhooks")

# The repository whose last sync failed, so that the sync error display has something to show.
BROKEN_REPOSITORY = (
    "AML Rules Engine",
    "old-rules-engine",
    "GitHub answered 404 Not Found for /repos/risk/old-rules-engine",
)

# Extra repositories: suffix of the repository name and its description.
SECOND_REPOSITORIES: tuple[tuple[str, str], ...] = (
    ("-examples", "Runnable examples for {name}."),
    ("-docs", "Documentation site sources for {name}."),
    ("-infra", "Deployment and infrastructure code for {name}."),
    ("-benchmarks", "Load tests and benchmarks for {name}."),
)

FORGE_URLS: dict[str, str] = {
    "github": "https://github.acme.example/{owner}/{name}",
    "gitlab": "https://gitlab.acme.example/{owner}/{name}",
    "git": "https://git.acme.example/scm/{owner}/{name}",
}

# How likely a repository is to have each readiness file (GOOD_FIRST_ISSUE is a label, not a file).
FILE_ODDS: dict[str, float] = {
    "README": 0.97, "CONTRIBUTING": 0.7, "COMMUNICATION": 0.4, "CODE_OF_CONDUCT": 0.45, "LICENSE": 0.85,
    "CODEOWNERS": 0.6, "ISSUE_TEMPLATE": 0.5, "PULL_REQUEST_TEMPLATE": 0.5,
}  # fmt: skip

# By lifecycle: how many days ago the repositories were last updated, and how busy they are (0 to 1).
ACTIVITY: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "proposed": ((0, 14), (0.1, 0.5)),
    "incubating": ((0, 14), (0.2, 0.8)),
    "active": ((0, 10), (0.35, 1.0)),
    "maintained": ((3, 75), (0.15, 0.6)),
    "deprecated": ((150, 400), (0.03, 0.08)),
    "archived": ((300, 700), (0.01, 0.04)),
}

PACKAGE_REGISTRIES: dict[str, str] = {
    "Java": "maven", "Kotlin": "maven", "Scala": "maven", "Python": "pypi", "TypeScript": "npm",
    "Go": "go", "Swift": "swift", "Rust": "cargo", "HCL": "terraform", "SQL": "dbt",
}  # fmt: skip
KIND_PATHS: dict[str, str] = {
    "service": "apis", "template": "templates", "tool": "tools", "dataset": "datasets",
    "model": "models", "documentation": "docs", "pipeline": "pipelines",
}  # fmt: skip
# Words in an asset's name that say which of the project's languages it is written in: a word → the
# languages it hints at, the first its project has winning ("for JVM" is Java, or Kotlin in a project
# without Java).
LANGUAGE_HINTS: dict[str, tuple[str, ...]] = {
    "ios": ("Swift",), "swiftui": ("Swift",), "android": ("Kotlin",), "compose": ("Kotlin",),
    "jvm": ("Java", "Kotlin"), "spring": ("Java",), "web": ("TypeScript",), "node": ("TypeScript",),
    "js": ("TypeScript",), "react": ("TypeScript",),
}  # fmt: skip


def asset_slug(name: str) -> str:
    # "@acme/ui-react" and "pacs.008 Validator CLI" keep their word breaks in the slug.
    return slugify(re.sub(r"[@/.]", " ", name))


def asset_languages(name: str, languages: list[str]) -> list[str]:
    """The project's languages that an asset's name mentions or hints at ("for iOS" means Swift)."""
    words = sorted(set(re.findall(r"[a-z]+", name.lower())))
    named = [language for language in languages if language.lower() in words]
    hinted = [
        next(hint for hint in LANGUAGE_HINTS[word] if hint in languages)
        for word in words
        if any(hint in languages for hint in LANGUAGE_HINTS.get(word, ()))
    ]
    return list(dict.fromkeys(named + hinted))


def asset_url(kind: str, slug: str, project_slug: str, language: str) -> str:
    """Libraries live in the registry of their language; everything else under its project."""
    if kind == "library":
        return f"https://packages.acme.example/{PACKAGE_REGISTRIES[language]}/{slug}"
    return f"https://packages.acme.example/{KIND_PATHS[kind]}/{project_slug}/{slug}"


def asset_package_url(kind: str, name: str, slug: str, project_slug: str, language: str) -> str:
    """A library's package coordinates (a Package URL, see catalog/packages.py) in its language's
    registry; "" for other assets and registries without an install snippet."""
    if kind != "library":
        return ""
    registry = PACKAGE_REGISTRIES[language]
    if registry == "npm":
        scoped = name if name.startswith("@acme/") else f"@acme/{slug}"
        return f"pkg:npm/%40acme/{scoped.removeprefix('@acme/')}"
    return {
        "maven": f"pkg:maven/com.acme/{slug}",
        "pypi": f"pkg:pypi/acme-{slug}",
        "go": f"pkg:golang/git.acme.example/{project_slug}/{slug}",
        "terraform": f"pkg:terraform/acme/{slug}/aws",
    }.get(registry, "")


# The assets most teams use, most popular first; the rest of the adoptions follow a long tail.
POPULAR_ASSETS: tuple[str, ...] = (
    "OTel Java Starter", "VPC Module", "@acme/design-tokens", "OAuth Client for Java", "SSO Gateway",
    "Java Service Pipeline", "Flags SDK for JVM", "Ledger Events SDK for Java", "@acme/ui-react",
    "Connect Worker Image",
)  # fmt: skip

# What an asset says it is: what its project does ({what}, the project's description), after its name or
# not. Two assets then mean alike when their projects do the same job, never because they share a template's
# words (the radar of re-built wheels compares meanings).
ASSET_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    kind: ("{what}", "{asset}: {what}")
    for kind in ("library", "service", "template", "tool", "dataset", "model", "documentation", "pipeline")
}
