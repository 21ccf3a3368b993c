"""LNT102: a CloudFormation short-form tag written inside a string is never resolved."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tamis.lint import lint
from tamis.lint.cloudformation import short_form_tag, tagged_strings

TEMPLATE = textwrap.dedent("""\
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      MSKTopicName:
        Type: String
    Resources:
      Consumer:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Events:
            Orders:
              Type: MSK
              Properties:
                Stream: arn:aws:kafka:us-east-1:123456789012:cluster/c/1
                Topics: [orders]
                FilterCriteria:
                  Filters:
                    - Pattern: '{"value": {"topic": [{"prefix": "!Ref MSKTopicName"}], "!Ref": ["x"]}}'
      Rule:
        Type: AWS::Events::Rule
        Properties:
          EventPattern:
            source: ["!Sub ${AWS::StackName}.orders", !Ref MSKTopicName]
            detail:
              note: ["!Notice", "a !Ref b"]
      Joined:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: !Join ["", ['{"source": ["', "!GetAtt Queue.Arn", '"]}']]
      Flow:
        Type: AWS::StepFunctions::StateMachine
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/r
          DefinitionString: |
            {"StartAt": "Call", "States": {"Call": {"Type": "Task",
              "Resource": "!GetAtt Worker.Arn", "End": true}}}
    """)


def test_short_form_tags_in_strings_are_warned_at_the_string(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    result = lint(None, cwd=tmp_path)
    text = TEMPLATE.splitlines()

    def where(needle: str) -> tuple[int, int]:
        line = next(i for i, t in enumerate(text, 1) if needle in t)
        return line, text[line - 1].index(needle) + 2  # at the tag, past the opening quote

    got = sorted((d.code, d.severity, d.line, d.column) for d in result.diagnostics)
    assert got == sorted(
        [
            ("LNT102", "warning", *where('"!Ref MSKTopicName"')),
            ("LNT102", "warning", *where('"!Sub ${AWS')),
            ("LNT102", "warning", *where('"!GetAtt Queue')),
            ("LNT102", "warning", *where('"!GetAtt Worker')),
            # and the validator's own finding on the same string
            ("ASL106", "error", where('"!GetAtt Worker')[0], where('"!GetAtt Worker')[1] - 1),
        ]
    )
    messages = [d.message for d in result.diagnostics]
    assert any('"!Ref MSKTopicName" starts with !Ref' in m for m in messages)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("!Ref Topic", "!Ref"),
        ("!Equals [a, b]", "!Equals"),
        ("!Not", "!Not"),
        ("!GetAZs ''", "!GetAZs"),
        ("!Notice", None),
        ("!Reference x", None),
        ("a !Ref b", None),
        ("Ref x", None),
    ],
)
def test_which_strings_start_with_a_tag(text: str, tag: str | None) -> None:
    assert short_form_tag(text) == tag


def test_keys_and_escaped_quotes_are_not_values() -> None:
    text = '{"!Ref": ["x"], "a": "say \\"!Ref b\\"", "b": ["!If [c, d, e]"]}'
    assert [(t, tag) for _, t, tag in tagged_strings(text)] == [("!If [c, d, e]", "!If")]
