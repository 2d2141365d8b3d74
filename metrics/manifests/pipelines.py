"""CI pipelines: GitHub Actions workflows (`uses:` of steps and of reusable workflows) and GitLab CI
includes (`include:` of another project's files, or of a CI/CD component)."""

from catalog.parsing import ParseError, load_yaml_documents
from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl
from metrics.manifests.containers import image_purl

__all__ = ["github_workflow_dependencies", "gitlab_ci_dependencies"]

MAX_NODES = 50_000


def _yaml(path: str, text: str) -> dict:
    try:
        documents = load_yaml_documents(text, max_nodes=MAX_NODES)
    except ParseError as error:
        raise ManifestError(f"{path}: {error}") from error
    document = documents[0] if documents else None
    return document if isinstance(document, dict) else {}


def _action(uses: str) -> tuple[str, str] | None:
    """(coordinates, ref) of "owner/repo[/path]@ref", or of the image a step runs ("docker://image:tag",
    a container image as a Dockerfile's FROM names it); None for a local action (./x). An action in a
    folder of its repository is its subpath, as catalog.packages writes it."""
    if uses.startswith("docker://"):
        return image_purl(uses.removeprefix("docker://"))
    reference, _, ref = uses.partition("@")
    parts = reference.split("/")
    if uses.startswith("./") or len(parts) < 2 or not all(parts[:2]):
        return None
    subpath = "/".join(parts[2:]) or None
    return purl(type="github", namespace=parts[0], name=parts[1], subpath=subpath), ref


def github_workflow_dependencies(path: str, text: str) -> list[Dependency]:
    workflow = _yaml(path, text)
    lines = LineFinder(text)
    uses: list[str] = []
    for job in (workflow.get("jobs") or {}).values():
        if not isinstance(job, dict):
            continue
        if isinstance(job.get("uses"), str):
            uses.append(job["uses"])
        for step in job.get("steps") or []:
            if isinstance(step, dict) and isinstance(step.get("uses"), str):
                uses.append(step["uses"])
    found = []
    for value in uses:
        action = _action(value.strip())
        if action:
            found.append(Dependency(action[0], action[1], path, lines.line_of("uses:", value.strip())))
    return found


def _gitlab(project: str, subpath: str) -> str | None:
    namespace, _, name = project.strip("/").rpartition("/")
    return (
        purl(type="gitlab", namespace=namespace, name=name, subpath=subpath) if namespace and name else None
    )


def gitlab_ci_dependencies(path: str, text: str) -> list[Dependency]:
    """`include: project` (each of its files) and `include: component`
    ($CI_SERVER_FQDN/group/project/name@version); local, remote and template includes are not another
    team's project."""
    pipeline = _yaml(path, text)
    includes = pipeline.get("include") or []
    includes = includes if isinstance(includes, list) else [includes]
    lines = LineFinder(text)
    found = []
    for include in includes:
        if not isinstance(include, dict):
            continue
        if isinstance(include.get("project"), str):
            project = include["project"]
            files = include.get("file") or []
            for file in files if isinstance(files, list) else [files]:
                coordinates = _gitlab(project, str(file).lstrip("/"))
                if coordinates:
                    line = lines.line_of(project)
                    found.append(Dependency(coordinates, str(include.get("ref", "")), path, line))
        elif isinstance(include.get("component"), str):
            address, _, version = include["component"].partition("@")
            parts = address.split("/")[1:]  # the server's host (often $CI_SERVER_FQDN) aside
            if len(parts) >= 3:
                coordinates = _gitlab("/".join(parts[:-1]), parts[-1])
                if coordinates:
                    found.append(Dependency(coordinates, version, path, lines.line_of(include["component"])))
    return found
