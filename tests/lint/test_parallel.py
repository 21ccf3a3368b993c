"""``tamis lint --jobs N``: a process pool past PARALLEL_THRESHOLD files gives the serial run's result, byte
for byte, including where files interact (templates naming files, Terraform locals, suppressions)."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from tamis.cli import main
from tamis.lint import lint
from tamis.lint import run as lint_run

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "lint"))
from lint_repo import generate

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"

_FLOW = """
{
  "StartAt": "Call",
  "States": {
    "Call": {"Type": "Task", "Resource": "${Arn}", "TimeoutSeconds": ${Timeout}, "Next": "Gone"}
  }
}
"""
_FLOW_YAML = """
StartAt: A
States:
  A: {Type: Pass, Next: Nowhere}
"""


def _template(*uris: tuple[str, str]) -> str:
    machines = "".join(
        f"""
  Machine{i}:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: {machine_type}
      DefinitionUri: {uri}
      DefinitionSubstitutions:
        Arn: arn:aws:lambda:us-east-1:123456789012:function:f
"""
        for i, (uri, machine_type) in enumerate(uris)
    )
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:{machines}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {{"source": [{{"prefix": 7}}]}}  # tamis: ignore[EVT206]
  Other:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {{"detail": {{"n": [{{"numeric": ["<", "x"]}}]}}}}
"""


