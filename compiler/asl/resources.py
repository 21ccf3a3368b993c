"""Resource ARNs: what a Task (or ItemReader/ResultWriter) may name, the service integrations and
their patterns (.sync, .waitForTaskToken), what EXPRESS workflows cannot use, and HTTP Task fields."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import re2

from tamis.compiler.asl.findings import ERROR, WARNING, Path, flat
from tamis.compiler.asl.scope import StateCtx
from tamis.compiler.asl.values import is_placeholder
from tamis.compiler.json_types import json_type

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator

_ANY_PLACEHOLDER = re2.compile(r"\$\{[^{}]*\}")
_LAMBDA_PREFIX = re2.compile(r"^arn:[^:]+:lambda:[^:]*:[^:]*:function:")
_LAMBDA_ARN = re2.compile(
    r"^arn:[^:]+:lambda:[^:]*:[^:]*:function:[A-Za-z0-9_-]+(?::(?:\$LATEST|[A-Za-z0-9_-]+))?$"
)
_ACTIVITY_ARN = re2.compile(r"^arn:[^:]+:states:[a-z0-9-]+:[0-9]+:activity:[^\s:]+$")
_INTEGRATION = re2.compile(
    r"^arn:[^:]+:states:::(aws-sdk:[A-Za-z0-9-]+|[a-z0-9-]+):([A-Za-z0-9]+)"
    r"(\.sync(?::2)?|\.waitForTaskToken)?$"
)
_ARN = re2.compile(r"^arn:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[^:]*:[^:]*:.+$")
# AWS-verified: arn:aws:states:::dynamodb:query is rejected; the optimized DynamoDB integration has these.
_DYNAMODB_ACTIONS = frozenset({"getItem", "putItem", "updateItem", "deleteItem"})
_SUFFIXES = {"aws-sdk": frozenset({None, ".waitForTaskToken"})}


@lru_cache(maxsize=8192)
def resource_findings(value: str) -> tuple[tuple[str, str, str], ...]:
    """What is wrong with a Task (or ItemReader/ResultWriter) Resource string; cached per string."""
    bad = "INVALID_RESOURCE"
    if "${" in value:
        value = _ANY_PLACEHOLDER.sub("x", value)
    # SPEC21: a URI. The service also wants an ARN; documentation and tests use other URIs, so
    # the ARN-shape checks below warn, except where the service's rejection is recorded.
    scheme, colon, rest = value.partition(":")
    if not colon or not scheme or not rest or any(c.isspace() for c in value):
        return ((bad, ERROR, f"Resource {value!r} is not a URI"),)
    if scheme != "arn":
        return ((bad, WARNING, f"Resource {value!r} is not an ARN; the service requires one"),)
    if _LAMBDA_PREFIX.match(value):
        if not _LAMBDA_ARN.match(value):
            return (
                (
                    bad,
                    ERROR,
                    f"Resource {value!r} is not a valid Lambda function ARN (name, then an "
                    "optional version or alias)",
                ),
            )
        return ()
    if ":lambda:" in value and ":function:" in value:
        if not _LAMBDA_ARN.match(value):
            return ((bad, WARNING, f"Resource {value!r} is not a valid Lambda function ARN"),)
        return ()
    if ":states:::" in value:
        m = _INTEGRATION.match(value)
        if m is None:
            return ((bad, WARNING, f"Resource {value!r} is not a valid service integration ARN"),)
        service, action, suffix = m.group(1), m.group(2), m.group(3)
        if service.startswith("aws-sdk:") and suffix not in _SUFFIXES["aws-sdk"]:
            return ((bad, ERROR, "AWS SDK integrations support only the .waitForTaskToken suffix"),)
        if service == "dynamodb" and (action not in _DYNAMODB_ACTIONS or suffix):
            return (
                (
                    bad,
                    ERROR,
                    f"arn:aws:states:::dynamodb:{action} is not an optimized integration; use "
                    f"arn:aws:states:::aws-sdk:dynamodb:{action}",
                ),
            )
        return ()
    if ":states:" in value and ":activity:" in value:
        if not _ACTIVITY_ARN.match(value):
            return ((bad, WARNING, f"Resource {value!r} is not a valid activity ARN"),)
        return ()
    if not _ARN.match(value):
        return ((bad, WARNING, f"Resource {value!r} is not a valid ARN"),)
    return ()


def check_resource(v: Validator, value: Any, path: Path, jsonata: bool) -> None:
    """A Resource field: a string (or a deploy-time placeholder) that ``resource_findings`` accepts."""
    if is_placeholder(value):
        return  # an ARN supplied at deploy time (template placeholder or CloudFormation intrinsic)
    if not isinstance(value, str):
        v.err(f"Resource must be a string, not {json_type(value)}", path)
        return
    for code, severity, message in resource_findings(value):
        v.findings.append((code, severity, message, flat(path), False))


def express_resource(v: Validator, resource: str, path: Path, where: str) -> None:
    """Express workflows run at most five minutes and keep no history: they cannot wait for a job
    (.sync), a callback (.waitForTaskToken) or an activity worker (DG concepts-standard-vs-express)."""
    if resource.endswith((".sync", ".sync:2")):
        what = "the .sync (run a job) integration pattern"
    elif resource.endswith(".waitForTaskToken"):
        what = "the .waitForTaskToken (callback) integration pattern"
    elif ":activity:" in resource and ":states:" in resource:
        what = "activities"
    else:
        return
    if where == "machine":
        v.err(f"an EXPRESS state machine does not support {what}", path, "INVALID_RESOURCE")
    else:
        v.warn(
            f"an EXPRESS child workflow of a Distributed Map does not support {what}",
            path,
            "INVALID_RESOURCE",
        )


def http_task(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    """DG call-https-apis: an HTTP Task names its endpoint, its method and its EventBridge connection
    (Authentication, or InvocationConfig for private APIs); without them every run fails."""
    field = "Arguments" if ctx.jsonata else "Parameters"
    args = state.get(field)
    if not isinstance(args, dict):
        if args is None:
            v.warn(
                f"an HTTP Task needs {field} with ApiEndpoint, Method and Authentication",
                path,
                "HTTP_TASK_FIELD_MISSING",
            )
        return
    have = {k[:-2] if k.endswith(".$") else k for k in args}
    missing = [f for f in ("ApiEndpoint", "Method") if f not in have]
    if "Authentication" not in have and "InvocationConfig" not in have:
        missing.append("Authentication")
    if missing:
        v.warn(
            f"an HTTP Task's {field} needs {', '.join(missing)}",
            (path, field),
            "HTTP_TASK_FIELD_MISSING",
        )
