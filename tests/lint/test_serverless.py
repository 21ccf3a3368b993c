"""tamis lint on Serverless Framework services (serverless.yml) and on record sources whose filters can never
match (a DynamoDB filter on Kinesis's ``data``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tamis.lint import lint

SERVICE = """
service: claims
provider:
  name: aws
  runtime: python3.12
functions:
  intake:
    handler: handler.intake
    events:
      - eventBridge:
          pattern:
            source: [claims.intake]
            detail:
              amount: [{numeric: [">", "100"]}]
      - sns:
          arn: arn:aws:sns:eu-west-1:123456789012:claims
          filterPolicyScope: MessageBody
          filterPolicy:
            status: [{prefix: 7}]
      - sqs:
          arn: arn:aws:sqs:eu-west-1:123456789012:claims
          filterPatterns:
            - body:
                kind: [{suffx: "x"}]
            - data:
                kind: [open]
      - stream:
          type: dynamodb
          arn: arn:aws:dynamodb:eu-west-1:123456789012:table/claims/stream/2024
          filterPatterns:
            - data:
                eventName: [INSERT]
            - dynamodb:
                NewImage:
                  stage: {S: ["${self:custom.stage}"]}
      - eventBridge:
          pattern:
            source: ["${opt:stage}"]
stepFunctions:
  stateMachines:
    approve:
      definition:
        StartAt: Check
        States:
          Check:
            Type: Pass
            Next: Missing
resources:
  Resources:
    Rule:
      Type: AWS::Events::Rule
      Properties:
        EventPattern:
          source: [{"anything-but": []}]
"""


def lint_service(tmp_path: Path, text: str, name: str = "serverless.yml") -> list[tuple[str, str, int]]:
    (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = lint(None, cwd=tmp_path)
    return sorted((d.severity, d.code, d.line or 0) for d in result.diagnostics)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    return hits[nth - 1]


def test_every_target_of_a_service_is_checked_where_it_is_written(tmp_path: Path) -> None:
    got = lint_service(tmp_path, SERVICE)
    expected = [
        ("error", "EVT221", line_of(SERVICE, '[">", "100"]')),
        ("error", "EVT206", line_of(SERVICE, "{prefix: 7}")),
        ("error", "EVT203", line_of(SERVICE, "suffx")),
        ("warning", "LNT103", line_of(SERVICE, "- data:", 1)),
        ("warning", "LNT103", line_of(SERVICE, "- data:", 2)),
        ("error", "ASL201", line_of(SERVICE, "Next: Missing")),
        ("error", "EVT226", line_of(SERVICE, '"anything-but": []')),
    ]
    assert sorted(got) == sorted(expected)


def test_framework_variables_are_values_known_only_at_deployment(tmp_path: Path) -> None:
    got = lint_service(
        tmp_path,
        """
        service: s
        provider: {name: aws}
        functions:
          f:
            handler: h
            events:
              - eventBridge:
                  pattern:
                    source: ["${opt:stage}"]
                    detail: {n: [{numeric: [">", "${self:custom.low}"]}]}
        """,
    )
    assert [c for _, c, _ in got if _ == "error"] == []


def test_a_service_is_known_by_its_file_name_only(tmp_path: Path) -> None:
    # the same content under another name is not a template tamis reads
    assert lint_service(tmp_path, SERVICE, name="service-copy.yml") == []


def test_a_dynamodb_filter_on_kinesis_data_is_reported_in_sam_and_cloudformation(tmp_path: Path) -> None:
    template = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Table:
        Type: AWS::DynamoDB::Table
        Properties: {}
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            Changes:
              Type: DynamoDB
              Properties:
                Stream: !GetAtt Table.StreamArn
                FilterCriteria:
                  Filters:
                    - Pattern: '{"data": {"eventName": ["INSERT"]}}'
                    - Pattern: '{"dynamodb": {"Keys": {"id": {"S": ["a"]}}}}'
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          EventSourceArn: !GetAtt Table.StreamArn
          FunctionName: f
          FilterCriteria:
            Filters:
              - Pattern: '{"body": {"a": [1]}}'
      Queue:
        Type: AWS::SQS::Queue
      QueueMapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          EventSourceArn: !GetAtt Queue.Arn
          FunctionName: f
          FilterCriteria:
            Filters:
              - Pattern: '{"body": {"a": [1]}, "attributes": {"SenderId": ["x"]}}'
    """
    got = lint_service(tmp_path, template, name="template.yaml")
    assert got == [
        ("warning", "LNT103", line_of(template, '"data": {"eventName"')),
        ("warning", "LNT103", line_of(template, '"body": {"a": [1]}}')),
    ]


def test_a_repeated_key_in_resources_is_reported_where_it_is_written(tmp_path: Path) -> None:
    """``resources.Resources`` is read as a CloudFormation fragment: its values' paths are the template's,
    and a key repeated inside a checked value is found there too (a warning at the second key)."""
    text = """
    service: claims
    provider:
      name: aws
    functions:
      f:
        handler: h
        events:
          - eventBridge:
              pattern:
                source: [claims.a]
                source: [claims.b]
    resources:
      Resources:
        Rule:
          Type: AWS::Events::Rule
          Properties:
            EventPattern:
              detail-type: [Created]
              source: [claims.intake]
              source: [claims.other]
    """
    got = lint_service(tmp_path, text)
    assert got == [
        ("warning", "LNT101", line_of(text, "source: [claims.b]")),
        ("warning", "LNT101", line_of(text, "source: [claims.other]")),
    ]
    result = lint(None, cwd=tmp_path)
    resources = next(d for d in result.diagnostics if d.line == line_of(text, "source: [claims.other]"))
    written = textwrap.dedent(text).lstrip("\n").splitlines()[resources.line - 1]
    assert resources.column == written.index("source") + 1 and "Rule" in resources.message
