"""Which repository and which forge a URL names: URLs normalised (catalog.git_urls), forges told apart
by their host (the configured GitHub, GitHub Enterprise and GitLab hosts; never a word in the path),
repositories looked up by URL (case-blind on GitHub and GitLab hosts) or by owner/name, and the check
that corrects stored forges. The registration, the imports, the webhooks and the sync all ask here."""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

# The URL rules live in catalog.git_urls (catalog.packages needs them without the models); the
# registration, the imports and the sync keep asking here.
from catalog.git_urls import normalise_repository_url, repository_host
from catalog.models import (
    Forge,
    Repository,
)

# Rows per query when repositories are looked up by many URLs (two parameters per URL).
URL_LOOKUP_CHUNK = 400


def forge_hosts() -> dict[str, str]:
    """Host → forge, for the forges the portal knows: github.com and gitlab.com (they are what they
    are, whatever is configured); GitHub Enterprise at the host of GITHUB_API_URL (without the "api."
    of api.github.com and api.<name>.ghe.com) and of GITHUB_URL; GitLab at the host of GITLAB_URL.
    A host configured as both is taken for GitHub. Ports do not count: ssh often uses another one."""
    hosts: dict[str, str] = {"gitlab.com": Forge.GITLAB, repository_host(settings.GITLAB_URL): Forge.GITLAB}
    hosts |= {
        "github.com": Forge.GITHUB,
        repository_host(settings.GITHUB_API_URL).removeprefix("api."): Forge.GITHUB,
        repository_host(settings.GITHUB_URL): Forge.GITHUB,
    }
    hosts.pop("", None)
    return hosts


def forge_among(url: str, *, chosen: str, hosts: dict[str, str]) -> str:
    """forge_of with the hosts read once (forge_hosts), for many URLs."""
    if chosen and chosen not in Forge.values:
        raise ValueError(f"unknown forge {chosen!r}")
    return hosts.get(repository_host(url)) or chosen or Forge.GIT


def forge_of(url: str, *, chosen: str = "") -> str:
    """A repository's forge: its host's when the portal knows the host (forge_hosts), else the forge
    chosen for it (the registration form's and the API's "forge"), else plain git. Never a word in
    the URL: git.acme.example/platform/github-actions-lib is no GitHub repository. A known host is not
    overridden by the choice: a project may list a github.com repository beside one on a host the
    portal does not know, and the choice is for the latter."""
    return forge_among(url, chosen=chosen, hosts=forge_hosts())


def _case_insensitive(url: str, forge: str, hosts: dict[str, str]) -> bool:
    return repository_host(url) in hosts or forge in (Forge.GITHUB, Forge.GITLAB)


def same_repository(a: str, a_forge: str, b: str, b_forge: str, hosts: dict[str, str]) -> bool:
    """Whether two normalised URLs name one repository: equal, or equal but for case when either is a
    GitHub or GitLab repository (its host is one the portal knows, or its forge, stored or chosen,
    says so). Owner and repository names are case-insensitive there, and the forge sends them as
    spelt now while a person may have typed them otherwise; on a plain git host /Tool and /tool may
    be two repositories."""
    return a == b or (
        a.lower() == b.lower()
        and (_case_insensitive(a, a_forge, hosts) or _case_insensitive(b, b_forge, hosts))
    )


def repository_key(url: str) -> str:
    """The key an import recognises a repository's entry by: its normalised URL, in lower case on GitHub
    and GitLab, whose paths ignore case (as earlier imports wrote the keys of GitHub repositories)."""
    normalised = normalise_repository_url(url)
    return normalised.lower() if forge_of(normalised) in (Forge.GITHUB, Forge.GITLAB) else normalised


def repositories_by_url(
    *, urls: Iterable[str], forge: str = "", queryset: QuerySet[Repository] | None = None
) -> dict[str, list[Repository]]:
    """The stored repositories (of the queryset) that are one of these URLs (_same_repository; `forge`
    is the URLs' own when it is known), by the URL as normalise_repository_url writes it. The
    database narrows by the lower-cased URL, a scan of the repositories (thousands, not millions)."""
    hosts = forge_hosts()
    by_lower: dict[str, list[str]] = {}
    for url in {normalise_repository_url(u) for u in urls if u.strip()}:
        by_lower.setdefault(url.lower(), []).append(url)
    wanted = sorted(url for urls_alike in by_lower.values() for url in urls_alike)
    rows = (queryset if queryset is not None else Repository.objects.all()).alias(url_lower=Lower("url"))
    found: dict[str, list[Repository]] = {}
    seen: set[tuple[str, int]] = set()
    for start in range(0, len(wanted), URL_LOOKUP_CHUNK):
        chunk = wanted[start : start + URL_LOOKUP_CHUNK]
        # url__in as well: the database's lower() may not lower what Python's does (SQLite: ASCII only).
        for repository in rows.filter(Q(url_lower__in={url.lower() for url in chunk}) | Q(url__in=chunk)):
            for url in by_lower.get(repository.url.lower(), []):
                if (url, repository.pk) not in seen and same_repository(
                    url, forge, repository.url, repository.forge, hosts
                ):
                    seen.add((url, repository.pk))
                    found.setdefault(url, []).append(repository)
    return found


