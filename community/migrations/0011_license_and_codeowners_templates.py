"""Two more starter-kit templates, for the readiness checklist's LICENSE and CODEOWNERS items: an
InnerSource licence (use, change and share inside the company) and a CODEOWNERS file naming the project's
owners and maintainers by their forge logins."""

from django.db import migrations

LICENSE = """{{ project.name }}: InnerSource licence
Copyright {{ year }} the owning company of {{ project.business_unit }}. All rights reserved.

This licence is given to every employee, team and business unit of the company and of the companies it
owns ("you").

1. Use. You may use {{ project.name }} in any product, service or tool of the company, at no charge
   between business units.
2. Change. You may change it, and are invited to contribute your changes back to the project through
   its contribution guidelines{% if has.contributing_url %} ({{ contributing_url }}){% endif %}, so that
   every team benefits from them.
3. Share. You may share it, changed or not, with anyone inside the company. Sharing it outside the
   company, or publishing it as open source, needs the written agreement of its owners and of the
   company's open source office.
4. Keep this notice. Every copy and every substantial part keeps this licence and the copyright line.
5. No warranty. It is given as it is. Its owners look after it as their contribution guidelines say,
   but promise no fitness for a purpose and are not liable for what its use causes.
{% if has.license %}
Third-party parts keep their own licences; the project declares: {{ license }}.
{% endif %}
Owners: {{ owners }}
"""

CODEOWNERS = """# Who reviews what in {{ project.name }}. The forge asks these people to review every change to
# the files on each line, and (with branch protection) requires one of them to approve it.
# Owners and maintainers review everything; add a line per area as trusted committers take one over,
# e.g. `/docs/ @a-trusted-committer`. The last matching line wins.

*{% for login in code_owners %} {{ login }}{% endfor %}
"""

TEMPLATES = [
    (
        "license",
        "LICENSE",
        "The InnerSource licence: every team of the company may use, change and share the project inside it.",
        "LICENSE",
        95,
        LICENSE,
    ),
    (
        "codeowners",
        "CODEOWNERS",
        "Who reviews what: the forge asks the owners and maintainers named here to review every change.",
        ".github/CODEOWNERS",
        96,
        CODEOWNERS,
    ),
]


def create_templates(apps, schema_editor):
    Guide = apps.get_model("community", "Guide")
    GuideVersion = apps.get_model("community", "GuideVersion")
    for slug, title, summary, filename, order, body in TEMPLATES:
        guide, created = Guide.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "kind": "template",
                "summary": summary,
                "filename": filename,
                "in_starter_kit": True,
                "order": order,
            },
        )
        if created:
            GuideVersion.objects.create(guide=guide, version=1, body=body, note="First version.")


def delete_templates(apps, schema_editor):
    Guide = apps.get_model("community", "Guide")
    Guide.objects.filter(slug__in=[entry[0] for entry in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0010_forge_accounts_rest_on_verified_addresses")]

    operations = [migrations.RunPython(create_templates, delete_templates)]
