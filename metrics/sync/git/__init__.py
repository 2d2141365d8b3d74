"""Activity of plain git repositories (forge "git"): commits and repository statistics from a mirror.

Each repository gets a bare mirror under MEDIA_ROOT/../git-mirrors/<pk>: cloned once, fetched on every
later sync, so one sync costs one network operation however long the history. Everything else (the
log, the tree, the statistics) is read locally from the mirror.

Commits are "the commits reachable from the default branch, placed in time by author date"; merges are
recorded too, flagged `is_merge`, and the metrics leave them out. The cursor `git_head` is the branch
head of the last completed sync: the next sync logs `<old head>..<new head>` when the old head is still
an ancestor, else (a force-push, another default branch, `full`) the whole branch again, and then drops
the commits that are no longer reachable, so that the stored history converges to the source's.
"""

from metrics.sync.git.adapter import GitAdapter
from metrics.sync.git.urls import git_allowed_hosts, git_url_check

__all__ = ["GitAdapter", "git_allowed_hosts", "git_url_check"]
