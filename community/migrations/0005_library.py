"""The starting library: four guides and the eight templates of the starter kit, each as version 1.

Templates use the placeholders documented in community/library.py. In the JSON and YAML templates a
placeholder stands for a whole, already escaped value, so it is written without quotes.
"""

from django.db import migrations

HOW_TO_CONTRIBUTE = """\
InnerSource brings the habits of open source inside the company: the code other teams build is open to
you, and they welcome your changes when you follow the way they work. This guide takes you from
"I could use a fix in that library" to a merged pull request.

## 1. Find a project

- Search the [catalog](/catalog/). Projects marked **Wants contributions** say what help they need.
- Fill in your skills and interests on your profile: the home page then suggests first projects that
  fit you, with issues that are ready to pick up.
- Issues labelled `good first issue` or `help wanted` are small, well described pieces of work that the
  host team has set aside for newcomers.

## 2. Read before you write

Every project keeps a README, a CONTRIBUTING guide and a COMMUNICATION page. Read all three. They say
how the team builds and tests, how reviews happen, who the trusted committers are and where to ask.

## 3. Talk before you code

For anything larger than a typo, open an issue or ask in the project's channel first. Describe the
problem you want to solve rather than the code you plan to write. A trusted committer confirms that it
fits where the project is going, which saves both sides a pull request that cannot be accepted.

## 4. Make the change

- Work on a fork or a branch, as CONTRIBUTING asks.
- Keep each change small and about one thing.
- Update tests and documentation in the same change as the code.
- Follow the project's style and run its checks before you push.

## 5. Open the pull request

Say what changes and why, link the issue, and explain how you tested it. Open it as a draft while you
are still working, and mark it ready when you want a review.

## 6. Go through the review

A trusted committer reviews your change. Answer questions, push follow-up commits, and keep in mind
that the host team has its own plans too. If nobody has answered after two business days, a friendly
reminder in the channel is welcome.

## 7. Stay around

Once your change is merged you are a contributor. Answer questions from the next newcomer, review
other pull requests, and tell your team what you learned: that is how reuse spreads.

## Good manners

- The host team maintains the code after you move on: respect its decisions.
- Write things down in issues and pull requests rather than in private chats, so others can follow.
- Thank the people who helped you, and credit them.
"""

TRUSTED_COMMITTER = """\
A trusted committer is a person the project trusts to look after its code and, above all, its
contributors. Most belong to the host team; experienced contributors from other teams can be appointed
too.

## What trusted committers do

- **Welcome and mentor.** They answer newcomers, point them to good first issues and help them through
  their first pull request.
- **Review and merge.** They review contributions for quality, fit and maintainability, and merge
  them. Their job is to help good changes land, not to guard the gate.
- **Answer quickly.** They aim to give every issue and pull request a first answer within two business
  days, even if that answer is "we will look at this next sprint".
- **Keep the backlog open.** They label issues for newcomers, say what help the project wants, and
  keep the documentation current.
- **Decide in the open.** Decisions and their reasons go into issues, pull requests or the channel, so
  that people who were not in the room can follow.

## How to become one

Trusted committers grow out of sustained work in a community: merged contributions, careful reviews
and help given to others over several months. The program office sets the thresholds the portal uses
to suggest people; the project's owners and maintainers make the appointment.

## Time

Agree the time you give with your manager, the same way as for any participation level. Looking after
a community takes real hours every sprint. Rotate the role when someone needs a break, and hand over
open reviews when you do.
"""

