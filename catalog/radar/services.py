"""Writes of the radar of re-built wheels: computing the clusters (in full, or those touching changed
projects), marking one "not duplicates" and telling its owners."""

import hashlib
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalog.meaning import similarity_words, vector_from_bytes
from catalog.models import (
    DuplicateCluster,
    DuplicateDismissal,
    DuplicateMember,
    DuplicateNotice,
    DuplicateRun,
    Project,
    ProjectChange,
    ProjectRole,
    SearchEntry,
)
from catalog.notifications import notification_send
from catalog.radar.clusters import Group, Item, groups_of
from catalog.selectors.similar import nearest, with_vectors
from catalog.services.changes import project_changes_record

__all__ = [
    "NoticeResult",
    "cluster_dismiss",
    "cluster_key",
    "cluster_owners_tell",
    "radar_run",
    "radar_update",
]

# Neighbours of a changed entry looked at by the incremental run (catalog.radar.clusters.NEIGHBOURS).
UPDATE_NEIGHBOURS = 16
# More changed projects than this at once (an import, a rebuild of the whole index) cost more one scan
# of the vectors each than the full run's one read of them all: the full run is made instead.
UPDATE_AT_MOST = 50


@dataclass(frozen=True)
class _Entry:
    pk: int
    project_id: int
    asset_id: int | None
    business_unit_id: int
    business_unit: str
    summary: str

    @property
    def key(self) -> str:
        return f"a{self.asset_id}" if self.asset_id else f"p{self.project_id}"


def _floor() -> float:
    """How alike two projects must be to be linked (catalog/radar/clusters.py: the calibration)."""
    return settings.CATALOG_RADAR_SIMILARITY


def cluster_key(member_keys: Iterable[str]) -> str:
    return hashlib.sha256(",".join(sorted(member_keys)).encode()).hexdigest()


def _listed_entries():
    """The index rows of listed projects holding a vector of the configured model."""
    return with_vectors(SearchEntry.objects.filter(project__in=Project.objects.listed().values("pk")))


def _load(entries) -> tuple[list[_Entry], np.ndarray]:
    rows = list(
        entries.order_by("pk").values_list(
            "pk",
            "project_id",
            "asset_id",
            "business_unit_id",
            "business_unit__name",
            "summary",
            "meaning_vector",
        )
    )
    loaded = [_Entry(*row[:6]) for row in rows]
    if not rows:
        return loaded, np.zeros((0, 0), dtype=np.float32)
    vectors = np.stack([vector_from_bytes(row[6]) for row in rows])
    return loaded, vectors


def _evidence(group: Group, entries: list[_Entry], topics: dict[int, set[str]]) -> str:
    members = [entries[i] for i in group.members]
    units = len({entry.business_unit_id for entry in members})
    parts = [f"{units} business units" if units > 1 else "one business unit"]
    if group.same_description:
        parts.append("the same description under other names")
    elif group.renamed:
        parts.append(f"nearly the same text under other names ({group.similarity:.2f})")
    parts.append(f"descriptions {similarity_words(group.similarity)} in meaning ({group.similarity:.2f})")
    counts = Counter(topic for entry in members for topic in topics.get(entry.pk, set()))
    shared = sorted(topic for topic, count in counts.items() if count > 1)
    if shared:
        parts.append(f"shared topics: {', '.join(shared[:5])}")
    return "; ".join(parts)[:500]


