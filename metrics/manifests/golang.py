"""Go: go.mod's require directives (single lines and blocks). go.mod's grammar is small and Go has no
Python parser for it: the lines are read as the Go reference describes them (`require path version`,
comments after //); replace and exclude directives do not declare a use."""

from metrics.manifests.common import Dependency, purl

__all__ = ["go_mod_dependencies"]


def _golang(module: str) -> str:
    namespace, _, name = module.strip('"').rpartition("/")
    return purl(type="golang", namespace=namespace, name=name)


def go_mod_dependencies(path: str, text: str) -> list[Dependency]:
    found = []
    in_block = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("//", 1)[0].strip()
        if in_block:
            if line == ")":
                in_block = False
                continue
            words = line.split()
        elif line.startswith("require"):
            rest = line[len("require") :].strip()
            if rest == "(":
                in_block = True
                continue
            words = rest.split()
        else:
            continue
        if len(words) >= 2:
            found.append(Dependency(_golang(words[0]), words[1], path, number))
    return found
