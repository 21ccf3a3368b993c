"""tamis lint: discovery, CloudFormation/SAM, Terraform, stand-alone files, positions in the edited file,
configuration, inline suppression, output formats and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tamis.cli import main
from tamis.compiler.data_protection import policy as data_protection
from tamis.errors import Diagnostic
from tamis.lint import ConfigError, LintResult, lint
from tamis.lint import kinds as lint_kinds

SCHEMA = Path(__file__).with_name("sarif-2.1.0-subset.schema.json")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def where(root: Path, name: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of ``needle`` in a written file."""
    text = (root / name).read_text(encoding="utf-8")
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def run(root: Path, files: dict[str, str], *paths: str, **kwargs: object) -> LintResult:
    write(root, files)
    return lint(list(paths) or None, cwd=root, **kwargs)  # type: ignore[arg-type]


def only(result: LintResult, severity: str = "error") -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity == severity]


def at(d: Diagnostic) -> tuple[int | None, int | None]:
    return d.line, d.column


# --- CloudFormation and SAM ----------------------------------------------------------------------------

CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  WithDefault:
    Type: String
    Default: '{"source": [{"prefix": 7}]}'
  NoDefault:
    Type: String
Resources:
  ObjectRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: ["shop"]
        account: [!Ref AWS::AccountId]
        detail:
          state: [{"prefixx": "run"}]
  SubRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: !Sub |
        {
          "source": ["${AWS::AccountId}"],
          "detail": {"n": [{"numeric": [">", "ten"]}]}
        }
  JoinRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: !Join ["", ['{"source": ["', !Ref AWS::Region, '"], "detail": {"x": [{"exists": 1}]}}']]
  DefaultRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: !Ref WithDefault
  OpaqueRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: !Ref NoDefault
  CleanRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {"source": ["ok"], "account": [!Ref AWS::AccountId]}
