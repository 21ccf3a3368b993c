"""tamis lint on SNS FIFO archive and replay policies and EventBridge archive retention: CloudFormation,
Terraform, stand-alone policies and the AWS CLI's --attributes files, each finding where it is written."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tamis.lint import LintResult, lint

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Standard:
    Type: AWS::SNS::Topic
    Properties:
      ArchivePolicy: {MessageRetentionPeriod: 30}
  Claims:
    Type: AWS::SNS::Topic
    Properties:
      FifoTopic: "true"
      ArchivePolicy: '{"MessageRetentionPeriod": "366"}'
  NoArchive:
    Type: AWS::SNS::Topic
    Properties:
      FifoTopic: true
  ReplayAll:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Claims
      Protocol: sqs
      Endpoint: arn:aws:sqs:us-east-1:123456789012:replay.fifo
      ReplayPolicy:
        PointType: Timestamp
        StartingPoint: "2023-10-31T19:01:22Z"
        EndingPoint: "2023-10-30T00:00:00Z"
  ReplayNothing:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref NoArchive
      Protocol: sqs
      Endpoint: arn:aws:sqs:us-east-1:123456789012:other.fifo
      ReplayPolicy: {PointType: Timestamp, StartingPoint: "2023-10-31T19:01:22Z"}
  Kept:
    Type: AWS::Events::Archive
    Properties:
      SourceArn: arn:aws:events:us-east-1:123456789012:event-bus/default
      RetentionDays: 0
  Broken:
    Type: AWS::Events::Archive
    Properties:
      SourceArn: arn:aws:events:us-east-1:123456789012:event-bus/default
      RetentionDays: -1
"""

TERRAFORM = """
resource "aws_sns_topic" "claims" {
  name       = "claims.fifo"
  fifo_topic = true
  archive_policy = jsonencode({
    MessageRetentionPeriod = 400
  })
}

resource "aws_sns_topic" "plain" {
  name           = "plain"
  archive_policy = "{\\"MessageRetentionPeriod\\": \\"30\\"}"
}

resource "aws_sns_topic_subscription" "replay" {
  topic_arn     = aws_sns_topic.claims.arn
  protocol      = "sqs"
  endpoint      = "arn:aws:sqs:us-east-1:123456789012:replay.fifo"
  replay_policy = jsonencode({
    PointType     = "Timestamp"
    StartingPoint = "2026-11-30"
  })
}

resource "aws_sns_topic_subscription" "replay_plain" {
  topic_arn     = aws_sns_topic.plain.arn
  protocol      = "sqs"
  endpoint      = "arn:aws:sqs:us-east-1:123456789012:replay"
  replay_policy = jsonencode({ PointType = "Timestamp", StartingPoint = "2026-11-30T00:00:00Z" })
}

resource "aws_cloudwatch_event_archive" "orders" {
  name             = "orders"
  event_source_arn = "arn:aws:events:us-east-1:123456789012:event-bus/default"
  retention_days   = -1
}

resource "aws_cloudwatch_event_archive" "forever" {
  name             = "forever"
  event_source_arn = "arn:aws:events:us-east-1:123456789012:event-bus/default"
  retention_days   = 0
}
"""


def run(root: Path, files: dict[str, str]) -> LintResult:
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return lint([str(root)], cwd=root)


def where(text: str, needle: str) -> tuple[int, int]:
    text = textwrap.dedent(text).lstrip("\n")
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def found(result: LintResult) -> set[tuple[str, int | None, int | None]]:
    return {(d.code, d.line, d.column) for d in result.diagnostics}


def test_cloudformation(tmp_path: Path) -> None:
    result = run(tmp_path, {"template.yaml": TEMPLATE})
    assert found(result) == {
        ("SNS103", *where(TEMPLATE, "{MessageRetentionPeriod: 30}")),
        ("SNS102", *where(TEMPLATE, '"366"')),
        ("SNS204", *where(TEMPLATE, '"2023-10-30T00:00:00Z"')),
        ("SNS205", *where(TEMPLATE, "ReplayPolicy: {")),
        ("SNS301", *where(TEMPLATE, "-1\n")),
    }
    assert result.exit_code == 1


def test_an_ending_point_in_a_template_warns(tmp_path: Path) -> None:
    template = """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties: {FifoTopic: true, TopicName: t.fifo, ArchivePolicy: {MessageRetentionPeriod: 30}}
          Sub:
            Type: AWS::SNS::Subscription
            Properties:
              TopicArn: !Ref Topic
              Protocol: sqs
              Endpoint: arn:aws:sqs:us-east-1:111122223333:q.fifo
              ReplayPolicy:
                PointType: Timestamp
                StartingPoint: "2023-10-01T10:00:00.000Z"
                EndingPoint: "2023-10-01T12:00:00.000Z"
        """
    result = run(tmp_path, {"template.yaml": template})
    assert [(d.code, d.severity, d.line, d.column) for d in result.diagnostics] == [
        ("SNS206", "warning", *where(template, "EndingPoint"))
    ]


def test_terraform(tmp_path: Path) -> None:
    result = run(tmp_path, {"main.tf": TERRAFORM})
    assert found(result) == {
        ("SNS102", *where(TERRAFORM, "400")),
        ("SNS103", *where(TERRAFORM, '{\\"Message')),
        ("SNS203", *where(TERRAFORM, '"2026-11-30"')),
        ("SNS205", *where(TERRAFORM, "replay_policy = jsonencode({ P")),
        ("SNS301", *where(TERRAFORM, "-1\n")),
    }


def test_stand_alone_policies_and_cli_attributes(tmp_path: Path) -> None:
    files = {
        # the walkthrough's create-topic --attributes file, and the same on a standard topic
        "claims-topic.json": '{"FifoTopic": "true", '
        '"ArchivePolicy": "{\\"MessageRetentionPeriod\\":\\"30\\"}"}',
        "standard-topic.json": '{"ArchivePolicy": "{\\"MessageRetentionPeriod\\":\\"30\\"}"}',
        "subscription.json": '{"RawMessageDelivery": "true", '
        '"ReplayPolicy": "{\\"PointType\\":\\"Timestamp\\"}"}',
        "archive.json": '{\n  "MessageRetentionPeriod": 0\n}',
        "replay.json": '{"PointType": "Timestamp", "StartingPoint": "2023-10-31"}',
        # EventBridge's point-in-time configuration is not an SNS replay policy
        "subscriber.json": '{"PointType": "TIMESTAMP", "StartingPoint": "2023-10-31T19:01:22Z"}',
        # nor is a pattern on fields of those names
        "orders-pattern.json": '{"MessageRetentionPeriod": [{"numeric": [">", 0]}]}',
        # nor is a map of attributes that are not all SNS's
        "settings.json": '{"ArchivePolicy": "{}", "Colour": "blue"}',
    }
    result = run(tmp_path, files)
    got = {(Path(d.source or "").name, d.code, d.line, d.column) for d in result.diagnostics}
    assert got == {
        ("standard-topic.json", "SNS103", 1, 20),
        ("subscription.json", "SNS201", 1, 49),
        ("archive.json", "SNS102", 2, 29),
        ("replay.json", "SNS203", 1, 45),
    }
    assert result.checked == 6  # the five policies and attribute files, and the pattern
