"""How big each scale is. `large` is the issue's organisation; `small` is a hundredth of it (CI);
`tiny` is smaller still, for the test suite."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True, kw_only=True)
class Scale:
    name: str
    projects: int  # listed projects (each one catalog entry)
    assets: int  # assets of listed projects (each one catalog entry)
    pending_projects: int  # not listed: no catalog entry
    users: int  # practitioners
    unlinked_accounts: int  # forge accounts of people without a portal account
    bots: int
    business_units: int
    topics: int
    languages: int
    vocabulary: int  # distinct words used in names and descriptions
    repositories: int
    pull_requests: int
    adoptions: int
    usage_events: int
    sync_repositories: int
    manifest_repositories: int  # default branches whose manifests are scanned (first, then unchanged)
    drain_events: int
    http_requests: int  # per scenario, at most (see http_seconds)
    http_seconds: float  # per scenario, at most
    http_warmup: int
    throughput_seconds: float
    recording_pairs: int  # alternating requests to the recording-on and recording-off servers
    record_calls: int  # direct usage_record calls timed in the worker
    floor_repeats: int
    cold_repeats: int  # requests per cold report (issue 19), after one warm-up
    # The same at every scale: how much happens around a request, and over how long.
    reviews_per_pr: float = 1.5
    comments_per_pr: float = 2.0
    issues_per_pr: float = 0.2
    commits_per_pr: float = 0.5
    usage_days: int = 400  # raw events kept (USAGE_RETENTION_DAYS is 400)
    activity_years: int = 5

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def catalog_entries(self) -> int:
        return self.projects + self.assets


LARGE = Scale(
    name="large",
    projects=25_000,
    assets=75_000,
    pending_projects=250,
    users=20_000,
    unlinked_accounts=2_000,
    bots=20,
    business_units=40,
    topics=300,
    languages=40,
    vocabulary=3_000,
    repositories=5_000,
    pull_requests=1_000_000,
    adoptions=30_000,
    usage_events=10_000_000,
    sync_repositories=1_000,
    manifest_repositories=5_000,
    drain_events=200_000,
    http_requests=200,
    http_seconds=30,
    http_warmup=5,
    throughput_seconds=20,
    recording_pairs=300,
    record_calls=5_000,
    floor_repeats=10,
    cold_repeats=10,
)

SMALL = Scale(
    name="small",
    projects=250,
    assets=750,
    pending_projects=3,
    users=200,
    unlinked_accounts=20,
    bots=3,
    business_units=12,
    topics=60,
    languages=20,
    vocabulary=600,
    repositories=50,
    pull_requests=10_000,
    adoptions=300,
    usage_events=100_000,
    sync_repositories=10,
    manifest_repositories=50,
    drain_events=20_000,
    http_requests=60,
    http_seconds=15,
    http_warmup=3,
    throughput_seconds=5,
    recording_pairs=100,
    record_calls=2_000,
    floor_repeats=15,
    cold_repeats=3,
)

TINY = Scale(
    name="tiny",
    projects=40,
    assets=60,
    pending_projects=2,
    users=50,
    unlinked_accounts=5,
    bots=2,
    business_units=5,
    topics=20,
    languages=8,
    vocabulary=200,
    repositories=10,
    pull_requests=1_000,
    adoptions=40,
    usage_events=10_000,
    sync_repositories=3,
    manifest_repositories=10,
    drain_events=2_000,
    http_requests=8,
    http_seconds=5,
    http_warmup=1,
    throughput_seconds=1,
    recording_pairs=10,
    record_calls=200,
    floor_repeats=3,
    cold_repeats=2,
)

SCALES = {scale.name: scale for scale in (TINY, SMALL, LARGE)}