START_A_PROJECT = """\
Starting an InnerSource project turns code your team already has into something other teams can find,
use and improve. Before you start, search the [catalog](/catalog/): reusing or joining a project that
already exists is usually the better move.

## 1. Decide what you share and who looks after it

Pick the repository or repositories to open. Name the owners and maintainers who answer for the
project, and at least one trusted committer who will review contributions.

## 2. Get the starter kit

The [library](/guidelines/) has a starter kit: README, CONTRIBUTING, COMMUNICATION, a code of conduct,
pull request and issue templates, an `innersource.json` and a `catalog-info.yaml`. Download it filled
in with your project's values and adapt the text to the way your team works.

## 3. Open the repository

Give everyone in the company read access and the right to open issues and pull requests. Keep
decisions, plans and the backlog where contributors can see them.

## 4. Register the project

Register it in the catalog, either with the form or by uploading the `innersource.json` or
`catalog-info.yaml` from the starter kit. The program office reviews the registration and may ask for
changes before it is listed.

## 5. Get ready for newcomers

- Say what help you want in "contributions wanted" and list the skills that help.
- Label a few issues `good first issue`: small, well described, with a pointer to where to start.
- Open a communication channel and say in COMMUNICATION.md when the team answers.

## 6. Run the community

Plan in the open, answer within two business days, review contributions fairly and thank contributors.
The project's page in the portal shows its activity, response times and reuse: watch them, and use the
readiness checklist to see what is still missing.
"""

AGILE_CADENCE = """\
InnerSource communities plan together so that contributors from other teams know what is happening
and can take part.

## Two-week sprints

Communities work in sprints of two weeks:

1. **Planning, as a team.** At the start of each sprint the community chooses what it works on next.
   The backlog is public and the meeting is open: anyone may propose work or pick up an item.
2. **Working in the open.** Short written updates in the channel replace status meetings, so people in
   other time zones and teams stay informed.
3. **Review.** At the end of the sprint the community shows what was finished and merged.
4. **Retrospective.** The community looks at what helped and what got in the way, and changes one
   thing for the next sprint.

Keep work in progress small: finishing one item beats starting three.

## Participation levels

How much time a person gives a community is agreed with their manager and can change from sprint to
sprint.

| Level | Who | Commitment |
| --- | --- | --- |
| **Open** | Anyone in the company | Drops in when they need something: an issue, a question, a fix. No fixed time. |
| **Active** | Regular contributors | Takes an item now and then, joins some plannings, a few hours per sprint. |
| **Ongoing** | Committed contributors | Takes items every sprint and joins planning and review. |
| **Dedicated** | Trusted committers and starters, mostly | A large, agreed share of their time goes to the community, sprint after sprint. |

## Show up to be heard

Decisions are made by the people who take part. If a plan affects you, come to planning or write in
the channel before it starts.
"""

README = """\
# {{ project.name }}

{{ project.description }}

## Why it exists

{{ project.motivation }}

## Getting started

Describe the shortest path from nothing to a working example: how to install {{ project.name }} or call
it, and a first snippet.

- Documentation: {{ docs_url }}
- Source: {{ repository_url }}
- Licence: {{ license }}

## Contributing

{{ project.name }} is an InnerSource project: contributions from every team are welcome. Please read
[CONTRIBUTING.md](CONTRIBUTING.md) before you start, and [COMMUNICATION.md](COMMUNICATION.md) to find
out where we talk.

Help we are looking for:
{% for item in project.contributions %}
- {{ item }}{% endfor %}

Skills that help: {{ project.skills_wanted }}

## Who looks after it

- Owners and maintainers: {{ owners }}
- Trusted committers: {{ trusted_committers }}
"""

CONTRIBUTING = """\
# Contributing to {{ project.name }}

Thank you for helping. This page explains how we work so that your contribution can be merged quickly.

## Before you start

- Look at the open issues, especially those labelled `good first issue` and `help wanted`.
- For anything larger than a small fix, open an issue or ask in {{ communication_url }} first, so we can
  agree on the approach before you spend time on it.

## Making a change

1. Fork the repository or create a branch: {{ repository_url }}
2. Keep the change focused on one thing.
3. Add or update tests and documentation with the code.
4. Run the checks locally before you push.

## Pull requests

- Describe what changes and why, and link the issue.
- Open a draft while you are still working; mark it ready when you want a review.
- A trusted committer answers within two business days. If you hear nothing, remind us in
  {{ communication_url }}.

## Reviews

Trusted committers review every pull request: {{ trusted_committers }}. They look at fit,
quality and whether the change can be maintained. Expect questions; they are part of the work, not a
rejection.

## Conduct

Everyone taking part follows our [code of conduct](CODE_OF_CONDUCT.md).
"""

