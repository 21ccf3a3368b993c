"""The pre-commit hook, run for real: pre-commit installs tamis from this checkout (at HEAD) into its own
environment and runs ``tamis lint`` on a temporary repository's files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_hook_definition_is_well_formed() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "tamis-lint"]
    assert hook["entry"].split()[:2] == ["tamis", "lint"]
    assert "--force-exclude" in hook["entry"].split()  # pre-commit names excluded files too
    assert hook["language"] == "python"


def test_force_exclude_skips_named_files_that_exclude_covers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tamis.cli import main

    (tmp_path / ".tamis.toml").write_text('exclude = ["legacy/**", "*.generated.json"]\n', encoding="utf-8")
    bad = '{"source": [{"prefix": 1}]}'
    for name in ("legacy/orders-pattern.json", "rules/orders-pattern.json", "rules/x-pattern.generated.json"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(bad, encoding="utf-8")
    sub = tmp_path / "rules"

    def lint(cwd: Path, *args: str) -> tuple[int, str]:
        monkeypatch.chdir(cwd)
        code = main(["lint", "--format", "json", *args])
        report = json.loads(capsys.readouterr().out)
        return code, " ".join(sorted(d["path"] for d in report["diagnostics"]))

    # without the flag a named file is always read, as before
    assert lint(tmp_path, "legacy/orders-pattern.json") == (1, "legacy/orders-pattern.json")
    assert lint(tmp_path, "--force-exclude", "legacy/orders-pattern.json") == (0, "")
    assert lint(tmp_path, "legacy/orders-pattern.json", "rules/orders-pattern.json", "--force-exclude") == (
        1,
        "rules/orders-pattern.json",
    )
    # globs are relative to the configuration, wherever the command runs
    assert lint(sub, "--force-exclude", "x-pattern.generated.json", "orders-pattern.json") == (
        1,
        "orders-pattern.json",
    )
    assert lint(sub, "--force-exclude", "../legacy/orders-pattern.json") == (0, "")
    # folders named keep their usual exclusion, with or without the flag
    assert lint(tmp_path, "--force-exclude", ".") == (1, "rules/orders-pattern.json")


def test_pre_commit_runs_the_hook_on_a_repository(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None or shutil.which("git") is None:
        pytest.skip("pre-commit and git are needed (pip install -e '.[test]' installs pre-commit)")
    head = _git("rev-parse", "HEAD", cwd=ROOT)
    if head.returncode != 0:
        pytest.skip("this checkout has no commit to install the hook from")
    rev = head.stdout.strip()
    if _git("cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml", cwd=ROOT).returncode != 0:
        pytest.skip("HEAD of this checkout does not contain .pre-commit-hooks.yaml yet (commit it first)")

    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        # The hook environment is built once per commit of tamis; skip work pip does not need here.
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_COMPILE": "1",
    }
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    assert _git("init", "-q", cwd=repo).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: tamis-lint\n", encoding="utf-8"
    )
    rules = repo / "rules"
    rules.mkdir()
    (rules / "orders-pattern.json").write_text('{\n  "source": [{"prefix": 42}]\n}\n', encoding="utf-8")
    (repo / "main.tf").write_text(
        'resource "aws_sns_topic_subscription" "s" {\n'
        '  filter_policy = jsonencode({ store = [{ wildcard = "a*" }] })\n'
        "}\n",
        encoding="utf-8",
    )
    (repo / "README.md").write_text("not linted\n", encoding="utf-8")
    assert _git("add", ".", cwd=repo).returncode == 0

    def pre_commit_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "run", "--all-files", "--color", "never"],
            cwd=repo,
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=900,
        )

    failed = pre_commit_run()
    output = failed.stdout + failed.stderr
    if failed.returncode not in (0, 1) and "An unexpected error has occurred" in output:
        # e.g. no package index reachable to build the hook's environment: say so rather than fail obscurely
        pytest.skip(f"pre-commit could not install the hook environment here:\n{output[-2000:]}")
    assert failed.returncode == 1, output
    assert "rules/orders-pattern.json:2:25: error EVT206" in output, output
    tf_line = (repo / "main.tf").read_text().splitlines()[1]
    assert f"main.tf:2:{tf_line.index('wildcard') + 1}: error EVT204" in output, output

    (rules / "orders-pattern.json").write_text('{\n  "source": [{"prefix": "42"}]\n}\n', encoding="utf-8")
    (repo / "main.tf").write_text(
        'resource "aws_sns_topic_subscription" "s" {\n'
        "  # tamis: ignore[EVT204]\n"
        '  filter_policy = jsonencode({ store = [{ wildcard = "a*" }] })\n'
        "}\n",
        encoding="utf-8",
    )
    assert _git("add", ".", cwd=repo).returncode == 0
    passed = pre_commit_run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