"""


def test_cloudformation_yaml_values_are_located_in_the_template(tmp_path: Path) -> None:
    result = run(tmp_path, {"template.yaml": CFN})
    errors = {d.code: d for d in only(result)}
    assert set(errors) == {
        "EVT203",
        "EVT221",
        "EVT214",
        "EVT206",
    }
    # an object pattern: the offending operator
    assert at(errors["EVT203"])[0] == where(tmp_path, "template.yaml", '"prefixx"')[0]
    # a JSON string in a !Sub block scalar: the exact character inside the block
    assert at(errors["EVT221"]) == where(tmp_path, "template.yaml", '"ten"')
    # !Join of literal parts: the column inside the last part
    assert at(errors["EVT214"]) == where(tmp_path, "template.yaml", "1}]}}")
    # !Ref to a parameter with a default: the default is checked where it is written
    assert at(errors["EVT206"]) == where(tmp_path, "template.yaml", "7}]}")
    for d in errors.values():
        assert d.source == "template.yaml"
    notes = only(result, "info")
    assert [n.code for n in notes] == ["LNT201"]
    assert at(notes[0])[0] == where(tmp_path, "template.yaml", "!Ref NoDefault")[0]
    assert result.exit_code == 1


def test_cloudformation_json_template_and_json_string_values(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "Sub": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "FilterPolicyScope": "MessageBody",
                    "FilterPolicy": '{"a": {"b": [{"wildcard": "x*"}]}}',
                },
            },
            "Attr": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {"FilterPolicy": {"store": [{"suffix": 3}]}},
            },
        }
    }
    result = run(tmp_path, {"stack.json": json.dumps(template, indent=2)})
    errors = {d.code: d for d in only(result)}
    assert set(errors) == {"EVT204", "EVT207"}
    # inside a JSON string inside JSON: escaped quotes are counted as written
    assert at(errors["EVT204"]) == where(tmp_path, "stack.json", '\\"wildcard')
    assert at(errors["EVT207"]) == where(tmp_path, "stack.json", "3")


def test_sam_events_filters_and_state_machines(tmp_path: Path) -> None:
    files = {
        "app/template.yaml": """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Events:
                Q:
                  Type: SQS
                  Properties:
                    FilterCriteria:
                      Filters:
                        - Pattern: '{"body": {"kind": ["a"]}}'
                        - Pattern: '{"body": {"n": [{"numeric": ["=", "x"]}]}}'
                Bus:
                  Type: EventBridgeRule
                  Properties:
                    Pattern: {"source": [{"anything-but": {"prefixx": "a"}}]}
                Topic:
                  Type: SNS
                  Properties:
                    FilterPolicy: {"price": [{"numeric": [">", "cheap"]}]}
          Machine:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionUri: machines/flow.asl.json
              DefinitionSubstitutions:
                Arn: arn:aws:lambda:us-east-1:123456789012:function:f
          Scheduled:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition: {StartAt: A, States: {A: {Type: Succeed}}}
              Events:
                OnOrder:
                  Type: EventBridgeRule
                  Properties:
                    Pattern: {"detail": {"total": [{"numeric": ["<", "cheap"]}]}}
          Inline:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition:
                StartAt: A
                States:
                  A: {Type: Pass, Next: Nowhere}
          Missing:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionUri: machines/absent.asl.json
        """,
        "app/machines/flow.asl.json": """
        {
          "StartAt": "Call",
          "States": {
            "Call": {"Type": "Task", "Resource": "${Arn}", "TimeoutSeconds": ${Timeout}, "Next": "Gone"}
          }
        }
        """,
    }
    result = run(tmp_path, files)
    errors = only(result)
    by_file: dict[str, list[Diagnostic]] = {}
    for d in errors:
        by_file.setdefault(d.source or "", []).append(d)
    tpl = by_file["app/template.yaml"]
    codes = sorted(d.code for d in tpl if d.code != "ASL202")
    assert [c for c in codes if not c.startswith("EVT")] == [
        "ASL201",
        "LNT005",
    ]
    assert codes.count("EVT221") == 3 and len(codes) == 6, tpl
    assert where(tmp_path, "app/template.yaml", '"cheap"') in {at(d) for d in tpl}
    positions = {at(d) for d in tpl}
    assert where(tmp_path, "app/template.yaml", '"x"') in positions
    assert where(tmp_path, "app/template.yaml", "Nowhere") in positions
    flow = by_file["app/machines/flow.asl.json"]
    # the referenced file is checked with its placeholders accepted, and reported in that file
    missing = [d for d in flow if d.code == "ASL201"]
    assert [at(d) for d in missing] == [where(tmp_path, "app/machines/flow.asl.json", '"Gone"')]
    assert {d.code for d in flow} <= {"ASL201", "ASL202"}


def test_data_protection_policies_in_templates(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "t.yaml": """
            Resources:
              Topic:
                Type: AWS::SNS::Topic
                Properties:
                  DataProtectionPolicy:
                    Name: p
                    Version: "2021-06-01"
                    Statement:
                      - DataDirection: Sideways
                        Principal: ["*"]
                        DataIdentifier: [arn:aws:dataprotection::aws:data-identifier/CreditCardNumber]
                        Operation: {Deny: {}}
              Logs:
                Type: AWS::Logs::AccountPolicy
                Properties:
                  PolicyName: p
                  PolicyType: DATA_PROTECTION_POLICY
                  PolicyDocument: '{"Name": "x", "Version": "2021-06-01", "Statement": []}'
              Other:
                Type: AWS::Logs::AccountPolicy
                Properties:
                  PolicyType: SUBSCRIPTION_FILTER_POLICY
                  PolicyDocument: '{"not": "a data protection policy"}'
            """
        },
    )
    errors = only(result)
    assert len(errors) == 2, errors
    assert all(d.code.startswith("DP") for d in errors)
    assert at(errors[0])[0] == where(tmp_path, "t.yaml", "Sideways")[0]
    assert errors[1].line == where(tmp_path, "t.yaml", "PolicyDocument: '{")[0]


# --- Terraform -------------------------------------------------------------------------------------------

TF = """
locals {
  policy = {
    color = [{ prefix = 5 }]
  }
}

resource "aws_cloudwatch_event_rule" "encoded" {
  event_pattern = jsonencode({
    source        = ["shop"]
    "detail-type" = ["Order"]
    detail        = { total = [{ numeric = [">", "lots"] }], who = [var.customer] }
  })
}

