"""The layout's rules, enforced: ruff-clean, and imports flow one way (grammar -> compiler -> runtime).

Every layer may import the leaves ``tamis.errors``, ``tamis.json_number`` and ``tamis.rules`` (they import
nothing of tamis but each other). Beyond them: grammar imports only grammar; runtime imports only runtime,
and neither lark nor jsonschema; compiler imports grammar, compiler and runtime, never the front door; the
lint application calls the compilers directly and no layer below the CLI loads a module by a string.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEAVES = ("tamis.errors", "tamis.json_number", "tamis.rules", "tamis.processes")
# Where each layer's source sits, and the tamis packages it may import besides the leaves.
LAYERS = {
    "grammar": ("tamis.grammar",),
    "runtime": ("tamis.runtime",),
    "compiler": ("tamis.grammar", "tamis.compiler", "tamis.runtime"),
    # lint is an application of the front door: it may use the public API modules, never the CLI.
    "tamis/lint": (
        "tamis.grammar",
        "tamis.compiler",
        "tamis.runtime",
        "tamis.lint",
        "tamis.patterns",
        "tamis.policies",
        "tamis.sns_policies",
        "tamis.asl",
    ),
}
RUNTIME_FORBIDDEN = {"lark", "jsonschema", "yaml", "hcl2"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (absolute names), with its line."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            # `from tamis.x import module` names modules too
            out.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names if node.module == "tamis")
    return out


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]' installs it)")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("folder", sorted(LAYERS))
def test_imports_flow_one_way(folder: str) -> None:
    allowed = LAYERS[folder] + LEAVES
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: imports {name}"
        for path in _sources(folder)
        for line, name in _imports(path)
        if name.split(".")[0] == "tamis" and name != "tamis" and not _within(name, allowed)
    ]
    assert not wrong, "\n".join(wrong)


def test_runtime_imports_no_parser_or_schema_library() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: imports {name}"
        for path in _sources("runtime")
        for line, name in _imports(path)
        if name.split(".")[0] in RUNTIME_FORBIDDEN
    ]
    assert not wrong, "\n".join(wrong)


def test_leaves_import_nothing_of_tamis_but_leaves() -> None:
    for leaf in LEAVES:
        path = ROOT / (leaf.replace(".", "/") + ".py")
        assert all(not n.startswith("tamis") or n in LEAVES for _, n in _imports(path)), path


def test_no_module_is_loaded_by_a_string_below_the_cli() -> None:
    """A module named by a string hides the import graph from readers and tools (the stdlib's own private
    parser, named per Python version, is the one exception)."""
    wrong = []
    for folder in ("grammar", "compiler", "runtime", "tamis/lint"):
        for path in _sources(folder):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "import_module"
                    and not (
                        node.args
                        and isinstance(node.args[0], ast.Constant)
                        and not str(node.args[0].value).startswith("tamis")
                    )
                ):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not wrong, wrong


def test_every_language_has_a_package_in_every_layer() -> None:
    """The same name in each layer, so a rule's compile step, runtime path and tests are found by folder."""
    for layer in ("compiler", "tests"):
        for language in ("event_patterns", "data_protection", "asl"):
            assert (ROOT / layer / language).is_dir(), f"{layer}/{language}"
    for language in ("events", "redact", "choice"):
        assert (ROOT / "runtime" / language / "__init__.py").is_file(), f"runtime/{language}"
    assert (ROOT / "grammar" / "asl").is_dir()
    assert (ROOT / "tests" / "lint").is_dir() and (ROOT / "tamis" / "lint" / "__init__.py").is_file()
