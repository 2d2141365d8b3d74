"""The adoption figures of Reuse and Collaboration (METRICS.md)."""

from datetime import date

from django.db.models import Count, F, Q, QuerySet

from catalog.models import Adoption, AdoptionSource, adoption_identity, adoption_product_key
from metrics.selectors.rows import between, bounds, in_projects, projects_or_program


def reuse_adoptions(*, projects: QuerySet | None, start: date, end: date) -> dict:
    """The adoption figures of Reuse and Collaboration (METRICS.md) for [start, end)."""
    lo, hi = bounds(start, end)
    adoptions = Adoption.objects.filter(in_projects("asset__project", projects_or_program(projects)))
    # Adoptions count as distinct (asset, unit, team, product): the unique constraint keeps one open
    # adoption per team, and counting identities keeps older or hand-edited overlapping rows from
    # counting a team twice.
    # "Active at end": Adoption.active(on=end), i.e. since <= end < ended_on, the instant `end` read
    # with adoptions as half-open [since, ended_on) spans of days.
    active = (
        adoptions.active(on=end)
        .annotate(product_name=adoption_product_key())
        .aggregate(
            active=Count(adoption_identity(), distinct=True),
            units=Count(
                "business_unit", distinct=True, filter=~Q(business_unit=F("asset__project__business_unit"))
            ),
            products=Count("product_name", distinct=True, filter=~Q(product_name="")),
            detected=Count("pk", filter=Q(source=AdoptionSource.DETECTED)),
            repositories=Count("repository", distinct=True, filter=Q(source=AdoptionSource.DETECTED)),
        )
    )
    # An adoption ended on the day it started was never in use (a "Use this" withdrawn): not new.
    declared = adoptions.filter(between("created_at", lo, hi)).exclude(ended_on__lte=F("since"))
    return {
        "adoptions_new": declared.aggregate(n=Count(adoption_identity(), distinct=True))["n"],
        "adoptions_active": active["active"],
        "adopting_business_units": active["units"],
        "product_integrations": active["products"],
        # Found in code (catalog.services.detected): one adoption per asset and consuming repository.
        "adoptions_detected": active["detected"],
        "consuming_repositories": active["repositories"],
    }


# --- headline figures per bucket, for the dashboards' trends (metrics.reports) ---------------------------
