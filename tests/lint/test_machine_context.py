"""What a template says about a state machine beyond its definition (its type, the ``${Name}`` its
deployment substitutes) reaches the validator through `tamis lint`, as it does through
`tamis validate-asl`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tamis.asl import validate_asl_file
from tamis.lint import lint

WAIT_FOR_TOKEN = {
    "StartAt": "A",
    "States": {
        "A": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    },
}
DEFINITION = json.dumps(WAIT_FOR_TOKEN, indent=2)

SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  M:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: {machine_type}
      Definition:
        StartAt: A
        States:
          A:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken
            Parameters:
              QueueUrl: q
              MessageBody:
                token.$: $$.Task.Token
            End: true
"""

CFN_STRING = """\
Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: r
      StateMachineType: {machine_type}
      DefinitionString: |
        {{"StartAt": "A", "States": {{"A": {{"Type": "Task",
          "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}}}}}}
"""

SAM_URI = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  M:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: {machine_type}
      DefinitionUri: machine.asl.json
"""

TERRAFORM_JSONENCODE = """\
resource "aws_sfn_state_machine" "m" {{
  name     = "m"
  role_arn = "r"
  type     = "{machine_type}"
  definition = jsonencode({{
    StartAt = "A"
    States = {{
      A = {{
        Type     = "Task"
        Resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
        End      = true
      }}
    }}
  }})
}}
"""

TERRAFORM_TEMPLATEFILE = """\
resource "aws_sfn_state_machine" "m" {{
  name       = "m"
  role_arn   = "r"
  type       = "{machine_type}"
  definition = templatefile("${{path.module}}/machine.asl.json", {{}})
}}
"""


def _codes(folder: Path) -> set[tuple[str, str, int | None]]:
    result = lint([folder], cwd=folder)
    return {(Path(d.source or "").name, d.code, d.line) for d in result.diagnostics if d.severity == "error"}


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("template.yaml", SAM, ("template.yaml", 12)),
        ("template.yaml", CFN_STRING, ("template.yaml", 9)),
        ("template.yaml", SAM_URI, ("machine.asl.json", 6)),
        ("main.tf", TERRAFORM_JSONENCODE, ("main.tf", 10)),
        ("main.tf", TERRAFORM_TEMPLATEFILE, ("machine.asl.json", 6)),
    ],
    ids=["sam-definition", "cfn-definitionstring", "sam-definitionuri", "tf-jsonencode", "tf-templatefile"],
)
def test_an_express_machine_is_judged_as_express(tmp_path: Path, name: str, text: str, where: tuple) -> None:
    for machine_type in ("STANDARD", "EXPRESS"):
        folder = tmp_path / machine_type
        folder.mkdir()
        (folder / name).write_text(text.format(machine_type=machine_type), encoding="utf-8")
        (folder / "machine.asl.json").write_text(DEFINITION, encoding="utf-8")
        found = _codes(folder)
        if machine_type == "STANDARD":
            assert found == set()
        else:
            assert found == {(*where[:1], "ASL106", where[1])}
            if name == "template.yaml":  # validate-asl reads the same type from the same template
                direct = validate_asl_file(folder / name)
                assert {(Path(d.source or "").name, d.code, d.line) for d in direct} == found


def test_the_express_reading_of_a_shared_file_wins(tmp_path: Path) -> None:
    """A definition file named by an EXPRESS machine is judged as EXPRESS, though also found on its own."""
    (tmp_path / "template.yaml").write_text(SAM_URI.format(machine_type="EXPRESS"), encoding="utf-8")
    (tmp_path / "machine.asl.json").write_text(DEFINITION, encoding="utf-8")
    assert _codes(tmp_path) == {("machine.asl.json", "ASL106", 6)}


SUBSTITUTIONS = """\
Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: r
      DefinitionSubstitutions:
        Known: arn:aws:lambda:us-east-1:123456789012:function:f
      Definition:
        StartAt: A
        States:
          A:
            Type: Task
            Resource: ${Known}
            Next: B
          B:
            Type: Task
            Resource: ${Unknown}
            End: true
"""


def test_placeholders_the_deployment_does_not_replace_are_reported_alike(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(SUBSTITUTIONS, encoding="utf-8")
    result = lint([tmp_path], cwd=tmp_path)
    linted = {(d.code, d.severity, d.line) for d in result.diagnostics}
    direct = {(d.code, d.severity, d.line) for d in validate_asl_file(tmp_path / "template.yaml")}
    assert linted == direct == {("ASL402", "warning", 17)}
