"""The journey funnel of METRICS.md (program level) and the onboardings of Reuse and Collaboration,
read from the recorded stage changes so that any past date can be answered, not just today.

Reaching a stage: everyone who signed up is an Explorer. Contributor counts "Contributor or beyond",
because the evaluation records the highest stage whose conditions hold and may jump a stage, while every
later stage presupposes contributions. Trusted Committer and Starter count only changes to exactly
that stage: the guide's Starter need not have been a Trusted Committer.

Every function runs a fixed number of aggregate queries, whatever the number of people.
"""

from datetime import UTC, date, datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from community.models import STAGE_ORDER, Stage, StageChange
from metrics import computations, report_sections
from metrics.report_sections import PeriodFigure, ProgramSection
from metrics.reports import percent_text

__all__ = ["journey_funnel", "journey_table", "new_onboardings", "report_sections_register"]

_CONTRIBUTOR_OR_BEYOND = STAGE_ORDER[STAGE_ORDER.index(Stage.CONTRIBUTOR) :]


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _first_change(stages, hi: datetime):
    """When the person of the outer row first moved to one of `stages`, before `hi`."""
    changes = StageChange.objects.filter(user=OuterRef("pk"), to_stage__in=stages, created_at__lt=hi)
    return Subquery(changes.order_by("created_at").values("created_at")[:1])


def _people(hi: datetime, business_unit=None) -> QuerySet:
    people = get_user_model().objects.filter(date_joined__lt=hi)
    if business_unit is not None:
        people = people.filter(practitioner__business_unit=business_unit)
    return people


def journey_funnel(*, end: date, business_unit=None) -> dict:
    """`stage_counts` at `end`, `stage_conversions` between consecutive stages (keys like
    "explorer_to_contributor", null when nobody reached the earlier stage) and
    `median_days_explorer_to_contributor` (from sign-up; null when nobody reached Contributor).
    `business_unit` narrows everything to the practitioners of that unit."""
    hi = _instant(end)
    people = _people(hi, business_unit)

    # Stage at `end`: the last change before it, Explorer for people with none.
    last = StageChange.objects.filter(user=OuterRef("pk"), created_at__lt=hi).order_by("-created_at", "-pk")
    at_end = (
        people.annotate(stage=Coalesce(Subquery(last.values("to_stage")[:1]), Value(Stage.EXPLORER.value)))
        .values("stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {row["stage"]: row["n"] for row in at_end}
    stage_counts = {stage.value: found.get(stage.value, 0) for stage in STAGE_ORDER}

    firsts = people.annotate(
        contributor_at=_first_change(_CONTRIBUTOR_OR_BEYOND, hi),
        trusted_at=_first_change([Stage.TRUSTED_COMMITTER], hi),
        starter_at=_first_change([Stage.STARTER], hi),
    )
    reached = firsts.aggregate(
        explorer=Count("pk"),
        contributor=Count("pk", filter=Q(contributor_at__isnull=False)),
        trusted=Count("pk", filter=Q(trusted_at__isnull=False)),
        starter=Count("pk", filter=Q(starter_at__isnull=False)),
        # "Later": the next stage reached at or after the earlier one (a jump makes both the same change).
        contributor_then_trusted=Count("pk", filter=Q(trusted_at__gte=F("contributor_at"))),
        trusted_then_starter=Count("pk", filter=Q(starter_at__gte=F("trusted_at"))),
    )
    stage_conversions = {
        "explorer_to_contributor": computations.ratio(reached["contributor"], reached["explorer"]),
        "contributor_to_trusted_committer": computations.ratio(
            reached["contributor_then_trusted"], reached["contributor"]
        ),
        "trusted_committer_to_starter": computations.ratio(
            reached["trusted_then_starter"], reached["trusted"]
        ),
    }

    days = [
        (first - joined).total_seconds() / 86_400
        for joined, first in firsts.filter(contributor_at__isnull=False).values_list(
            "date_joined", "contributor_at"
        )
    ]
    median = round(computations.percentile(days, 50), 1) if days else None
    return {
        "stage_counts": stage_counts,
        "stage_conversions": stage_conversions,
        "median_days_explorer_to_contributor": median,
    }


def new_onboardings(*, start: date, end: date, projects: QuerySet | None = None, business_unit=None) -> int:
    """Practitioners who reached Contributor (or beyond) for the first time in [start, end).

    For a set of projects: those of them who are or were members of these projects' communities, the
    portal's link between a person and a project. `business_unit` keeps that unit's practitioners."""
    lo, hi = _instant(start), _instant(end)
    people = get_user_model().objects.filter(practitioner__isnull=False)
    if business_unit is not None:
        people = people.filter(practitioner__business_unit=business_unit)
    if projects is not None:
        people = people.filter(memberships__project__in=projects.values("pk"))
    first = _first_change(_CONTRIBUTOR_OR_BEYOND, hi)
    return people.annotate(first=first).filter(first__gte=lo).values("pk").distinct().count()


def journey_table(funnel: dict) -> dict:
    """The funnel as the program dashboard's table: each stage with its label, its count and the
    conversion into it from the previous stage (as a percentage, "—" when nobody reached that one)."""
    stages = []
    for i, stage in enumerate(STAGE_ORDER):
        conversion = None
        if i:
            conversion = percent_text(
                funnel["stage_conversions"][f"{STAGE_ORDER[i - 1].value}_to_{stage.value}"]
            )
        stages.append(
            {"label": stage.label, "count": funnel["stage_counts"][stage.value], "conversion": conversion}
        )
    return {"stages": stages, "median_days": funnel["median_days_explorer_to_contributor"]}


def report_sections_register() -> None:
    """Put community's figures in the metrics report (CommunityConfig.ready): the onboardings of each
    period, and the journey funnel of the program report."""
    report_sections.register_period_figure(
        PeriodFigure(
            category="reuse_and_collaboration",
            key="new_onboardings",
            compute=lambda *, start, end, projects: new_onboardings(start=start, end=end, projects=projects),
        )
    )
    report_sections.register_program_section(
        ProgramSection(
            key="journey",
            compute=journey_funnel,
            template="community/_journey_panel.html",
            present=journey_table,
        )
    )