COMMUNICATION = """\
# Communication in {{ project.name }}

## Where to talk

- Chat: {{ communication_url }}. Questions, ideas and quick help.
- Issues: {{ repository_url }}. Bugs, feature requests and decisions, so they stay findable.
- Pull requests: discussion of a concrete change.

Prefer written, public channels over private messages: the next person with the same question finds
the answer there.

## When we answer

Owners and trusted committers aim to give every issue and pull request a first answer within two
business days.

## How we plan

We work in two-week sprints. Planning is open to everyone: come along or comment on the backlog to
propose work. Decisions are written down in the issue they belong to.

## Who to ask

- Owners and maintainers: {{ owners }}
- Trusted committers: {{ trusted_committers }}
"""

CODE_OF_CONDUCT = """\
# Code of conduct

Everyone who takes part in {{ project.name }}, whatever their team or role, agrees to these rules.

## How we work together

- **Open by default.** We share code, plans and decisions with the whole company, so that others can
  reuse our work and join in.
- **Trying is allowed to fail.** We experiment, learn from what does not work and try again. Nobody is
  blamed for an honest attempt.
- **One thing at a time.** We keep work in progress small and respect each other's time.
- **Pay it forward.** We document what we do and why, so the next person can follow without asking.
- **Respect and patience.** We treat people and their ideas with respect, explain instead of dismiss,
  and remember that contributors have other work too.
- **Plan as a team.** We plan in the open and welcome anyone who wants to take part.

## What is not acceptable

Harassment, insults, discrimination, personal attacks, and publishing someone's private information
have no place here, in any channel.

## Raising a concern

Talk to the project owners ({{ owners }}) or to the InnerSource program office. Concerns are handled
in confidence, and nobody is penalised for raising one in good faith.
"""

PULL_REQUEST_TEMPLATE = """\
## What does this change?

<!-- A short description of the change. -->

## Why?

<!-- The problem it solves. Link the issue: "Closes #123". -->

## How was it tested?

<!-- Tests added or updated, and what you checked by hand. -->

## Checklist

- [ ] I read CONTRIBUTING.md for {{ project.name }}
- [ ] Tests and documentation are updated
- [ ] The change is focused on one thing
"""

BUG_REPORT = """\
---
name: Bug report
about: Something does not work as documented
labels: bug
---

## What happened

<!-- What you did, and what went wrong. -->

## What you expected

## How to reproduce

1.
2.
3.

## Environment

<!-- Version of {{ project.name }}, language or runtime version, operating system. -->
"""

INNERSOURCE_JSON = """\
{
  "title": {{ project.name }},
  "description": {{ project.description }},
  "motivation": {{ project.motivation }},
  "contributions": {{ project.contributions }},
  "skills": {{ project.skills_wanted }},
  "language": {{ project.languages }},
  "topics": {{ project.topics }},
  "docs": {{ project.docs_url }},
  "guidelines": {{ project.contributing_url }},
  "repository": {{ project.repository_url }}
}
"""

CATALOG_INFO_YAML = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {{ project.slug }}
  title: {{ project.name }}
  description: {{ project.description }}
  tags: {{ project.tags }}
{% if has.docs_url or has.communication_url %}  links:
{% if has.docs_url %}    - title: Documentation
      url: {{ project.docs_url }}
{% endif %}{% if has.communication_url %}    - title: Chat channel
      url: {{ project.communication_url }}
{% endif %}{% endif %}{% if has.source_location %}  annotations:
    backstage.io/source-location: {{ project.source_location }}
{% endif %}spec:
  type: library  # or service, website
  lifecycle: {{ project.backstage_lifecycle }}
  owner: {{ project.business_unit_slug }}
