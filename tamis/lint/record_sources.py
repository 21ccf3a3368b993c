"""What the records of an event source hold, so that a Lambda filter that can never match is reported.

Lambda filters a record by its own fields (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html):
an SQS message's payload is ``body``, a Kinesis record's ``data``, a DynamoDB stream record's ``dynamodb``.
A filter on another source's payload field names a field its records never have, so it never matches:
a DynamoDB filter on ``data`` (copied from a Kinesis example) silently drops every record. Only these
three payload fields are judged, each against the two sources it cannot belong to, so no filter on a
field a source may hold is ever reported.
"""

from __future__ import annotations

from typing import Any

import orjson

from tamis.errors import Diagnostic
from tamis.grammar.cloudformation import intrinsic

CODE_RECORD_FIELD = "LNT103"  # record-field

# The field that holds each source's payload in the record Lambda filters.
PAYLOAD_FIELD = {"sqs": "body", "kinesis": "data", "dynamodb": "dynamodb"}
_SOURCE_NAME = {
    "sqs": "An SQS message",
    "kinesis": "A Kinesis record",
    "dynamodb": "A DynamoDB stream record",
}
# CloudFormation resource types whose GetAtt (Arn, StreamArn) names an event source.
_RESOURCE_SOURCE = {
    "AWS::SQS::Queue": "sqs",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
}


def source_of_arn(arn: Any, resources: Any = None) -> str | None:
    """The source ("sqs", "kinesis", "dynamodb") an event source ARN names, where it can be told."""
    if isinstance(arn, str):
        for source, marker in (("sqs", ":sqs:"), ("kinesis", ":kinesis:"), ("dynamodb", ":dynamodb:")):
            if marker in arn:
                return source
        return None
    call = intrinsic(arn)
    if call is None or not isinstance(resources, dict):
        return None
    fn, arg = call
    target = None
    if fn == "Fn::GetAtt":
        if isinstance(arg, list) and arg:
            target = arg[0]
        elif isinstance(arg, str):
            target = arg.split(".", 1)[0]
    resource = resources.get(target) if isinstance(target, str) else None
    rtype = resource.get("Type") if isinstance(resource, dict) else None
    return _RESOURCE_SOURCE.get(rtype) if isinstance(rtype, str) else None


def foreign_payload_fields(pattern: Any, source: str) -> list[str]:
    """Top-level fields of a filter pattern that are another source's payload field."""
    if isinstance(pattern, str | bytes):
        try:
            pattern = orjson.loads(pattern)
        except orjson.JSONDecodeError:
            return []  # the pattern's own checker reports it
    if not isinstance(pattern, dict):
        return []
    own = PAYLOAD_FIELD[source]
    others = {field for field in PAYLOAD_FIELD.values() if field != own}
    return [key for key in pattern if key in others]


def record_field_warning(
    source: str, field: str, label: str, file: str, line: int, column: int
) -> Diagnostic:
    own = PAYLOAD_FIELD[source]
    return Diagnostic(
        code=CODE_RECORD_FIELD,
        severity="warning",
        message=(
            f"{label}: {_SOURCE_NAME[source]} has no {field!r} field, so this filter can never match "
            f"(its payload is {own!r})"
        ),
        line=line,
        column=column,
        source=file,
    )
