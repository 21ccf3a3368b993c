"""A repository shaped like a real collection of serverless samples (tests/lint/real_repository/, files
written for this test): metadata files named example-pattern.json in every folder, sample events, JSON
Schemas, an S3 input file, package.json, tsconfig.json, CI YAML, and a few real patterns, a filter policy,
state machines and a template. Linting it gives no false error and every deliberate mistake, exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tamis.cli import main
from tamis.lint import lint

FIXTURE = Path(__file__).with_name("real_repository")


def where(root: Path, name: str, needle: str) -> tuple[int, int]:
    text = (root / name).read_text(encoding="utf-8")
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def expected(root: Path) -> list[tuple[str, str, str, int, int]]:
    """(severity, code, file, line, column) of every diagnostic the repository deserves."""

    def d(severity: str, code: str, name: str, needle: str, shift: int = 0) -> tuple[str, str, str, int, int]:
        line, column = where(root, name, needle)
        return (severity, code, name, line, column + shift)

    return sorted(
        [
            # the deliberate mistakes
            d("error", "EVT221", "rules/large-orders-pattern.json", '"100"'),
            d("error", "EVT203", "rules/refunds.json", '"prefx"'),
            d(
                "error",
                "EVT104",
                "subscriptions/orders-filter-policy.json",
                '"example_corp"',
            ),
            d("error", "ASL201", "statemachines/shipping.asl.json", '"Notify"'),
            d("warning", "LNT102", "kafka-consumer/template.yaml", '!Ref MSKTopicName"}'),
            # files named like patterns but shaped like something else: one note each, never an error
            d("info", "LNT104", "sqs-lambda-python/example-pattern.json", '"title"'),
            d("info", "LNT104", "eventbridge-sfn-node/example-pattern.json", '"title"'),
            d("info", "LNT104", "kafka-consumer/example-pattern.json", '"title"'),
            d("info", "LNT104", "s3-eventbridge-java/example-pattern.json", '"resources"'),
            d("info", "LNT104", "schemas/url-pattern-schema.json", '"$schema"'),
            d(
                "info",
                "LNT104",
                "eventbridge-sfn-node/events/event-pattern-test-event.json",
                '"version"',
            ),
        ]
    )


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(FIXTURE, root)
    return root


def test_the_repository_gets_exactly_its_findings(repository: Path) -> None:
    result = lint(None, cwd=repository)
    got = sorted((d.severity, d.code, d.source, d.line, d.column) for d in result.diagnostics)
    assert got == expected(repository)
    # checked: three patterns (one clean), the filter policy, two state machines, the template's filter
    assert result.checked == 7
    assert result.exit_code == 1
    notes = {d.source: d.message for d in result.diagnostics if d.code == "LNT104"}
    assert '"title" is a string, not a list' in notes["sqs-lambda-python/example-pattern.json"]
    assert '"resources" maps to an object' in notes["s3-eventbridge-java/example-pattern.json"]
    assert (
        '"schemas/url-pattern-schema.json" = "eventbridge-pattern"'
        in notes["schemas/url-pattern-schema.json"]
    )


def test_the_cli_reports_the_same_in_json(
    repository: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repository)
    assert main(["lint", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    got = sorted((d["severity"], d["code"], d["path"], d["line"], d["column"]) for d in report["diagnostics"])
    assert got == expected(repository)
    assert report["summary"]["error"] == 4 and report["summary"]["warning"] == 1
    assert report["summary"]["info"] == 6 and report["summary"]["checked"] == 7


def test_declaring_a_kind_checks_a_file_its_shape_did_not(repository: Path) -> None:
    """The note's advice works: a sample event declared a pattern is checked as one."""
    (repository / ".tamis.toml").write_text(
        '[kinds]\n"eventbridge-sfn-node/events/event-pattern-test-event.json" = "eventbridge-pattern"\n',
        encoding="utf-8",
    )
    result = lint(None, cwd=repository)
    name = "eventbridge-sfn-node/events/event-pattern-test-event.json"
    codes = {d.code for d in result.diagnostics if d.source == name}
    assert codes and "LNT104" not in codes and all(c.startswith("EVT") for c in codes)
