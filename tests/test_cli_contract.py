"""One contract for every ``tamis`` command (tamis/cli/reporting.py): exit 0 clean, 1 findings, 2 usage or
input errors (a missing file included); ``-q`` hides notes and ``-qq`` warnings too; options anywhere on the
line; ``--format json`` that parses wherever a command reports."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tamis.cli import main

EMAIL = "arn:aws:dataprotection::aws:data-identifier/EmailAddress"


def _policy(operation: dict[str, object], **extra: object) -> str:
    statement = {"Sid": "s", "DataDirection": "Inbound", "Principal": ["*"], "DataIdentifier": [EMAIL]}
    statement.update(extra)
    statement["Operation"] = operation
    return json.dumps({"Name": "p", "Description": "", "Version": "2021-06-01", "Statement": [statement]})


FILES = {
    # lint
    "clean/orders-pattern.json": '{"source": ["shop"]}\n',
    "bad/orders-pattern.json": '{\n  "source": [{"prefix": 1}]\n}\n',
    # a warning (a repeated key) and an info note (a value known only at deployment), no error
    "mixed/orders-pattern.json": '{"source": ["a"], "source": ["b"]}\n',
    "mixed/template.yaml": (
        "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: !Ref X\n"
    ),
    # validate-asl
    "good.asl.json": '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}\n',
    "bad.asl.json": '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}\n',
    "warn.asl.json": (
        '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "urn:x:y", "End": true}}}\n'
    ),
    # match and test-event-pattern
    "pattern.json": '{"source": ["shop"]}\n',
    "invalid-pattern.json": '{"source": [{"prefix": 1}]}\n',
    "events.jsonl": '{"source": "shop"}\n{"source": "bank"}\n',
    "bank.jsonl": '{"source": "bank"}\n',
    # redact: a mask with a note (DP502: "*" with another principal) and a warning (DP503: unused identifier)
    "mask.json": json.dumps(
        {
            **json.loads(
                _policy(
                    {"Deidentify": {"MaskConfig": {}}},
                    Principal=["*", "arn:aws:iam::123456789012:role/r"],
                )
            ),
            "Configuration": {"CustomDataIdentifier": [{"Name": "Unused", "Regex": "zz[0-9]+"}]},
        }
    ),
    "deny.json": _policy({"Deny": {}}),
    "invalid-policy.json": '{"Name": "x",\n "Version": 1}',
    "message.txt": "write to a@example.com\n",
    "plain.txt": "nothing to hide\n",
}


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@dataclass
class Run:
    code: int
    out: str
    err: str


def tamis(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return Run(code, out, err)


# Per command: a clean run, a run with findings, a usage error, a missing file.
CASES = {
    "lint": {
        "clean": ["lint", "clean"],
        "findings": ["lint", "bad"],
        "usage": ["lint", "--format", "xml", "clean"],
        "missing": ["lint", "no-such-file.json"],
    },
    "validate-asl": {
        "clean": ["validate-asl", "good.asl.json"],
        "findings": ["validate-asl", "bad.asl.json"],
        "usage": ["validate-asl", "--type", "SLOW", "good.asl.json"],
        "missing": ["validate-asl", "no-such-file.asl.json"],
    },
    "test-event-pattern": {
        # the AWS CLI's contract: the Result is the answer, true or false exits 0
        "clean": [
            "test-event-pattern",
            "--event-pattern",
            "file://pattern.json",
            "--event",
            '{"source": "x"}',
        ],
        "usage": ["test-event-pattern", "--event", "{}"],
        "missing": ["test-event-pattern", "--event-pattern", "file://no-such.json", "--event", "{}"],
        "invalid": ["test-event-pattern", "--event-pattern", "file://invalid-pattern.json", "--event", "{}"],
    },
    "match": {
        "clean": ["match", "pattern.json", "events.jsonl"],
        "findings": ["match", "pattern.json", "bank.jsonl"],  # grep: nothing matched
        "usage": ["match", "--dialect", "kafka", "pattern.json"],
        "missing": ["match", "pattern.json", "no-such.jsonl"],
        "invalid": ["match", "invalid-pattern.json", "events.jsonl"],
    },
    "rule": {
        "clean": ["rule", "EVT223"],
        "usage": ["rule"],  # neither a CODE nor --all
        "missing": ["rule", "EVT999"],  # no such code
    },
    "redact": {
        "clean": ["redact", "--policy", "deny.json", "plain.txt"],
        "findings": ["redact", "--policy", "deny.json", "message.txt"],  # a Deny fired
        "usage": ["redact", "plain.txt"],  # no --policy
        "missing": ["redact", "--policy", "no-such.json", "plain.txt"],
        "invalid": ["redact", "--policy", "invalid-policy.json", "plain.txt"],
    },
}
EXPECTED = {"clean": 0, "findings": 1, "usage": 2, "missing": 2, "invalid": 2}


@pytest.mark.parametrize(
    ("command", "case"), [(c, k) for c, cases in CASES.items() for k in cases], ids=lambda v: str(v)
)
def test_exit_status(work: Path, capsys: pytest.CaptureFixture[str], command: str, case: str) -> None:
    run = tamis(capsys, *CASES[command][case])
    assert run.code == EXPECTED[case], (run.out, run.err)
    assert "Traceback" not in run.err
    if case in ("usage", "missing", "invalid"):
        assert run.err.strip() or run.out.strip(), "an input error is said, not only exited"


def test_every_command_is_covered() -> None:
    from tamis.cli import _subparsers, build_parser

    assert set(_subparsers(build_parser())) == set(CASES)


def test_quiet_hides_notes_then_warnings_in_lint(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def severities(*extra: str) -> set[str]:
        run = tamis(capsys, "lint", "mixed", "--format", "json", *extra)
        assert run.code == 0
        return {d["severity"] for d in json.loads(run.out)["diagnostics"]}

    assert severities() == {"warning", "info"}
    assert severities("-q") == {"warning"}
    assert severities("-qq") == set()
    assert severities("--quiet", "--quiet") == set()
    bad = tamis(capsys, "lint", "-qq", "bad")
    assert bad.code == 1 and "error EVT206" in bad.out  # errors always show


def test_quiet_in_validate_asl(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tamis(capsys, "validate-asl", "warn.asl.json")
    assert run.code == 0 and "warning ASL106" in run.out
    assert "warning" in tamis(capsys, "validate-asl", "-q", "warn.asl.json").out  # -q hides notes only
    run = tamis(capsys, "validate-asl", "warn.asl.json", "-qq")
    assert run.code == 0 and run.out == ""
    run = tamis(capsys, "validate-asl", "-qq", "bad.asl.json")
    assert run.code == 1 and "error ASL201" in run.out


def test_quiet_in_redact(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tamis(capsys, "redact", "--policy", "mask.json", "message.txt")
    assert run.code == 0 and "*" in run.out
    assert "info DP502" in run.err and "warning DP503" in run.err
    run = tamis(capsys, "redact", "--policy", "mask.json", "message.txt", "-q")
    assert "DP502" not in run.err and "warning DP503" in run.err
    run = tamis(capsys, "redact", "-qq", "--policy", "mask.json", "message.txt")
    assert run.code == 0 and run.err == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["match", "pattern.json", "-c", "events.jsonl"],
        ["match", "pattern.json", "events.jsonl", "-c"],
        ["match", "-c", "pattern.json", "events.jsonl"],
    ],
)
def test_options_anywhere_in_match(work: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    run = tamis(capsys, *argv)
    assert (run.code, run.out) == (0, "1\n"), run.err


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "bad", "--format", "json"],
        ["lint", "--format", "json", "bad", "-q"],
        ["validate-asl", "bad.asl.json", "--format", "json", "good.asl.json"],
        ["test-event-pattern", "--event", '{"source": "shop"}', "--event-pattern", "file://pattern.json"],
        ["redact", "message.txt", "--policy", "deny.json"],
    ],
)
def test_options_after_positionals(work: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    run = tamis(capsys, *argv)
    assert run.code in (0, 1) and "unrecognized arguments" not in run.err, run.err


def test_json_output_parses_wherever_a_command_reports(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lint = tamis(capsys, "lint", "bad", "--format", "json")
    assert lint.code == 1 and json.loads(lint.out)["summary"]["error"] == 1
    asl = tamis(capsys, "validate-asl", "bad.asl.json", "good.asl.json", "--format", "json")
    report = json.loads(asl.out)
    assert asl.code == 1 and "ASL201" in {d["code"] for d in report["diagnostics"]}
    assert {d["path"] for d in report["diagnostics"]} == {"bad.asl.json"} and report["summary"]["files"] == 2
    missing = tamis(capsys, "validate-asl", "nope.asl.json", "--format", "json")
    assert missing.code == 2 and json.loads(missing.out)["diagnostics"][0]["code"] == "ASL006"
    test = ["test-event-pattern", "--event-pattern", "file://pattern.json", "--event", '{"source": "shop"}']
    assert json.loads(tamis(capsys, *test, "--format", "json").out) == {"Result": True}
    assert tamis(capsys, *test, "--format", "text").out == "true\n"
    rules = work / "rules"
    rules.mkdir()
    (rules / "shop.json").write_text(FILES["pattern.json"], encoding="utf-8")
    matched = tamis(capsys, "match", "events.jsonl", "--rules", "rules")
    assert matched.code == 0 and [json.loads(line)["rules"] for line in matched.out.splitlines()] == [
        ["shop"]
    ]
    audit = tamis(capsys, "redact", "--policy", "deny.json", "--audit", "message.txt")
    assert audit.code == 1
    json.loads(audit.err.splitlines()[0])  # the audit record (null without an Audit statement)


def test_the_contract_holds_in_a_process(work: Path) -> None:
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tamis", *argv], cwd=work, capture_output=True, text=True, check=False
        )

    assert run("lint", "clean").returncode == 0
    bad = run("lint", "bad", "--format", "json", "-q")
    assert bad.returncode == 1 and json.loads(bad.stdout)["summary"]["error"] == 1
    assert run("validate-asl", "no-such.asl.json").returncode == 2
    usage = run("match", "pattern.json", "--no-such-option")
    assert usage.returncode == 2 and "usage:" in usage.stderr
    counted = run("match", "pattern.json", "-c", "events.jsonl")
    assert (counted.returncode, counted.stdout) == (0, "1\n")
    assert run("redact", "--policy", "deny.json", "message.txt").returncode == 1
