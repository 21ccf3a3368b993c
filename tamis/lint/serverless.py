"""Finds patterns, filter policies, filter criteria and state machines in a Serverless Framework service
(``serverless.yml``).

Where each sits, from the framework's documentation (https://www.serverless.com/framework/docs/providers/aws/events):
``functions.<fn>.events[]`` entries ``eventBridge.pattern`` (an EventBridge pattern), ``sns.filterPolicy``
(with ``filterPolicyScope``), and ``filterPatterns`` (a list of Lambda filter patterns) on ``sqs``,
``stream`` (Kinesis or DynamoDB), ``msk``, ``kafka``, ``activemq`` and ``rabbitmq`` events; the
serverless-step-functions plugin's ``stepFunctions.stateMachines.<name>.definition``; and
``resources.Resources``, a CloudFormation fragment the framework merges into its template. ``${...}``
variables (``${self:custom.x}``, ``${opt:stage}``, ``${ssm:...}``) are resolved only at deployment: a
finding on one is a note, as for ``Fn::Sub``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tamis.lint.cloudformation import Doc, Emit, Found, LintFile, cloudformation, record_fields, value_targets
from tamis.lint.record_sources import source_of_arn
from tamis.lint.targets import Path_

_FILTER_EVENTS = ("sqs", "stream", "msk", "kafka", "activemq", "rabbitmq")


def is_serverless(value: Any) -> bool:
    """A Serverless Framework service: a ``service`` and a ``provider`` (what the framework requires)."""
    return isinstance(value, dict) and "service" in value and "provider" in value


def serverless(doc: Doc, emit: Emit, lint_file: LintFile, folder: Path) -> None:
    value = doc.value
    if not isinstance(value, dict):
        return
    functions = value.get("functions")
    if isinstance(functions, dict):
        for fn_name, fn in functions.items():
            events = fn.get("events") if isinstance(fn, dict) else None
            if isinstance(events, list):
                for i, event in enumerate(events):
                    _event(doc, fn_name, i, event, emit)
    machines = value.get("stepFunctions")
    machines = machines.get("stateMachines") if isinstance(machines, dict) else None
    if isinstance(machines, dict):
        for name, machine in machines.items():
            if isinstance(machine, dict) and "definition" in machine:
                p: Path_ = ("stepFunctions", "stateMachines", name, "definition")
                label = f"serverless state machine {name} definition"
                anchors = (("stepFunctions", "stateMachines", name), p)
                found = Found(p, "state-machine", label, {}, anchors, True)
                value_targets(doc, found, emit)
    resources = value.get("resources")
    if isinstance(resources, dict) and isinstance(resources.get("Resources"), dict):
        # a CloudFormation fragment: the template's paths, below "resources", and the file's positions
        cloudformation(Doc(doc.located, doc.file, doc.index, prefix=("resources",)), emit, lint_file, folder)


def _event(doc: Doc, fn: str, i: int, event: Any, emit: Emit) -> None:
    if not isinstance(event, dict) or len(event) != 1:
        return
    ((etype, body),) = event.items()
    if not isinstance(body, dict):
        return
    base: Path_ = ("functions", fn, "events", i, etype)
    anchors: tuple[Path_, ...] = (("functions", fn), base)
    label = f"serverless function {fn} events[{i}].{etype}"

    def check(key: str, kind: str, options: dict[str, str] | None = None) -> None:
        p: Path_ = (*base, key)
        value_targets(doc, Found(p, kind, f"{label}.{key}", options or {}, (*anchors, p), True), emit)

    if etype == "eventBridge" and "pattern" in body:
        check("pattern", "eventbridge-pattern")
    elif etype == "sns" and "filterPolicy" in body:
        body_scope = body.get("filterPolicyScope") == "MessageBody"
        kind = "sns-filter-policy-body" if body_scope else "sns-filter-policy"
        check("filterPolicy", kind, {"scope": "MessageBody" if body_scope else "MessageAttributes"})
    elif etype in _FILTER_EVENTS and isinstance(body.get("filterPatterns"), list):
        source = _source(etype, body)
        for j, _pattern in enumerate(body["filterPatterns"]):
            p = (*base, "filterPatterns", j)
            where = f"{label}.filterPatterns[{j}]"
            value_targets(doc, Found(p, "lambda-filter-pattern", where, {}, (*anchors, p), True), emit)
            if source is not None:
                record_fields(doc, p, source, where, emit)


def _source(etype: str, body: dict[str, Any]) -> str | None:
    if etype == "sqs":
        return "sqs"
    if etype == "stream":
        kind = body.get("type")
        if kind in ("dynamodb", "kinesis"):
            return str(kind)
        return source_of_arn(body.get("arn"))
    return None
