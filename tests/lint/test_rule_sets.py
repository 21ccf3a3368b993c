"""Rule-set analysis in ``tamis lint`` (tamis/lint/rule_sets.py): rules of one bus, subscriptions of one
topic, that deliver the same events twice to one target; across CloudFormation, SAM and Terraform."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tamis.errors import Diagnostic
from tamis.lint import lint

QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _found(root: Path, files: dict[str, str]) -> list[Diagnostic]:
    _write(root, files)
    result = lint(["."], cwd=root)
    return [d for d in result.diagnostics if d.code in ("LNT301", "LNT302")]


def _rule(name: str, pattern: str, arn: str = "!GetAtt Queue.Arn", extra: str = "") -> str:
    return f"""
  {name}:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {pattern}
      Targets:
        - Id: t
          Arn: {arn}{extra}
"""


def _template(*rules: str) -> str:
    return "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n" + "".join(rules)


def test_identical_rules_however_written(tmp_path: Path) -> None:
    found = _found(
        tmp_path,
        {
            "t.yaml": _template(
                _rule("First", '{"source": ["a", "b"], "detail": {"n": [{"numeric": ["=", 5]}]}}'),
                _rule(
                    "Second", '\'{"detail": {"n": [{"numeric": ["=", 5.0]}]}, "source": ["b", "a", "a"]}\''
                ),
            )
        },
    )
    assert [(d.code, d.source, d.line) for d in found] == [("LNT301", "t.yaml", 13)]
    assert "AWS::Events::Rule First (t.yaml:5)" in found[0].message
    assert "AWS::Events::Rule Second" in found[0].message and "!GetAtt Queue.Arn" in found[0].message
    assert found[0].severity == "warning"


def test_a_contained_rule_is_named_with_the_wider_one(tmp_path: Path) -> None:
    found = _found(
        tmp_path,
        {
            "t.yaml": _template(
                _rule("Narrow", '{"source": ["orders"], "detail": {"total": [{"numeric": [">", 100]}]}}'),
                _rule("Wide", '{"source": [{"prefix": "ord"}]}'),
            )
        },
    )
    assert [(d.code, d.line) for d in found] == [("LNT302", 5)]
    assert found[0].message.startswith("every event AWS::Events::Rule Narrow matches is also matched by ")
    assert "AWS::Events::Rule Wide (t.yaml:13)" in found[0].message


def test_no_warning_without_proof_or_shared_target(tmp_path: Path) -> None:
    found = _found(
        tmp_path,
        {
            "t.yaml": _template(
                # overlapping, but neither holds the other
                _rule("A", '{"source": ["orders"], "detail-type": ["x"]}'),
                _rule("B", '{"source": ["orders"], "region": ["eu-west-1"]}'),
                # contained, but delivered elsewhere
                _rule("C", '{"source": ["orders"], "detail-type": ["x"], "id": ["1"]}', "!Ref Other"),
                # contained, but on another bus
                _rule(
                    "D",
                    '{"source": ["orders"], "detail-type": ["x"], "id": ["2"]}',
                    extra="\n      EventBusName: other",
                ),
                # contained, but disabled: it delivers nothing
                _rule(
                    "E",
                    '{"source": ["orders"], "detail-type": ["x"], "id": ["3"]}',
                    extra="\n      State: DISABLED",
                ),
                # a target built at deployment names nothing to compare
                _rule("F", '{"source": ["orders"], "detail-type": ["x"]}', '!Sub "${Queue.Arn}"'),
                # a pattern built at deployment is not compared
                _rule("G", '{"source": ["orders"], "detail-type": [!Ref Kind]}'),
            )
        },
    )
    assert found == []


def test_references_are_compared_within_their_template(tmp_path: Path) -> None:
    """!GetAtt Queue.Arn in two templates names two queues: nothing is delivered twice."""
    found = _found(
        tmp_path,
        {
            "a.yaml": _template(_rule("A", '{"source": ["orders"]}')),
            "b.yaml": _template(_rule("B", '{"source": ["orders"]}')),
        },
    )
    assert found == []


def test_sam_and_cloudformation_and_terraform_meet(tmp_path: Path) -> None:
    found = _found(
        tmp_path,
        {
            "sam.yaml": """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Handler:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  Events:
                    Orders:
                      Type: EventBridgeRule
                      Properties:
                        Pattern: {"source": ["orders"], "detail-type": ["Created"]}
              AllOrders:
                Type: AWS::Events::Rule
                Properties:
                  EventPattern: {"source": ["orders"]}
                  Targets: [{Id: f, Arn: !GetAtt Handler.Arn}]
            """,
            "infra/rules.tf": """
            resource "aws_cloudwatch_event_rule" "created" {
              name          = "created"
              event_pattern = <<EOT
            {"detail-type": ["Created"], "source": ["orders"]}
            EOT
            }
            resource "aws_cloudwatch_event_rule" "all" {
              name           = "all"
              event_bus_name = "default"
              event_pattern  = jsonencode({ source = [{ prefix = "ord" }] })
            }
            """,
            "infra/targets.tf": f"""
            resource "aws_cloudwatch_event_target" "created" {{
              rule = "created"
              arn  = "{QUEUE}"
            }}
            resource "aws_cloudwatch_event_target" "all" {{
              rule = aws_cloudwatch_event_rule.all.name
              arn  = "{QUEUE}"
            }}
            """,
            "q.yaml": _template(
                _rule("Literal", '{"source": ["orders"], "detail-type": ["Created"]}', QUEUE)
            ),
        },
    )
    got = sorted((d.code, d.source, d.line) for d in found)
    assert got == [
        ("LNT301", "q.yaml", 5),  # the same events as infra/rules.tf's created, to the same queue
        ("LNT302", "infra/rules.tf", 2),  # inside all
        ("LNT302", "q.yaml", 5),  # inside all
        ("LNT302", "sam.yaml", 10),  # the SAM event's rule inside AllOrders, both to the function
    ]


def test_sns_subscriptions_of_one_topic(tmp_path: Path) -> None:
    found = _found(
        tmp_path,
        {
            "sns.yaml": """
            Resources:
              Everything:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !Ref Topic
                  Protocol: sqs
                  Endpoint: !GetAtt Queue.Arn
              Orders:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !Ref Topic
                  Protocol: sqs
                  Endpoint: !GetAtt Queue.Arn
                  FilterPolicy: {"kind": ["order"]}
              Other:
                Type: AWS::SNS::Subscription
                Properties:
                  TopicArn: !Ref OtherTopic
                  Protocol: sqs
                  Endpoint: !GetAtt Queue.Arn
                  FilterPolicy: {"kind": ["order"]}
            """,
            "sns.tf": """
            resource "aws_sns_topic_subscription" "a" {
              topic_arn     = aws_sns_topic.t.arn
              protocol      = "lambda"
              endpoint      = aws_lambda_function.f.arn
              filter_policy = jsonencode({ kind = ["order"], size = [{ numeric = [">", 3] }] })
              filter_policy_scope = "MessageBody"
            }
            resource "aws_sns_topic_subscription" "b" {
              topic_arn     = aws_sns_topic.t.arn
              protocol      = "lambda"
              endpoint      = aws_lambda_function.f.arn
              filter_policy = jsonencode({ kind = ["order"] })
              filter_policy_scope = "MessageBody"
            }
            """,
        },
    )
    got = [(d.code, d.source, d.line) for d in found]
    assert got == [("LNT302", "sns.tf", 2), ("LNT302", "sns.yaml", 9)]
    assert "every message aws_sns_topic_subscription.a matches" in found[0].message


def test_a_suppression_comment_silences_it(tmp_path: Path) -> None:
    found = _found(
        tmp_path,
        {
            "t.yaml": _template(
                _rule("First", '{"source": ["a"]}'),
                _rule("Second  # tamis: ignore[LNT301]", '{"source": ["a"]}').replace(
                    "Second  # tamis: ignore[LNT301]:", "Second:  # tamis: ignore[LNT301]"
                ),
            )
        },
    )
    assert found == []


def test_a_rule_that_matches_no_event_on_a_bus(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "t.yaml": _template(
                _rule("Typo", '{"detail_type": ["Created"]}'),
                _rule("Fine", '{"detail": {"detail_type": ["Created"]}}'),
            ),
            "r.tf": """
            resource "aws_cloudwatch_event_rule" "n" {
              event_pattern = jsonencode({ source = [5] })
            }
            resource "aws_cloudwatch_event_rule" "off" {
              state         = "DISABLED"
              event_pattern = jsonencode({ source = [5] })
            }
            """,
        },
    )
    found = [d for d in lint(["."], cwd=tmp_path).diagnostics if d.code == "LNT303"]
    assert [(d.source, d.line) for d in found] == [("r.tf", 2), ("t.yaml", 5)]
    assert '"source" is a string on every event' in found[0].message
    assert found[1].message.startswith("AWS::Events::Rule Typo can never match an event: ")
