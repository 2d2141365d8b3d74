"""The InnerSource readiness checklist of a project: the files and labels a newcomer needs."""

from catalog.models import Project

READINESS_ITEMS: list[tuple[str, str]] = [
    ("README", "README: what it is and how to use it"),
    ("CONTRIBUTING", "CONTRIBUTING: how to contribute"),
    ("COMMUNICATION", "COMMUNICATION: where the community talks"),
    ("CODE_OF_CONDUCT", "CODE_OF_CONDUCT"),
    ("LICENSE", "LICENSE"),
    ("CODEOWNERS", "CODEOWNERS: who reviews what"),
    ("ISSUE_TEMPLATE", "Issue templates"),
    ("PULL_REQUEST_TEMPLATE", "Pull-request template"),
    ("GOOD_FIRST_ISSUE", "Issues labelled “good first issue”"),
]
READINESS_KEYS = [key for key, _ in READINESS_ITEMS]
# The library guide that helps with each item (its slug): the starter kit's template for a file, the
# guide to starting a project for labelling issues. A missing item links to it, filled in for the project.
TEMPLATE = "get the template"
READINESS_GUIDES: dict[str, tuple[str, str]] = {
    "README": ("readme", TEMPLATE),
    "CONTRIBUTING": ("contributing", TEMPLATE),
    "COMMUNICATION": ("communication", TEMPLATE),
    "CODE_OF_CONDUCT": ("code-of-conduct", TEMPLATE),
    "LICENSE": ("license", TEMPLATE),
    "CODEOWNERS": ("codeowners", TEMPLATE),
    "ISSUE_TEMPLATE": ("bug-report-template", TEMPLATE),
    "PULL_REQUEST_TEMPLATE": ("pull-request-template", TEMPLATE),
    "GOOD_FIRST_ISSUE": ("start-an-innersource-project", "how to get ready for newcomers"),
}


def project_readiness(*, project: Project) -> dict:
    """From synced repository data when any repository was synced, else from what the starter declared."""
    repositories = [r for r in project.repositories.all() if r.last_synced_at]
    if repositories:
        present: set[str] = set()
        for repository in repositories:
            present.update(repository.files_present)
            if repository.has_good_first_issues:
                present.add("GOOD_FIRST_ISSUE")
        source = "synced"
    else:
        present = set(project.declared_readiness)
        source = "declared"
    items = [
        {
            "key": key,
            "label": label,
            "done": key in present,
            "guide": READINESS_GUIDES[key][0],
            "guide_text": READINESS_GUIDES[key][1],
        }
        for key, label in READINESS_ITEMS
    ]
    return {"source": source, "items": items, "done": sum(i["done"] for i in items), "total": len(items)}