resource "aws_cloudwatch_event_rule" "heredoc" {
  event_pattern = <<-EOT
    {
      "source": ["shop"],
      "detail": {"x": [{"exists": "maybe"}]}
    }
  EOT
}

resource "aws_cloudwatch_event_rule" "quoted" {
  event_pattern = "{\\"source\\": [{\\"suffix\\": 1}]}"
}

resource "aws_cloudwatch_event_rule" "opaque" {
  event_pattern = var.pattern
}

resource "aws_cloudwatch_event_rule" "partly_known" {
  event_pattern = jsonencode({ detail = { n = [{ numeric = [">", var.threshold] }] } })
}

resource "aws_sns_topic_subscription" "local" {
  filter_policy = jsonencode(local.policy)
}

resource "aws_sns_topic_subscription" "body" {
  filter_policy_scope = "MessageBody"
  filter_policy       = jsonencode({ a = { b = [{ wildcard = "x*" }] } })
}

resource "aws_lambda_event_source_mapping" "esm" {
  filter_criteria {
    filter {
      pattern = jsonencode({ body = { ok = ["yes"] } })
    }
    filter {
      pattern = jsonencode({ body = { n = [{ numeric = ["<"] }] } })
    }
  }
}

resource "aws_sfn_state_machine" "sm" {
  definition = templatefile("${path.module}/sm.asl.json.tftpl", { Fn = "x" })
}

resource "aws_cloudwatch_log_data_protection_policy" "logs" {
  policy_document = file("${path.module}/logs-policy.json")
}
"""

SM_TEMPLATE = """
{
  "StartAt": "Call",
  "States": {
    "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": "${Fn}", "Payload.$": "$"},
             "TimeoutSeconds": ${Timeout}, "Next": "Elsewhere"}
  }
}
"""

LOGS_POLICY = """
{"Name": "x", "Version": "2021-06-01", "Statement": [
  {"Sid": "a", "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
   "Operation": {"Audit": {"FindingsDestination": {}}}},
  {"Sid": "d", "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
   "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}}
]}
"""


def test_terraform_values_are_located_in_the_tf_file(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {"mod/main.tf": TF, "mod/sm.asl.json.tftpl": SM_TEMPLATE, "mod/logs-policy.json": LOGS_POLICY},
    )
    errors = only(result)
    tf = "mod/main.tf"
    got = {(d.source, d.line, d.column, d.code) for d in errors}
    expected = {
        (tf, *where(tmp_path, tf, '"lots"'), "EVT221"),
        (tf, *where(tmp_path, tf, '"maybe"'), "EVT214"),
        (tf, *where(tmp_path, tf, "1}]}"), "EVT207"),
        (tf, *where(tmp_path, tf, "5 }"), "EVT206"),
        (tf, *where(tmp_path, tf, "wildcard"), "EVT204"),
    }
    assert expected <= got, sorted(got)
    # the second filter of the event-source mapping
    numeric = [d for d in errors if d.source == tf and d.line == where(tmp_path, tf, 'numeric = ["<"]')[0]]
    assert numeric, errors
    # templatefile(): reported in the template file, placeholders accepted
    sm = [d for d in errors if d.source == "mod/sm.asl.json.tftpl"]
    assert [(d.code, at(d)) for d in sm] == [
        ("ASL201", where(tmp_path, "mod/sm.asl.json.tftpl", '"Elsewhere"'))
    ]
    # file(): the policy file is checked as a CloudWatch Logs policy
    logs = [d for d in errors if d.source == "mod/logs-policy.json"]
    assert len(logs) == 1 and logs[0].code.startswith("DP")
    assert logs[0].line == where(tmp_path, "mod/logs-policy.json", "MaskWithCharacter")[0]
    notes = only(result, "info")
    # a value known only at plan time: not checked (var.pattern), or an error it causes becomes a note
    # (var.threshold stands where "numeric" needs a number); var.customer fits where it stands.
    assert {at(n) for n in notes} == {
        where(tmp_path, tf, "var.pattern"),
        where(tmp_path, tf, "var.threshold"),
    }
    assert len(errors) == 8, sorted(got)


def test_event_archives_filter_with_event_patterns(tmp_path: Path) -> None:
    """An archive's EventPattern is an event pattern, of up to 4,096 characters (CloudFormation's
    AWS::Events::Archive), where a rule's stops at 2,048 without a quota increase."""
    long = json.dumps({"source": ["orders"], "detail": {"k": [f"v{i:04d}" for i in range(300)]}})
    assert 2048 < len(long) <= 4096
    files = {
        "template.yaml": textwrap.dedent("""\
            Resources:
              OrdersArchive:
                Type: AWS::Events::Archive
                Properties:
                  SourceArn: arn:aws:events:us-east-1:123456789012:event-bus/orders
                  EventPattern:
                    detail:
                      total: [{numeric: [">", "100"]}]
            """),
        "main.tf": textwrap.dedent("""\
            resource "aws_cloudwatch_event_archive" "orders" {
              name          = "orders"
              event_pattern = jsonencode({ detail = { total = [{ prefix = 5 }] } })
            }
            resource "aws_cloudwatch_event_archive" "long" {
              name          = "long"
              event_pattern = <<EOF
            %s
            EOF
            }
            resource "aws_cloudwatch_event_rule" "long" {
              name          = "long"
              event_pattern = <<EOF
            %s
            EOF
            }
            """)
        % (long, long),
    }
    result = run(tmp_path, files)
    got = sorted((d.source, d.code, d.line) for d in only(result))
    assert got == [
        ("main.tf", "EVT004", 14),  # the rule; the archive takes the same pattern
        ("main.tf", "EVT206", 3),
        ("template.yaml", "EVT221", 8),
    ]


