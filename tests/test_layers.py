"""The layering of `engine/` is a contract (docs/design.md, "分层 Layers"):
each phase imports only from itself and the phases below it, no module
imports itself back through others, and an import inside a function says why
it is there (start-up time, or an optional library)."""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"

# Lowest first. A module may import from its own layer and from any layer before it.
LAYERS = ("base", "load", "ruleset", "unit", "evaluation", "tools", "render", "batch", "api", "cli", "serve", "__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    """The layer index of an `engine.…` module (None for the package root)."""
    parts = module.split(".")
    if parts[0] != "engine" or len(parts) == 1:
        return None
    return LAYERS.index(parts[1])


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported engine module, line, inside a function) for every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    out = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                out.extend((a.name, child.lineno, in_function) for a in child.names if a.name.startswith("engine"))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: resolve against this package
                    pkg = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
                    base = ".".join(pkg[: len(pkg) - child.level + 1] + ([base] if base else []))
                if base.startswith("engine"):
                    for a in child.names:
                        target = f"{base}.{a.name}"
                        # `from engine.x import y`: y is a module when engine/x/y(.py) exists
                        is_module = (ROOT / target.replace(".", "/")).with_suffix(".py").exists() or (ROOT / target.replace(".", "/")).is_dir()
                        out.append((target if is_module else base, child.lineno, in_function))
            visit(child, inner)

    visit(tree, False)
    return out


MODULES = sorted(ENGINE.rglob("*.py"))


def wrong_way_imports(modules=MODULES) -> list[str]:
    found = []
    for path in modules:
        me = module_name(path)
        mine = layer_of(me)
        for target, line, _ in imports(path):
            theirs = layer_of(target)
            if mine is not None and theirs is not None and theirs > mine:
                found.append(f"{path.relative_to(ROOT)}:{line}: {me} ({LAYERS[mine]}) imports {target} ({LAYERS[theirs]})")
    return found


def test_every_engine_module_is_in_a_layer():
    for path in MODULES:
        me = module_name(path)
        if me != "engine":
            assert me.split(".")[1] in LAYERS, f"{me}: add its folder to LAYERS (and to docs/design.md)"


def test_imports_only_point_down():
    assert wrong_way_imports() == []


def test_a_wrong_way_import_is_caught(tmp_path):
    """The check itself can fail: a base module importing the evaluator is reported."""
    bad = ENGINE / "base" / "_layer_probe.py"
    bad.write_text("from engine.evaluation.evaluate import evaluate\n", encoding="utf-8")
    try:
        assert wrong_way_imports([bad]) == [
            "engine/base/_layer_probe.py:1: engine.base._layer_probe (base) imports engine.evaluation.evaluate (evaluation)"
        ]
    finally:
        bad.unlink()


def test_no_import_cycles():
    graph: dict[str, set[str]] = {}
    names = {module_name(p) for p in MODULES}
    for path in MODULES:
        me = module_name(path)
        # a package's __init__ is imported on the way to any of its modules: not a dependency in itself
        graph[me] = {t for t, _, _ in imports(path) if t in names and t != me and not me.startswith(t + ".")}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as e:
        pytest.fail(f"import cycle: {' → '.join(e.args[1])}")


def test_imports_inside_functions_say_why():
    """An import inside a function is for start-up time or an optional library:
    it carries a `# …` comment on its line or the line before it."""
    missing = []
    for path in MODULES:
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)) and not _said_why(lines, inner.lineno):
                        missing.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert sorted(set(missing)) == []


def _said_why(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or on the line above the block of imports it stands in."""
    if "#" in lines[lineno - 1]:
        return True
    i = lineno - 2
    while i >= 0 and (not lines[i].strip() or lines[i].strip().startswith(("from ", "import "))):
        if "#" in lines[i]:
            return True
        i -= 1
    return i >= 0 and lines[i].strip().startswith("#")