def _write(groups: list[Group], entries: list[_Entry], *, now: datetime) -> int:
    """Store the groups as clusters, each marked with the dismissal that hides it or that it reopens."""
    chosen = [entries[i].pk for group in groups for i in group.members]
    topics: dict[int, set[str]] = {}
    for entry_id, name in SearchEntry.topics.through.objects.filter(searchentry_id__in=chosen).values_list(
        "searchentry_id", "topic__name"
    ):
        topics.setdefault(entry_id, set()).add(name)
    dismissals = [(set(d.member_keys), d) for d in DuplicateDismissal.objects.order_by("-created_at", "-pk")]
    clusters, members = [], []
    for group in groups:
        keys = {entries[i].key for i in group.members}
        hidden = next((d for held, d in dismissals if keys <= held), None)
        reopened = next((d for held, d in dismissals if len(held & keys) >= 2 and not keys <= held), None)
        cluster = DuplicateCluster(
            key=cluster_key(keys),
            similarity=group.similarity,
            business_units=len({entries[i].business_unit_id for i in group.members}),
            evidence=_evidence(group, entries, topics),
            renamed=group.renamed,
            computed_at=now,
            dismissal=hidden,
            reopens=None if hidden else reopened,
        )
        clusters.append(cluster)
        members.extend(
            DuplicateMember(
                cluster=cluster,
                project_id=entries[i].project_id,
                asset_id=entries[i].asset_id,
                key=entries[i].key,
            )
            for i in group.members
        )
    DuplicateCluster.objects.bulk_create(clusters)
    DuplicateMember.objects.bulk_create(members)
    return len(clusters)


def _items(entries: list[_Entry]) -> list[Item]:
    return [Item(key=e.key, project_id=e.project_id, description=e.summary) for e in entries]


@transaction.atomic
def radar_run(*, now: datetime | None = None) -> DuplicateRun:
    """Compute every cluster again from all listed entries (nightly; the duplicates_radar command)."""
    now = now or timezone.now()
    started = time.perf_counter()
    DuplicateCluster.objects.all().delete()
    return _clusters_write(_listed_entries(), full=True, now=now, started=started)


@transaction.atomic
def radar_update(*, project_ids: Iterable[int], now: datetime | None = None) -> DuplicateRun | None:
    """Compute again the clusters touching these projects (changed, merged or gone): their entries'
    nearest neighbours (similar.nearest, one scan per changed entry) and the clusters those already
    belong to are clustered anew; the rest stay as the last run left them, until the nightly full run.
    Nothing before the first full run."""
    now = now or timezone.now()
    started = time.perf_counter()
    changed = set(project_ids)
    # Before its first full run the radar has nothing to keep up to date (and saves pay nothing for it).
    if not changed or not DuplicateRun.objects.exists():
        return None
    if len(changed) > UPDATE_AT_MOST:
        return radar_run(now=now)
    candidates = _listed_entries()
    affected = set(changed)
    for pk, vector in candidates.filter(project_id__in=changed).values_list("pk", "meaning_vector"):
        query = vector_from_bytes(vector)
        near = nearest(query, candidates.exclude(pk=pk), limit=UPDATE_NEIGHBOURS, floor=_floor())
        neighbour_ids = [entry_pk for entry_pk, _ in near]
        affected |= set(SearchEntry.objects.filter(pk__in=neighbour_ids).values_list("project_id", flat=True))
    touching = DuplicateCluster.objects.filter(members__project_id__in=affected).values("pk")
    affected |= set(DuplicateMember.objects.filter(cluster__in=touching).values_list("project_id", flat=True))
    DuplicateCluster.objects.filter(pk__in=list(touching.values_list("pk", flat=True))).delete()
    return _clusters_write(candidates.filter(project_id__in=affected), full=False, now=now, started=started)


def _clusters_write(candidates, *, full: bool, now: datetime, started: float) -> DuplicateRun:
    """Cluster these index rows (whose old clusters are gone) and record the run."""
    entries, vectors = _load(candidates)
    groups = groups_of(_items(entries), vectors, floor=_floor()) if entries else []
    written = _write(groups, entries, now=now)
    return DuplicateRun.objects.create(
        finished_at=now,
        full=full,
        entries=len(entries),
        clusters=written,
        seconds=round(time.perf_counter() - started, 3),
    )


def _members_text(cluster: DuplicateCluster) -> str:
    return ", ".join(_member_name(member) for member in cluster.members.all())[:500]


def _member_name(member: DuplicateMember) -> str:
    return f"{member.asset.name} ({member.project.name})" if member.asset_id else member.project.name


def _members_change(
    members: list[DuplicateMember], *, user: User, action: str, note: str, now: datetime
) -> None:
    """The program office's decision on a cluster, in the change log of each of its members' projects."""
    project_changes_record(
        project_ids=(member.project_id for member in members),
        actor=user,
        action=action,
        note=note[:2000],
        created_at=now,
    )


