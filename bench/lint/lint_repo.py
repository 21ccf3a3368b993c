"""Generates a repository of mixed infrastructure files for timing ``tamis lint`` (seeded, reproducible).

    python3 bench/lint/lint_repo.py OUT_DIR [--files 500] [--seed 7]

The mix follows what a real repository holds: CloudFormation and SAM templates (YAML with short intrinsic
tags, and JSON), Terraform modules (``jsonencode``, heredocs, ``templatefile``), stand-alone patterns,
filter policies, filter criteria, data-protection policies and state machines, and files that are none of
these (package manifests, CI workflows, Kubernetes manifests). About one file in ten has a mistake.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

# Share of the files per kind (the rest are unrelated files that the linter must pass over).
MIX = {
    "sam_yaml": 0.12,
    "cfn_json": 0.04,
    "terraform": 0.14,
    "pattern": 0.14,
    "filter_policy": 0.08,
    "dp_policy": 0.06,
    "asl_json": 0.10,
    "asl_yaml": 0.05,
    "noise": 0.27,
}

SOURCES = ["com.example.orders", "com.example.claims", "aws.ec2", "aws.s3", "com.example.billing"]
STATES = ["pending", "running", "stopped", "shipped", "paid", "refunded"]
IDENTIFIERS = ["CreditCardNumber", "EmailAddress", "PhoneNumber-US", "AwsSecretKey", "DriversLicense-US"]


def _pattern(rng: random.Random, broken: bool) -> dict[str, object]:
    detail: dict[str, object] = {
        "state": rng.sample(STATES, 2),
        "amount": [{"numeric": [">", rng.randint(0, 100), "<=", rng.randint(1000, 9000)]}],
        "customer": {"tier": [{"anything-but": ["basic"]}], "country": [{"prefix": "U"}]},
    }
    if rng.random() < 0.3:
        detail["$or"] = [{"express": [True]}, {"weight": [{"numeric": ["<", 5]}]}]
    if broken:
        detail["amount"] = [{"numeric": [">", "ten"]}]
    return {"source": [rng.choice(SOURCES)], "detail-type": ["Order Updated"], "detail": detail}


def _filter_policy(rng: random.Random, broken: bool) -> dict[str, object]:
    policy: dict[str, object] = {
        "store": rng.sample(["north", "south", "east", "west"], 2),
        "price_usd": [{"numeric": [">=", rng.randint(1, 50)]}],
        "event": [{"prefix": "order-"}],
    }
    if broken:
        policy["event"] = [{"wildcard": "order-*"}]
    return policy


def _dp_policy(rng: random.Random, broken: bool) -> dict[str, object]:
    idents = [f"arn:aws:dataprotection::aws:data-identifier/{i}" for i in rng.sample(IDENTIFIERS, 2)]
    return {
        "Name": f"policy-{rng.randint(1, 9999)}",
        "Version": "2021-06-01",
        "Statement": [
            {
                "Sid": "mask",
                "DataDirection": "Outbound" if not broken else "Sideways",
                "Principal": ["*"],
                "DataIdentifier": idents,
                "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}},
            }
        ],
    }


def _asl(rng: random.Random, broken: bool, placeholders: bool = False) -> dict[str, object]:
    n = rng.randint(3, 8)
    states: dict[str, object] = {}
    for i in range(n):
        name = f"Step{i}"
        nxt = f"Step{i + 1}"
        if i == n - 1:
            states[name] = {"Type": "Succeed"}
        elif i == 1:
            states[name] = {
                "Type": "Choice",
                "Choices": [{"Variable": "$.amount", "NumericGreaterThan": 100, "Next": nxt}],
                "Default": nxt if not broken else "Nowhere",
            }
        else:
            arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
            resource = "${FunctionArn}" if placeholders else arn
            states[name] = {
                "Type": "Task",
                "Resource": resource,
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "BackoffRate": 2.0}],
                "Next": nxt,
            }
    return {"Comment": "generated", "StartAt": "Step0", "States": states}


def _yaml_flow(value: object) -> str:
    return json.dumps(value)


def _sam(rng: random.Random, broken: bool) -> str:
    pattern = _pattern(rng, broken)
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {{Type: String, Default: dev}}
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: !Sub orders-${{Stage}}
  OrdersRule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern:
        source: ["{rng.choice(SOURCES)}"]
        account: [!Ref AWS::AccountId]
        detail:
          state: {_yaml_flow(rng.sample(STATES, 2))}
          amount: [{{"numeric": [">", {rng.randint(1, 99)}]}}]
  StringRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: !Sub |
        {json.dumps(pattern, indent=2).replace(chr(10), chr(10) + "        ")}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DataProtectionPolicy: {_yaml_flow(_dp_policy(rng, False))}
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      FilterPolicy: '{json.dumps(_filter_policy(rng, False))}'
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            FilterCriteria:
              Filters:
                - Pattern: '{{"body": {{"kind": ["order"], "total": [{{"numeric": [">", 0]}}]}}}}'
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      Definition: {_yaml_flow(_asl(rng, False))}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {{Effect: Allow, Principal: {{Service: states.amazonaws.com}}, Action: sts:AssumeRole}}
"""


def _cfn_json(rng: random.Random, broken: bool) -> str:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": _pattern(rng, broken)}},
            "Sub": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {"FilterPolicy": json.dumps(_filter_policy(rng, False)), "Protocol": "sqs"},
            },
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": json.dumps(_asl(rng, False))},
            },
        },
    }
    return json.dumps(template, indent=2)