"""

# slug, title, kind, summary, filename, order, body
LIBRARY = [
    (
        "how-to-contribute",
        "How to contribute",
        "guide",
        "From finding a project to a merged pull request: the steps of a first contribution and the manners that go with it.",
        "",
        10,
        HOW_TO_CONTRIBUTE,
    ),
    (
        "trusted-committer-role",
        "The trusted committer role",
        "guide",
        "What trusted committers do for a community, how people become one, and the time it takes.",
        "",
        20,
        TRUSTED_COMMITTER,
    ),
    (
        "start-an-innersource-project",
        "How to start an InnerSource project",
        "guide",
        "Open your team's code to the company: the starter kit, registration, and getting ready for newcomers.",
        "",
        30,
        START_A_PROJECT,
    ),
    (
        "agile-cadence",
        "The agile cadence",
        "guide",
        "Two-week sprints planned as a team, and the four participation levels: Open, Active, Ongoing and Dedicated.",
        "",
        40,
        AGILE_CADENCE,
    ),
    (
        "readme",
        "README",
        "template",
        "The front page of the repository: what the project is, why it exists, how to start and who looks after it.",
        "README.md",
        10,
        README,
    ),
    (
        "contributing",
        "Contribution guidelines",
        "template",
        "How to propose, make and get a change reviewed, with the response time the team commits to.",
        "CONTRIBUTING.md",
        20,
        CONTRIBUTING,
    ),
    (
        "communication",
        "Communication",
        "template",
        "Where the community talks, when it answers, and how it plans.",
        "COMMUNICATION.md",
        30,
        COMMUNICATION,
    ),
    (
        "code-of-conduct",
        "Code of conduct",
        "template",
        "The rules of engagement everyone taking part agrees to, and how to raise a concern.",
        "CODE_OF_CONDUCT.md",
        40,
        CODE_OF_CONDUCT,
    ),
    (
        "pull-request-template",
        "Pull request template",
        "template",
        "The description every pull request starts from: what, why and how it was tested.",
        ".github/PULL_REQUEST_TEMPLATE.md",
        50,
        PULL_REQUEST_TEMPLATE,
    ),
    (
        "bug-report-template",
        "Bug report template",
        "template",
        "An issue form for bug reports, so that reports arrive with what is needed to reproduce them.",
        ".github/ISSUE_TEMPLATE/bug_report.md",
        60,
        BUG_REPORT,
    ),
    (
        "innersource-json",
        "innersource.json",
        "template",
        "The project's self-description in SAP's innersource.json format; the catalog can register a project from it.",
        "innersource.json",
        70,
        INNERSOURCE_JSON,
    ),
    (
        "catalog-info-yaml",
        "catalog-info.yaml",
        "template",
        "A Backstage catalog entry for the project; the catalog can register a project from it too.",
        "catalog-info.yaml",
        80,
        CATALOG_INFO_YAML,
    ),
]


def create_library(apps, schema_editor):
    Guide = apps.get_model("community", "Guide")
    GuideVersion = apps.get_model("community", "GuideVersion")
    for slug, title, kind, summary, filename, order, body in LIBRARY:
        guide, created = Guide.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "kind": kind,
                "summary": summary,
                "filename": filename,
                "in_starter_kit": kind == "template",
                "order": order,
            },
        )
        if created:
            GuideVersion.objects.create(guide=guide, version=1, body=body, note="First version.")


def delete_library(apps, schema_editor):
    Guide = apps.get_model("community", "Guide")
    Guide.objects.filter(slug__in=[entry[0] for entry in LIBRARY]).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0004_stage_content_and_rules")]

    operations = [migrations.RunPython(create_library, delete_library)]
