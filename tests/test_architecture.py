"""The package map holds: `lint-imports` keeps the import-linter contracts of
pyproject.toml (no import cycles; features above content above the shared
helpers above the clock); no feature imports another's views, services or
subscribers; modules and functions stay within their sizes; imports inside
functions are few and say why. docs/architecture.md explains them."""

from pathlib import Path
import ast
import grimp
import subprocess
import sys


ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# What the package map asks of every module of the add-on (its tests aside).
PACKAGE = ROOT / "src" / "paeria" / "egov"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
MAX_IMPORTS_INSIDE_FUNCTIONS = 20
# A feature's Classic UI views, REST services and event subscribers are wired
# by ZCML; another feature needing what they do imports it from a module below.
ENTRY_POINT_MODULES = {"browser", "services", "subscribers"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" not in path.relative_to(PACKAGE).parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_module_is_over_the_size_limit():
    too_long = [
        f"{path.relative_to(ROOT)}: {length} lines"
        for path, _tree in _modules()
        if (length := len(path.read_text(encoding="utf-8").splitlines()))
        > MAX_MODULE_LINES
    ]
    assert not too_long, too_long


def test_no_function_is_over_the_size_limit():
    too_long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines"
        for path, tree in _modules()
        for node in _functions(tree)
        if (length := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert not too_long, too_long


def test_imports_inside_functions_are_few_and_explained():
    inside = []
    unexplained = []
    for path, tree in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in _functions(tree):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    inside.append(where)
                    # The reason: a comment on the line or in the lines above
                    # it, inside the function.
                    above = lines[max(function.lineno, node.lineno - 4) : node.lineno]
                    if not any("#" in line for line in above):
                        unexplained.append(where)
    assert len(inside) < MAX_IMPORTS_INSIDE_FUNCTIONS, inside
    assert not unexplained, unexplained


def test_features_do_not_import_each_others_entry_points():
    graph = grimp.build_graph("paeria.egov")
    crossing = []
    for module in sorted(graph.modules):
        parts = module.split(".")
        if len(parts) != 4 or parts[3] not in ENTRY_POINT_MODULES:
            continue
        package = ".".join(parts[:3])
        for importer in sorted(graph.find_modules_that_directly_import(module)):
            if not importer.startswith(package + ".") and ".tests" not in importer:
                crossing.append(f"{importer} -> {module}")
    assert not crossing, crossing
