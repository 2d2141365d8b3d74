"""CI pipelines: GitHub Actions workflows (`uses:` of steps and of reusable workflows, and the container
images jobs run in and beside) and GitLab CI (`include:` of another project's files or of a CI/CD
component, and the `image:` and `services:` of the pipeline and its jobs)."""

from metrics.manifests.common import Dependency, LineFinder, purl, yaml_mapping
from metrics.manifests.containers import image_purl

__all__ = ["github_workflow_dependencies", "gitlab_ci_dependencies"]

MAX_NODES = 50_000


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


def _images(values: list, key: str) -> list[str]:
    """The image references among `values`, each a string or a mapping naming it under `key`; one written
    with a variable (`${{ … }}`, `$NAME`) names no image until the pipeline runs, so it is left out."""
    images = []
    for value in values:
        image = value.get(key) if isinstance(value, dict) else value
        if isinstance(image, str) and image.strip() and "$" not in image:
            images.append(image.strip())
    return images


def _image_dependencies(images: list[str], path: str, lines: LineFinder) -> list[Dependency]:
    found = []
    for image in images:
        coordinates = image_purl(image)
        if coordinates:
            found.append(Dependency(coordinates[0], coordinates[1], path, lines.line_of(image)))
    return found


def github_workflow_dependencies(path: str, text: str) -> list[Dependency]:
    workflow = yaml_mapping(path, text, max_nodes=MAX_NODES)
    lines = LineFinder(text)
    found = []
    for job in (workflow.get("jobs") or {}).values():
        if not isinstance(job, dict):
            continue
        # The job's container and its service containers (a string, or a mapping with `image:`), looked
        # up before its steps, which a job lists after them (LineFinder reads on from the last line found).
        services = job.get("services")
        containers = [job.get("container"), *(services.values() if isinstance(services, dict) else [])]
        found += _image_dependencies(_images(containers, "image"), path, lines)
        uses = [job["uses"]] if isinstance(job.get("uses"), str) else []
        uses += [
            s["uses"]
            for s in job.get("steps") or []
            if isinstance(s, dict) and isinstance(s.get("uses"), str)
        ]
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
    team's project. Then the images of the pipeline and its jobs."""
    pipeline = yaml_mapping(path, text, max_nodes=MAX_NODES)
    found = _includes(pipeline, path, LineFinder(text))
    # The images the pipeline's jobs run in and beside: at the top, under `default:` and in each job
    # (a string, or a mapping naming it under `name:`).
    lines = LineFinder(text)
    jobs = [value for key, value in pipeline.items() if isinstance(value, dict) and key != "variables"]
    for node in [pipeline, *jobs]:
        services = node.get("services")
        images = [node.get("image"), *(services if isinstance(services, list) else [])]
        found += _image_dependencies(_images(images, "name"), path, lines)
    return found


def _includes(pipeline: dict, path: str, lines: LineFinder) -> list[Dependency]:
    includes = pipeline.get("include") or []
    includes = includes if isinstance(includes, list) else [includes]
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
