"""Which repository URLs the git sync may clone: a registered URL is typed by people, so it must not make
the portal run another transport or fetch from a host that is not one of the configured forges."""

import re
from urllib.parse import urlsplit

from django.conf import settings

from metrics.sync.http import ForgeError

HOST_RE = re.compile(r"^(?:[A-Za-z0-9_][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\])$")
SCP_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*@(?P<host>[A-Za-z0-9_][A-Za-z0-9._-]*):(?P<path>.+)$")
CREDENTIALS_RE = re.compile(r"(://[^/@\s:]+):[^/@\s]+@")


def without_credentials(text: str) -> str:
    """The text with the password of any URL in it masked, for messages that people see."""
    return CREDENTIALS_RE.sub(r"\1:***@", text)


def git_allowed_hosts() -> set[str]:
    """Hosts the portal may clone from: the configured forges' and GIT_ALLOWED_HOSTS. A registered
    repository URL is typed by people, so it must not make the portal fetch from anywhere else."""
    hosts = {host.lower() for host in settings.GIT_ALLOWED_HOSTS}
    for url in (settings.GITHUB_API_URL, settings.GITLAB_URL):
        host = (urlsplit(url).hostname or "").lower()
        hosts.add(host.removeprefix("api.") if host == "api.github.com" else host)
    return hosts - {""}


def git_url_check(url: str) -> None:
    """Accept http(s)://, ssh:// and git@host:path on an allowed host, and (when GIT_ALLOW_LOCAL_PATHS is
    on) file:// and absolute local paths; refuse the rest (other transports such as ext:: run commands,
    and a leading "-" would be read as an option)."""
    shown = without_credentials(url)[:200]
    refusal = ForgeError(
        f"unsupported git URL {shown!r}: use https://, ssh://, git@host:path or an absolute path"
    )
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise refusal
    local_refused = ForgeError(f"local git paths are not allowed ({shown!r}); set GIT_ALLOW_LOCAL_PATHS")
    if url.startswith("/"):
        if not settings.GIT_ALLOW_LOCAL_PATHS:
            raise local_refused
        return
    scp = SCP_RE.match(url)
    parts = urlsplit(url)
    if scp and not scp.group("path").startswith("-"):
        host = scp.group("host")
    elif parts.scheme == "file" and parts.path.startswith("/") and parts.netloc in ("", "localhost"):
        if not settings.GIT_ALLOW_LOCAL_PATHS:
            raise local_refused
        return
    else:
        host = re.sub(r":\d+$", "", parts.netloc.rpartition("@")[2])
        if parts.scheme not in ("http", "https", "ssh") or not HOST_RE.match(host or "-"):
            raise refusal
    if host.lower() not in git_allowed_hosts():
        raise ForgeError(f"git host {host!r} is not one the portal may reach; add it to GIT_ALLOWED_HOSTS")
