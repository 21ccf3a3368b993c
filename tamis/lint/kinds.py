"""What the linter checks, and what a file holds: the kinds of content it knows (each with the checker
and options that check it), recognised by a file's name or, for JSON and YAML, by the document's shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tamis.compiler.event_patterns.operators import VALUE_OPERATORS
from tamis.compiler.json_types import kind_of

# Kinds of content the linter knows, with the checker and options each one uses.
KINDS: dict[str, dict[str, str]] = {
    "eventbridge-pattern": {"family": "pattern", "dialect": "eventbridge"},
    # an archive's filter (AWS::Events::Archive, aws_cloudwatch_event_archive): the same language, at most
    # 4,096 characters (CloudFormation's AWS::Events::Archive EventPattern "Maximum: 4096")
    "eventbridge-archive-pattern": {"family": "pattern", "dialect": "eventbridge", "pattern_size": "4096"},
    "sns-filter-policy": {"family": "pattern", "dialect": "sns", "scope": "MessageAttributes"},
    "sns-filter-policy-body": {"family": "pattern", "dialect": "sns", "scope": "MessageBody"},
    "lambda-filter-pattern": {"family": "pattern", "dialect": "lambda"},
    "lambda-filter-criteria": {"family": "criteria"},
    "sns-data-protection-policy": {"family": "policy", "dialect": "sns"},
    "cloudwatch-logs-data-protection-policy": {"family": "policy", "dialect": "cloudwatch-logs"},
    # SNS FIFO message archiving and replay (a topic's ArchivePolicy, a subscription's ReplayPolicy)
    "sns-archive-policy": {"family": "sns-archive"},
    "sns-replay-policy": {"family": "sns-replay"},
    # the AWS CLI's --attributes file of create-topic / subscribe: string values, policies as JSON text
    "sns-attributes": {"family": "template"},
    "state-machine": {"family": "asl"},
    "cloudformation": {"family": "template"},
    "terraform": {"family": "template"},
    "serverless": {"family": "template"},  # a Serverless Framework service (serverless.yml)
    "none": {"family": "none"},
}

# An info note: a file named for a pattern or filter policy whose shape does not say it is one.
CODE_UNRECOGNISED = "LNT104"  # unrecognised-kind

ASL_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
# Terraform templatefile() inputs named for what they render to.
ASL_TEMPLATE_SUFFIXES = (".asl.json.tftpl", ".asl.json.tpl")
# The data-protection policy language's version (compiler/data_protection.VERSION, not imported: finding
# files stays light; a test holds the two equal).
DATA_PROTECTION_VERSION = "2021-06-01"
# Top-level fields of an EventBridge event: a pattern naming one of them is an event pattern.
EVENT_ENVELOPE = {
    "source",
    "detail-type",
    "detail",
    "account",
    "region",
    "resources",
    "time",
    "id",
    "version",
}
# Every operator of the pattern language (lint recognises a pattern by its use of one).
PATTERN_OPERATORS = frozenset(VALUE_OPERATORS)


# Words in a file name that say it holds something tamis checks, even when it does not parse.
NAME_HINTS = {"pattern", "filterpolicy", "policy", "filter", "criteria", "asl", "statemachine"}
# Substrings one of which a YAML file must contain to be worth parsing when nothing names its kind.
YAML_MARKERS = ("Resources", "StartAt", "Filters", "Statement", "source", "detail", "$or")


def named_for_checking(name: str) -> bool:
    """Whether a file's name says it holds something to check (``orders-pattern.json``), so that text
    that does not parse is reported rather than passed over as someone else's file."""
    return bool(NAME_HINTS & set(name.lower().replace("_", "-").replace(".", "-").split("-")))


def may_hold_targets(text: str) -> bool:
    """Whether a YAML text nothing names the kind of is worth parsing (a cheap substring test)."""
    return any(m in text for m in YAML_MARKERS)


def kind_by_name(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".tf"):
        return "terraform"
    if lower.endswith(ASL_SUFFIXES) or lower.endswith(ASL_TEMPLATE_SUFFIXES):
        return "state-machine"
    if lower in ("serverless.yml", "serverless.yaml"):
        return "serverless"
    return None


def detect_kind(value: Any, name: str) -> str | None:
    """The kind of a parsed JSON/YAML document, recognised by its shape (None: not ours)."""
    return recognise(value, name).kind


