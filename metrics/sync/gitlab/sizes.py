"""The sizes of a GitLab project's source files, for the size of its code (metrics.sync.code_size turns
them into lines by the same rule as GitHub's tree sizes). GitLab's repository tree lists no sizes, so they
are asked of its GraphQL API, PATHS_PER_QUERY files a request rather than one request a file:

    project(fullPath:) { repository { blobs(ref:, paths:) { nodes { path oid size } } } }

Why a hundred: GitLab's connections return at most 100 nodes a page, and `blobs` adds one to a query's
complexity per path, which keeps the query well under the 250 allowed to an authenticated request (GitLab's
GraphQL API limits). `size` is a BigInt, which GraphQL sends as a string. The recursive tree is listed in
pages of a hundred entries, so this costs at most as many requests as the listing did, and only when the
digest of the source files changed (code_size asks for nothing otherwise).

Each answer is matched to the listing by blob id: a file whose blob is another (the branch moved since it
was listed) or is missing leaves the previous count, as do a GraphQL error, a project GitLab does not show
this token, a refusal (4xx) or a malformed answer: each is logged, and never fails the sync. A rate limit,
a 5xx or no answer at all ends the sync like any other of its requests, to be retried.
"""

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from metrics.sync.gitlab.common import translated
from metrics.sync.http import ForgeError, ForgeHTTP, RateLimited, TransientForgeError
from metrics.sync.manifest_scan import Blob

logger = logging.getLogger(__name__)

PATHS_PER_QUERY = 100
BLOBS_QUERY = """
query($fullPath: ID!, $ref: String!, $paths: [String!]!) {
  project(fullPath: $fullPath) {
    repository {
      blobs(ref: $ref, paths: $paths) {
        nodes { path oid size }
      }
    }
  }
}
"""


def blob_sizes(
    http: ForgeHTTP, *, full_path: str, branch: str, blobs: Sequence[Blob]
) -> dict[str, int] | None:
    """{blob id: bytes} of these files of the branch, or None (logged) when GitLab would not give them all."""
    sizes: dict[str, int] = {}
    for start in range(0, len(blobs), PATHS_PER_QUERY):
        chunk = blobs[start : start + PATHS_PER_QUERY]
        try:
            found = _query(http, full_path=full_path, branch=branch, paths=[blob.path for blob in chunk])
        except (RateLimited, TransientForgeError):
            raise
        except ForgeError as error:
            logger.warning("The source lines of GitLab project %s are not counted now: %s", full_path, error)
            return None
        for blob in chunk:
            if blob.path not in found or found[blob.path][0] != blob.sha:
                logger.info(
                    "The source lines of GitLab project %s are not counted now: %s changed since the listing",
                    full_path,
                    blob.path,
                )
                return None
            sizes[blob.sha] = found[blob.path][1]
    return sizes


def _query(http: ForgeHTTP, *, full_path: str, branch: str, paths: list[str]) -> dict[str, tuple[str, int]]:
    """{path: (blob id, bytes)} of the paths GitLab found."""
    # The GraphQL API's documented header; the client's PRIVATE-TOKEN, sent too, is the REST API's.
    headers = {"Authorization": f"Bearer {settings.GITLAB_TOKEN}"} if settings.GITLAB_TOKEN else {}
    answer = http.post(
        f"{settings.GITLAB_URL}/api/graphql",
        body={"query": BLOBS_QUERY, "variables": {"fullPath": full_path, "ref": branch, "paths": paths}},
        headers=headers,
    )
    data = answer.data
    if not isinstance(data, dict):
        raise ForgeError("GitLab sent a malformed GraphQL answer")
    errors = data.get("errors")
    if errors:
        # A GraphQL error comes with a 200: a query too complex, a ref that is not valid, a field unknown
        # to an older GitLab.
        listed = errors if isinstance(errors, list) else [errors]
        messages = [str(error.get("message") if isinstance(error, dict) else error) for error in listed[:3]]
        raise ForgeError(f"GitLab's GraphQL API answered: {'; '.join(messages)}")
    return translated("blob sizes", _nodes, data)


def _nodes(data: dict[str, Any]) -> dict[str, tuple[str, int]]:
    project = data["data"]["project"]
    if project is None:
        raise ForgeError("GitLab's GraphQL API does not show the project to this token")
    nodes = project["repository"]["blobs"]["nodes"]
    # BigInt arrives as a string; int() also takes an integer, and refuses anything else.
    return {str(node["path"]): (str(node["oid"]), _bytes(node["size"])) for node in nodes}


def _bytes(size: Any) -> int:
    if isinstance(size, bool) or not isinstance(size, int | str) or int(size) < 0:
        raise ValueError(f"not a size: {size!r}")
    return int(size)
