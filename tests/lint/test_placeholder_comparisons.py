"""A check that compares two values, one of them a placeholder known only at deployment
(``"TimeoutSeconds": ${t}`` beside ``"HeartbeatSeconds": 60``, ``"numeric": [">", 5, "<", ${hi}]``), cannot
decide: `tamis lint` gives at most a note, `tamis validate-asl` no error. A comparison of written values
is still an error."""

from __future__ import annotations

from pathlib import Path

from tamis.asl import validate_asl_file
from tamis.lint import lint

ASL_TEMPLATE = """\
{
  "StartAt": "A",
  "States": {
    "A": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "TimeoutSeconds": ${t},
      "HeartbeatSeconds": 60,
      "Next": "B"
    },
    "B": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "TimeoutSeconds": 30,
      "HeartbeatSeconds": 60,
      "End": true
    }
  }
}
"""
PATTERN_TEMPLATE = '{"detail": {"n": [{"numeric": [">", 5, "<", ${hi}]}]}}\n'

TERRAFORM = """\
resource "aws_sfn_state_machine" "m" {
  name       = "m"
  role_arn   = "r"
  definition = templatefile("${path.module}/machine.asl.json.tftpl", { t = var.t })
}
resource "aws_cloudwatch_event_rule" "r" {
  name          = "r"
  event_pattern = templatefile("${path.module}/pattern.json.tftpl", { hi = var.hi })
}
resource "aws_cloudwatch_event_rule" "heredoc" {
  name          = "heredoc"
  event_pattern = <<EOF
{"detail": {"n": [{"numeric": [">", 5, "<", ${var.hi}]}]}}
EOF
}
"""

CLOUDFORMATION = """\
Parameters:
  Hi: {Type: Number, Default: 100}
  T: {Type: Number, Default: 100}
Resources:
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: !Sub |
        {"detail": {"n": [{"numeric": [">", 5, "<", ${Hi}]}]}}
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: r
      DefinitionString: !Sub |
        {"StartAt": "A", "States": {
          "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "TimeoutSeconds": ${T}, "HeartbeatSeconds": 60, "Next": "B"},
          "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "TimeoutSeconds": 30, "HeartbeatSeconds": 60, "End": true}}}
"""


def _findings(folder: Path) -> set[tuple[str, int | None, str, str]]:
    return {
        (Path(d.source or "").name, d.line, d.severity, d.code)
        for d in lint([folder], cwd=folder).diagnostics
    }


def test_terraform_templatefile(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TERRAFORM, encoding="utf-8")
    (tmp_path / "machine.asl.json.tftpl").write_text(ASL_TEMPLATE, encoding="utf-8")
    (tmp_path / "pattern.json.tftpl").write_text(PATTERN_TEMPLATE, encoding="utf-8")
    assert _findings(tmp_path) == {
        # state B compares two written values: still an error; state A's comparison is not made
        ("machine.asl.json.tftpl", 15, "error", "ASL101"),
        ("pattern.json.tftpl", 1, "info", "LNT201"),
        ("main.tf", 13, "info", "LNT201"),
    }
    direct = validate_asl_file(tmp_path / "machine.asl.json.tftpl")
    assert {(d.line, d.severity, d.code) for d in direct} == {
        (7, "warning", "ASL401"),
        (15, "error", "ASL101"),
    }


def test_cloudformation_sub(tmp_path: Path) -> None:
    """The parameters' defaults are not substituted into Fn::Sub text: the comparison is a note."""
    (tmp_path / "template.yaml").write_text(CLOUDFORMATION, encoding="utf-8")
    assert _findings(tmp_path) == {
        ("template.yaml", 9, "info", "LNT201"),
        ("template.yaml", 19, "error", "ASL101"),
    }
    # validate-asl: the 4-character ${T} is an unknown value too, not a null TimeoutSeconds
    direct = validate_asl_file(tmp_path / "template.yaml")
    assert {(d.line, d.severity, d.code) for d in direct} == {
        (17, "warning", "ASL401"),
        (19, "error", "ASL101"),
    }


def test_a_written_comparison_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / "pattern.json").write_text(
        '{"detail": {"n": [{"numeric": [">", 9, "<", 3]}]}}\n', encoding="utf-8"
    )
    assert _findings(tmp_path) == {("pattern.json", 1, "error", "EVT223")}
