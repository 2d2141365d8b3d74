"""The GitLab sync: one project's merge requests, approvals, notes, issues, commits, releases and
statistics from the REST API v4, incrementally.

Request budget. An unchanged project costs one request: a conditional GET of the project answered
304 (or, where the server ignores If-None-Match, a 200 whose body is what we saw last time). Only the
project is asked conditionally: the lists are offset-paginated, and a 304 on a first page says nothing
about the pages after it, so they are always read.

Cursors. Merge requests and issues are read oldest update first, so their cursor moves with each page
to the newest update on it, capped at the server's time when the sync began: an item updated while
we page shifts the offsets, may be skipped, but is then newer than the cursor and comes next time.
Commits arrive newest first, so their cursor moves only with the last page. The project's ETag and
digest are saved with the final batch, so that a sync that failed half-way is not taken for done.
"""

from metrics.sync.gitlab.adapter import GitLabAdapter
from metrics.sync.gitlab.common import MANIFESTS_CURSOR, project_path
from metrics.sync.gitlab.repository import GOOD_FIRST_ISSUE_PARAMS

__all__ = ["GOOD_FIRST_ISSUE_PARAMS", "MANIFESTS_CURSOR", "GitLabAdapter", "project_path"]
