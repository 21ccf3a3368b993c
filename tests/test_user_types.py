"""Type checkers see tamis's real signatures through the lazy ``tamis/__init__.py`` (its TYPE_CHECKING
imports, and py.typed): mypy --strict on a user's module passes what is right and catches a wrong
annotation of a result."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import tamis

pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")

USER_MODULE = """\
import tamis

rules = tamis.RuleSet()
rules.add("r", {"source": ["a"]})
names: list[str] = rules.matches('{"source": "a"}')
one: bool = tamis.compile_pattern({"source": ["a"]}).matches({"source": "a"})
policy = tamis.compile_policy(POLICY)
masked: str | None = policy.apply("mail a@example.com", direction="Inbound").message
found: list[tamis.Finding] = policy.scan("a@example.com")
decide = tamis.compile_choice({"Type": "Choice", "Choices": [], "Default": "D"})
state: str = decide({})
problems: list[tamis.Diagnostic] = tamis.validate_asl("{}")
try:
    tamis.compile_pattern("{")
except tamis.PatternError as err:
    line: int | None = err.line
n: int = rules.matches("{}")
"""
POLICY = (
    '{"Name": "p", "Version": "2021-06-01", "Statement": [{"DataDirection": "Inbound", "Principal": ["*"], '
    '"DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"], '
    '"Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}}]}'
)


def _installed_layout(tmp: Path) -> Path | None:
    """A folder holding ``tamis`` as installed, for MYPYPATH; None where tamis is installed as a normal
    package (mypy finds it beside the interpreter). An editable install maps tamis.grammar, .compiler and
    .runtime to top-level folders of the checkout through an import hook mypy does not run."""
    package = Path(tamis.__file__).resolve().parent
    if (package / "runtime").is_dir():
        return None
    root = package.parent
    tree = tmp / "layout" / "tamis"
    tree.mkdir(parents=True)
    for entry in package.iterdir():
        (tree / entry.name).symlink_to(entry)
    for layer in ("grammar", "compiler", "runtime"):
        (tree / layer).symlink_to(root / layer)
    return tree.parent


def test_mypy_strict_sees_real_signatures(tmp_path: Path) -> None:
    user = tmp_path / "user.py"
    user.write_text(f"POLICY = {POLICY!r}\n" + USER_MODULE, encoding="utf-8")
    env = dict(os.environ)
    layout = _installed_layout(tmp_path)
    if layout is not None:
        env["MYPYPATH"] = str(layout)
    # Errors inside tamis are not the user's (silent), but its types are read.
    command = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental"]
    command += ["--python-executable", sys.executable, "--show-error-codes", str(user)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    lines = [line for line in out.stdout.splitlines() if ": error:" in line]
    bad = len(USER_MODULE.splitlines()) + 1  # the last line of USER_MODULE, after the POLICY line
    assert lines == [
        f"user.py:{bad}: error: Incompatible types in assignment (expression has type "
        '"list[str]", variable has type "int")  [assignment]'
    ], out.stdout + out.stderr
