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
    items = [{"key": key, "label": label, "done": key in present} for key, label in READINESS_ITEMS]
    return {"source": source, "items": items, "done": sum(i["done"] for i in items), "total": len(items)}