def test_terraform_syntax_error_is_reported(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "bad.tf": 'resource "aws_cloudwatch_event_rule" "y" {\n  event_pattern = [1,\n}\n',
            # a file that declares nothing tamis checks is not parsed at all
            "other.tf": 'resource "aws_vpc" "y" {\n  cidr_block = [1,\n}\n',
        },
    )
    assert [(d.source, d.code) for d in result.diagnostics] == [("bad.tf", "LNT003")]
    assert result.diagnostics[0].line == 3


# --- stand-alone files -------------------------------------------------------------------------------------


def test_a_file_named_as_a_pattern_is_checked_only_when_its_shape_leaves_no_doubt(tmp_path: Path) -> None:
    """A name says what a file may hold, its shape whether it does: a misshapen file named as a pattern is
    checked when it uses a pattern's own construct (a matcher object in a list), so that the commonest
    mistake (a value not in a list) is reported; with nothing but its name it gets one note saying why it
    was not checked, never an error."""
    files = {
        "rules/ec2-pattern.json": '{"source": "aws.ec2"}',
        "subs/orders-filter-policy.json": '{\n  "store": "example_corp",\n  "price": [{"exists": true}]}',
        "rules/search-pattern.json": '{"detail": {"text": [{"contains": "refund"}]}}',
        # misshapen without the name, or named without an event field: not ours
        "samples/event.json": '{"source": "aws.ec2", "detail": {"state": "running"}}',
        "docs/url-patterns.json": '{"home": "/", "about": "/about"}',
    }
    result = run(tmp_path, files)
    got = [(d.source, d.code, at(d)) for d in only(result)]
    assert got == [
        ("rules/search-pattern.json", "EVT203", (1, 23)),
        ("subs/orders-filter-policy.json", "EVT104", (2, 12)),
    ]
    notes = [(d.source, d.code, at(d)) for d in only(result, "info")]
    assert notes == [
        ("docs/url-patterns.json", "LNT104", (1, 2)),
        ("rules/ec2-pattern.json", "LNT104", (1, 2)),
    ]
    ec2 = next(d for d in result.diagnostics if d.source == "rules/ec2-pattern.json")
    assert '"source" is a string, not a list' in ec2.message
    assert (
        '[tool.tamis.kinds] (or [kinds] in .tamis.toml): "rules/ec2-pattern.json" = "eventbridge-pattern"'
        in (ec2.message)
    )
    # declared, it is checked and its mistake reported
    write(tmp_path, {".tamis.toml": '[kinds]\n"rules/ec2-*.json" = "eventbridge-pattern"\n'})
    declared = lint(None, cwd=tmp_path)
    assert ("rules/ec2-pattern.json", "EVT104") in {(d.source, d.code) for d in only(declared)}
    assert "rules/ec2-pattern.json" not in {d.source for d in only(declared, "info")}