# Files that interact across the run; the small chunks below put them in different workers.
CROSS = {
    # Two templates of one phase name the same file, with the same and with another machine type: the
    # first in the serial order reads it, the second finds it done.
    "cross/a-template.yaml": _template(
        ("shared/flow.asl.json", "STANDARD"), ("shared/flow.asl.json", "EXPRESS")
    ),
    "cross/d-template.yaml": _template(("shared/flow.asl.json", "STANDARD"), ("z-flow.asl.yaml", "EXPRESS")),
    # A YAML state machine read on its own before the template naming it (both readings happen), and one
    # after it (read only as the template says).
    "cross/b-flow.asl.yaml": _FLOW_YAML,
    "cross/c-template.yaml": _template(
        ("b-flow.asl.yaml", "STANDARD"), ("z-flow.asl.yaml", "STANDARD"), ("y-machine.yaml", "STANDARD")
    ),
    # Named for nothing: read by its shape, unless a template of its phase named it before.
    "cross/y-machine.yaml": _FLOW_YAML,
    "cross/z-flow.asl.yaml": _FLOW_YAML,
    "cross/shared/flow.asl.json": _FLOW,
    # A file named by Terraform (phase 1) is skipped when the JSON phase (3) discovers it.
    "tfref/main.tf": textwrap.dedent(
        """
        resource "aws_sfn_state_machine" "m" {
          name       = "m"
          role_arn   = "arn:aws:iam::123456789012:role/r"
          definition = templatefile("${path.module}/machine.asl.json", { Arn = "x" })
        }
        """
    ),
    "tfref/machine.asl.json": _FLOW,
    "tfref/pattern.json": '{"source": [{"prefix": 7}]}',
    # The same within the JSON phase: a SAM template in JSON names a file sorted after it.
    "jsonref/a.template.json": json.dumps(
        {
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                "M": {
                    "Type": "AWS::Serverless::StateMachine",
                    "Properties": {"DefinitionUri": "b-machine.json"},
                }
            },
        }
    ),
    "jsonref/b-machine.json": '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}',
    "unrecognised/rule-pattern.json": '{"Type": "x"}',
    # Rule-set analysis across files and phases: a Terraform rule and a template's rule on the default
    # bus deliver to one queue (by its literal ARN); the analysis runs once every worker's file is in.
    "rulesets/main.tf": textwrap.dedent(
        """
        resource "aws_cloudwatch_event_rule" "orders" {
          event_pattern = jsonencode({ source = ["orders"] })
        }
        resource "aws_cloudwatch_event_target" "orders" {
          rule = aws_cloudwatch_event_rule.orders.name
          arn  = "arn:aws:sqs:us-east-1:123456789012:orders"
        }
        """
    ),
    "rulesets/z-template.yaml": textwrap.dedent(
        """
        Resources:
          Created:
            Type: AWS::Events::Rule
            Properties:
              EventPattern: {"source": ["orders"], "detail-type": ["Created"]}
              Targets: [{Id: q, Arn: "arn:aws:sqs:us-east-1:123456789012:orders"}]
        """
    ),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parallel")
    generate(out, lint_run.PARALLEL_THRESHOLD + 20, seed=11)
    for name, text in CROSS.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for fixture in ("values", "modules"):  # Terraform locals and variables read across a folder's files
        shutil.copytree(FIXTURES / fixture, out / fixture)
    return out


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three files a task: files that interact land in different workers."""
    monkeypatch.setattr(lint_run, "_CHUNK_MIN", 3)
    monkeypatch.setattr(lint_run, "_CHUNK_MAX", 3)


def _same(a: Any, b: Any) -> None:
    assert a.diagnostics == b.diagnostics
    assert [d.extra for d in a.diagnostics] == [d.extra for d in b.diagnostics]
    assert (a.files, a.checked, a.exit_code) == (b.files, b.checked, b.exit_code)
    assert a.texts == b.texts


def test_the_repository_exercises_what_interacts(repo: Path) -> None:
    result = lint(["."], cwd=repo)
    sources = {d.source for d in result.diagnostics}
    codes = {(d.source, d.code) for d in result.diagnostics}
    assert result.files > lint_run.PARALLEL_THRESHOLD
    assert "cross/shared/flow.asl.json" in sources  # read through a template
    assert "tfref/machine.asl.json" in result.texts and "values/main.tf" in sources
    assert ("unrecognised/rule-pattern.json", "LNT104") in codes
    assert ("rulesets/z-template.yaml", "LNT302") in codes
    assert {"cross/y-machine.yaml", "jsonref/b-machine.json", "cross/z-flow.asl.yaml"} <= sources
    # The suppressed mistake is gone, the other one of the same template is reported.
    assert {d.code for d in result.diagnostics if d.source == "cross/a-template.yaml"} == {"EVT221"}


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_two_workers_give_the_serial_result(
    repo: Path, small_chunks: None, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    if method == "fork" and not sys.platform.startswith("linux"):
        pytest.skip("fork is used on Linux only")
    monkeypatch.setattr(lint_run, "start_method", lambda: method)
    started: list[int] = []
    real = lint_run._executor

    def counting(jobs: int, how: str) -> Any:
        started.append(jobs)
        return real(jobs, how)

    monkeypatch.setattr(lint_run, "_executor", counting)
    serial = lint(["."], cwd=repo, jobs=1)
    assert started == []
    parallel = lint(["."], cwd=repo, jobs=2)
    assert started == [2]
    _same(parallel, serial)


def _cli(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    monkeypatch.chdir(repo)
    code = main(["lint", *args])
    out = capsys.readouterr()
    assert code == 1 and out.err == ""
    return out.out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_cli_output_is_byte_identical(
    repo: Path,
    small_chunks: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    one = _cli(repo, monkeypatch, capsys, "--format", fmt, "--jobs", "1")
    two = _cli(repo, monkeypatch, capsys, "--format", fmt, "--jobs", "2")
    assert one == two and "cross/shared/flow.asl.json" in one


def test_below_the_threshold_no_pool_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(tmp_path, 40, seed=3)

    def refuse(jobs: int, how: str) -> Any:
        raise AssertionError("a pool was started")

    monkeypatch.setattr(lint_run, "_executor", refuse)
    assert lint(["."], cwd=tmp_path, jobs=8).files == lint(["."], cwd=tmp_path, jobs=1).files > 0


def test_jobs_default_is_every_available_core(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    started: list[int] = []

    def counting(jobs: int, how: str) -> Any:
        started.append(jobs)
        raise OSError("no pool here")  # then the run is done in this process

    monkeypatch.setattr(lint_run, "_executor", counting)
    monkeypatch.setattr(lint_run, "available_cpus", lambda: 3)
    _same(lint(["."], cwd=repo, jobs=None), lint(["."], cwd=repo))
    assert started == [3]


class _FailingPool:
    """Every other task fails as a dead worker or an unpicklable value would."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        self.submitted += 1
        future: Future[Any] = Future()
        if self.submitted % 2:
            future.set_exception(BrokenProcessPool("a worker died"))
        else:
            future.set_result(fn(*args))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def test_a_failed_task_is_done_again_in_process(
    repo: Path, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = _FailingPool()
    monkeypatch.setattr(lint_run, "_executor", lambda jobs, how: pool)
    _same(lint(["."], cwd=repo, jobs=2), lint(["."], cwd=repo, jobs=1))
    assert pool.submitted > 10


def test_jobs_must_be_positive(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    with pytest.raises(SystemExit) as exc:
        main(["lint", "--jobs", "0"])
    assert exc.value.code == 2 and "--jobs" in capsys.readouterr().err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the patch reaches forked workers only")
@pytest.mark.parametrize("failure", ["crash", "unpicklable"])
def test_a_real_worker_failure_loses_nothing(
    repo: Path, small_chunks: None, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """Forked workers inherit the patch: in a worker, one file kills the process or returns a value that
    cannot be sent back; the main process reads those tasks again itself."""
    import os

    parent = os.getpid()
    real = lint_run._Recorder.record

    def failing(self: Any, path: Path, explicit: bool, referenced: bool) -> Any:
        record = real(self, path, explicit, referenced)
        if os.getpid() != parent and path.name == "a-template.yaml":
            if failure == "crash":
                os._exit(3)
            return (*record[:2], [("d", lambda: None)])
        return record

    monkeypatch.setattr(lint_run, "start_method", lambda: "fork")
    monkeypatch.setattr(lint_run._Recorder, "record", failing)
    _same(lint(["."], cwd=repo, jobs=2), lint(["."], cwd=repo, jobs=1))
