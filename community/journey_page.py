"""The journey page: where a person stands, what the next stage asks of them, and what it brings."""

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from community.journey import (
    SPRINTS,
    Evidence,
    evidence_for,
    has_been_contributor,
    people_evaluate,
    sprint_windows,
    stage_for,
)
from community.library import render_markdown
from community.models import (
    STAGE_ORDER,
    JourneySettings,
    ParticipationLevel,
    Practitioner,
    Stage,
    StageChange,
    StageContent,
)
from metrics.models import ForgeAccount

# The guide's words, shown when the program office has not written a stage's summary.
STAGE_WORDS = {
    Stage.EXPLORER: "New to InnerSource practices, first-time contributor, looking for a community to join.",
    Stage.CONTRIBUTOR: "Active InnerSource practitioner, frequent contributor, joined at least one community.",
    Stage.TRUSTED_COMMITTER: "Experienced InnerSource practitioner, feature contributor, tech expert, "
    "community advocate.",
    Stage.STARTER: "Advanced InnerSource practitioner, advocate, project kick-starter, community builder.",
}


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _rules_url() -> str:
    try:
        return reverse("community:rules")
    except NoReverseMatch:  # the rules page is another module's; its address is agreed
        return "/rules/"


def _counted(have: int, need: int, one: str, many: str) -> dict:
    return {"label": f"{min(have, need)} of {need} {plural(need, one, many)}", "done": have >= need}


def _requirements(
    *, stage: str, evidence: Evidence, current_stage: str, thresholds, forge_linked: bool
) -> list[dict]:
    """What reaching `stage` takes, item by item, with what the person has so far, and for what is
    missing, where to go about it (`links`: (text, url) pairs)."""
    if stage == Stage.CONTRIBUTOR:
        merged = _counted(
            evidence.merged_requests,
            evidence.merged_required,
            "merged contribution to a catalog project",
            "merged contributions to catalog projects",
        )
        if not merged["done"]:
            merged["links"] = [("find a first project", reverse("portal:home") + "#first-projects-heading")]
            if not forge_linked:
                merged["links"].append(
                    (
                        "link your GitHub or GitLab account",
                        reverse("community:profile_edit") + "#id_github_login",
                    )
                )
                merged["hint"] = (
                    "Your merged requests count once the portal knows your account on the forge "
                    "(or the e-mail address of your commits)."
                )
        communities = _counted(
            evidence.communities, evidence.communities_required, "community joined", "communities joined"
        )
        if not communities["done"]:
            communities["links"] = [
                ("find a community", reverse("catalog:search") + "?wants_contributions=1")
            ]
        items = [merged, communities]
        if evidence.rules_version is not None:
            accepted = evidence.rules_accepted
            label = f"Rules of engagement v{evidence.rules_version} {'accepted' if accepted else 'not accepted yet'}"
            items.append(
                {
                    "label": label,
                    "done": accepted,
                    "links": [] if accepted else [("read and accept them", _rules_url())],
                }
            )
        return items
    if stage == Stage.TRUSTED_COMMITTER:
        role = _counted(evidence.trusted_committer_roles, 1, "trusted-committer role on a project", "")
        role["hint"] = (
            "Maintainers appoint trusted committers. The portal proposes people who merged at least "
            f"{thresholds.trusted_committer_merged} requests and reviewed at least "
            f"{thresholds.trusted_committer_reviews} requests of others in the last "
            f"{thresholds.trusted_committer_window_days} days on a project."
        )
        return [role]
    if stage == Stage.STARTER:
        was_contributor = {
            "label": "Has been a Contributor",
            "done": has_been_contributor(evidence, current_stage),
            "hint": "Accept the rules of engagement, join a community and have a request merged into a "
            "catalog project.",
        }
        project = "approved project you own with a merged contribution from another business unit"
        return [was_contributor, _counted(len(evidence.cross_unit_projects), 1, project, "")]
    return []


# From each stage, the stages one can reach next: a Contributor may become a Trusted Committer or go
# straight to Starter (the Starter conditions do not include the trusted-committer role).
NEXT_STAGES = {
    Stage.EXPLORER: [Stage.CONTRIBUTOR],
    Stage.CONTRIBUTOR: [Stage.TRUSTED_COMMITTER, Stage.STARTER],
    Stage.TRUSTED_COMMITTER: [Stage.STARTER],
    Stage.STARTER: [],
}


def _content(stage: str, contents: dict[str, StageContent]) -> dict:
    content = contents.get(stage)
    return {
        "stage": stage,
        "label": Stage(stage).label,
        "summary": (content.summary if content and content.summary else STAGE_WORDS[stage]),
        "learning": render_markdown(content.learning) if content else "",
        "skills": render_markdown(content.skills) if content else "",
        "incentives": render_markdown(content.incentives) if content else "",
    }


def journey_status(*, user) -> dict:
    """Everything the journey page shows one person: where they stand, what the next stage takes and
    brings, their six sprints and their history. When the stored stage lags behind the evidence (a
    community joined or the rules accepted since the last run), the person is evaluated first, so the
    page never says "all done" next to an old stage."""
    now = timezone.now()
    evidence = evidence_for(user_ids=[user.pk], now=now)[user.pk]
    practitioner = Practitioner.objects.filter(user=user).first()
    if (
        practitioner is None
        or stage_for(evidence, practitioner.stage) != practitioner.stage
        or evidence.participation_level != practitioner.participation_level
    ):
        people_evaluate(user_ids=[user.pk], now=now)
        practitioner = Practitioner.objects.get(user=user)
        evidence = evidence_for(user_ids=[user.pk], now=now)[user.pk]
    stage = practitioner.stage
    thresholds = JourneySettings.current()
    contents = {c.stage: c for c in StageContent.objects.all()}
    forge_linked = ForgeAccount.objects.filter(user=user).exists()
    next_steps = [
        {
            **_content(target, contents),
            "items": _requirements(
                stage=target,
                evidence=evidence,
                current_stage=stage,
                thresholds=thresholds,
                forge_linked=forge_linked,
            ),
        }
        for target in NEXT_STAGES[Stage(stage)]
    ]
    for step in next_steps:
        step["done"] = sum(1 for item in step["items"] if item["done"])
        step["total"] = len(step["items"])
    windows = zip(sprint_windows(now), evidence.sprints, strict=True)
    sprints = [
        {"number": k + 1, "start": start, "end": end, "contributions": n, "current": k == SPRINTS - 1}
        for k, ((start, end), n) in enumerate(windows)
    ]
    history = list(StageChange.objects.filter(user=user)[:50])
    reached_index = STAGE_ORDER.index(stage)
    return {
        "practitioner": practitioner,
        "stage": _content(stage, contents),
        "stage_since": practitioner.stage_since,
        "steps": [
            {"label": s.label, "current": s == stage, "passed": STAGE_ORDER.index(s) < reached_index}
            for s in STAGE_ORDER
        ],
        "level": ParticipationLevel(evidence.participation_level),
        "level_label": ParticipationLevel(evidence.participation_level).label,
        "active_sprints": evidence.active_sprints,
        "sprint_total": SPRINTS,
        "sprints": sprints,
        "next_steps": next_steps,
        "next_stage": next_steps[0] if next_steps else None,
        "rules_version": evidence.rules_version,
        "rules_pending": evidence.rules_version is not None and not evidence.rules_accepted,
        "rules_url": _rules_url(),
        "history": history,
        "evidence": evidence,
    }
