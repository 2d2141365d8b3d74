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
# Words in an asset's name that say which of the project's languages it is written in.
LANGUAGE_HINTS: dict[str, str] = {
    "ios": "Swift", "swiftui": "Swift", "android": "Kotlin", "compose": "Kotlin", "jvm": "Java",
    "spring": "Java", "web": "TypeScript", "node": "TypeScript", "js": "TypeScript", "react": "TypeScript",
}  # fmt: skip


def asset_slug(name: str) -> str:
    # "@acme/ui-react" and "pacs.008 Validator CLI" keep their word breaks in the slug.
    return slugify(re.sub(r"[@/.]", " ", name))


def asset_languages(name: str, languages: list[str]) -> list[str]:
    """The project's languages that an asset's name mentions or hints at ("for iOS" means Swift)."""
    words = sorted(set(re.findall(r"[a-z]+", name.lower())))
    named = [language for language in languages if language.lower() in words]
    hinted = [LANGUAGE_HINTS[word] for word in words if LANGUAGE_HINTS.get(word) in languages]
    return list(dict.fromkeys(named + hinted))


def asset_url(kind: str, slug: str, project_slug: str, language: str) -> str:
    """Libraries live in the registry of their language; everything else under its project."""
    if kind == "library":
        return f"https://packages.acme.example/{PACKAGE_REGISTRIES[language]}/{slug}"
    return f"https://packages.acme.example/{KIND_PATHS[kind]}/{project_slug}/{slug}"


# The assets most teams use, most popular first; the rest of the adoptions follow a long tail.
POPULAR_ASSETS: tuple[str, ...] = (
    "OTel Java Starter", "VPC Module", "@acme/design-tokens", "OAuth Client for Java", "SSO Gateway",
    "Java Service Pipeline", "Flags SDK for JVM", "Ledger Events SDK for Java", "@acme/ui-react",
    "Connect Worker Image",
)  # fmt: skip

ASSET_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "library": (
        "{asset}: the reusable library of {project}, published to the internal package registry.",
        "Add {asset} as a dependency to get {project} without writing the plumbing yourself.",
    ),
    "service": (
        "{asset}: a shared, monitored endpoint run by the {project} team with a published SLO.",
        "Call {asset} instead of running your own copy; onboarding takes a merge request.",
    ),
    "template": (
        "{asset}: a starting point that encodes what {project} learned, ready to copy and adapt.",
        "Generate a new component from {asset} and stay close to the golden path.",
    ),
    "tool": (
        "{asset}: a command-line tool from {project} for day-to-day engineering work.",
        "Install {asset} from the internal registry; it runs locally and in CI.",
    ),
    "dataset": (
        "{asset}: a documented dataset from {project}, with owners, refresh schedule and access rules.",
        "Query {asset} in the lakehouse; the data dictionary explains every column.",
    ),
    "model": (
        "{asset}: a trained and validated model from {project}, with its model card and monitoring.",
        "Score with {asset} through the model registry; validation reports are linked from the card.",
    ),
    "documentation": (
        "{asset}: the guide the {project} maintainers keep up to date.",
        "Read {asset} before integrating with {project}.",
    ),
    "pipeline": (
        "{asset}: a scheduled pipeline from {project} that other teams can plug into.",
        "Reuse {asset} by adding your job to its configuration.",
    ),
}