def test_a_data_protection_policy_is_known_by_its_version_whatever_its_statements(tmp_path: Path) -> None:
    files = {
        "dp/empty.json": '{"Name": "p", "Version": "2021-06-01", "Statement": []}',
        "dp/missing.json": '{"Name": "p", "Version": "2021-06-01"}',
        # an IAM policy: its own version, not ours
        "iam/policy.json": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}',
    }
    result = run(tmp_path, files)
    got = sorted((d.source, d.code) for d in only(result))
    assert got == [("dp/empty.json", "DP109"), ("dp/missing.json", "DP109")]
    assert lint_kinds.DATA_PROTECTION_VERSION == data_protection.VERSION


def test_repeated_keys_in_standalone_json_are_warned_of_as_in_templates(tmp_path: Path) -> None:
    files = {
        "rules/orders-pattern.json": '{"source": ["a"],\n "source": ["b"]}',
        "flows/order.asl.json": '{"StartAt": "A",\n "States": {"A": {"Type": "Succeed"}, '
        '"A": {"Type": "Fail"}}}',
        "template.yaml": "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n"
        "      EventPattern:\n        source: [a]\n        source: [b]\n",
        "rules/plain-pattern.json": '{"source": ["a"], "detail": {"source": ["b"]}}',  # not repeated
    }
    result = run(tmp_path, files)
    got = sorted((d.source, d.code, at(d)) for d in result.diagnostics)
    assert got == [
        ("flows/order.asl.json", "LNT101", (2, 39)),
        ("rules/orders-pattern.json", "LNT101", (2, 2)),
        ("template.yaml", "LNT101", (7, 9)),
    ]
    assert all(
        d.severity == "warning" and "only the last one is kept" in d.message for d in result.diagnostics
    )


def test_standalone_files_detected_by_shape_and_name(tmp_path: Path) -> None:
    files = {
        "rules/orders.json": '{"source": ["shop"], "detail": {"n": [{"numeric": [">", "1"]}]}}',
        "subs/filter-policy.json": '{"store": [{"wildcard": "a*"}]}',
        "dp/policy.json": json.dumps(
            {
                "Name": "p",
                "Version": "2021-06-01",
                "Statement": [
                    {
                        "DataDirection": "Inbound",
                        "Principal": ["*"],
                        "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/NoSuchThing"],
                        "Operation": {"Deny": {}},
                    }
                ],
            },
            indent=2,
        ),
        "flows/order.asl.yaml": "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: B\n",
        "flows/plain.json": '{"StartAt": "A", "States": {"A": {"Type": "Succeed", "Next": "A"}}}',
        "esm/criteria.json": '{"Filters": [{"Pattern": "{\\"body\\": {\\"a\\": [{\\"exists\\": 0}]}}"}]}',
        # not ours: ignored silently
        "package.json": '{"name": "x", "scripts": {"test": "jest"}, "files": ["dist"]}',
        "tsconfig.json": '{ // comments are not JSON\n "compilerOptions": {} }',
        ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        "docs/notes.yaml": "source: [1, 2]\nnot: {a: pattern}\n",
        # broken JSON is reported only when the name says what the file holds
        "rules/refunds-pattern.json": '{"source": ["shop"],\n "detail": {"n": [1,]}}',
        "config/broken.json": '{"a": [1,]}',
        # pattern-shaped and using a matcher object: a pattern, whatever its name
        "misc/orders.json": '{"price": [{"numeric": [">", "0"]}]}',
        # pattern-shaped but plain lists: data, not a pattern
        "misc/hosts.json": '{"hosts": ["a", "b"], "ports": [80, 443]}',
    }
    result = run(tmp_path, files)
    got = {(d.source, d.code) for d in only(result)}
    assert {s for s, _ in got} == {
        "rules/orders.json",
        "subs/filter-policy.json",
        "dp/policy.json",
        "flows/order.asl.yaml",
        "flows/plain.json",
        "esm/criteria.json",
        "rules/refunds-pattern.json",
        "misc/orders.json",
    }, got
    syntax = next(d for d in only(result) if d.source == "rules/refunds-pattern.json")
    assert syntax.code == "LNT001" and syntax.line == 2
    assert ("subs/filter-policy.json", "EVT204") in got
    esm = next(d for d in only(result) if d.source == "esm/criteria.json")
    assert at(esm) == where(tmp_path, "esm/criteria.json", "0}]}}")


