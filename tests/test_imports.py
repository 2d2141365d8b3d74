"""Dependencies point one way (DESIGN.md): catalog is the base; community and metrics build on it;
community reads metrics; metrics never imports community; no app imports the portal package, which
only wires them together. And no two modules import each other, not even from inside a function
(an import hidden in a function is still a cycle: it only moves the failure to run time).

The walk reads every import statement of the project's modules (migrations aside), at any depth."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("catalog", "community", "metrics", "portal")
# Which app may import which (besides itself).
MAY_IMPORT = {
    "catalog": set(),
    "metrics": {"catalog"},
    "community": {"catalog", "metrics"},
    "portal": {"catalog", "metrics", "community"},
}


def _modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for file in (ROOT / app).rglob("*.py"):
            if "migrations" in file.parts:
                continue
            parts = file.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    return modules


def _graph() -> dict[str, set[str]]:
    modules = _modules()

    def resolve(name: str) -> str | None:
        parts = name.split(".")
        while parts:
            if ".".join(parts) in modules:
                return ".".join(parts)
            parts.pop()
        return None

    graph: dict[str, set[str]] = {}
    for module, file in modules.items():
        package = module if file.name == "__init__.py" else module.rpartition(".")[0]
        imported: set[str | None] = set()
        for node in ast.walk(ast.parse(file.read_text(), filename=str(file))):
            if isinstance(node, ast.Import):
                imported.update(resolve(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    imported.add(resolve(f"{base}.{alias.name}") or resolve(base))
        graph[module] = {name for name in imported if name and name != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_apps_import_only_the_apps_below_them():
    wrong = sorted(
        f"{module} imports {name}"
        for module, imported in _graph().items()
        for name in imported
        if (app := module.split(".")[0]) != (other := name.split(".")[0]) and other not in MAY_IMPORT[app]
    )

    assert not wrong, "\n".join(wrong)


def test_no_modules_import_each_other_even_from_inside_a_function():
    assert not _cycles(_graph())


def test_the_walk_sees_imports_at_every_depth_and_finds_a_cycle():
    graph = _graph()
    assert "catalog.models" in graph["catalog.notifications"]  # a top-level import
    assert "metrics.tasks" in graph["metrics.webhooks.views"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# Benchmark and load-test tooling, imported only by their own commands (issue 15 moves them out).
TOOLING = ("portal.bench", "portal.loadtest")


def test_the_running_portal_uses_none_of_djangos_test_tools():
    """override_settings and the test client belong in tests: at run time a setting is read, and a
    different behaviour is a parameter."""
    users = sorted(
        module
        for module, file in _modules().items()
        if not module.startswith(TOOLING)
        for node in ast.walk(ast.parse(file.read_text()))
        if isinstance(node, ast.ImportFrom | ast.Import)
        if any(
            name.startswith("django.test")
            for name in (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            )
        )
    )

    assert not users, users


def test_only_the_tooling_s_own_commands_import_it_and_only_when_they_run():
    graph = _graph()
    importers = sorted(
        module
        for module, imported in graph.items()
        if not module.startswith(TOOLING) and any(name.startswith(TOOLING) for name in imported)
    )

    assert not importers, (
        f"imported outside its commands (at run time only, via portal.management.tooling): {importers}"
    )


def test_the_benchmark_s_scale_names_are_its_scales():
    from portal.bench.scales import SCALES
    from portal.management.tooling import SCALE_NAMES

    assert set(SCALE_NAMES) == set(SCALES)
