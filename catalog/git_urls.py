"""How repository URLs are written and compared, as plain strings (no models, so that catalog.packages can
use them too): git's scp-like user@host:path, one spelling per way of writing a repository
(normalise_repository_url), its host, and the repository it names whatever the transport
(repository_address). catalog.repositories looks repositories up with them."""

import re
from urllib.parse import urlsplit, urlunsplit

__all__ = ["SCP_URL_RE", "normalise_repository_url", "repository_address", "repository_host"]

# git's scp-like syntax, user@host:path (no scheme).
SCP_URL_RE = re.compile(r"^[\w.+-]+@(?P<host>[^:/\s@]+):(?P<path>[^/].*)$")
# Transports by which git reaches a repository on a host (file:// and local paths name none).
_HOSTED = {"https", "http", "ssh", "git", "git+ssh", "ssh+git"}


def normalise_repository_url(url: str) -> str:
    """One spelling per way of writing a repository: without surrounding spaces, a trailing slash or
    ".git", git's user@host:path as https://host/path, the scheme and host in lower case (they are
    case-insensitive). The path keeps its case: a plain git server tells /Tool from /tool. GitHub and
    GitLab do not, and repositories_by_url matches their URLs whatever the case."""
    url = url.strip().rstrip("/").removesuffix(".git")
    scp = SCP_URL_RE.match(url) if "://" not in url else None
    if scp:
        url = f"https://{scp['host']}/{scp['path']}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # not a URL (the forms refuse it); nothing to lower
    if not parts.scheme or not parts.netloc:
        return url
    # Only the host: a user name or token before "@" is case-sensitive.
    userinfo, at, host = parts.netloc.rpartition("@")
    return urlunsplit(
        (parts.scheme.lower(), f"{userinfo}{at}{host.lower()}", parts.path, parts.query, parts.fragment)
    )


def repository_host(url: str) -> str:
    """The host of a repository URL (https://, ssh://, git:// or git's user@host:path) in lower case,
    without port or user; "" when it names none."""
    url = url.strip()
    if "://" not in url:
        scp = SCP_URL_RE.match(url)
        return scp["host"].lower() if scp else ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def repository_address(url: str) -> str:
    """Which repository a git URL names, whatever the transport: https://<host>/<path> of the URL as
    normalise_repository_url writes it, without user, password or port. ssh://git@host:2222/x.git,
    git@host:x, git://host/x and https://token@host/x.git are all https://host/x: one repository
    cloned over ssh or https, and a token is no part of which one (nor to be shown). "" for a URL that
    names no host and path (a local path, file://)."""
    normalised = normalise_repository_url(url)
    try:
        parts = urlsplit(normalised)
        host = parts.hostname or ""
    except ValueError:
        return ""
    path = parts.path.strip("/")
    if parts.scheme not in _HOSTED or not host or not path or parts.query or parts.fragment:
        return ""
    return f"https://{host}/{path}"
