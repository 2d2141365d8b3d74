"""What an entry brings besides a project's fields: repositories, owners, links, relations, its asset."""

from django.db import transaction

from catalog.interop.apply.lookups import ImportLookups
from catalog.interop.records import REPOSITORY_STATS, ImportEntry, RepositoryData
from catalog.interop.report import EntryResult
from catalog.models import Asset, Project, ProjectLink, ProjectRelation, ProjectRole, Repository, Topic

# _asset_slug is the one rule for an asset's slug within its project (the asset form uses it too).
from catalog.services import _asset_slug
from catalog.signals import asset_package_changed

MISSING = object()


def same_value(name: str, a, b) -> bool:
    if name in ("topics", "languages"):
        return sorted(x.casefold() for x in a or []) == sorted(x.casefold() for x in b or [])
    return a == b


class ContentWriter(ImportLookups):
    def write_what_users_wrote(
        self,
        entry: ImportEntry,
        *,
        project: Project,
        last: dict,
        result: EntryResult,
        changed: dict,
        hosted: bool = False,
        skip: set[str] | frozenset[str] = frozenset(),
    ) -> Asset | None:
        asset, asset_changes = self.write_asset(entry, project=project, last=last, result=result)
        if asset_changes:
            changed["asset"] = ["", "; ".join(asset_changes)]
        self.replace_rows(
            "links",
            ProjectLink,
            columns=("url", "title", "icon", "type"),
            incoming=[link.row() for link in entry.links],
            entry=entry,
            project=project,
            last=last,
            result=result,
            changed=changed,
            # The links of an entity that became an asset are about that asset.
            asset=asset if hosted else None,
        )
        # Where each target is in the catalog is settled once every entry is written (finish).
        self.replace_rows(
            "relations",
            ProjectRelation,
            columns=("kind", "target_ref"),
            incoming=[r.row() for r in entry.relations if r.target_ref not in skip],
            entry=entry,
            project=project,
            last=last,
            result=result,
            changed=changed,
        )
        return asset

    def replace_rows(
        self,
        name: str,
        model: type[ProjectLink] | type[ProjectRelation],
        *,
        columns: tuple[str, ...],
        incoming: list[list[str]],
        entry: ImportEntry,
        project: Project,
        last: dict,
        result: EntryResult,
        changed: dict,
        **values,
    ) -> None:
        """Put the entry's rows (its links or relations, as lists of ``columns``) in place of the ones it
        wrote before, unless ``replaces`` keeps a curator's edit; ``values`` go on every new row."""
        stored = model.objects.filter(project=project, source_ref=entry.key)
        # (An entry that never had links or relations, as every SAP or innersource.json one, asks nothing.)
        current = (
            [[getattr(row, column) for column in columns] for row in stored.order_by("position", "pk")]
            if incoming or name in last
            else []
        )
        if self.replaces(name, incoming=incoming, current=current, last=last, result=result):
            stored.delete()
            model.objects.bulk_create(
                model(
                    project=project,
                    source_ref=entry.key,
                    position=position,
                    **dict(zip(columns, row, strict=True)),
                    **values,
                )
                for position, row in enumerate(incoming)
            )
            changed[name] = [f"{len(current)} {name}", f"{len(incoming)} {name}"]

    def replaces(self, name: str, *, incoming: list, current: list, last: dict, result: EntryResult) -> bool:
        """Whether the file's rows replace the ones the project has: as for a field, rows a curator
        changed since the last import (in the admin) are kept unless told to overwrite."""
        if incoming == current:
            if incoming or name in last:
                last[name] = incoming
            return False
        before = last.get(name, MISSING)
        edited = current != (before if before is not MISSING else [])
        if self.overwrite or not edited:
            last[name] = incoming
            return True
        result.notes.append(f"kept curator's edit of {name}")
        return False

    def asset_name(self, entry: ImportEntry, *, project: Project, exclude: int | None = None) -> str:
        """The asset's name, told apart from another asset of the project with the same name."""
        data = entry.asset
        name = data.name[:120]
        if project.assets.exclude(pk=exclude).filter(name__iexact=name).exists():
            suffix = f" ({data.qualifier})"
            name = name[: 120 - len(suffix)].rstrip() + suffix
        return name

    def write_asset(
        self, entry: ImportEntry, *, project: Project, last: dict, result: EntryResult
    ) -> tuple[Asset | None, list[str]]:
        data = entry.asset
        if data is None:
            return None, []
        recorded = dict(last.get("asset") or {})  # a copy: the record's values are compared when saved
        asset = None
        if recorded:
            asset = project.assets.filter(pk=recorded["id"]).first()
            if asset is None and not self.overwrite:
                result.notes.append(f"the asset {recorded['name']} was removed in the portal: not made again")
                return None, []
        incoming = {
            "name": self.asset_name(entry, project=project, exclude=asset.pk if asset else None),
            "kind": data.kind,
            "description": data.description[:300],
            "url": data.url,
        }
        if data.package_url:
            # Only when the file names the package: a file without one leaves what the portal holds.
            incoming["package_url"] = data.package_url
        if asset is None:
            asset = Asset.objects.create(
                project=project, slug=_asset_slug(project=project, name=incoming["name"]), **incoming
            )
            asset.topics.set(self.named(Topic, data.topics))
            last["asset"] = {"id": asset.pk, **incoming}
            self.package_changed(asset, previous_key="")
            return asset, [f"+{asset.name}"]
        previous_key = asset.package_key
        changes = []
        for name, value in incoming.items():
            current = getattr(asset, name)
            if current == value:
                recorded[name] = value
            # A field the last import did not write (a package the file names since) was "" then.
            elif self.overwrite or current == recorded.get(name, ""):
                setattr(asset, name, value)
                recorded[name] = value
                changes.append(name)
            else:
                result.notes.append(f"kept curator's edit of the asset's {name}")
        if changes:
            asset.save(update_fields=[*changes, "updated_at"])
            self.package_changed(asset, previous_key=previous_key)
        last["asset"] = recorded
        return asset, [f"{asset.name}: {', '.join(changes)}"] if changes else []

    @staticmethod
    def package_changed(asset: Asset, *, previous_key: str) -> None:
        """An asset whose package an import gave or changed: its use in the code is matched again after
        commit (catalog.signals.asset_package_changed), as when the asset form changes it."""
        if asset.package_key != previous_key:
            transaction.on_commit(
                lambda: asset_package_changed.send(sender=Asset, asset=asset, previous_key=previous_key)
            )

    def write_repositories(
        self, repositories: list[RepositoryData], *, project: Project, result: EntryResult
    ) -> list[str]:
        changes = []
        for data in repositories:
            repository = self.repositories.get(data.url)
            if repository is None:
                repository = Repository.objects.create(
                    project=project, forge=data.forge, url=data.url, **data.stats
                )
                self.repositories[data.url] = repository
                changes.append(f"+{data.url}")
                continue
            if not data.stats:
                continue
            if repository.last_synced_at and not self.overwrite:
                result.notes.append(f"kept the synced statistics of {data.url}")
                continue
            differing = [
                k for k in REPOSITORY_STATS if not same_value(k, getattr(repository, k), data.stats[k])
            ]
            if differing:
                for name in differing:
                    setattr(repository, name, data.stats[name])
                repository.save(update_fields=differing)
                changes.append(f"{data.url}: {', '.join(differing)}")
        return changes

    def add_owners(self, entry: ImportEntry, *, project: Project, result: EntryResult) -> list[str]:
        added = []
        for ref in entry.owners:
            user = self.person(ref)
            if user is None:
                result.notes.append(f"owner user:{ref.username} has no portal account: not added")
                continue
            _, created = ProjectRole.objects.get_or_create(
                project=project, user=user, role=ProjectRole.Role.OWNER
            )
            if created:
                added.append(user.username)
        return added
