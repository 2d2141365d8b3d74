"""Container images: a Dockerfile's FROM lines (build arguments substituted as Docker does with their
defaults, by dockerfile-parse). A FROM naming an earlier stage, or scratch, uses no image."""

import io

from dockerfile_parse import DockerfileParser

from metrics.manifests.common import Dependency, ManifestError, purl

__all__ = ["dockerfile_dependencies", "image_purl"]


def image_purl(reference: str) -> tuple[str, str] | None:
    """(coordinates, tag or digest) of an image reference: "registry.acme.example/acme/base-python:1.4"
    is pkg:docker/acme/base-python and "1.4". Docker Hub's official images are library/<name>. An image
    pinned by both ("base-python:1.4@sha256:…") is in use at its tag: the version its releases are
    compared with (a digest tells no one how far behind it is)."""
    name, digest = reference.split("@", 1) if "@" in reference else (reference, "")
    slash, colon = name.rfind("/"), name.rfind(":")
    name, tag = (name[:colon], name[colon + 1 :]) if colon > slash else (name, "")
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # the registry's host
    if not parts or not parts[-1]:
        return None
    namespace = "/".join(parts[:-1]) or "library"
    return purl(type="docker", namespace=namespace, name=parts[-1]), tag or digest


def dockerfile_dependencies(path: str, text: str) -> list[Dependency]:
    try:
        parser = DockerfileParser(fileobj=io.StringIO(text))
        froms = [entry for entry in parser.structure if entry["instruction"] == "FROM"]
        images = parser.parent_images  # in the order of the FROM lines, arguments substituted
    except Exception as error:  # the library raises what its tokeniser meets
        raise ManifestError(f"{path}: not a readable Dockerfile ({error})") from error
    stages: set[str] = set()
    found = []
    for entry, image in zip(froms, images, strict=False):
        if image.lower() not in stages and image.lower() != "scratch":
            coordinates = image_purl(image)
            if coordinates:
                found.append(Dependency(coordinates[0], coordinates[1], path, entry["startline"] + 1))
        words = entry["value"].split()
        if len(words) >= 3 and words[-2].lower() == "as":
            stages.add(words[-1].lower())
    return found
