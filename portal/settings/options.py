"""The apps' own options: the forges the sync reads and the webhooks they send, the catalog's search (by
words and by meaning) and radar, the metrics' snapshots and usage retention, the program office's group."""

from portal.settings.environment import BASE_DIR, env_bool, env_list, env_str

# Forges: where the sync reads repositories, and the webhook secrets that sign deliveries.
GITHUB_API_URL = env_str("GITHUB_API_URL", "https://api.github.com").rstrip("/")
# GitHub Enterprise's web address (also for "Sign in with GitHub"): its host is a GitHub host, like the
# API's (catalog.repositories.forge_hosts).
GITHUB_URL = env_str("GITHUB_URL").rstrip("/")
GITHUB_TOKEN = env_str("GITHUB_TOKEN")
GITLAB_URL = env_str("GITLAB_URL", "https://gitlab.com").rstrip("/")
GITLAB_TOKEN = env_str("GITLAB_TOKEN")
GITHUB_WEBHOOK_SECRET = env_str("GITHUB_WEBHOOK_SECRET")
GITLAB_WEBHOOK_TOKEN = env_str("GITLAB_WEBHOOK_TOKEN")
# Larger webhook deliveries get a JSON 413, unparsed (GitHub caps its payloads at 25 MB).
WEBHOOK_MAX_BODY_BYTES = int(env_str("WEBHOOK_MAX_BODY_BYTES", str(25 * 1024 * 1024)))
# Plain git clones only from the forges above and these hosts (comma-separated); local paths only when on.
GIT_ALLOWED_HOSTS = env_list("GIT_ALLOWED_HOSTS", [])
GIT_ALLOW_LOCAL_PATHS = env_bool("GIT_ALLOW_LOCAL_PATHS", default=False)
PORTAL_BOT_LOGINS = {login.lower() for login in env_list("PORTAL_BOT_LOGINS", [])}
# How long one request to a forge may take, and how many pages one sync reads at most per endpoint.
FORGE_TIMEOUT_SECONDS = float(env_str("FORGE_TIMEOUT_SECONDS", "20"))
FORGE_MAX_PAGES = int(env_str("FORGE_MAX_PAGES", "1000"))

# The catalog's page size is bounded whatever the query string asks for.
CATALOG_PAGE_SIZE = 20
# On PostgreSQL a search matching more entries than this is "broad": its counts are estimated from a sample
# of the matches and it is ordered by featured and activity (see catalog.selectors); narrower ones are
# counted exactly and ranked by relevance.
CATALOG_SEARCH_EXACT_MAX = int(env_str("CATALOG_SEARCH_EXACT_MAX", "1000"))
CATALOG_MAX_PAGE_SIZE = 100
# The model that turns an entry's text into a vector for search by meaning (catalog.meaning.TextEmbedder):
# a dotted path to a class or a factory; the default runs WordLlama's weights shipped in its wheel.
CATALOG_EMBEDDER = env_str("CATALOG_EMBEDDER", "catalog.meaning.WordLlamaEmbedder")
# A search with text fuses its words with the entries nearest in meaning when the entries the viewer may
# find hold at most this many vectors: the nearest are found by reading every vector (brute force, about
# 3 ms per 1,000 entries here); beyond, the search keeps to its words until the vector index's first snapshot
# is loaded (see CATALOG_MEANING_INDEX_MIN).
CATALOG_MEANING_SEARCH_MAX = int(env_str("CATALOG_MEANING_SEARCH_MAX", "10000"))
# From this many vectors on, a vector index (catalog.meaning_index, built by a worker) proposes the nearest
# entries instead of the scan, for the search, similar entries and the registration check; below, no index
# is built and every answer is exact. Each process maps the index's newest snapshot from this directory.
CATALOG_MEANING_INDEX_MIN = int(env_str("CATALOG_MEANING_INDEX_MIN", "10000"))
CATALOG_MEANING_INDEX_DIR = BASE_DIR / "var" / "meaning-index"
# The radar of re-built wheels links two projects at least this alike (cosine): the default is calibrated
# for the default model (catalog/radar/clusters.py has the figures); another model needs its own.
CATALOG_RADAR_SIMILARITY = float(env_str("CATALOG_RADAR_SIMILARITY", "0.5"))
PROGRAM_OFFICE_GROUP = "Program office"

# Dashboards show precomputed snapshots; one older than this many seconds is still shown, marked with
# its time, while a newer one is computed in the background.
METRICS_SNAPSHOT_MAX_AGE = int(env_str("METRICS_SNAPSHOT_MAX_AGE", "900"))
# Raw usage events are kept this many days (daily rollups are kept for ever).
USAGE_RETENTION_DAYS = int(env_str("USAGE_RETENTION_DAYS", "400"))
