"""The value of reuse (issue 18, after the Cross-Team Project Valuation pattern): what the teams that
reuse an asset did not have to build. The one computation behind the dashboards' "Value of reuse"
section, the metrics API and CSV (`estimated_effort_saved_days`, `estimated_value`) and the snapshots.

For a period [start, end):
- a *reusing team* of an asset is a team (a business unit and a team name, compared as
  catalog.models.adoption_team_key compares them: declared and found in code alike, so a team both found
  in code and declared is one team) of another business unit than the asset's project's host unit;
- it counts in the period its first adoption of the asset began (`since`), once: the build it avoided is
  saved once, not again in every period it keeps using the asset, and a team that stopped and started
  again saved nothing new. An adoption ended on the day it began (a "Use this" withdrawn) never counts.
- the value of an asset in the period = its build effort (catalog.effort: the maintainers' figure, else
  COCOMO II over its project's code) × its reusing teams that began in the period, in engineer-days;
  × the program office's cost of an engineer-day, in money. An asset whose effort is unknown adds its
  teams to `teams_without_effort` and nothing to the value.
- value ÷ program cost: the period's value in money over the program's yearly cost prorated to the
  period's days (÷ 365).

Values are summed per asset, per business unit (that provided the assets: the asset's host unit; and that
received them: the reusing team's unit) and per bucket of the period, from one grouped query of the
adoptions and the few queries of the efforts, whatever the number of adoptions. Efforts and costs are
today's: a figure changed applies to every period shown.
"""

from collections import defaultdict
from datetime import date

from django.db.models import F, Min, QuerySet

from catalog.effort import EffortBasis, assets_effort, effort_assumptions
from catalog.models import Adoption, Asset, BusinessUnit, adoption_team_key
from metrics.models import ReuseValueSettings
from metrics.selectors.rows import in_projects, projects_or_program

__all__ = ["reuse_value", "reuse_value_settings", "value_money"]

DAYS_PER_YEAR = 365
# The assets listed by value (the most valuable first); the totals count every asset.
BY_ASSET_SHOWN = 50


def reuse_value_settings() -> ReuseValueSettings:
    """The program office's figures (an unsaved row with none set when never saved)."""
    return ReuseValueSettings.objects.filter(pk=1).first() or ReuseValueSettings(pk=1)


def value_money(days: float, day_cost) -> float | None:
    """Engineer-days in money at `day_cost` (None when the program office set none)."""
    return None if day_cost is None else round(days * float(day_cost), 2)


def _first_reuses(*, projects: QuerySet | None, start: date, end: date) -> list[dict]:
    """(asset, unit, team) of every reusing team whose first adoption of the asset began in the period."""
    adoptions = (
        Adoption.objects.filter(in_projects("asset__project", projects_or_program(projects)))
        .exclude(business_unit=F("asset__project__business_unit"))
        .exclude(ended_on__lte=F("since"))
    )
    rows = (
        adoptions.values("asset_id", "business_unit_id", team_key=adoption_team_key())
        .annotate(first=Min("since"))
        .filter(first__gte=start, first__lt=end)
        .order_by()
    )
    return [dict(row) for row in rows]