def _hcl(value: object, indent: int = 2) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        items = [f'{pad}  "{k}" = {_hcl(v, indent + 2)}' for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v, indent) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def _terraform(rng: random.Random, broken: bool, template_name: str | None) -> str:
    out = [
        'variable "stage" {\n  type = string\n}\n',
        f'resource "aws_cloudwatch_event_rule" "orders" {{\n  name = "orders-${{var.stage}}"\n'
        f"  event_pattern = jsonencode({_hcl(_pattern(rng, broken))})\n}}\n",
        f'resource "aws_sns_topic_subscription" "sub" {{\n  topic_arn = "arn:aws:sns:us-east-1:1:t"\n'
        f"  filter_policy = <<EOF\n{json.dumps(_filter_policy(rng, False), indent=2)}\nEOF\n}}\n",
        'resource "aws_lambda_event_source_mapping" "esm" {\n  filter_criteria {\n    filter {\n'
        '      pattern = jsonencode({ body = { kind = ["order"] } })\n    }\n  }\n}\n',
        f'resource "aws_cloudwatch_log_data_protection_policy" "logs" {{\n  log_group_name = "g"\n'
        f"  policy_document = <<-EOT\n{_cwl_policy(rng)}\n  EOT\n}}\n",
    ]
    if template_name:
        out.append(
            'resource "aws_sfn_state_machine" "sm" {\n'
            f'  definition = templatefile("${{path.module}}/{template_name}", {{ FunctionArn = "x" }})\n}}\n'
        )
    return "\n".join(out)


def _cwl_policy(rng: random.Random) -> str:
    idents = [f"arn:aws:dataprotection::aws:data-identifier/{i}" for i in rng.sample(IDENTIFIERS, 2)]
    policy = {
        "Name": "logs",
        "Version": "2021-06-01",
        "Statement": [
            {"Sid": "audit", "DataIdentifier": idents, "Operation": {"Audit": {"FindingsDestination": {}}}},
            {"Sid": "mask", "DataIdentifier": idents, "Operation": {"Deidentify": {"MaskConfig": {}}}},
        ],
    }
    return "\n".join("    " + line for line in json.dumps(policy, indent=2).splitlines())


def _asl_yaml(value: dict[str, object]) -> str:
    import yaml

    return yaml.safe_dump(value, sort_keys=False)


def _noise_package(rng: random.Random) -> str:
    return json.dumps({"name": "svc", "version": "1.0.0", "scripts": {"test": "jest"}})


def _noise_workflow(rng: random.Random) -> str:
    return "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"


def _noise_k8s(rng: random.Random) -> str:
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"


def _noise_settings(rng: random.Random) -> str:
    return json.dumps({"debug": False, "retries": rng.randint(1, 5), "hosts": ["a", "b"]})


def _noise_readme(rng: random.Random) -> str:
    return "# service\n"


NOISE = [
    ("package.json", _noise_package),
    ("ci.yml", _noise_workflow),
    ("deployment.yaml", _noise_k8s),
    ("settings.json", _noise_settings),
    ("README.md", _noise_readme),
]


def generate(out: Path, files: int = 500, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    written = 0
    n = 0
    while written < files:
        kind = rng.choices(kinds, weights)[0]
        broken = rng.random() < 0.1
        folder = out / f"svc{n % 25:02d}"
        folder.mkdir(exist_ok=True)
        n += 1
        extra = 0
        if kind == "sam_yaml":
            (folder / f"template-{n}.yaml").write_text(_sam(rng, broken))
        elif kind == "cfn_json":
            (folder / f"stack-{n}.template.json").write_text(_cfn_json(rng, broken))
        elif kind == "terraform":
            tdir = folder / f"tf{n}"
            tdir.mkdir(exist_ok=True)
            template = None
            if rng.random() < 0.4 and written + 1 < files:
                template = "machine.asl.json.tftpl"
                text = json.dumps(_asl(rng, broken, placeholders=True), indent=2)
                (tdir / template).write_text(text.replace('"MaxAttempts": 2', '"MaxAttempts": ${Attempts}'))
                extra = 1
            (tdir / "main.tf").write_text(_terraform(rng, broken, template))
        elif kind == "pattern":
            (folder / f"rule{n}-pattern.json").write_text(json.dumps(_pattern(rng, broken), indent=2))
        elif kind == "filter_policy":
            (folder / f"filter-policy-{n}.json").write_text(json.dumps(_filter_policy(rng, broken), indent=2))
        elif kind == "dp_policy":
            (folder / f"data-protection-{n}.json").write_text(json.dumps(_dp_policy(rng, broken), indent=2))
        elif kind == "asl_json":
            (folder / f"flow{n}.asl.json").write_text(json.dumps(_asl(rng, broken), indent=2))
        elif kind == "asl_yaml":
            (folder / f"flow{n}.asl.yaml").write_text(_asl_yaml(_asl(rng, broken)))
        else:
            name, make = rng.choice(NOISE)
            (folder / f"{n}-{name}").write_text(make(rng))
        counts[kind] = counts.get(kind, 0) + 1 + extra
        written += 1 + extra
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    counts = generate(args.out, args.files, args.seed)
    print(json.dumps({"files": sum(counts.values()), "by_kind": counts}))


if __name__ == "__main__":
    main()
