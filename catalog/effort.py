"""What building an asset would take, in engineer-days: the figure its maintainers set (with a reason),
else an estimate from the size of its project's code through COCOMO II's effort equation. The value of
reuse (metrics.value) multiplies it by the teams that reuse the asset instead of building their own.

The model, as the COCOMO II Model Definition Manual (version 2.1, USC Center for Software Engineering,
2000) publishes it: the effort of the Post-Architecture and Early Design models, in person-months, is

    PM = A × Size^E × ΠEM_i,    E = B + 0.01 × ΣSF_j

with Size in thousands of source lines (KSLOC) and the COCOMO II.2000 calibration A = 2.94, B = 0.91.
Nothing is known here of a project's precedentedness, flexibility, risks, team or process, nor of its
product, platform and personnel: every scale factor is taken at its Nominal rating (PREC 3.72, FLEX 3.04,
RESL 4.24, TEAM 3.29, PMAT 4.68; ΣSF = 18.97, so E = 1.0997) and every effort multiplier at Nominal
(1.00). The manual's person-month is 152 hours; an engineer-day here is 8 hours, so a person-month is 19
engineer-days.

Size: the non-blank lines of the default branches of the project's repositories (metrics.sync.code_size
counts them, vendored and generated folders left out), all languages together. A project offering several
assets shares its code between them evenly: an asset is credited with its share, never with the whole
project's code again (reuse value would otherwise count one code base once per asset). Where that is
wrong (a dataset, documentation, a service whose code is one part of many), its maintainers set the
figure.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count

from catalog.models import Asset, Repository

__all__ = [
    "COCOMO_A",
    "COCOMO_B",
    "EFFORT_MULTIPLIERS_NOMINAL",
    "ENGINEER_DAY_HOURS",
    "HOURS_PER_PERSON_MONTH",
    "NOMINAL_SCALE_FACTORS",
    "Effort",
    "EffortBasis",
    "assets_effort",
    "cocomo_exponent",
    "cocomo_person_months",
    "MAX_OVERRIDE_DAYS",
    "effort_assumptions",
    "effort_override_clean",
    "engineer_days",
]

# COCOMO II.2000 calibration (Model Definition Manual 2.1, Eq. 1).
COCOMO_A = 2.94
COCOMO_B = 0.91
# The five scale factors at their Nominal rating (the manual's table of scale factor values).
NOMINAL_SCALE_FACTORS = {"PREC": 3.72, "FLEX": 3.04, "RESL": 4.24, "TEAM": 3.29, "PMAT": 4.68}
# Every effort multiplier at Nominal: their product.
EFFORT_MULTIPLIERS_NOMINAL = 1.0
# The manual's person-month (PH/PM), and the working day an engineer-day is.
HOURS_PER_PERSON_MONTH = 152
ENGINEER_DAY_HOURS = 8


def cocomo_exponent(scale_factors: Iterable[float] = NOMINAL_SCALE_FACTORS.values()) -> float:
    """E = B + 0.01 × ΣSF."""
    return COCOMO_B + 0.01 * sum(scale_factors)


def cocomo_person_months(ksloc: float, *, effort_multipliers: float = EFFORT_MULTIPLIERS_NOMINAL) -> float:
    """PM = A × KSLOC^E × ΠEM, with the nominal scale factors; 0 for no code."""
    if ksloc <= 0:
        return 0.0
    return COCOMO_A * math.pow(ksloc, cocomo_exponent()) * effort_multipliers


def engineer_days(person_months: float) -> float:
    """Person-months of 152 hours as engineer-days of 8 hours (19 a person-month)."""
    return person_months * HOURS_PER_PERSON_MONTH / ENGINEER_DAY_HOURS


class EffortBasis:
    OVERRIDE = "override"  # set by the asset's maintainers, with a reason
    MODEL = "cocomo"  # COCOMO II over the lines of its project's code
    UNKNOWN = "unknown"  # no figure set and no code counted


@dataclass(frozen=True)
class Effort:
    """An asset's build effort: `days` (None when unknown), where it comes from (`basis`, EffortBasis), and
    that said in words (`text`, shown on the asset page, the dashboards and the API's `effort_basis`)."""

    days: float | None
    basis: str
    text: str
    lines: int = 0


def _lines_text(lines: int, by_language: dict[str, int], estimated: bool) -> str:
    languages = sorted(by_language.items(), key=lambda item: (-item[1], item[0]))
    named = ", ".join(f"{name} {count:,}" for name, count in languages[:3])
    more = f" and {len(languages) - 3} more" if len(languages) > 3 else ""
    how = "estimated from file sizes" if estimated else "counted"
    return f"{lines:,} lines ({how}; {named}{more})" if named else f"{lines:,} lines"


def assets_effort(assets: Iterable) -> dict[int, Effort]:
    """The build effort of each asset ({asset id: Effort}), in two queries whatever their number: the
    code counted on their projects' repositories, and how many assets each project offers."""
    assets = list(assets)
    project_ids = {asset.project_id for asset in assets}
    by_language: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    estimated: set[int] = set()
    counted: set[int] = set()
    for project_id, code_lines, basis in Repository.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "code_lines", "code_lines_basis"
    ):
        if not basis:
            continue  # never counted (not synced yet, or its forge never gave the sizes)
        counted.add(project_id)
        if basis == "bytes":
            estimated.add(project_id)
        for language, count in (code_lines or {}).items():
            if isinstance(count, int) and count > 0:
                by_language[project_id][str(language)] += count
    shares = dict(
        Asset.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    efforts: dict[int, Effort] = {}
    for asset in assets:
        override: Decimal | None = asset.effort_days_override
        if override is not None:
            reason = asset.effort_override_reason.strip()
            efforts[asset.pk] = Effort(
                days=float(override),
                basis=EffortBasis.OVERRIDE,
                text=f"set by its maintainers: {reason}" if reason else "set by its maintainers",
            )
            continue
        if asset.project_id not in counted:
            efforts[asset.pk] = Effort(
                days=None,
                basis=EffortBasis.UNKNOWN,
                text="unknown: its project's code has not been counted; its maintainers may set a figure",
            )
            continue
        languages = by_language[asset.project_id]
        total = sum(languages.values())
        share = max(1, shares.get(asset.project_id, 1))
        lines = total // share
        days = round(engineer_days(cocomo_person_months(lines / 1000)), 1)
        text = f"COCOMO II from {_lines_text(total, languages, asset.project_id in estimated)}"
        if share > 1:
            text += f", shared by the project's {share} assets: {lines:,} lines each"
        efforts[asset.pk] = Effort(days=days, basis=EffortBasis.MODEL, text=text, lines=lines)
    return efforts


def effort_assumptions() -> dict:
    """The model's constants as the pages and the API show them."""
    return {
        "model": "COCOMO II.2000, Post-Architecture / Early Design effort equation",
        "equation": "PM = A × KSLOC^E × ΠEM, E = B + 0.01 × ΣSF",
        "a": COCOMO_A,
        "b": COCOMO_B,
        "scale_factors": dict(NOMINAL_SCALE_FACTORS),
        "scale_factor_sum": round(sum(NOMINAL_SCALE_FACTORS.values()), 2),
        "exponent": round(cocomo_exponent(), 4),
        "effort_multipliers": EFFORT_MULTIPLIERS_NOMINAL,
        "hours_per_person_month": HOURS_PER_PERSON_MONTH,
        "hours_per_engineer_day": ENGINEER_DAY_HOURS,
        "engineer_days_per_person_month": HOURS_PER_PERSON_MONTH / ENGINEER_DAY_HOURS,
    }


# The largest figure a maintainer may set: 100 engineer-years.
MAX_OVERRIDE_DAYS = Decimal("50000")


def effort_override_clean(days: Decimal | None, reason: str) -> tuple[Decimal | None, str]:
    """A maintainers' figure as it is kept: engineer-days to one decimal, between 0 and MAX_OVERRIDE_DAYS,
    with the reason, which a figure requires (the dashboards show it beside the value it makes). No
    figure keeps no reason. Raises ValidationError naming the field (the form and the API alike)."""
    reason = reason.strip()
    if days is None:
        return None, ""
    if days < 0 or days > MAX_OVERRIDE_DAYS:
        raise ValidationError(
            {"estimated_effort_days": f"Give engineer-days between 0 and {MAX_OVERRIDE_DAYS:,}."}
        )
    if not reason:
        raise ValidationError(
            {"effort_override_reason": "Say why this figure replaces the estimate from the code."}
        )
    return days.quantize(Decimal("0.1")), reason[:1000]
