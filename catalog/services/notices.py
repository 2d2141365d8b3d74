"""Consumers kept informed (the Code Consumers pattern, issue 18): when an asset publishes a release, or
its project is deprecated or archived, the owners and maintainers (ProjectRole.EDITOR_ROLES) of every
listed project whose code uses it (an adoption found in code) are told, in one digest a day each.

Recording and sending are apart. The services that record a release (metrics, through
consumer_notices_for_releases) and a change of lifecycle (consumer_notices_for_lifecycle) write one
ConsumerNotice per owner, asset, consuming project and event; its unique constraint makes a second
recording of the same event (a re-sync, a webhook and then a sync) tell no one again. The daily task
(catalog.tasks.consumer_digests_send_task) calls consumer_digests_send, which sends each person with
notices waiting one digest, at most one a day (ConsumerDigest is unique per person and day), saying for
each asset the version in use and the latest ("ledger-client: 3 releases behind, 2.1.0 → 2.4.0").
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from packaging.version import InvalidVersion, Version

from catalog.models import (
    Adoption,
    AdoptionSource,
    Asset,
    ConsumerDigest,
    ConsumerNotice,
    Lifecycle,
    Project,
    ProjectRole,
    Repository,
)
from catalog.notifications import notification_send
from catalog.packages import plain_version
from catalog.selectors.consumption import (
    behind_said,
    published_releases,
    released_tags,
    releases_behind,
    version_in_use,
    version_said,
)
from catalog.signals import consumer_notices_recorded

__all__ = [
    "RELEASE_NOTICE_DAYS",
    "DigestRun",
    "consumer_digests_send",
    "consumer_notices_for_lifecycle",
    "consumer_notices_for_releases",
]

# A release published longer ago than this is history when the sync first records it (a repository's
# first sync brings every release it ever made): its consumers are not told of it.
RELEASE_NOTICE_DAYS = 14

_LIFECYCLE_KINDS: dict[str, str] = {
    Lifecycle.DEPRECATED: ConsumerNotice.Kind.DEPRECATED,
    Lifecycle.ARCHIVED: ConsumerNotice.Kind.ARCHIVED,
}


def _consuming_adoptions(*, assets_of: Project) -> list[Adoption]:
    """The adoptions found in code, in use now, of the assets of `assets_of` by other listed projects.
    A project's use of its own assets is no reuse; an unlisted project (waiting for review, rejected,
    merged away) is told nothing."""
    if not assets_of.is_listed:
        return []
    return list(
        Adoption.objects.active()
        .filter(
            source=AdoptionSource.DETECTED,
            asset__project=assets_of,
            repository__project__in=Project.objects.listed(),
        )
        .exclude(repository__project=assets_of)
        .select_related("asset", "repository")
        .order_by("pk")
    )


def _owners(project_ids: Collection[int]) -> dict[int, list[int]]:
    """{project id: the ids of its owners and maintainers (ProjectRole.EDITOR_ROLES)}."""
    owners: dict[int, list[int]] = defaultdict(list)
    for project_id, user_id in (
        ProjectRole.objects.filter(project_id__in=list(project_ids), role__in=ProjectRole.EDITOR_ROLES)
        .values_list("project_id", "user_id")
        .distinct()
    ):
        owners[project_id].append(user_id)
    return owners


def _record(notices: list[ConsumerNotice]) -> int:
    """Write the notices not yet recorded (the unique constraint skips the others); returns how many
    were new. Their digest is sent by the daily task (at once when tasks run inline: the embedded mode)."""
    if not notices:
        return 0
    # Counted among the notices of these people and assets (the unique index's leading columns).
    those = ConsumerNotice.objects.filter(
        user_id__in={n.user_id for n in notices}, asset_id__in={n.asset_id for n in notices}
    )
    before = those.count()
    ConsumerNotice.objects.bulk_create(notices, ignore_conflicts=True)
    created = those.count() - before
    if created:
        transaction.on_commit(lambda: consumer_notices_recorded.send(sender=ConsumerNotice))
    return created


def _newer(version: str, *, than: str) -> bool:
    """Whether release `version` is newer than the version in use as written (`than`); True when the
    version in use cannot be told (a branch, a digest): the release may concern them."""
    try:
        released = Version(version)
    except InvalidVersion:
        return False
    used = version_in_use(than)
    return used is None or released > used


def _tell_consumers(
    *, assets_of: Project, kind: str, subjects: Callable[[Adoption], Iterable[str]], now: datetime
) -> int:
    """A notice of `kind` to each owner of every project whose code uses an asset of `assets_of`, one
    per subject that `subjects` gives for its adoption; returns how many are new."""
    adoptions = _consuming_adoptions(assets_of=assets_of)
    owners = _owners({a.repository.project_id for a in adoptions if a.repository is not None})
    notices = {}
    for adoption in adoptions:
        if adoption.repository is None:
            continue
        consumer_id = adoption.repository.project_id
        for subject in subjects(adoption):
            for user_id in owners.get(consumer_id, []):
                notices[(user_id, adoption.asset_id, consumer_id, subject)] = ConsumerNotice(
                    user_id=user_id,
                    asset_id=adoption.asset_id,
                    consumer_id=consumer_id,
                    kind=kind,
                    subject=subject[:100],
                    created_at=now,
                )
    return _record(list(notices.values()))


@transaction.atomic
def consumer_notices_for_releases(
    *, repository: Repository, tags: Collection[str], now: datetime | None = None
) -> int:
    """Record that the assets of `repository`'s project published these releases (tags the sync just
    wrote): for each published one (catalog.selectors.consumption.published_releases) of the last
    RELEASE_NOTICE_DAYS, a notice to each owner of every project whose code uses an older version of one
    of the assets. Safe to call again with the same tags; returns how many notices are new."""
    now = now or timezone.now()
    if not tags:
        return 0
    versions = sorted(
        {
            plain_version(tag)
            for tag in published_releases(project_ids=[repository.project_id])
            .filter(
                repository=repository,
                tag__in=list(tags),
                published_at__gte=now - timedelta(days=RELEASE_NOTICE_DAYS),
            )
            .values_list("tag", flat=True)
        }
    )
    if not versions:
        return 0
    return _tell_consumers(
        assets_of=repository.project,
        kind=ConsumerNotice.Kind.RELEASE,
        subjects=lambda adoption: [v for v in versions if _newer(v, than=adoption.version)],
        now=now,
    )


@transaction.atomic
def consumer_notices_for_lifecycle(*, project: Project, now: datetime | None = None) -> int:
    """Record that `project` (and so each of its assets) is now deprecated or archived: a notice to each
    owner of every project whose code uses one of its assets. Any other lifecycle records nothing. Once
    per lifecycle: deprecated again after a revival tells no one again. Returns how many are new."""
    kind = _LIFECYCLE_KINDS.get(project.lifecycle)
    if kind is None:
        return 0
    return _tell_consumers(
        assets_of=project, kind=kind, subjects=lambda adoption: [""], now=now or timezone.now()
    )


@dataclass(frozen=True)
class DigestRun:
    sent: int  # digests sent
    waiting: int  # people with notices waiting who already had their digest that day
    dropped: int  # notices with nothing left to tell (upgraded, no longer used, no longer an owner)


@dataclass(frozen=True)
class _Line:
    text: str
    url: str


def _line(
    *, asset: Asset, consumer: Project, kinds: set[str], using: list[Adoption], tags: list[str]
) -> _Line | None:
    """What the digest says of one asset used by one consuming project, or None when nothing is left to
    tell: the project no longer uses it, or (told only of releases) is up to date now."""
    if not using:
        return None
    # The repository of the project furthest behind is the one to upgrade.
    behind_of = {a.pk: releases_behind(in_use=a.version, released=tags) for a in using}
    adoption = max(using, key=lambda a: (behind_of[a.pk] or 0, -a.pk))
    behind = behind_of[adoption.pk]
    latest = plain_version(tags[0]) if tags else ""
    in_use = version_said(adoption.version) or "a version it does not name"
    status = ""
    if ConsumerNotice.Kind.ARCHIVED in kinds:
        status = "archived"
    elif ConsumerNotice.Kind.DEPRECATED in kinds:
        status = "deprecated"
    # How far behind, told with a release and with a deprecation or archival alike: what a consumer
    # weighs in both cases is the version they use against the latest.
    release = ""
    told_release = ConsumerNotice.Kind.RELEASE in kinds
    if latest and (told_release or status):
        if behind:
            release = behind_said(behind=behind, in_use=in_use, latest=latest)
        elif behind is None:
            release = (
                f"{latest} released, {in_use} in use" if told_release else f"{in_use} in use, latest {latest}"
            )
    if not status and not release:
        return None
    said = ", ".join(part for part in (status, release or f"{in_use} in use") if part)
    return _Line(text=f"{asset.name}: {said} (used by {consumer.name})", url=asset.get_absolute_url())


def _digest_message(lines: list[_Line]) -> str:
    first = lines[0].text
    more = len(lines) - 1
    return f"The catalog's assets your projects use: {first}" + (f", and {more} more" if more else "")


def consumer_digests_send(*, now: datetime | None = None) -> DigestRun:
    """Send each person with notices waiting their digest of the day (`now`'s UTC day): one notification
    (and e-mail after commit) naming, for each asset and consuming project, what changed and the version
    in use against the latest. A person who already had the day's digest waits for the next day's. Names
    only assets of projects the person may see (ProjectQuerySet.visible_to) and projects they still own.
    Safe to run twice."""
    now = now or timezone.now()
    day = now.date()
    pending = ConsumerNotice.objects.filter(handled_at__isnull=True)
    people = list(pending.values_list("user_id", flat=True).distinct().order_by("user_id"))
    already = set(
        ConsumerDigest.objects.filter(day=day, user_id__in=people).values_list("user_id", flat=True)
    )
    sent = dropped = 0
    for user in User.objects.filter(pk__in=[p for p in people if p not in already]).order_by("pk"):
        told, left = _digest_send(user=user, now=now)
        sent += told
        dropped += left
    return DigestRun(sent=sent, waiting=len(already), dropped=dropped)


@transaction.atomic
def _digest_send(*, user: User, now: datetime) -> tuple[int, int]:
    """One person's digest of the day: (1 if sent else 0, notices with nothing left to tell)."""
    notices = list(
        ConsumerNotice.objects.select_for_update()
        .filter(user=user, handled_at__isnull=True)
        .select_related("asset__project", "consumer")
        .order_by("pk")
    )
    if not notices:
        return 0, 0
    asset_projects = {n.asset.project_id for n in notices}
    visible = set(Project.objects.visible_to(user).filter(pk__in=asset_projects).values_list("pk", flat=True))
    owned = set(
        ProjectRole.objects.filter(
            user=user, role__in=ProjectRole.EDITOR_ROLES, project_id__in={n.consumer_id for n in notices}
        ).values_list("project_id", flat=True)
    )
    grouped: dict[tuple[int, int], list[ConsumerNotice]] = defaultdict(list)
    for notice in notices:
        grouped[(notice.asset_id, notice.consumer_id)].append(notice)
    using: dict[tuple[int, int], list[Adoption]] = defaultdict(list)
    for adoption in (
        Adoption.objects.active(on=now.date())
        .filter(
            source=AdoptionSource.DETECTED,
            asset_id__in={n.asset_id for n in notices},
            repository__project_id__in={n.consumer_id for n in notices},
        )
        .select_related("repository")
        .order_by("pk")
    ):
        if adoption.repository is not None:
            using[(adoption.asset_id, adoption.repository.project_id)].append(adoption)
    released = released_tags(project_ids=asset_projects)
    lines: list[_Line] = []
    told: list[ConsumerNotice] = []
    for (asset_id, consumer_id), group in grouped.items():
        asset, consumer = group[0].asset, group[0].consumer
        line = None
        if asset.project_id in visible and consumer_id in owned:
            line = _line(
                asset=asset,
                consumer=consumer,
                kinds={n.kind for n in group},
                using=using.get((asset_id, consumer_id), []),
                tags=released.get(asset.project_id, []),
            )
        if line is not None:
            lines.append(line)
            told.extend(group)
    lines.sort(key=lambda line: line.text.lower())
    digest = None
    if lines:
        try:
            with transaction.atomic():
                digest = ConsumerDigest.objects.create(
                    user=user,
                    day=now.date(),
                    sent_at=now,
                    lines=[{"text": line.text, "url": line.url} for line in lines],
                )
        except IntegrityError:
            return 0, 0  # another run sent today's a moment ago: these wait for tomorrow's
        body = "\n".join(
            [
                "What changed today in the catalog's assets that your projects' code uses:",
                "",
                *(f"- {line.text}\n  {settings.PORTAL_BASE_URL}{line.url}" for line in lines),
            ]
        )
        # No link of its own: opening it shows the notifications page, where its lines are listed.
        digest.notification = notification_send(user=user, message=_digest_message(lines), email_body=body)
        digest.save(update_fields=["notification"])
    ConsumerNotice.objects.filter(pk__in=[n.pk for n in told]).update(handled_at=now, digest=digest)
    dropped = [n.pk for n in notices if n not in told]
    ConsumerNotice.objects.filter(pk__in=dropped).update(handled_at=now)
    return (1 if digest else 0), len(dropped)