@transaction.atomic
def cluster_dismiss(
    *, cluster: DuplicateCluster, user: User, reason: str, now: datetime | None = None
) -> DuplicateDismissal:
    """The program office says the cluster's members are not duplicates: remembered with who, why and
    when (and in each project's change log, which the audit log reads), so that no later run shows
    these members as a cluster again, unless another entry joins them."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why they are not duplicates, so that the next reader knows.")
    now = now or timezone.now()
    members = list(cluster.members.select_related("project", "asset"))
    names = _members_text(cluster)
    dismissal = DuplicateDismissal.objects.create(
        member_keys=sorted(member.key for member in members),
        names=names,
        reason=reason,
        by=user,
        created_at=now,
    )
    cluster.dismissal = dismissal
    cluster.save(update_fields=["dismissal"])
    note = f"not duplicates: {names}. {reason}"
    _members_change(members, user=user, action=ProjectChange.Action.NOT_DUPLICATES, now=now, note=note)
    return dismissal


@dataclass(frozen=True)
class NoticeResult:
    notice: DuplicateNotice
    sent: bool  # False: already sent today (nothing sent again)


def cluster_owners_tell(
    *, cluster: DuplicateCluster, user: User, now: datetime | None = None
) -> NoticeResult:
    """Tell the owners and maintainers of the cluster's projects that they may want to talk: each is
    sent the names of and links to the other members they may see (ProjectQuerySet.visible_to), never
    those they may not. Once a cluster and day: a second click the same day sends nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    existing = DuplicateNotice.objects.filter(cluster_key=cluster.key, sent_on=today).first()
    if existing is not None:
        return NoticeResult(notice=existing, sent=False)
    members = list(cluster.members.select_related("project__business_unit", "asset"))
    roles = ProjectRole.objects.filter(
        project_id__in={m.project_id for m in members}, role__in=ProjectRole.EDITOR_ROLES
    ).select_related("user")
    projects_of: dict[int, set[int]] = {}
    people: dict[int, User] = {}
    for role in roles:
        people[role.user_id] = role.user
        projects_of.setdefault(role.user_id, set()).add(role.project_id)
    try:
        with transaction.atomic():
            notice = DuplicateNotice.objects.create(
                cluster_key=cluster.key, sent_on=today, sent_at=now, by=user
            )
            told = 0
            for user_id, own in projects_of.items():
                person = people[user_id]
                visible = set(
                    Project.objects.filter(pk__in={m.project_id for m in members})
                    .visible_to(person)
                    .values_list("pk", flat=True)
                )
                others = [m for m in members if m.project_id not in own and m.project_id in visible]
                if not others:
                    continue
                mine = ", ".join(dict.fromkeys(m.project.name for m in members if m.project_id in own))
                links = [_member_link(m) for m in others]
                names = ", ".join(f"{_member_name(m)} ({m.project.business_unit.name})" for m in others)
                message = (
                    f"You may want to talk: the program office thinks {mine} does the same job as {names}."
                )
                notification_send(
                    user=person,
                    message=message,
                    url=links[0],
                    email_body="\n".join(
                        [message, "", *(f"{settings.PORTAL_BASE_URL}{link}" for link in links)]
                    ),
                )
                told += 1
            notice.recipients = told
            notice.save(update_fields=["recipients"])
            note = f"look-alikes: {_members_text(cluster)}"
            _members_change(members, user=user, action=ProjectChange.Action.OWNERS_TOLD, now=now, note=note)
    except IntegrityError:
        # Sent by someone else a moment ago: theirs stands.
        return NoticeResult(
            notice=DuplicateNotice.objects.get(cluster_key=cluster.key, sent_on=today), sent=False
        )
    return NoticeResult(notice=notice, sent=True)


def _member_link(member: DuplicateMember) -> str:
    if member.asset_id:
        return reverse("catalog:asset", kwargs={"slug": member.project.slug, "asset_slug": member.asset.slug})
    return member.project.get_absolute_url()
