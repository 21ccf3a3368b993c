"""CDK apps are linted through what `cdk synth` writes: `tamis lint cdk.out/` reads the synthesized
templates even though a walk skips cdk.out and .gitignore usually lists it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tamis.lint import lint

TEMPLATE = {
    "Resources": {
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": [{"prefix": 1}]}}}
    }
}


def synthesized(root: Path) -> None:
    out = root / "cdk.out"
    out.mkdir()
    (out / "ClaimsStack.template.json").write_text(json.dumps(TEMPLATE, indent=1), encoding="utf-8")
    (out / "manifest.json").write_text('{"version": "36.0.0", "artifacts": {}}', encoding="utf-8")


def codes(root: Path, *paths: str) -> list[tuple[str | None, str]]:
    return [(d.source, d.code) for d in lint(list(paths) or None, cwd=root).diagnostics]


def test_cdk_out_named_on_the_command_line_is_read_outside_git(tmp_path: Path) -> None:
    synthesized(tmp_path)
    assert codes(tmp_path) == []  # the walk of the whole folder skips generated output
    assert codes(tmp_path, "cdk.out") == [("cdk.out/ClaimsStack.template.json", "EVT206")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_cdk_out_named_on_the_command_line_is_read_though_git_ignores_it(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("cdk.out/\n", encoding="utf-8")
    synthesized(tmp_path)
    assert codes(tmp_path) == []  # .gitignore holds for the repository as a whole
    assert codes(tmp_path, "cdk.out") == [("cdk.out/ClaimsStack.template.json", "EVT206")]
    assert codes(tmp_path, "cdk.out/") == [("cdk.out/ClaimsStack.template.json", "EVT206")]