def repository_by_url(
    url: str, *, forge: str = "", queryset: QuerySet[Repository] | None = None
) -> Repository | None:
    """The stored repository this URL names (_same_repository), or None."""
    rows = queryset if queryset is not None else Repository.objects.all()
    normalised = normalise_repository_url(url)
    exact = rows.filter(url=normalised).first()  # the usual case, through the unique index
    if exact is not None:
        return exact
    return next(
        iter(repositories_by_url(urls=[normalised], forge=forge, queryset=rows).get(normalised, [])), None
    )


def repository_for(*, forge: str, web_url: str, full_name: str) -> Repository | None:
    """The catalog repository a delivery belongs to: by URL (in any case on GitHub and GitLab hosts:
    the forge sends the name as it is now, the registration may have typed it otherwise), else by
    owner/name."""
    if web_url:
        found = repository_by_url(web_url, forge=forge)
        if found:
            return found
    if full_name:
        return Repository.objects.filter(forge=forge, full_name__iexact=full_name).first()
    return None


def repository_forge_chosen(*, repositories: Iterable[Repository]) -> str:
    """The "forge" choice that keeps these repositories' forges as they are (the edit form starts from
    it): the forge of those on hosts the portal does not know when they share GitHub or GitLab, else
    "" (detect from the host, plain git elsewhere)."""
    hosts = forge_hosts()
    others = {r.forge for r in repositories if repository_host(r.url) not in hosts}
    if len(others) == 1 and others <= {Forge.GITHUB, Forge.GITLAB}:
        return others.pop()
    return ""


@dataclass(kw_only=True)
class ForgeCheck:
    # Repositories on a host the portal knows whose stored forge is another (e.g. a self-hosted GitLab
    # stored as plain git because its host did not say "gitlab"), with their host's forge.
    contradicting: list[tuple[Repository, str]]
    # GitHub or GitLab repositories on hosts the portal does not know: a person's choice, or the old
    # rule that read a word in the URL; nothing tells which, so they are only listed.
    undecided: list[Repository]


@transaction.atomic
def repository_forges_check(*, fix: bool) -> ForgeCheck:
    """Compare the stored forges with what the hosts say under the settings of now; with `fix`, give
    the contradicting repositories their host's forge (the rest is left to a person)."""
    hosts = forge_hosts()
    check = ForgeCheck(contradicting=[], undecided=[])
    for repository in Repository.objects.only("pk", "url", "forge").order_by("url").iterator():
        known = hosts.get(repository_host(repository.url))
        if known and known != repository.forge:
            check.contradicting.append((repository, known))
        elif not known and repository.forge != Forge.GIT:
            check.undecided.append(repository)
    if fix:
        for repository, forge in check.contradicting:
            Repository.objects.filter(pk=repository.pk).update(forge=forge)
    return check


def _forge_page(repository: Repository, *, github: str, gitlab: str) -> str:
    """A page under the repository's web address: `github` on GitHub, `gitlab` on GitLab; "" where the
    repository has no web address or its forge has no such pages (plain git)."""
    base = repository.url.removesuffix(".git").rstrip("/")
    if not base.startswith(("https://", "http://")):
        return ""
    if repository.forge == Forge.GITLAB:
        return f"{base}/-/{gitlab}"
    if repository.forge == Forge.GITHUB:
        return f"{base}/{github}"
    return ""


def forge_item_url(*, repository: Repository, kind: str, number: int) -> str:
    """The web page of an issue (`kind` "issue") or a pull / merge request ("request") on its forge."""
    if kind == "issue":
        return _forge_page(repository, github=f"issues/{number}", gitlab=f"issues/{number}")
    return _forge_page(repository, github=f"pull/{number}", gitlab=f"merge_requests/{number}")


def forge_release_url(*, repository: Repository, tag: str) -> str:
    """The web page of a release on its forge."""
    quoted = quote(tag, safe="")
    return _forge_page(repository, github=f"releases/tag/{quoted}", gitlab=f"releases/{quoted}")