def recognise(value: Any, name: str) -> Recognition:
    """What a parsed JSON/YAML document holds, recognised by its shape; for a file whose name says it is
    a pattern but whose shape does not, the reason it is not checked."""
    if not isinstance(value, dict) or not value:
        return Recognition(None)
    resources = value.get("Resources")
    if "AWSTemplateFormatVersion" in value or (
        isinstance(resources, dict)
        and any(isinstance(r, dict) and isinstance(r.get("Type"), str) for r in resources.values())
    ):
        return Recognition("cloudformation")
    if "StartAt" in value and isinstance(value.get("States"), dict):
        return Recognition("state-machine")
    filters = value.get("Filters")
    if isinstance(filters, list) and filters and all(isinstance(f, dict) and "Pattern" in f for f in filters):
        return Recognition("lambda-filter-criteria")
    statements = value.get("Statement")
    identifiers = isinstance(statements, list) and any(
        isinstance(s, dict) and "DataIdentifier" in s for s in statements
    )
    if identifiers or value.get("Version") == DATA_PROTECTION_VERSION:
        # The language's own version marks a data-protection policy whatever is wrong with its statements
        # (missing, empty, not a list): it is checked, so that the mistake is reported.
        statements = statements if isinstance(statements, list) else []
        sns = any(isinstance(s, dict) and ("DataDirection" in s or "Principal" in s) for s in statements)
        return Recognition("sns-data-protection-policy" if sns else "cloudwatch-logs-data-protection-policy")
    sns = _sns_kind(value)
    if sns is not None:
        return Recognition(sns)
    return _pattern_kind(value, name)


# The SNS attributes of CreateTopic, SetTopicAttributes, Subscribe and SetSubscriptionAttributes (SNS API
# Reference): an --attributes map names only these, with string values.
SNS_ATTRIBUTES = frozenset(
    {
        "ArchivePolicy", "ContentBasedDeduplication", "DataProtectionPolicy", "DeliveryPolicy", "DisplayName",
        "FifoThroughputScope", "FifoTopic", "KmsMasterKeyId", "Policy", "SignatureVersion", "TracingConfig",
        "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
        "ReplayPolicy", "SubscriptionRoleArn",
    }
)  # fmt: skip
REPLAY_KEYS = frozenset({"PointType", "StartingPoint", "EndingPoint"})


def _sns_kind(value: dict[str, Any]) -> str | None:
    """An SNS archive policy (``{"MessageRetentionPeriod": ...}`` alone, a scalar), a replay policy (a
    string PointType and StartingPoint, with at most EndingPoint beside them: EventBridge's point-in-time
    configuration writes EndPoint and upper-case point types) or an AWS CLI attributes map holding either
    policy."""
    keys = set(value)
    # a scalar: a pattern on a field of that name maps it to a list
    if keys == {"MessageRetentionPeriod"} and not isinstance(value["MessageRetentionPeriod"], list | dict):
        return "sns-archive-policy"
    point = value.get("PointType")
    if {"PointType", "StartingPoint"} <= keys <= REPLAY_KEYS and isinstance(point, str):
        return None if point in ("HORIZON", "TIMESTAMP") else "sns-replay-policy"
    if (
        keys & {"ArchivePolicy", "ReplayPolicy"}
        and keys <= SNS_ATTRIBUTES
        and all(isinstance(v, str) for v in value.values())
    ):
        return "sns-attributes"
    return None


@dataclass(frozen=True)
class Recognition:
    """What a stand-alone document holds: a kind, or None with, for a file named as a pattern or filter
    policy whose shape does not say so, why it was not checked (``note``, at ``where`` in the document)
    and the kind to declare if it is one (``suggested``)."""

    kind: str | None
    note: str | None = None
    where: tuple[str | int, ...] = ()
    suggested: str = ""