P = ProjectSpec
PROJECTS: tuple[ProjectSpec, ...] = (
    # Payments
    P("Ledger Events SDK", "payments",
      "Java and Kotlin client for publishing and consuming ledger events on the payments Kafka backbone.",
      "Every team that touched the ledger wrote its own Avro serialisers and retry logic, and each got "
      "idempotency slightly wrong. One SDK gives exactly-once posting semantics and schema checks for free.",
      "kafka payments event-driven sdk", "Java Kotlin",
      ("library:Ledger Events SDK for Java", "library:Ledger Events SDK for Kotlin",
       "documentation:Ledger Event Schemas")),
    P("Payment Status Webhooks", "payments",
      "A service that turns payment state changes into signed webhooks for internal and partner consumers.",
      "Polling the payment engine for status was the largest source of load on it. Signed webhooks with "
      "retries let consumers react in seconds without hammering the core.",
      "payments api event-driven security", "Go",
      ("service:Payment Status Webhooks API", "library:Webhook Signature Verifier",
       "documentation:Webhook Event Catalogue")),
    P("ISO 20022 Message Toolkit", "payments",
      "Parsers, builders and validators for ISO 20022 pain, pacs and camt messages.",
      "The ISO 20022 migration touches every payment flow. This toolkit keeps teams from implementing "
      "the same XML schemas four different ways.",
      "payments iso20022 sdk testing", "Java Scala",
      ("library:ISO 20022 Java Bindings", "tool:pacs.008 Validator CLI", "dataset:ISO 20022 Sample Messages")),
    P("Card Tokenisation Service", "payments",
      "Replaces card numbers with format-preserving tokens so that systems outside the PCI zone never see a PAN.",
      "Shrinking the PCI scope saves every team months of audit work. One tokenisation service, run by "
      "people who know the standard, is cheaper and safer than many.",
      "payments security pii api", "Java",
      ("service:Tokenisation API", "library:Token Client for Java")),
    P("Idempotency Keys Library", "payments",
      "Drop-in idempotency key handling for HTTP APIs backed by PostgreSQL or Redis.",
      "Duplicate payments after client retries were our most expensive incident class in 2024. The "
      "library makes the safe behaviour the default.",
      "api payments caching", "Java Go",
      ("library:Idempotency Keys for Spring", "library:Idempotency Keys for Go")),
    P("Merchant Onboarding Forms", "payments",
      "Configurable, accessible React forms for merchant KYC onboarding.",
      "Three channels onboard merchants and each built its own forms. Shared components keep the KYC "
      "questions consistent and the audit trail complete.",
      "react accessibility payments compliance", "TypeScript",
      ("library:Onboarding Form Components", "template:Merchant KYC Form Template")),
    P("Currency & FX Rates Client", "payments",
      "A cached, rate-limited client for the treasury FX rates service with sensible fallbacks.",
      "Teams called the rates service on every request and took it down twice. A shared client with "
      "caching protects the service and gives everyone the same rounding rules.",
      "payments caching api sdk", "Python Java",
      ("library:FX Rates Client for Python", "library:FX Rates Client for Java", "dataset:Daily Reference Rates")),
    P("Payments Test Harness", "payments",
      "Simulates card schemes and clearing houses so that payment flows can be tested end to end.",
      "Scheme test environments are slow and rationed. The harness let teams test offline; it has been "
      "replaced by the scheme simulators in the Release Pipeline Templates.",
      "payments testing", "Kotlin",
      ("tool:Scheme Simulator", "template:Contract Test Suite Template")),
    # Retail Banking
    P("Account Opening Journey Kit", "retail-banking",
      "Reusable backend steps for digital account opening: identity check, address lookup, consent and first deposit.",
      "Current accounts, savings and youth accounts each had their own opening journey. Shared steps "
      "cut the time to launch a new product from months to weeks.",
      "open-banking api compliance", "Kotlin Java",
      ("library:Journey Steps Library", "service:Address Lookup API", "template:Journey Configuration Template")),
    P("Loan Affordability Calculator", "retail-banking",
      "The affordability and repayment calculations behind every lending product, in one tested library.",
      "Regulators expect the same affordability answer on every channel. One library, reviewed by the "
      "credit policy team, gives exactly that.",
      "lending api testing", "Java TypeScript",
      ("library:Affordability Engine", "library:Repayment Schedule JS", "documentation:Affordability Rules Handbook")),
    P("Statement Renderer", "retail-banking",
      "Generates accessible PDF and HTML account statements from a single template.",
      "Statements are legal documents and must be accessible. Rendering them in one place means one "
      "accessibility review instead of five.",
      "reporting accessibility", "Java",
      ("service:Statement Rendering API", "template:Statement Templates")),
    P("Open Banking Consent API", "retail-banking",
      "PSD2 consent lifecycle management for third-party providers, shared by all retail channels.",
      "Consent must be revocable everywhere at once. A single consent API is the only way to keep "
      "that promise to customers and to the regulator.",
      "open-banking oauth api compliance", "Java",
      ("service:Consent API", "library:Consent Client SDK", "documentation:TPP Integration Guide")),
    P("Branch Appointment Booking", "retail-banking",
      "Book, move and cancel branch appointments from web, mobile and the contact centre.",
      "Customers book on one channel and change their plans on another. A shared booking service keeps "
      "the calendar consistent.",
      "api react", "Go TypeScript",
      ("service:Appointments API", "library:Booking Widget")),
    P("Interest Rate Catalogue", "retail-banking",
      "The single source of product interest rates, with history and effective dates.",
      "Rates were copied into a dozen systems and drifted apart. The catalogue publishes them once, "
      "with an audit history.",
      "api data-quality", "Python SQL",
      ("dataset:Product Rates History", "service:Rates Catalogue API")),
    P("Mortgage Document Checker", "retail-banking",
      "Checks uploaded mortgage documents for completeness and legibility before an underwriter sees them.",
      "Underwriters spent a third of their time asking for better scans. Catching problems at upload "
      "shortens the time to offer.",
      "machine-learning lending", "Python",
      ("model:Document Classifier", "service:Document Check API")),
    # Data Platform
    P("Kafka Connect Toolkit", "data-platform",
      "Hardened Kafka Connect images, connectors and a config linter for the shared event hub.",
      "Most event hub incidents started with a misconfigured connector. The toolkit bakes in the "
      "settings that the streaming team learned the hard way.",
      "kafka streaming etl kubernetes", "Java Python",
      ("template:Connect Worker Image", "tool:Connector Config Linter", "library:JDBC Sink Extensions",
       "documentation:Event Hub Connector Guide")),
    P("Schema Registry Tools", "data-platform",
      "CLI and CI checks for Avro and Protobuf schema compatibility against the central schema registry.",
      "Breaking schema changes used to reach production on Friday evenings. Checking compatibility in "
      "the pull request moves the failure to where it is cheap.",
      "kafka streaming ci-cd data-quality", "Go",
      ("tool:schemactl", "pipeline:Schema Compatibility Check", "library:Schema Test Fixtures")),
    P("Customer 360 Dataset", "data-platform",
      "A curated, consented view of every customer across products, refreshed nightly in the lakehouse.",
      "Twelve teams were joining the same customer tables in twelve ways. A governed dataset gives one "
      "answer and respects each customer's consent.",
      "analytics data-catalog gdpr", "SQL Python",
      ("dataset:Customer 360", "dataset:Customer 360 Sample (anonymised)",
       "documentation:Customer 360 Data Dictionary")),
    P("Data Quality Checks", "data-platform",
      "Declarative data quality rules that run in Spark and dbt and report to the data catalog.",
      "Data consumers need to know whether they can trust a table today. Shared rules publish that "
      "answer next to the table in the catalog.",
      "data-quality spark dbt data-catalog", "Python Scala",
      ("library:dq-rules", "pipeline:Nightly Quality Gate", "tool:Rules Editor")),
    P("Lakehouse Ingestion Templates", "data-platform",
      "Project templates for batch and streaming ingestion jobs into the lakehouse.",
      "New ingestion jobs should start with lineage, monitoring and retention already in place, not "
      "add them after the first incident.",
      "etl spark streaming", "Python Scala",
      ("template:Batch Ingestion Template", "template:Streaming Ingestion Template")),
    P("dbt Macros Library", "data-platform",
      "Shared dbt macros for slowly changing dimensions, PII masking and audit columns.",
      "Analytics engineers kept copying the same macros between projects. A versioned package keeps "
      "the fixes flowing to everyone.",
      "dbt pii analytics", "SQL",
      ("library:acme-dbt-utils",)),
    P("Feature Store Client", "data-platform",
      "Python client for reading and writing ML features online and offline with one API.",
      "Training and serving read features differently, and models drifted because of it. One client "
      "for both removes the skew.",
      "machine-learning sdk", "Python",
      ("library:Feature Store Client", "documentation:Feature Naming Guide", "template:Feature Pipeline Template")),
    P("Event Replay Service", "data-platform",
      "Replays historic Kafka topics into a sandbox so teams can test consumers against real traffic shapes.",
      "Consumers break on traffic shapes that test data never has. Replaying masked production events "
      "finds those bugs before release.",
      "kafka streaming testing", "Go Scala",
      ("service:Replay API", "tool:Replay CLI")),
    # Cloud Infrastructure
    P("Terraform Modules for AWS", "cloud-infrastructure",
      "Opinionated, policy-compliant Terraform modules for VPCs, EKS, RDS, S3 and IAM.",
      "Every account used to be hand-built and every audit found something. Modules that pass the "
      "cloud policies by construction make the compliant way the easy way.",
      "terraform aws security", "HCL",
      ("library:VPC Module", "library:EKS Cluster Module", "library:RDS Module", "documentation:Module Upgrade Guide")),
    P("Release Pipeline Templates", "cloud-infrastructure",
      "Reusable CI/CD pipeline templates for build, test, security scanning and progressive delivery.",
      "Teams spent their first sprint on pipelines. Shared templates give build, scan and canary "
      "releases on day one and get security fixes centrally.",
      "ci-cd security testing", "Go",
      ("template:Java Service Pipeline", "template:Node Service Pipeline", "template:Container Image Pipeline")),
    P("Kubernetes Golden Path", "cloud-infrastructure",
      "A Helm chart and platform conventions that take a service from repository to production cluster.",
      "The platform has many knobs and most services need the same settings. The golden path chooses "
      "them once, with reasons.",
      "kubernetes helm observability", "Go",
      ("template:Service Helm Chart", "documentation:Golden Path Guide", "tool:golden-path CLI")),
    P("Observability Starter", "cloud-infrastructure",
      "OpenTelemetry auto-instrumentation, dashboards and alert rules that work on day one.",
      "Incidents took longest where nobody had traces. The starter gives every service traces, metrics "
      "and useful alerts before its first release.",
      "observability opentelemetry logging", "Java Go Python",
      ("library:OTel Java Starter", "library:OTel Python Starter", "template:Service Dashboards")),
    P("Secrets Rotation Operator", "cloud-infrastructure",
      "A Kubernetes operator that rotates database and API credentials without restarts.",
      "Long-lived credentials were the top finding of the last penetration test. Rotation that needs no "
      "restart is rotation that actually happens.",
      "kubernetes security", "Go",
      ("tool:secrets-rotation-operator", "documentation:Rotation Runbook")),
    P("Cost Explorer Reports", "cloud-infrastructure",
      "Daily cloud cost reports per team and product, with anomaly alerts.",
      "Teams could not see what they spent until the monthly invoice. The reports have moved into the "
      "FinOps dashboard of the Landing Zone.",
      "aws reporting analytics", "Python SQL",
      ("dataset:Cloud Cost Daily", "pipeline:Cost Anomaly Alerts")),
    P("Container Base Images", "cloud-infrastructure",
      "Hardened, regularly patched base images for JVM, Python, Go and Node services.",
      "Most container vulnerabilities came from stale base layers. Patched images rebuilt every night "
      "fix them for everyone at once.",
      "containers security ci-cd", "Go",
      ("template:JVM Base Image", "template:Python Base Image", "template:Go Base Image")),
    P("Feature Flag Service", "cloud-infrastructure",
      "Self-hosted feature flags with percentage rollouts, audit history and SDKs for every stack.",
      "Five teams ran five flag systems, none audited. One service with SDKs for web, JVM and iOS lets "
      "releases be decoupled from deployments safely.",
      "feature-flags api sdk", "Go TypeScript Kotlin Swift",
      ("service:Feature Flag API", "library:Flags SDK for JVM", "library:Flags SDK for Web",
       "library:Flags SDK for iOS")),
    # Mobile
    P("Mobile Analytics SDK", "mobile",
      "Privacy-aware analytics events for iOS and Android apps, with consent built in.",
      "Both apps tracked events differently and consent was checked in forty places. The SDK checks it "
      "once and speaks one event taxonomy.",
      "analytics mobile gdpr ios android sdk", "Swift Kotlin",
      ("library:Analytics SDK for iOS", "library:Analytics SDK for Android", "documentation:Event Taxonomy")),
    P("Mobile Design System", "mobile",
      "SwiftUI and Jetpack Compose components that implement Acme's design tokens.",
      "Design changes took a release per app per screen. Shared components turn a brand update into a "
      "dependency bump.",
      "design-system ios android accessibility", "Swift Kotlin",
      ("library:Compose Components", "library:SwiftUI Components", "documentation:Mobile Component Gallery")),
    P("Secure Storage Kit", "mobile",
      "Keychain and Keystore wrappers for tokens and secrets, reviewed by the security team.",
      "Storing secrets on devices is easy to get subtly wrong. One reviewed implementation is easier to "
      "trust than many.",
      "security mobile ios android", "Swift Kotlin",
      ("library:Secure Storage for iOS", "library:Secure Storage for Android")),
    P("Push Notification Gateway", "mobile",
      "One API for sending push notifications to iOS, Android and the web, with templates and throttling.",
      "Customers got the same alert three times from three systems. A gateway applies throttling and "
      "preferences in one place.",
      "mobile api", "Go",
      ("service:Push API", "template:Notification Templates")),
    P("App Release Train", "mobile",
      "Fastlane lanes and CI workflows that ship both apps every two weeks.",
      "Manual releases took a day of a senior engineer every fortnight. The release train makes it a "
      "button that anyone on the team can press.",
      "ci-cd mobile ios android", "Swift Kotlin",
      ("pipeline:Mobile Release Pipeline", "template:Fastlane Lanes")),
    P("Biometric Login Module", "mobile",
      "Face ID, Touch ID and Android biometric authentication flows, wired to step-up authentication.",
      "Biometric login is security-critical and every app needs it. One module, reviewed and pen-tested, "
      "serves the retail, business and wallet apps.",
      "authentication mobile security ios android", "Swift Kotlin",
      ("library:Biometric Auth for iOS", "library:Biometric Auth for Android")),
    P("Mobile Crash Triage Bot", "mobile",
      "Groups crash reports, finds the owning team and opens an issue with the stack trace.",
      "Crash triage used to be a rota nobody liked. The crash reporting vendor now does the grouping, so "
      "the bot is being wound down.",
      "mobile observability", "Python",
      ("tool:crash-triage-bot",)),
    # Risk & Compliance
    P("Fraud Scoring Model", "risk-compliance",
      "A gradient-boosted model that scores card transactions for fraud in under 20 ms.",
      "Fraud patterns move faster than rules. A shared, monitored model lets every card product benefit "
      "from each retraining.",
      "machine-learning fraud-detection payments", "Python Scala",
      ("model:Card Fraud Model v4", "service:Fraud Scoring API", "dataset:Labelled Fraud Cases (synthetic)")),
    P("PII Scanner", "risk-compliance",
      "Finds personal data in databases, logs and object storage and reports it to the privacy office.",
      "We cannot protect personal data we do not know we hold. Scanning continuously turns GDPR records "
      "of processing from guesswork into facts.",
      "pii gdpr security data-quality", "Python Rust",
      ("tool:pii-scan CLI", "pipeline:Nightly PII Scan", "library:PII Detectors", "dataset:PII Pattern Library")),
    P("AML Rules Engine", "risk-compliance",
      "Configurable anti-money-laundering rules over transaction streams, with explainable alerts.",
      "Investigators need to know why an alert fired. Rules as reviewed code, with explanations, pass "
      "audits that the old black box did not.",
      "compliance streaming kafka", "Scala Java",
      ("service:AML Rules Service", "documentation:Rule Authoring Guide")),
    P("Regulatory Reporting Framework", "risk-compliance",
      "Builds, validates and submits regulatory returns from the finance lakehouse.",
      "Each return was a spreadsheet with an owner on holiday. A framework with validations and lineage "
      "makes returns repeatable and reviewable.",
      "reporting compliance", "Python SQL",
      ("pipeline:Regulatory Returns Pipeline", "template:Return Definition Template",
       "dataset:Reference Taxonomies")),
    P("GDPR Subject Access Toolkit", "risk-compliance",
      "Collects a customer's data from every registered system to answer subject access requests.",
      "Subject access requests have a legal deadline. Connectors for every system make the answer "
      "complete and on time.",
      "gdpr pii api", "Python Java",
      ("service:Subject Access API", "library:SAR Connector SDK")),
    P("Credit Risk Model Library", "risk-compliance",
      "Validated PD, LGD and EAD model components with monitoring hooks.",
      "Model validation is slow and expensive. Reusing validated components shortens it for every new "
      "credit product.",
      "machine-learning analytics lending", "Python",
      ("library:credit-models", "documentation:Model Validation Reports")),
    P("Sanctions Screening Client", "risk-compliance",
      "A resilient client for the sanctions screening service with batching and fuzzy matching.",
      "Screening outages stopped payments. A client with batching, timeouts and a clear fallback keeps "
      "payments flowing and compliant.",
      "compliance api sdk", "Java Python",
      ("library:Screening Client for Java", "library:Screening Client for Python")),
    P("Audit Trail Library", "risk-compliance",
      "Tamper-evident audit logging for regulated actions, with export to the long-term archive.",
      "Auditors ask the same questions of every system. A shared audit trail answers them the same way "
      "everywhere.",
      "compliance security logging", "Java Kotlin Go",
      ("library:Audit Trail for JVM", "library:Audit Trail for Go")),
    # Customer Experience
    P("Design Tokens", "customer-experience",
      "Colours, spacing and typography as tokens for web, iOS and Android, generated from one source.",
      "The brand looked different on every channel. Tokens generated from one source make a colour "
      "change a single pull request.",
      "design-system accessibility react", "TypeScript",
      ("library:@acme/design-tokens", "tool:Token Build CLI", "documentation:Brand Guidelines for Developers")),
    P("Web Component Library", "customer-experience",
      "Accessible React components built on the design tokens, with Storybook documentation.",
      "Accessibility fixes had to be made in every web app separately. Shared components fix them once.",
      "react design-system accessibility", "TypeScript",
      ("library:@acme/ui-react", "documentation:Component Storybook", "template:React App Starter")),
    P("Chat Assistant Intents", "customer-experience",
      "Intent definitions, training phrases and dialogue flows for the customer chat assistant.",
      "Product teams know their customers' questions best. Open intents let them teach the assistant "
      "directly instead of filing tickets.",
      "machine-learning", "Python",
      ("dataset:Banking Intents Corpus", "model:Intent Classifier")),
    P("Customer Feedback Pipeline", "customer-experience",
      "Collects NPS and app store feedback, tags themes and routes them to product teams.",
      "Feedback sat in five tools and nobody saw all of it. One pipeline puts every comment in front of "
      "the team that can act on it.",
      "analytics machine-learning etl", "Python SQL",
      ("pipeline:Feedback Ingestion", "dataset:Feedback Themes")),
    P("Personalisation Rules API", "customer-experience",
      "Decides which offers and messages a customer sees, with guardrails from marketing and compliance.",
      "Customers should not get a loan offer the day after being declined. Central rules with guardrails "
      "keep every channel sensible.",
      "api machine-learning", "Kotlin",
      ("service:Next Best Action API", "library:Decision Client")),
    P("Accessibility Test Kit", "customer-experience",
      "Automated accessibility checks for web and mobile pipelines, with WCAG 2.2 rules.",
      "Accessibility bugs were found by customers. Checks in every pipeline find most of them first.",
      "accessibility testing ci-cd", "TypeScript",
      ("tool:a11y-check", "template:Accessibility CI Job")),
    P("Agent Desktop Widgets", "customer-experience",
      "Embeddable widgets for the contact centre desktop: customer summary, recent payments, open cases.",
      "Agents switched between nine applications per call. Widgets from the owning teams bring the "
      "answers into one screen.",
      "react api", "TypeScript",
      ("library:Agent Widgets", "documentation:Widget Integration Guide")),
    # Corporate IT
    P("Authentication Gateway", "corporate-it",
      "OpenID Connect and SAML gateway that puts single sign-on in front of internal web applications.",
      "Every internal tool had its own login and its own password policy. The gateway gives single "
      "sign-on and MFA without changing the application.",
      "authentication oauth openid-connect security", "Go",
      ("service:SSO Gateway", "template:OIDC Client Registration Template",
       "documentation:Authentication Integration Guide")),
    P("OAuth Client Libraries", "corporate-it",
      "Token caching and refresh for service-to-service OAuth across Java, Python and Node.",
      "Hand-rolled token handling leaked secrets into logs twice. Shared clients get caching, refresh "
      "and redaction right.",
      "oauth authentication sdk security", "Java Python TypeScript",
      ("library:OAuth Client for Java", "library:OAuth Client for Python", "library:OAuth Client for Node")),
    P("Employee Directory API", "corporate-it",
      "Read-only API for people, teams and reporting lines, sourced from HR.",
      "Tools scraped the intranet to find managers. An API with the right access rules replaces the "
      "scrapers.",
      "api graphql", "Kotlin",
      ("service:Directory GraphQL API", "dataset:Org Chart Snapshot", "library:Directory Client")),
    P("Developer Laptop Setup", "corporate-it",
      "Scripts that set up a compliant developer laptop with proxies, certificates and tools in one go.",
      "New joiners lost their first week to setup. The managed device image now covers most of this, "
      "so the scripts are deprecated.",
      "security documentation", "Python",
      ("tool:devbox", "documentation:Laptop Setup Guide")),
    P("Expense Receipts OCR", "corporate-it",
      "Reads amounts, dates and VAT from receipt photos for the expense tool.",
      "Typing receipts in by hand is slow and error-prone. Extraction pre-fills the claim and flags "
      "receipts that need a human.",
      "machine-learning", "Python",
      ("model:Receipt OCR Model", "service:Receipt Extraction API")),
    P("InnerSource Templates", "corporate-it",
      "README, CONTRIBUTING, CODEOWNERS and issue templates that make a repository ready for contributors.",
      "Contributors give up when they cannot find how to start. Good templates make every repository "
      "welcoming from its first commit.",
      "innersource documentation", "Python",
      ("template:Repository Starter Kit", "tool:readiness-check")),
    P("Access Review Automation", "corporate-it",
      "Quarterly access reviews for internal applications, with reminders and evidence for auditors.",
      "Access reviews were spreadsheets mailed to managers. Automation gets them done on time and keeps "
      "the evidence auditors ask for.",
      "compliance authentication", "Python",
      ("service:Access Review Service", "pipeline:Entitlements Export")),
)  # fmt: skip