def reuse_value(
    *, projects: QuerySet | None, start: date, end: date, buckets: list[tuple[date, date]] | None = None
) -> dict:
    """The value of reuse of these projects' assets (None: the program's) in [start, end), with its
    totals, per asset, per business unit, per bucket (`buckets`: consecutive [start, end) covering the
    period; default the whole period) and the assumptions it rests on. JSON-ready (a snapshot keeps it)."""
    buckets = buckets or [(start, end)]
    firsts = _first_reuses(projects=projects, start=start, end=end)
    assets = {
        asset.pk: asset
        for asset in Asset.objects.filter(pk__in={row["asset_id"] for row in firsts}).select_related(
            "project"
        )
    }
    efforts = assets_effort(assets.values())
    settings = reuse_value_settings()
    day_cost = settings.engineer_day_cost

    per_asset: dict[int, dict] = {}
    provided: dict[int, float] = defaultdict(float)
    received: dict[int, float] = defaultdict(float)
    received_teams: dict[int, int] = defaultdict(int)
    per_bucket = [0.0] * len(buckets)
    teams = unvalued = 0
    for row in firsts:
        asset = assets[row["asset_id"]]
        effort = efforts[asset.pk]
        teams += 1
        line = per_asset.setdefault(
            asset.pk,
            {
                "asset": asset.name,
                "project": asset.project.name,
                "url": asset.get_absolute_url(),
                "effort_days": effort.days,
                "effort_basis": effort.basis,
                "effort_text": effort.text,
                "teams": 0,
                "days": 0.0,
            },
        )
        line["teams"] += 1
        received_teams[row["business_unit_id"]] += 1
        if effort.days is None:
            unvalued += 1
            continue
        line["days"] += effort.days
        provided[asset.project.business_unit_id] += effort.days
        received[row["business_unit_id"]] += effort.days
        first = row["first"]
        for i, (b_start, b_end) in enumerate(buckets):
            if b_start <= first < b_end:
                per_bucket[i] += effort.days
                break

    unit_names = dict(
        BusinessUnit.objects.filter(pk__in={*provided, *received_teams}).values_list("pk", "name")
    )
    total_days = round(sum(line["days"] for line in per_asset.values()), 1)
    money = value_money(total_days, day_cost)
    period_days = (end - start).days
    yearly = settings.program_yearly_cost
    program_cost = None if yearly is None else round(float(yearly) * period_days / DAYS_PER_YEAR, 2)
    by_asset = sorted(per_asset.values(), key=lambda line: (-line["days"], -line["teams"], line["asset"]))
    for line in by_asset:
        line["days"] = round(line["days"], 1)
        line["value"] = value_money(line["days"], day_cost)
    units = sorted(unit_names, key=lambda pk: (-(provided.get(pk, 0) + received.get(pk, 0)), unit_names[pk]))
    return {
        "effort_saved_days": total_days,
        "value": money,
        "reusing_teams": teams,
        "teams_without_effort": unvalued,
        "program_cost": program_cost,
        "value_to_program_cost": (
            round(money / program_cost, 2) if money is not None and program_cost else None
        ),
        "by_asset": by_asset[:BY_ASSET_SHOWN],
        "assets_not_listed": max(0, len(by_asset) - BY_ASSET_SHOWN),
        "by_business_unit": [
            {
                "business_unit": unit_names[pk],
                "provided_days": round(provided.get(pk, 0.0), 1),
                "provided_value": value_money(round(provided.get(pk, 0.0), 1), day_cost),
                "received_days": round(received.get(pk, 0.0), 1),
                "received_value": value_money(round(received.get(pk, 0.0), 1), day_cost),
                "reusing_teams": received_teams.get(pk, 0),
            }
            for pk in units
        ],
        "over_time": [
            {
                "start": b_start.isoformat(),
                "end": b_end.isoformat(),
                "days": round(days, 1),
                "value": value_money(round(days, 1), day_cost),
            }
            for (b_start, b_end), days in zip(buckets, per_bucket, strict=True)
        ],
        "assumptions": {
            **effort_assumptions(),
            "engineer_day_cost": None if day_cost is None else float(day_cost),
            "currency": settings.currency,
            "program_yearly_cost": None if yearly is None else float(yearly),
            "period_days": period_days,
            "overrides": sorted(
                (
                    {
                        "asset": assets[pk].name,
                        "days": effort.days,
                        "reason": assets[pk].effort_override_reason,
                    }
                    for pk, effort in efforts.items()
                    if effort.basis == EffortBasis.OVERRIDE
                ),
                key=lambda o: o["asset"],
            ),
        },
    }
