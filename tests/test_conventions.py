"""Conventions the suite keeps, checked over its own source so that a new test keeps them too."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _mentions_vendor(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "vendor" for n in ast.walk(node))


def _skips(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "skip"
        for n in ast.walk(node)
    )


def test_postgresql_only_tests_say_so_with_the_marker_not_by_skipping_themselves():
    """`@pytest.mark.postgres` (conftest skips it on SQLite, and the report says why); a test that
    looks at connection.vendor and skips is invisible in the marker's selection."""
    offenders = sorted(
        f"{file.relative_to(TESTS)}:{node.lineno}"
        for file in TESTS.rglob("test_*.py")
        for node in ast.walk(ast.parse(file.read_text()))
        if isinstance(node, ast.If) and _mentions_vendor(node.test) and _skips(node)
    )

    assert not offenders, offenders
