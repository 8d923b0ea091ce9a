"""Habits the codebase keeps, checked: every public function says its types (mypy checks them
in `make lint`), and no management command imports another one."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "border_map"


def _modules():
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


def _untyped(body, prefix=""):
    for node in body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from _untyped(node.body, f"{prefix}{node.name}.")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name.startswith("_"):
                continue
            a = node.args
            args = [
                x for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg not in ("self", "cls")
            ]
            args += [x for x in (a.vararg, a.kwarg) if x is not None]
            if node.returns is None or any(x.annotation is None for x in args):
                yield f"{prefix}{node.name} (line {node.lineno})"


def test_every_public_function_of_the_package_has_type_hints():
    untyped = {
        str(path.relative_to(PACKAGE)): names
        for path in _modules()
        if (names := list(_untyped(ast.parse(path.read_text(encoding="utf-8")).body)))
    }
    assert untyped == {}


def test_the_check_finds_a_public_function_without_hints():
    tree = ast.parse("def shown(a, b: int) -> int: ...\ndef _hidden(a): ...\n")
    assert list(_untyped(tree.body)) == ["shown (line 1)"]


def test_no_management_command_imports_another_command():
    for path in (PACKAGE / "management" / "commands").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ]
        assert not [m for m in imported if "commands" in m], path.name
