"""The starting content of the journey: what each stage brings, and version 1 of the rules of engagement.

The program office edits both in the admin afterwards; this only gives a fresh portal something true to
show. Reversing removes exactly what it created.
"""

from django.db import migrations
from django.utils import timezone

STAGES = {
    "explorer": {
        "summary": "You are discovering InnerSource: looking around the catalog, trying a first "
        "contribution and finding a community where you feel at home.",
        "learning": (
            "- Read the [rules of engagement](/rules/): six short rules on how we work together.\n"
            "- Follow the *Introduction* module of the InnerSource Commons "
            "[learning path](https://innersourcecommons.org/learn/learning-path/introduction/).\n"
            "- Browse the [catalog](/catalog/) and filter on **Wants contributions** to see where help is "
            "welcome.\n"
            "- Open a project's CONTRIBUTING file before your first change: it tells you how that "
            "community likes to receive help."
        ),
        "skills": (
            "- Finding and evaluating something to reuse before building it yourself.\n"
            "- Reading another team's code, documentation and open issues.\n"
            "- Asking a good first question in a public channel instead of a private message."
        ),
        "incentives": (
            "- Unblock your own team by fixing what you need in the component you depend on.\n"
            "- The **Rule Keeper** and **Community Member** badges for your first steps.\n"
            "- A first merged contribution makes you a Contributor, visible on your profile."
        ),
    },
    "contributor": {
        "summary": "You contribute regularly to projects outside your team and belong to at least one "
        "community that knows your name.",
        "learning": (
            "- The *Contributor* module of the "
            "[InnerSource learning path](https://innersourcecommons.org/learn/learning-path/contributor/).\n"
            "- The [InnerSource patterns](https://patterns.innersourcecommons.org/) catalog, starting "
            "with *30 Day Warranty* and *Standard Base Documentation*.\n"
            "- Your projects' review guidelines: how changes are proposed, reviewed and released."
        ),
        "skills": (
            "- Writing changes that are easy to review: small, tested, well explained.\n"
            "- Discussing design in the open, in issues and pull requests.\n"
            "- Reviewing the requests of others kindly and precisely."
        ),
        "incentives": (
            "- Your contributions count in your team's and your business unit's reuse figures.\n"
            "- The **First Contribution**, **First Review** and **Cross-Team Contributor** badges.\n"
            "- A track record that maintainers look at when they appoint trusted committers."
        ),
    },
    "trusted_committer": {
        "summary": "You are trusted by a community to review and merge the work of others, and you help "
        "newcomers find their way into it.",
        "learning": (
            "- The *Trusted Committer* module of the "
            "[InnerSource learning path](https://innersourcecommons.org/learn/learning-path/trusted-committer/).\n"
            "- The [Trusted Committer pattern](https://patterns.innersourcecommons.org/p/trusted-committer): "
            "what the role asks and what it gives back.\n"
            "- Mentoring first-time contributors: answering quickly, labelling good first issues."
        ),
        "skills": (
            "- Guarding quality and the architecture without becoming a bottleneck.\n"
            "- Mentoring and giving feedback that makes people come back.\n"
            "- Keeping the project's documentation and guidelines current for the next person."
        ),
        "incentives": (
            "- Recognition as a technical expert across business units.\n"
            "- The **Trusted Committer** badge, and the **Mentor** and **Helping Hand** badges within reach.\n"
            "- Your role is shown on the projects you serve."
        ),
    },
    "starter": {
        "summary": "You kick-start InnerSource projects that other business units contribute to, and you "
        "build communities around them.",
        "learning": (
            "- The *Product Owner* module of the "
            "[InnerSource learning path](https://innersourcecommons.org/learn/learning-path/product-owner/).\n"
            "- The starter kit of the portal's [guides](/guidelines/): README, CONTRIBUTING, CODEOWNERS and issue "
            "templates for a new project.\n"
            "- Measuring a community's health: response times, contributor diversity, adoption."
        ),
        "skills": (
            "- Turning a team's component into a product others can adopt.\n"
            "- Growing and handing over a community: appointing trusted committers, planning in the open.\n"
            "- Advocating for reuse with managers and other business units."
        ),
        "incentives": (
            "- Your project counts in the program's reuse and adoption figures.\n"
            "- The **Starter** and **Solve Once, Solve for Many** badges.\n"
            "- Invitations to share your experience with the practitioner community."
        ),
    },
}

RULES_V1 = """\
1. **Open everything.** We start our work in the open, the InnerSource way, so that silos break down and \
reuse comes first: before building something, look for it; once built, share it.
2. **Failure is necessary.** We keep experimenting. Trying, failing and trying again is how innovation \
happens, so a failed attempt is something to learn from, not something to hide.
3. **Focus, focus, focus.** We limit work in progress and do one thing at a time, because time is the \
most valuable resource we have and it does not come back.
4. **Pay it forward.** We document our processes and decisions and write clear guidelines, so that the \
next person understands without having to ask.
5. **Respect and patience.** We treat people and ideas with empathy and respect, so that trying new \
things and sometimes failing stays safe for everyone.
6. **Plan as a team.** We plan work and communicate with Agile practices and welcome everyone in the \
community to take part: show up to be heard.

We agree to follow these rules of engagement. We further agree that these may evolve to meet new needs \
as the community grows.
"""


def content_create(apps, schema_editor):
    StageContent = apps.get_model("community", "StageContent")
    RulesVersion = apps.get_model("community", "RulesVersion")
    for stage, fields in STAGES.items():
        StageContent.objects.update_or_create(stage=stage, defaults=fields)
    RulesVersion.objects.get_or_create(
        version=1,
        defaults={"title": "Rules of engagement", "body": RULES_V1, "published_at": timezone.now()},
    )


def content_delete(apps, schema_editor):
    apps.get_model("community", "StageContent").objects.filter(stage__in=list(STAGES)).delete()
    apps.get_model("community", "RulesVersion").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0003_starting_badges")]

    operations = [migrations.RunPython(content_create, content_delete)]
