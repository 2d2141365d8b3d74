"""The demo's assets and the teams that adopted them: a few popular assets, most used by a handful."""

from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from catalog.models import Adoption, Asset
from catalog.packages import package_key
from portal.demo import words as data
from portal.demo.seeder.base import RETIRED, SeederBase, duration

ADOPTIONS = 400


class AssetSteps(SeederBase):
    """Each project's assets, and the adoptions of the listed ones by teams across units."""

    def create_assets(self) -> None:
        rng = self.rng
        assets: list[Asset] = []
        asset_languages: list[list[str]] = []
        updated: list[datetime] = []
        for spec, project in self.projects:
            languages = spec.languages.split()
            age_days = (self.base - project.created_at).days
            for entry in spec.assets:
                kind, name = entry.split(":", 1)
                slug = data.asset_slug(name)
                asset_languages.append(data.asset_languages(name, languages))
                language = (asset_languages[-1] or languages)[0]
                url = data.asset_url(kind, slug, project.slug, language)
                created = project.created_at + duration(rng.uniform(0, min(180, age_days / 2)))
                description = rng.choice(data.ASSET_DESCRIPTIONS[kind])
                assets.append(
                    Asset(
                        project=project,
                        name=name,
                        slug=slug,
                        kind=kind,
                        description=description.format(
                            asset=name,
                            project=spec.name,
                            what=project.description,
                        )[:300],
                        url=url,
                        package_url=(
                            purl := data.asset_package_url(kind, name, slug, project.slug, language)
                        ),
                        # bulk_create below does not call Asset.save, which keeps the key.
                        package_key=(package_key(purl) or "") if purl else "",
                        created_at=created,
                    )
                )
                updated.append(self.not_after_base(created + duration(rng.uniform(0, 120))))
        self.assets = Asset.objects.bulk_create(assets)
        # bulk_create let auto_now stamp the clock on updated_at; bulk_update writes the seeded moments back.
        for asset, moment in zip(self.assets, updated, strict=True):
            asset.updated_at = moment
        Asset.objects.bulk_update(self.assets, ["updated_at"])
        link = Asset.languages.through
        own = zip(self.assets, asset_languages, strict=True)
        link.objects.bulk_create(
            [link(asset=a, language=self.languages[n]) for a, names in own for n in names]
        )
        self.counts["assets"] = len(self.assets)

    def create_adoptions(self) -> None:
        rng = self.rng
        project_of = {project.pk: (spec, project) for spec, project in self.projects}
        listed = [a for a in self.assets if project_of[a.project_id][1].is_listed]
        # A long tail: the popular assets are used by dozens of teams across units, most by a handful.
        rng.shuffle(listed)
        listed.sort(key=lambda a: data.POPULAR_ASSETS.index(a.name) if a.name in data.POPULAR_ASSETS else 99)
        cum_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(listed))))
        base_day = self.base.date()
        taken: set[tuple[int, str, str]] = set()
        adoptions: list[Adoption] = []
        for _ in range(ADOPTIONS * 20):  # draws that repeat a team are skipped, so allow many
            if len(adoptions) == ADOPTIONS:
                break
            asset = rng.choices(listed, cum_weights=cum_weights)[0]
            spec, project = project_of[asset.project_id]
            others = [u.slug for u in data.UNITS if u.slug != spec.unit]
            unit = self.unit_specs[spec.unit if rng.random() < 0.2 else rng.choice(others)]
            team = rng.choice(unit.teams)
            if (asset.pk, unit.slug, team) in taken:
                continue
            taken.add((asset.pk, unit.slug, team))
            earliest = max(asset.created_at.date(), base_day - timedelta(days=730))
            since = earliest + timedelta(days=rng.randint(0, max(0, (base_day - earliest).days - 1)))
            ended_on: date | None = None
            if rng.random() < (0.5 if project.lifecycle in RETIRED else 0.1) and (base_day - since).days > 30:
                ended_on = since + timedelta(days=rng.randint(30, (base_day - since).days - 1))
            # Declared on a working morning of the day the team started using the asset.
            declared = datetime(since.year, since.month, since.day, 9, tzinfo=UTC)
            adoptions.append(
                Adoption(
                    asset=asset,
                    business_unit=self.units[unit.slug],
                    team=team,
                    product=rng.choice(unit.products) if rng.random() < 0.8 else "",
                    since=since,
                    ended_on=ended_on,
                    created_by=rng.choice(self.people[unit.slug]),
                    created_at=declared + timedelta(minutes=rng.randint(0, 180)),
                )
            )
        Adoption.objects.bulk_create(adoptions)
        self.counts["adoptions"] = len(adoptions)
