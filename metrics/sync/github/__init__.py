"""The GitHub sync: REST API v3 (github.com or GitHub Enterprise Server's /api/v3) → activity batches.

Cost matters more than anything here (5,000 requests an hour for the whole portal), so:
- one conditional request to the repository's event feed first: 304 means nothing happened, and an
  unchanged repository costs that one request (304s do not count against GitHub's limit);
- lists with a `since` filter are read oldest-first so that each page moves its cursor: a sync cut short
  by the rate limit continues where it stopped instead of starting over;
- pull requests have no `since`; they are read newest-first and the part already done by an interrupted
  run is remembered as a window of `updated_at` values, so its per-request calls are not repeated;
- ETags are only stored with the batch that completes what they vouch for (see `common.keep_etag`).
"""

from metrics.sync.github.adapter import GitHubAdapter
from metrics.sync.github.common import API_VERSION, keep_known, stored_pull_requests

__all__ = ["API_VERSION", "GitHubAdapter", "keep_known", "stored_pull_requests"]