def test_configuration_kinds_excludes_ignores_and_severity(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": """
        [project]
        name = "x"

        [tool.tamis]
        warnings-as-errors = true
        ignore = ["pattern.numeric-*"]
        exclude = ["legacy/**"]

        [tool.tamis.kinds]
        "odd/*.json" = "sns-filter-policy"
        "noise/*.json" = "none"
        """,
        "odd/a.json": '{"k": [{"wildcard": "x*"}]}',
        "noise/pattern.json": '{"source": [{"prefix": 1}]}',
        "legacy/pattern.json": '{"source": [{"prefix": 1}]}',
        "n/pattern.json": '{"source": ["x"], "detail": {"n": [{"numeric": [">", "1"]}]}}',
        "w/policy.json": json.dumps(
            {
                "Name": "p",
                "Version": "2021-06-01",
                "Statement": [
                    {
                        "DataDirection": "Inbound",
                        "Principal": ["*"],
                        "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/Name"],
                        "Operation": {"Audit": {"SampleRate": 50, "FindingsDestination": {}}},
                    }
                ],
            }
        ),
    }
    result = run(tmp_path, files)
    got = sorted((d.source, d.severity) for d in result.diagnostics)
    # the old spelling still works, with one note naming the codes it stands for
    [note] = [d for d in result.diagnostics if d.code == "LNT903"]
    assert (note.source, note.severity, note.line) == ("pyproject.toml", "info", 6)
    assert "'pattern.numeric-*' is the old spelling of EVT217, EVT218" in note.message
    assert ("odd/a.json", "error") in got
    assert all(s not in ("noise/pattern.json", "legacy/pattern.json", "n/pattern.json") for s, _ in got)
    # the ML-only identifier warning becomes an error
    assert ("w/policy.json", "error") in got
    # an explicitly named file is linted even when excluded
    explicit = lint(["legacy/pattern.json"], cwd=tmp_path)
    assert [d.code for d in explicit.diagnostics if d.code != "LNT903"] == ["EVT206"]
    # the command line can switch warnings-as-errors off and add ignores
    relaxed = lint(None, cwd=tmp_path, warnings_as_errors=False, ignore=["EVT*"])
    assert {(d.source, d.severity) for d in relaxed.diagnostics if d.code != "LNT903"} == {
        ("w/policy.json", "warning")
    }


def test_tamis_toml_and_bad_configuration(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".tamis.toml": '[severity]\n"EVT206" = "warning"\n',
            "p/pattern.json": '{"source": [{"prefix": 1}]}',
        },
    )
    result = lint(None, cwd=tmp_path)
    assert [(d.code, d.severity) for d in result.diagnostics] == [("EVT206", "warning")]
    assert result.exit_code == 0
    (tmp_path / ".tamis.toml").write_text("colour = 1\n")
    with pytest.raises(ConfigError):
        lint(None, cwd=tmp_path)
    (tmp_path / ".tamis.toml").write_text('[kinds]\n"*.json" = "no-such-kind"\n')
    with pytest.raises(ConfigError):
        lint(None, cwd=tmp_path)


# --- inline suppression -----------------------------------------------------------------------------------


def test_inline_suppression_in_yaml_and_hcl(tmp_path: Path) -> None:
    files = {
        "t.yaml": """
        Resources:
          A:
            Type: AWS::Events::Rule
            Properties:
              EventPattern: {"source": [{"prefix": 1}]}  # tamis: ignore[EVT206]
          B:
            Type: AWS::Events::Rule
            Properties:
              # tamis: ignore
              EventPattern: |
                {"source": [{"prefix": 2}]}
          C:
            Type: AWS::Events::Rule
            Properties:
              EventPattern: {"source": [{"prefix": 3}]}  # tamis: ignore[EVT223]
        """,
        "m.tf": """
        resource "aws_cloudwatch_event_rule" "a" {
          // tamis: ignore[EVT206]
          event_pattern = jsonencode({
            source = [{ prefix = 4 }]
          })
        }
        resource "aws_cloudwatch_event_rule" "b" {
          event_pattern = jsonencode({
            source = [{ prefix = 5 }]
          })
        }
        """,
    }
    result = run(tmp_path, files)
    left = sorted((d.source, d.line) for d in result.diagnostics)
    assert left == [
        ("m.tf", where(tmp_path, "m.tf", "5 }")[0]),
        ("t.yaml", where(tmp_path, "t.yaml", "3}]}")[0]),
    ]


# --- discovery -------------------------------------------------------------------------------------------


def test_gitignore_is_honoured_in_a_work_tree(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    bad = '{"source": [{"prefix": 1}]}'
    write(tmp_path, {".gitignore": "generated/\n", "generated/pattern.json": bad, "src/pattern.json": bad})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = lint(None, cwd=tmp_path)
    assert {d.source for d in result.diagnostics} == {"src/pattern.json"}


def test_walk_skips_hidden_and_generated_folders_outside_git(tmp_path: Path) -> None:
    bad = '{"source": [{"prefix": 1}]}'
    write(tmp_path, {".aws-sam/pattern.json": bad, "node_modules/x/pattern.json": bad, "a/pattern.json": bad})
    result = lint([str(tmp_path)], cwd=tmp_path)
    assert {d.source for d in result.diagnostics} == {"a/pattern.json"}


# --- output and exit codes ---------------------------------------------------------------------------------


def _cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)
    code = main(["lint", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_text_output_and_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"ok/pattern.json": '{"source": ["a"]}'})
    code, out, _ = _cli(tmp_path, monkeypatch, capsys, "ok")
    assert code == 0 and "0 errors" in out
    write(tmp_path, {"bad/pattern.json": '{\n  "source": [{"prefix": 1}]\n}\n'})
    code, out, _ = _cli(tmp_path, monkeypatch, capsys, "bad")
    line, col = where(tmp_path, "bad/pattern.json", "1}")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"bad/pattern.json:{line}:{col}: error EVT206 ")
    assert lines[1].strip() == '"source": [{"prefix": 1}]'
    assert lines[2].index("^") == lines[1].index("1}")
    code, _, err = _cli(tmp_path, monkeypatch, capsys, "no/such/folder")
    assert code == 2 and "no such file" in err
    with pytest.raises(SystemExit) as info:
        _cli(tmp_path, monkeypatch, capsys, "--format", "xml")
    assert info.value.code == 2


def test_json_and_sarif_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    write(
        tmp_path,
        {
            "p/pattern.json": '{"source": [{"prefix": 1}]}',
            "t.yaml": (
                "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: !Ref X\n"
            ),
            "dir with space/pattern.json": '{"source": [{"suffix": 1}]}',
        },
    )
    code, out, _ = _cli(tmp_path, monkeypatch, capsys, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert {d["code"] for d in report["diagnostics"]} == {
        "EVT206",
        "EVT207",
        "LNT201",
    }
    assert report["summary"]["error"] == 2 and report["summary"]["info"] == 1
    code, out, _ = _cli(tmp_path, monkeypatch, capsys, "--format", "sarif")
    log = json.loads(out)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    results = log["runs"][0]["results"]
    assert {r["level"] for r in results} == {"error", "note"}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and " " not in uri
    # the same finding, written to a file
    code, _, _ = _cli(tmp_path, monkeypatch, capsys, "--format", "sarif", "-o", "out.sarif", "p")
    assert json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "EVT206"


def test_schema_subset_rejects_broken_logs() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    good = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "t"}},
                "results": [
                    {
                        "ruleId": "r",
                        "level": "error",
                        "message": {"text": "m"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "a"},
                                    "region": {"startLine": 1},
                                }
                            }
                        ],
                    }
                ],
            }
        ],
    }
    assert validator.is_valid(good)
    for broken in (
        {**good, "version": "2.0.0"},
        {"version": "2.1.0", "runs": [{"tool": {}}]},
        {
            "version": "2.1.0",
            "runs": [{**good["runs"][0], "results": [{**good["runs"][0]["results"][0], "level": "fatal"}]}],
        },
    ):
        assert not validator.is_valid(broken)


def test_filter_criteria_structure_and_duplicate_keys(tmp_path: Path) -> None:
    filters = "\n".join(f'          - Pattern: \'{{"body": {{"n": [{i}]}}}}\'' for i in range(11))
    files = {
        "t.yaml": f"""
Resources:
  Many:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FilterCriteria:
        Filters:
{filters}
  Odd:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FilterCriteria:
        Filters:
          - NotAPattern: x
  Twice:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: ["a"]
        source: ["b"]
"""
    }
    result = run(tmp_path, files)
    got = {(d.code, d.severity, d.line) for d in result.diagnostics}
    assert got == {
        ("EVT403", "error", where(tmp_path, "t.yaml", "Filters:")[0] + 1),
        ("EVT402", "error", where(tmp_path, "t.yaml", "NotAPattern")[0]),
        ("LNT101", "warning", where(tmp_path, "t.yaml", 'source: ["b"]')[0]),
    }


def test_files_outside_the_current_folder_get_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    outside = tmp_path / "outside"
    here = tmp_path / "here"
    here.mkdir()
    write(outside, {"pattern.json": '{"source": [{"prefix": 1}]}'})
    code, out, _ = _cli(here, monkeypatch, capsys, "--format", "sarif", str(outside))
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == (outside / "pattern.json").resolve().as_uri()
    code, out, _ = _cli(here, monkeypatch, capsys, str(outside))
    assert code == 1
    assert out.startswith(f"{(outside / 'pattern.json').as_posix()}:1:")


def test_a_file_named_by_a_template_is_checked_as_the_template_says(tmp_path: Path) -> None:
    import tamis

    # No DataDirection/Principal: by its shape a CloudWatch Logs policy, but Terraform names it as SNS's.
    policy = json.dumps(
        {
            "Name": "p",
            "Version": "2021-06-01",
            "Statement": [
                {
                    "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                    "Operation": {"Deny": {}},
                }
            ],
        },
        indent=2,
    )
    files = {
        "a/main.tf": """
        resource "aws_sns_topic_data_protection_policy" "p" {
          arn    = "arn:aws:sns:us-east-1:123456789012:t"
          policy = file("${path.module}/policy.json")
        }
        """,
        "a/policy.json": policy,
    }
    with pytest.raises(tamis.PolicyError) as info:
        tamis.compile_policy(policy, dialect="sns")
    result = run(tmp_path, files)
    assert [(d.source, d.code) for d in result.diagnostics] == [
        ("a/policy.json", info.value.code)  # the error's code is lint's code
    ]


def test_terraform_template_directives(tmp_path: Path) -> None:
    files = {
        "m/main.tf": """
        resource "aws_sfn_state_machine" "loop" {
          definition = templatefile("${path.module}/loop.asl.json.tftpl", { steps = ["a", "b"] })
        }
        resource "aws_cloudwatch_event_rule" "list" {
          event_pattern = templatefile("${path.module}/list.json.tftpl", { sources = ["a", "b"] })
        }
        """,
        # directives blanked, the rest checked: state names built in the loop are only notes
        "m/loop.asl.json.tftpl": """
        {
          "StartAt": "A",
          "States": {
            %{ for s in steps ~}
            "Step${s}": {"Type": "Pass", "End": true},
            %{ endfor ~}
            "A": {"Type": "Pass", "Next": "Nowhere"}
          }
        }
        """,
        # JSON only once rendered (the loop leaves a trailing comma here): a note, not an error
        "m/list.json.tftpl": """
        {"source": [
          %{ for s in sources ~}
          "${s}",
          %{ endfor ~}
        ]}
        """,
    }
    result = run(tmp_path, files)
    errors = [(d.source, d.code, at(d)) for d in only(result)]
    assert (
        "m/loop.asl.json.tftpl",
        "ASL201",
        where(tmp_path, "m/loop.asl.json.tftpl", '"Nowhere"'),
    ) in errors
    assert all(d.source != "m/list.json.tftpl" for d in only(result))
    notes = {(d.source, d.line) for d in only(result, "info")}
    assert ("m/loop.asl.json.tftpl", where(tmp_path, "m/loop.asl.json.tftpl", '"Step${s}"')[0]) in notes
    assert any(source == "m/list.json.tftpl" for source, _ in notes)
