"""Which standard files a repository has, as readiness keys: one reading for GitHub, GitLab and git."""

from collections.abc import Iterable

from catalog.readiness import READINESS_KEYS

# The readiness checklist's file keys, then the portal's own descriptors.
FILE_KEYS = [key for key in READINESS_KEYS if key != "GOOD_FIRST_ISSUE"] + [
    "INNERSOURCE_JSON",
    "CATALOG_INFO",
]
# Where the forges look for community files: the root, their own folders and docs/.
COMMUNITY_FOLDERS = ("", ".github", ".gitlab", "docs")
STEM_KEYS = {
    "README": "README",
    "CONTRIBUTING": "CONTRIBUTING",
    "COMMUNICATION": "COMMUNICATION",
    "CODE_OF_CONDUCT": "CODE_OF_CONDUCT",
    "CODEOWNERS": "CODEOWNERS",
    "ISSUE_TEMPLATE": "ISSUE_TEMPLATE",  # a file or a folder of templates (GitHub)
    "PULL_REQUEST_TEMPLATE": "PULL_REQUEST_TEMPLATE",
    "LICENSE": "LICENSE",
    "LICENCE": "LICENSE",
    "COPYING": "LICENSE",
}
GITLAB_TEMPLATE_FOLDERS = {
    "issue_templates": "ISSUE_TEMPLATE",
    "merge_request_templates": "PULL_REQUEST_TEMPLATE",
}


def readiness_files(paths: Iterable[str]) -> list[str]:
    """Readiness keys for paths relative to the repository root ("README.md", ".github/CODEOWNERS",
    ".gitlab/issue_templates", ...), in checklist order."""
    found: set[str] = set()
    for path in paths:
        folder, _, name = path.strip("/").rpartition("/")
        if folder not in COMMUNITY_FOLDERS or not name:
            continue
        lower = name.lower()
        if folder == "" and lower == "innersource.json":
            found.add("INNERSOURCE_JSON")
        elif folder == "" and lower in ("catalog-info.yaml", "catalog-info.yml"):
            found.add("CATALOG_INFO")
        elif folder == ".gitlab" and lower in GITLAB_TEMPLATE_FOLDERS:
            found.add(GITLAB_TEMPLATE_FOLDERS[lower])
        else:
            stem = name.split(".", 1)[0].upper().replace("-", "_")
            key = STEM_KEYS.get(stem) or ("LICENSE" if stem.startswith(("LICENSE", "LICENCE")) else None)
            if key:
                found.add(key)
    return [key for key in FILE_KEYS if key in found]


def listing_paths(listings: dict[str, list[dict]]) -> list[str]:
    """Paths from forge folder listings ({folder: [{"name": ...}, ...]})."""
    return [
        f"{folder}/{entry['name']}" if folder else str(entry["name"])
        for folder, entries in listings.items()
        for entry in entries
        if isinstance(entry, dict) and entry.get("name")
    ]
