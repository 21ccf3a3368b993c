"""What the linter checks, and what a file holds: the kinds of content it knows (each with the checker
and options that check it), recognised by a file's name or, for JSON and YAML, by the document's shape.
"""

from __future__ import annotations

from typing import Any

from tamis.compiler.event_patterns.operators import VALUE_OPERATORS

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
    "state-machine": {"family": "asl"},
    "cloudformation": {"family": "template"},
    "terraform": {"family": "template"},
    "serverless": {"family": "template"},  # a Serverless Framework service (serverless.yml)
    "none": {"family": "none"},
}

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
    if not isinstance(value, dict) or not value:
        return None
    resources = value.get("Resources")
    if "AWSTemplateFormatVersion" in value or (
        isinstance(resources, dict)
        and any(isinstance(r, dict) and isinstance(r.get("Type"), str) for r in resources.values())
    ):
        return "cloudformation"
    if "StartAt" in value and isinstance(value.get("States"), dict):
        return "state-machine"
    filters = value.get("Filters")
    if isinstance(filters, list) and filters and all(isinstance(f, dict) and "Pattern" in f for f in filters):
        return "lambda-filter-criteria"
    statements = value.get("Statement")
    identifiers = isinstance(statements, list) and any(
        isinstance(s, dict) and "DataIdentifier" in s for s in statements
    )
    if identifiers or value.get("Version") == DATA_PROTECTION_VERSION:
        # The language's own version marks a data-protection policy whatever is wrong with its statements
        # (missing, empty, not a list): it is checked, so that the mistake is reported.
        statements = statements if isinstance(statements, list) else []
        sns = any(isinstance(s, dict) and ("DataDirection" in s or "Principal" in s) for s in statements)
        return "sns-data-protection-policy" if sns else "cloudwatch-logs-data-protection-policy"
    lower = name.lower().replace("_", "-")
    shaped = _pattern_shaped(value, 0)
    # A file named for what it holds is checked even when a mistake leaves it misshapen (a value not in a
    # list: {"source": "aws.ec2"}; an operator the services lack: [{"contains": "x"}]), so that the mistake
    # is reported instead of the file being passed over; other misshapen JSON stays someone else's.
    named_policy = "filter-policy" in lower or "filterpolicy" in lower
    if named_policy or (shaped and "subscription" in lower):
        nested = any(isinstance(v, dict) for v in value.values())
        return "sns-filter-policy-body" if nested or "body" in lower else "sns-filter-policy"
    if not shaped:
        skeleton = all(isinstance(v, list | dict) for v in value.values())  # fields map to lists or objects
        if "pattern" in lower and (skeleton or set(value) & EVENT_ENVELOPE):
            return "eventbridge-pattern"
        return None
    if set(value) & EVENT_ENVELOPE or "pattern" in lower or "$or" in value or _uses_operator(value, 0):
        return "eventbridge-pattern"
    return None


def _uses_operator(value: Any, depth: int) -> bool:
    """A matcher object such as {"prefix": ...} or {"numeric": [...]}: the mark of a pattern, not of data."""
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(_uses_operator(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(
            isinstance(item, dict) and item and set(item) <= PATTERN_OPERATORS for item in value
        ) or any(isinstance(item, dict) and _uses_operator(item, depth + 1) for item in value)
    return False


def _pattern_shaped(value: dict[str, Any], depth: int) -> bool:
    """Every field maps to a list of matchers or to a nested pattern: the shape all three dialects share."""
    if depth > 20:
        return False
    for key, v in value.items():
        if key == "$or":
            if not (
                isinstance(v, list)
                and v
                and all(isinstance(x, dict) and _pattern_shaped(x, depth + 1) for x in v)
            ):
                return False
        elif isinstance(v, dict):
            if not v or not _pattern_shaped(v, depth + 1):
                return False
        elif isinstance(v, list):
            for item in v:
                if isinstance(item, dict) and not (set(item) <= PATTERN_OPERATORS):
                    return False
                if isinstance(item, list):
                    return False
        else:
            return False
    return True