def _pattern_kind(value: dict[str, Any], name: str) -> Recognition:
    """An event pattern or SNS filter policy, recognised only when its shape leaves no doubt.

    A pattern maps every field to a list of values and matchers (``["a", {"prefix": "b"}]``) or to a
    nested pattern; metadata, sample events, JSON Schemas and manifests map fields to strings and
    numbers. So the test is strict: every leaf a non-empty list whose items are values or one-key matcher
    objects, plus a mark no other JSON carries (a known matcher, ``$or``, an event field used as a pattern
    uses it: ``source``/``detail-type`` to a list, ``detail`` to an object) or a file name that says what
    the file holds. One exception keeps the commonest mistake (a value not in a list) reported: a file
    named for a pattern that uses a known matcher object is one, whatever else is misshapen about it only
    by scalars. A file named for a pattern that passes none of this gets a note saying why (never an
    error); ``[tool.tamis.kinds]`` settles any file.
    """
    lower = name.lower().replace("_", "-")
    named_policy = "filter-policy" in lower or "filterpolicy" in lower
    named_pattern = "pattern" in lower
    shape = _Shape()
    shape.walk(value, (), 0)
    top_evidence = (
        isinstance(value.get("source"), list)
        or isinstance(value.get("detail-type"), list)
        or isinstance(value.get("detail"), dict)
    )
    # An event field used as no event uses it ({"resources": {"bullets": [...]}}): not an event pattern.
    counter = next(
        (
            k
            for k in sorted(EVENT_ENVELOPE & set(value))
            if isinstance(value[k], list if k == "detail" else dict)
        ),
        None,
    )
    nested = any(isinstance(v, dict) for v in value.values())
    sns = "sns-filter-policy-body" if nested or "body" in lower else "sns-filter-policy"
    strict = shape.misfit is None and shape.leaves > 0
    if strict:
        if named_policy or ("subscription" in lower and not shape.unknown_items):
            return Recognition(sns)
        if counter is None and (
            shape.operators
            or shape.alternatives
            or top_evidence
            or (named_pattern and not shape.unknown_items)
        ):
            return Recognition("eventbridge-pattern")
        if not (named_pattern or named_policy):
            return Recognition(None)
    elif (named_policy or (named_pattern and counter is None)) and shape.operators and shape.only_scalars:
        # A matcher object ({"exists": true} in a list) is a pattern's alone: a scalar beside it is a
        # mistake in a pattern, reported as one, not a sign of some other kind of file.
        return Recognition(sns if named_policy else "eventbridge-pattern")
    if not (named_pattern or named_policy):
        return Recognition(None)
    what, suggested = (
        ("an SNS filter policy", sns) if named_policy else ("an event pattern", "eventbridge-pattern")
    )
    if strict and counter is not None:
        where: tuple[str | int, ...] = (counter,)
        why = f'"{counter}" maps to {kind_of(value[counter])}, which no event has'
    elif strict:
        where = ()
        why = 'nothing in it is only a pattern\'s (a matcher such as {"prefix": ...}, $or, an event field)'
    else:
        where = shape.misfit[0] if shape.misfit else ()
        why = shape.misfit[1] if shape.misfit else "it has no list of values to match"
    note = (
        f"not checked as {what}, though its name suggests one: {why}; a pattern maps every field to a"
        " list of values or matchers, or to an object"
    )
    return Recognition(None, note, where, suggested)


def _label(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))


class _Shape:
    """A walk over a document read as a pattern: the first thing no pattern holds, and the marks of one."""

    def __init__(self) -> None:
        self.misfit: tuple[tuple[str | int, ...], str] | None = None
        self.only_scalars = True  # every misfit is a scalar where a list belongs
        self.leaves = 0  # lists of values
        self.operators = False  # a known matcher object ({"prefix": ...})
        self.unknown_items = False  # a one-key object in a list whose key is no matcher ({"prefx": ...})
        self.alternatives = False  # $or

    def fail(self, path: tuple[str | int, ...], why: str, scalar: bool = False) -> None:
        if not scalar:
            self.only_scalars = False
        if self.misfit is None:
            self.misfit = (path, f'"{_label(path)}" {why}')

    def walk(self, value: dict[str, Any], path: tuple[str | int, ...], depth: int) -> None:
        if depth > 20:
            self.fail(path, "is nested too deeply")
            return
        for key, v in value.items():
            here = (*path, key)
            if key == "$or" and isinstance(v, list) and v and all(isinstance(x, dict) and x for x in v):
                self.alternatives = True
                for i, x in enumerate(v):
                    self.walk(x, (*here, i), depth + 1)
            elif isinstance(v, dict):
                if v:
                    self.walk(v, here, depth + 1)
                else:
                    self.fail(here, "is an empty object")
            elif isinstance(v, list):
                self.items(v, here)
            else:
                self.fail(here, f"is {kind_of(v)}, not a list", scalar=True)

    def items(self, v: list[Any], here: tuple[str | int, ...]) -> None:
        if not v:
            self.fail(here, "is an empty list")
            return
        self.leaves += 1
        for i, item in enumerate(v):
            if isinstance(item, list):
                self.fail((*here, i), "is a list inside a list")
            elif isinstance(item, dict):
                if len(item) != 1:
                    self.fail((*here, i), f"is an object of {len(item)} fields, not a one-field matcher")
                elif next(iter(item)) in PATTERN_OPERATORS:
                    self.operators = True
                else:
                    self.unknown_items = True
