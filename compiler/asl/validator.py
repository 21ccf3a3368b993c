"""The Amazon States Language validator: every structural rule of the specification and the service.

The checks run in plain Python over the parsed definition (dicts and lists), so validating a typical
definition costs tens of microseconds. Paths, intrinsic calls and JSONata expressions go to their Lark
grammars only when a cheap pre-check cannot decide, and those answers are cached per string. Positions
are not computed here: each finding carries the path of the offending value (and whether the key or
the value is meant); the caller maps paths to line and column only when there is something to report.

Sources: the ASL specification (SPEC21, states-language.net), the Step Functions developer guide (DG)
and AWS responses recorded in public test suites; see /work/shared/notes/asl.md for the citations.
Codes are the service's where it has one (ValidateStateMachineDefinitionDiagnostic lists
SCHEMA_VALIDATION_FAILED, INVALID_RESOURCE, MISSING_END_STATE, DUPLICATE_STATE_NAME, INVALID_STATE_NAME,
INVALID_LABEL_NAME, MISSING_TRANSITION_TARGET and the NO_DOLLAR / PASS_RESULT_IS_STATIC warnings;
INVALID_JSONATA_EXPRESSION and UNSUPPORTED_JSONATA_EXPRESSION are recorded AWS responses).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

from tamis.compiler.json_types import json_type
from tamis.grammar.asl.intrinsics import SIGNATURES, check_intrinsic
from tamis.grammar.asl.jsonpath import parse_path

# A location in the definition, built as a linked pair (parent path, key) from the root ``()``: adding a
# step costs one small tuple, however deep, and the flat tuple is made only when a finding is reported.
Path = tuple[Any, ...]
# (code, severity, message, path, at_key) and, for a fault inside a string, its offset in the string
Finding = tuple[Any, ...]

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"
ERROR, WARNING = "error", "warning"

MAX_DEFINITION_BYTES = 1024 * 1024  # DG service-quotas: maximum definition size 1 MB
MAX_STATE_NAME = 80  # enforced by the service (SPEC21 text says 128)
MAX_LABEL = 40  # AWS-verified Map Label limit
MAX_SECONDS = 99999999  # DG: TimeoutSeconds, HeartbeatSeconds, IntervalSeconds, MaxAttempts upper bound
MAX_DELAY_SECONDS = 31622400  # DG concepts-error-handling: MaxDelaySeconds at most one year

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
TOP_FIELDS = frozenset({"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"})
QUERY_LANGUAGES = ("JSONPath", "JSONata")

# Fields of each state type: common to both query languages, JSONPath-only, JSONata-only.
_NEXT_END = frozenset({"Next", "End"})
_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
_JP_IO = frozenset({"InputPath", "OutputPath"})
_JP_RESULT = frozenset({"Parameters", "ResultSelector", "ResultPath"})
_ERRORS = frozenset({"Retry", "Catch"})
FIELDS: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "Pass": (
        _COMMON | _NEXT_END | {"Assign", "Result"},
        _JP_IO | {"Parameters", "ResultPath"},
        frozenset({"Output"}),
    ),
    "Task": (
        _COMMON
        | _NEXT_END
        | _ERRORS
        | {"Assign", "Resource", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"},
        _JP_IO | _JP_RESULT | {"TimeoutSecondsPath", "HeartbeatSecondsPath"},
        frozenset({"Output", "Arguments"}),
    ),
    "Choice": (_COMMON | {"Assign", "Choices", "Default"}, _JP_IO, frozenset({"Output"})),
    "Wait": (
        _COMMON | _NEXT_END | {"Assign", "Seconds", "Timestamp"},
        _JP_IO | {"SecondsPath", "TimestampPath"},
        frozenset({"Output"}),
    ),
    "Succeed": (_COMMON, _JP_IO, frozenset({"Output"})),
    "Fail": (_COMMON | {"Error", "Cause"}, frozenset({"ErrorPath", "CausePath"}), frozenset()),
    "Parallel": (
        _COMMON | _NEXT_END | _ERRORS | {"Assign", "Branches"},
        _JP_IO | _JP_RESULT,
        frozenset({"Output", "Arguments"}),
    ),
    "Map": (
        _COMMON
        | _NEXT_END
        | _ERRORS
        | {
            "Assign",
            "ItemProcessor",
            "Iterator",
            "ItemReader",
            "ItemSelector",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "Label",
        },
        _JP_IO
        | _JP_RESULT
        | {"ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"},
        frozenset({"Output", "Items"}),
    ),
}

# (state type, is JSONata) -> every field such a state may have, for a one-step subset test.
ALLOWED: dict[tuple[str, bool], frozenset[str]] = {
    (t, ja): common | (ja_only if ja else jp_only)
    for t, (common, jp_only, ja_only) in FIELDS.items()
    for ja in (False, True)
}

_ALLOWED_JP = {t: ALLOWED[t, False] for t in FIELDS}
_ALLOWED_JA = {t: ALLOWED[t, True] for t in FIELDS}

COMPARATORS: dict[str, str] = {
    "StringEquals": "str",
    "StringLessThan": "str",
    "StringGreaterThan": "str",
    "StringLessThanEquals": "str",
    "StringGreaterThanEquals": "str",
    "StringMatches": "str",
    "NumericEquals": "num",
    "NumericLessThan": "num",
    "NumericGreaterThan": "num",
    "NumericLessThanEquals": "num",
    "NumericGreaterThanEquals": "num",
    "BooleanEquals": "bool",
    "TimestampEquals": "ts",
    "TimestampLessThan": "ts",
    "TimestampGreaterThan": "ts",
    "TimestampLessThanEquals": "ts",
    "TimestampGreaterThanEquals": "ts",
    "IsNull": "bool",
    "IsPresent": "bool",
    "IsNumeric": "bool",
    "IsString": "bool",
    "IsBoolean": "bool",
    "IsTimestamp": "bool",
}
for _name in list(COMPARATORS):
    if _name != "StringMatches" and not _name.startswith("Is"):
        COMPARATORS[_name + "Path"] = "path"
del _name

PREDEFINED_ERRORS = frozenset(
    {
        "States.ALL",
        "States.HeartbeatTimeout",
        "States.Timeout",
        "States.TaskFailed",
        "States.Permissions",
        "States.ResultPathMatchFailure",
        "States.ParameterPathFailure",
        "States.BranchFailed",
        "States.NoChoiceMatched",
        "States.IntrinsicFailure",
        "States.ExceedToleratedFailureThreshold",
        "States.ItemReaderFailed",
        "States.ResultWriterFailed",
        "States.QueryEvaluationError",
        "States.Runtime",
        "States.DataLimitExceeded",
        "States.Http.Socket",
        "States.Http.StatusCode",
    }
)

_RFC3339 = re2.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
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
_LABEL_FORBIDDEN = frozenset(' ?*<>{}[]:;,\\|^~$#%&`"')
# AWS-verified: arn:aws:states:::dynamodb:query is rejected; the optimized DynamoDB integration has these.
_DYNAMODB_ACTIONS = frozenset({"getItem", "putItem", "updateItem", "deleteItem"})
_RETRIER_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
_CATCHER_FIELDS = {
    False: frozenset({"ErrorEquals", "Next", "Comment", "Assign", "ResultPath"}),
    True: frozenset({"ErrorEquals", "Next", "Comment", "Assign", "Output"}),
}
_RETRIER_INTS = (
    ("IntervalSeconds", 1, MAX_SECONDS),
    ("MaxAttempts", 0, MAX_SECONDS),
    ("MaxDelaySeconds", 1, MAX_DELAY_SECONDS),
)
# Fail ErrorPath/CausePath must yield a string: the intrinsic functions whose result can be one.
_STRING_INTRINSICS = frozenset(
    {
        "States.Format",
        "States.JsonToString",
        "States.ArrayGetItem",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.UUID",
    }
)
_SUFFIXES = {"aws-sdk": frozenset({None, ".waitForTaskToken"})}


def is_placeholder(value: object) -> bool:
    """A value supplied at deploy time: a string that is entirely a template placeholder (``${Name}``)
    or a CloudFormation intrinsic (``{"Ref": ...}``, ``{"Fn::GetAtt": ...}``). Its type is unknown."""
    if isinstance(value, str):
        return (
            value.startswith("${") and value.endswith("}") and value.count("}") == 1 and value.count("{") == 1
        )
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))
    return False


def flat(path: Path) -> tuple[str | int, ...]:
    """The flat tuple of keys of a linked path (see ``Path``)."""
    keys: list[str | int] = []
    while path:
        path, key = path
        keys.append(key)
    keys.reverse()
    return tuple(keys)


def _is_int(v: object) -> bool:
    return type(v) is int


def _is_num(v: object) -> bool:
    return (type(v) is int or type(v) is float) or (type(v).__name__ == "Decimal")


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


@lru_cache(maxsize=8192)
def is_rfc3339(text: str) -> bool:
    """SPEC21 Timestamps: RFC 3339 with uppercase T and Z (or an offset); AWS also checks the ranges."""
    m = _RFC3339.match(text)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    if not (1 <= month <= 12 and 0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 60):
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= days:
        return False
    off = m.group(8)
    return off == "Z" or (int(off[1:3]) <= 23 and int(off[4:6]) <= 59)


class _Scope:
    """One state machine or sub-machine (a Parallel branch, a Map processor)."""

    __slots__ = (
        "distributed",
        "edges",
        "express",
        "kind",
        "parent",
        "path",
        "reads",
        "start",
        "states",
        "writes",
    )

    def __init__(self, path: Path, kind: str, parent: _Scope | None, distributed: bool = False) -> None:
        # "machine" in an EXPRESS state machine, "child" in an EXPRESS Distributed Map child workflow
        self.express: str | None = None
        self.path = path
        self.kind = kind  # "machine" | "branch" | "processor"
        self.parent = parent
        self.distributed = distributed
        self.states: dict[str, Any] = {}
        self.start: str | None = None
        # state name -> [(target, path of the field naming it)]
        self.edges: dict[str, list[tuple[str, Path]]] = {}
        self.reads: dict[str, list[tuple[str, Path]]] = {}
        self.writes: dict[str, set[str]] = {}


class Validator:
    """Checks one definition (a parsed JSON value); ``findings`` lists what is wrong."""

    def __init__(self, *, express: bool = False) -> None:
        self.express = express
        self.findings: list[Finding] = []
        self.all_names: dict[str, Path] = {}  # first occurrence of each state name
        self.duplicates: list[tuple[str, Path]] = []
        self.scopes: list[_Scope] = []
        self.top_jsonata = False
        self._express_child = False  # set while entering a Distributed Map processor

    # -- reporting ---------------------------------------------------------------------------------
    def err(self, message: str, path: Path, code: str = SCHEMA, *, key: bool = False) -> None:
        self.findings.append((code, ERROR, message, flat(path), key))

    def warn(self, message: str, path: Path, code: str, *, key: bool = False) -> None:
        self.findings.append((code, WARNING, message, flat(path), key))

    # -- top level ---------------------------------------------------------------------------------
    def run(self, definition: Any) -> list[Finding]:
        if not isinstance(definition, dict):
            self.err(f"a state machine definition must be a JSON object, not {json_type(definition)}", ())
            return self.findings
        for key in definition:
            if key not in TOP_FIELDS:
                self.err(f"field {key!r} is not supported at the top level", ((), key), key=True)
        self._optional_str(definition, "Comment", ())
        self._optional_str(definition, "Version", ())
        if "TimeoutSeconds" in definition:
            self._int_field(definition, "TimeoutSeconds", (), minimum=0, jsonata=False)
        ql = definition.get("QueryLanguage", "JSONPath")
        if ql not in QUERY_LANGUAGES:
            self.err("QueryLanguage must be one of [JSONPath, JSONata]", ((), "QueryLanguage"))
            ql = "JSONPath"
        self.top_jsonata = ql == "JSONata"
        self._machine(definition, (), "machine", None, ql, False)
        self._graph_checks()
        return self.findings

    def _optional_str(self, obj: dict[str, Any], field: str, path: Path) -> None:
        if field in obj and not isinstance(obj[field], str):
            self.err(f"{field} must be a string, not {json_type(obj[field])}", (path, field))

    def _machine(
        self, m: dict[str, Any], path: Path, kind: str, parent: _Scope | None, ql: str, dist: bool
    ) -> None:
        scope = _Scope(path, kind, parent, dist)
        if parent is None:
            scope.express = "machine" if self.express else None
        elif dist:
            scope.express = "child" if self._express_child else None
        else:
            scope.express = parent.express
        self.scopes.append(scope)
        if "States" not in m or "StartAt" not in m:
            missing = [f for f in ("States", "StartAt") if f not in m]
            self.err(f"These fields are required: [{', '.join(missing)}]", path)
        start = m.get("StartAt")
        if start is not None and not isinstance(start, str):
            self.err(f"StartAt must be a string, not {json_type(start)}", (path, "StartAt"))
            start = None
        scope.start = start
        states = m.get("States")
        if states is None:
            return
        if not isinstance(states, dict):
            self.err(f"States must be an object, not {json_type(states)}", (path, "States"))
            return
        if not states:
            self.err("States must not be empty", (path, "States"))
        scope.states = states
        all_names = self.all_names
        spath = (path, "States")
        for name, state in states.items():
            state_path = (spath, name)
            if name in all_names:
                self.duplicates.append((name, state_path))
            else:
                all_names[name] = state_path
            self._state(name, state, state_path, scope, ql)
        if start is not None and start not in states:
            self.err(
                f"StartAt {start!r} does not name a state of this {_scope_word(kind)}",
                (path, "StartAt"),
                MISSING_TARGET,
            )

    # -- states ------------------------------------------------------------------------------------
    def _state(self, name: str, state: Any, path: Path, scope: _Scope, outer_ql: str) -> None:
        if not name:
            self.err("state names must not be empty", path, "INVALID_STATE_NAME", key=True)
        elif len(name) > MAX_STATE_NAME:
            self.err(
                f"state name is {len(name)} characters long; the limit is {MAX_STATE_NAME}",
                path,
                "INVALID_STATE_NAME",
                key=True,
            )
        if not isinstance(state, dict):
            self.err(f"state {name!r} must be an object, not {json_type(state)}", path)
            return
        st = state.get("Type")
        if st is None:
            self.err("These fields are required: [Type]", path)
            return
        if not isinstance(st, str) or st not in FIELDS:
            self.err(
                f"The field 'Type' should have one of these values: [{', '.join(STATE_TYPES)}]",
                (path, "Type"),
            )
            return
        ql = state.get("QueryLanguage", outer_ql)
        if ql not in QUERY_LANGUAGES:
            self.err("QueryLanguage must be one of [JSONPath, JSONata]", (path, "QueryLanguage"))
            ql = outer_ql
        elif ql == "JSONPath" and self.top_jsonata and not _in_distributed(scope):
            # A distributed Map runs its processor as child workflows; elsewhere the service refuses.
            self.err(
                "a state of a JSONata state machine cannot use QueryLanguage JSONPath",
                (path, "QueryLanguage"),
            )
        jsonata = ql == "JSONata"
        # issuperset over the dict's keys: hashed set lookups, no keys view or tuple key to build
        if not (_ALLOWED_JA if jsonata else _ALLOWED_JP)[st].issuperset(state):
            self._unknown_fields(state, st, jsonata, path)
        if "Comment" in state and not isinstance(state["Comment"], str):
            self._optional_str(state, "Comment", path)
        edges: list[tuple[str, Path]] = []
        scope.edges[name] = edges
        ctx = _StateCtx(self, scope, name, st, jsonata)
        self._state_fields(state, st, path, ctx)

    def _unknown_fields(self, state: dict[str, Any], st: str, jsonata: bool, path: Path) -> None:
        common, jp_only, ja_only = FIELDS[st]
        for key in state:
            if key in common:
                continue
            if key in jp_only:
                if jsonata:
                    self.err(f"field {key!r} is not supported in a JSONata state", (path, key), key=True)
            elif key in ja_only:
                if not jsonata:
                    self.err(f"field {key!r} is supported only in JSONata states", (path, key), key=True)
            else:
                self.err(f"field {key!r} is not supported in a {st} state", (path, key), key=True)

    def _state_fields(self, state: dict[str, Any], st: str, path: Path, ctx: _StateCtx) -> None:
        jsonata = ctx.jsonata
        # transitions
        if st in ("Choice", "Succeed", "Fail"):
            pass
        else:
            has_next = "Next" in state
            end = state.get("End")
            if "End" in state and not isinstance(end, bool):
                self.err(f"End must be a boolean, not {json_type(end)}", (path, "End"))
            if has_next and end is True:
                self.err("a state cannot have both Next and End: true", (path, "Next"))
            elif not has_next and end is not True:
                self.err("a state must have Next or End: true", path)
            if has_next:
                nxt = state["Next"]
                if type(nxt) is str:
                    ctx.scope.edges[ctx.name].append((nxt, (path, "Next")))
                else:
                    ctx.target(nxt, (path, "Next"))
        # input/output
        if jsonata:
            if "Output" in state:
                ctx.jsonata_value(state["Output"], (path, "Output"), result=st in ("Task", "Map", "Parallel"))
        else:
            for f in ("InputPath", "OutputPath"):
                if f in state:
                    ctx.path_field(state[f], (path, f), nullable=True)
            if "ResultPath" in state:
                ctx.path_field(
                    state["ResultPath"], (path, "ResultPath"), nullable=True, reference=True, context=False
                )
            for f in ("Parameters", "ResultSelector"):
                if f in state:
                    ctx.template(state[f], (path, f))
        if "Assign" in state:
            ctx.assign(state["Assign"], (path, "Assign"), result=st in ("Task", "Map", "Parallel"))
        _BY_TYPE[st](self, state, path, ctx)
        if "Retry" in state:
            self._retry(state["Retry"], (path, "Retry"))
        if "Catch" in state:
            self._catch(state["Catch"], (path, "Catch"), ctx)

    def _pass(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        result = state.get("Result")
        if (
            not ctx.jsonata
            and isinstance(result, dict)
            and any(isinstance(k, str) and k.endswith(".$") for k in result)
        ):
            self.warn(
                "Result is static: fields ending in '.$' are not evaluated there (use Parameters)",
                (path, "Result"),
                "PASS_RESULT_IS_STATIC",
            )

    def _succeed(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        pass

    def _fail(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        for f, fpath in (("Error", "ErrorPath"), ("Cause", "CausePath")):
            if f in state and fpath in state:
                self.err(f"a Fail state may have only one of {f} and {fpath}", (path, fpath), key=True)
            if f in state:
                value = state[f]
                if ctx.jsonata and isinstance(value, str) and _delimited(value):
                    ctx.jsonata_value(value, (path, f))
                elif not isinstance(value, str):
                    self.err(f"{f} must be a string, not {json_type(value)}", (path, f))
            if fpath in state and not ctx.jsonata:
                value = state[fpath]
                if isinstance(value, str) and not value.startswith("$") and not is_placeholder(value):
                    ctx.intrinsic(value, (path, fpath))
                    fn = value.partition("(")[0]
                    if fn in SIGNATURES and fn not in _STRING_INTRINSICS:
                        self.err(f"{fpath} must produce a string; {fn} does not", (path, fpath))
                else:
                    ctx.path_field(value, (path, fpath), reference=True)

    def _task(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        if "Resource" not in state:
            self.err("These fields are required: [Resource]", path)
        else:
            self._resource(state["Resource"], (path, "Resource"), ctx.jsonata)
            resource = state["Resource"]
            if type(resource) is str and resource.endswith(":states:::http:invoke"):
                self._http_task(state, path, ctx)
            if ctx.scope.express and type(resource) is str:
                self._express_resource(resource, (path, "Resource"), ctx.scope.express)
        timeout = heartbeat = None
        if "TimeoutSeconds" in state or "TimeoutSecondsPath" in state:
            timeout = self._seconds_pair(state, path, ctx, "TimeoutSeconds")
        if "HeartbeatSeconds" in state or "HeartbeatSecondsPath" in state:
            heartbeat = self._seconds_pair(state, path, ctx, "HeartbeatSeconds")
        if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:  # type: ignore[operator]
            self.err("HeartbeatSeconds must be smaller than TimeoutSeconds", (path, "HeartbeatSeconds"))
        if "Credentials" in state:
            cred = state["Credentials"]
            cpath = (path, "Credentials")
            if not isinstance(cred, dict):
                self.err(f"Credentials must be an object, not {json_type(cred)}", cpath)
            elif cred and "RoleArn" not in cred and "RoleArn.$" not in cred:
                self.err("The field 'RoleArn' is required but was missing", cpath)
            elif ctx.jsonata:
                ctx.jsonata_value(cred, cpath)
            else:
                ctx.template(cred, cpath)
        if ctx.jsonata and "Arguments" in state:
            args = state["Arguments"]
            if not isinstance(args, dict) and not (isinstance(args, str) and _delimited(args)):
                self.err("Arguments must be an object or a JSONata expression", (path, "Arguments"))
            ctx.jsonata_value(args, (path, "Arguments"))

    def _express_resource(self, resource: str, path: Path, where: str) -> None:
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
            self.err(f"an EXPRESS state machine does not support {what}", path, "INVALID_RESOURCE")
        else:
            self.warn(
                f"an EXPRESS child workflow of a Distributed Map does not support {what}",
                path,
                "INVALID_RESOURCE",
            )

    def _http_task(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        """DG call-https-apis: an HTTP Task names its endpoint, its method and its EventBridge connection
        (Authentication, or InvocationConfig for private APIs); without them every run fails."""
        field = "Arguments" if ctx.jsonata else "Parameters"
        args = state.get(field)
        if not isinstance(args, dict):
            if args is None:
                self.warn(
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
            self.warn(
                f"an HTTP Task's {field} needs {', '.join(missing)}",
                (path, field),
                "HTTP_TASK_FIELD_MISSING",
            )

    def _seconds_pair(self, state: dict[str, Any], path: Path, ctx: _StateCtx, field: str) -> Any:
        pfield = field + "Path"
        if field in state and pfield in state:
            self.err(f"a state may have only one of {field} and {pfield}", (path, pfield), key=True)
        if pfield in state and not ctx.jsonata:
            ctx.path_field(state[pfield], (path, pfield), reference=True)
        if field in state:
            return self._int_field(
                state, field, path, minimum=1, maximum=MAX_SECONDS, jsonata=ctx.jsonata, ctx=ctx
            )
        return None

    def _int_field(
        self,
        obj: dict[str, Any],
        field: str,
        path: Path,
        *,
        minimum: int = 0,
        maximum: int | None = None,
        jsonata: bool,
        ctx: _StateCtx | None = None,
        number: bool = False,
    ) -> Any:
        value = obj[field]
        if type(value) is int and value >= minimum and (maximum is None or value <= maximum):
            return value  # the common case, decided before building any path
        fpath = (path, field)
        if is_placeholder(value):
            return None
        if jsonata and isinstance(value, str) and _delimited(value) and ctx is not None:
            ctx.jsonata_value(value, fpath)
            return None
        ok = _is_num(value) and not isinstance(value, bool) if number else _is_int(value)
        if not ok:
            kind = "a number" if number else "an integer"
            self.err(f"{field} must be {kind}, not {json_type(value)}", fpath)
            return None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.err(f"{field} must be {bound}", fpath)
            return None
        return value

    def _resource(self, value: Any, path: Path, jsonata: bool) -> None:
        if is_placeholder(value):
            return  # an ARN supplied at deploy time (template placeholder or CloudFormation intrinsic)
        if not isinstance(value, str):
            self.err(f"Resource must be a string, not {json_type(value)}", path)
            return
        for code, severity, message in resource_findings(value):
            self.findings.append((code, severity, message, flat(path), False))

    def _wait(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        if ("Seconds" in state) + ("SecondsPath" in state) + ("Timestamp" in state) + (
            "TimestampPath" in state
        ) != 1:
            given = [f for f in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if f in state]
            self.err(
                "a Wait state must have exactly one of [Seconds, SecondsPath, Timestamp, TimestampPath]",
                (path, given[1]) if len(given) > 1 else path,
                key=len(given) > 1,
            )
        if "Seconds" in state:
            self._int_field(
                state, "Seconds", path, minimum=0, maximum=MAX_SECONDS, jsonata=ctx.jsonata, ctx=ctx
            )
        if "Timestamp" in state:
            ts = state["Timestamp"]
            tpath = (path, "Timestamp")
            if ctx.jsonata and isinstance(ts, str) and _delimited(ts):
                ctx.jsonata_value(ts, tpath)
            elif is_placeholder(ts):
                pass
            elif not isinstance(ts, str) or not is_rfc3339(ts):
                self.err("String does not match RFC3339 timestamp", tpath)
        for f in ("SecondsPath", "TimestampPath"):
            if f in state and not ctx.jsonata:
                ctx.path_field(state[f], (path, f), reference=True)

    def _choice(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        choices = state.get("Choices")
        cpath = (path, "Choices")
        if "Choices" not in state:
            self.err("These fields are required: [Choices]", path)
        elif not isinstance(choices, list) or not choices:
            self.err("Choices must be a non-empty array", cpath)
        else:
            for i, rule in enumerate(choices):
                self._rule(rule, (cpath, i), ctx, top=True)
        if "Default" in state:
            ctx.target(state["Default"], (path, "Default"))

    def _rule(self, rule: Any, path: Path, ctx: _StateCtx, *, top: bool) -> None:
        if not isinstance(rule, dict):
            self.err(f"a Choice Rule must be an object, not {json_type(rule)}", path)
            return
        if not ctx.jsonata and len(rule) == 2 + top and "Variable" in rule and (not top or "Next" in rule):
            # The common shape, exactly {Variable, one comparison[, Next]}: the general checks below
            # could report nothing but what these three calls report, in the same order.
            for op in rule:
                if op in COMPARATORS:
                    if top:
                        ctx.target(rule["Next"], (path, "Next"))
                    ctx.path_field(rule["Variable"], (path, "Variable"))
                    self._comparison(op, rule[op], (path, op), ctx)
                    return
        if top:
            if "Next" not in rule:
                self.err("These fields are required: [Next]", path)
            else:
                ctx.target(rule["Next"], (path, "Next"))
            if "Assign" in rule:
                ctx.assign(rule["Assign"], (path, "Assign"))
        else:
            for f in ("Next", "Assign", "Output"):
                if f in rule:
                    self.err(
                        f"{f} is allowed only in a top-level Choice Rule, not inside And/Or/Not",
                        (path, f),
                        key=True,
                    )
        self._optional_str(rule, "Comment", path)
        if ctx.jsonata:
            for key in rule:
                if key not in ("Condition", "Next", "Comment", "Assign", "Output"):
                    self.err(
                        f"field {key!r} is not supported in a JSONata Choice Rule (use Condition)",
                        (path, key),
                        key=True,
                    )
            if "Condition" not in rule:
                self.err("These fields are required: [Condition]", path)
            else:
                cond = rule["Condition"]
                if isinstance(cond, str) and _delimited(cond):
                    ctx.jsonata_value(cond, (path, "Condition"))
                elif not isinstance(cond, bool):
                    self.err("Condition must be a JSONata expression or a boolean", (path, "Condition"))
            if "Output" in rule and top:
                ctx.jsonata_value(rule["Output"], (path, "Output"))
            return
        ops: list[str] = []
        bools: list[str] = []
        for key in rule:
            if key in COMPARATORS:
                ops.append(key)
            elif key in ("And", "Or", "Not"):
                bools.append(key)
            elif key not in ("Variable", "Next", "Comment", "Assign"):
                word = "operator" if key[:1].isupper() and key not in ("Condition", "Output") else "field"
                self.err(f"{key!r} is not a supported Choice Rule {word}", (path, key), key=True)
        if bools:
            if len(bools) > 1 or ops or "Variable" in rule:
                self.err(
                    "a boolean Choice Rule has exactly one of And, Or, Not and no Variable or comparison",
                    path,
                )
            for b in bools:
                value = rule[b]
                bpath = (path, b)
                if b == "Not":
                    if not isinstance(value, dict):
                        self.err("Not must be a single Choice Rule object", bpath)
                    else:
                        self._rule(value, bpath, ctx, top=False)
                elif not isinstance(value, list) or not value:
                    self.err(f"{b} must be a non-empty array of Choice Rules", bpath)
                else:
                    for i, sub in enumerate(value):
                        self._rule(sub, (bpath, i), ctx, top=False)
            return
        if "Variable" not in rule:
            if ops or not any(k[:1].isupper() and k not in ("Next", "Comment", "Assign") for k in rule):
                self.err("a Choice Rule needs a Variable and one comparison operator, or And/Or/Not", path)
        else:
            ctx.path_field(rule["Variable"], (path, "Variable"))
        if len(ops) != 1 and "Variable" in rule:
            self.err(f"a Choice Rule must have exactly one comparison operator, found {len(ops)}", path)
        for op in ops:
            self._comparison(op, rule[op], (path, op), ctx)

    def _comparison(self, op: str, value: Any, path: Path, ctx: _StateCtx) -> None:
        kind = COMPARATORS[op]
        if ((type(value) is str and value.startswith("${")) or type(value) is dict) and is_placeholder(value):
            return
        if kind == "path":
            ctx.path_field(value, path)
        elif kind == "str":
            if not isinstance(value, str):
                self.err(f"{op} requires a string, not {json_type(value)}", path)
            elif op == "StringMatches" and "\\" in value:
                bad = _bad_match_escape(value)
                if bad:
                    self.warn(bad, path, "STRING_MATCHES_ESCAPE")
        elif kind == "num":
            if not _is_num(value) or isinstance(value, bool):
                self.err(f"{op} requires a number, not {json_type(value)}", path)
        elif kind == "bool":
            if not isinstance(value, bool):
                self.err(f"{op} requires a boolean, not {json_type(value)}", path)
        elif kind == "ts" and (not isinstance(value, str) or not is_rfc3339(value)):
            self.err(f"{op} requires an RFC 3339 timestamp (uppercase T, and Z or an offset)", path)

    def _retry(self, retry: Any, path: Path) -> None:
        if not isinstance(retry, list):
            self.err(f"Retry must be an array, not {json_type(retry)}", path)
            return
        last = len(retry) - 1
        for i, r in enumerate(retry):
            rpath = (path, i)
            if not isinstance(r, dict):
                self.err(f"a Retrier must be an object, not {json_type(r)}", rpath)
                continue
            if not r.keys() <= _RETRIER_FIELDS:
                for key in r:
                    if key not in _RETRIER_FIELDS:
                        self.err(f"field {key!r} is not supported in a Retrier", (rpath, key), key=True)
            self._error_equals(r, rpath, last=i == last, what="Retrier")
            for field, lo, hi in _RETRIER_INTS:
                if field in r:
                    value = r[field]
                    if type(value) is not int or not lo <= value <= hi:
                        self._int_field(r, field, rpath, minimum=lo, maximum=hi, jsonata=False)
            if "BackoffRate" in r:
                rate = r["BackoffRate"]
                if type(rate) not in (int, float) or rate < 1:
                    self._int_field(r, "BackoffRate", rpath, minimum=1, jsonata=False, number=True)
            if "JitterStrategy" in r and r["JitterStrategy"] not in ("FULL", "NONE"):
                self.err("JitterStrategy must be one of [FULL, NONE]", (rpath, "JitterStrategy"))
            if "Comment" in r:
                self._optional_str(r, "Comment", rpath)

    def _error_equals(self, r: dict[str, Any], path: Path, *, last: bool, what: str) -> None:
        errs = r.get("ErrorEquals")
        if errs is None:
            self.err("These fields are required: [ErrorEquals]", path)
            return
        if not isinstance(errs, list) or not errs:
            self.err("ErrorEquals must be a non-empty array of error names", (path, "ErrorEquals"))
            return
        for j, e in enumerate(errs):
            if type(e) is not str:
                self.err(f"error names must be strings, not {json_type(e)}", ((path, "ErrorEquals"), j))
            elif e.startswith("States.") and e not in PREDEFINED_ERRORS:
                self.warn(
                    f"{e!r} is not a predefined error name (names starting with 'States.' are reserved)",
                    ((path, "ErrorEquals"), j),
                    "UNKNOWN_ERROR_NAME",
                )
        if "States.ALL" in errs:
            if len(errs) > 1:
                self.err("States.ALL must appear alone in ErrorEquals", (path, "ErrorEquals"))
            if not last:
                self.err(f"States.ALL must appear only in the last {what}", (path, "ErrorEquals"))

    def _catch(self, catch: Any, path: Path, ctx: _StateCtx) -> None:
        if not isinstance(catch, list):
            self.err(f"Catch must be an array, not {json_type(catch)}", path)
            return
        allowed = _CATCHER_FIELDS[ctx.jsonata]
        for i, c in enumerate(catch):
            cp = (path, i)
            if not isinstance(c, dict):
                self.err(f"a Catcher must be an object, not {json_type(c)}", cp)
                continue
            for key in c if not c.keys() <= allowed else ():
                if key not in allowed:
                    extra = " in a JSONata state" if key in ("ResultPath", "Output") else ""
                    self.err(f"field {key!r} is not supported in a Catcher{extra}", (cp, key), key=True)
            self._error_equals(c, cp, last=i == len(catch) - 1, what="Catcher")
            if "Next" not in c:
                self.err("These fields are required: [Next]", cp)
            else:
                ctx.target(c["Next"], (cp, "Next"))
            if "ResultPath" in c and not ctx.jsonata:
                ctx.path_field(
                    c["ResultPath"], (cp, "ResultPath"), nullable=True, reference=True, context=False
                )
            if "Output" in c and ctx.jsonata:
                ctx.jsonata_value(c["Output"], (cp, "Output"), error_output=True)
            if "Assign" in c:
                ctx.assign(c["Assign"], (cp, "Assign"), error_output=True)
            if "Comment" in c:
                self._optional_str(c, "Comment", cp)

    def _parallel(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        if "Branches" not in state:
            self.err("These fields are required: [Branches]", path)
            return
        branches = state["Branches"]
        bpath = (path, "Branches")
        if not isinstance(branches, list) or not branches:
            self.err(
                "Value cannot be empty" if isinstance(branches, list) else "Branches must be an array", bpath
            )
            return
        if ctx.jsonata and "Arguments" in state:
            ctx.jsonata_value(state["Arguments"], (path, "Arguments"))
        for i, b in enumerate(branches):
            self._sub_machine(b, (bpath, i), "branch", ctx, allowed=("StartAt", "States", "Comment"))

    def _sub_machine(
        self,
        m: Any,
        path: Path,
        kind: str,
        ctx: _StateCtx,
        *,
        allowed: tuple[str, ...],
        distributed: bool = False,
    ) -> None:
        if not isinstance(m, dict):
            self.err(f"a {_scope_word(kind)} must be an object, not {json_type(m)}", path)
            return
        for key in m:
            if key not in allowed:
                self.err(f"field {key!r} is not supported in a {_scope_word(kind)}", (path, key), key=True)
        self._optional_str(m, "Comment", path)
        # the states inside inherit the enclosing state's query language (each may set its own)
        self._machine(m, path, kind, ctx.scope, "JSONata" if ctx.jsonata else "JSONPath", distributed)

    def _map(self, state: dict[str, Any], path: Path, ctx: _StateCtx) -> None:
        has_proc, has_iter = "ItemProcessor" in state, "Iterator" in state
        if has_proc and has_iter:
            self.err(
                "a Map state may have only one of ItemProcessor and Iterator", (path, "Iterator"), key=True
            )
        elif not has_proc and not has_iter:
            self.err("These fields are required: [ItemProcessor]", path)
        if "Parameters" in state and "ItemSelector" in state:
            self.err(
                "a Map state may have only one of Parameters and ItemSelector",
                (path, "Parameters"),
                key=True,
            )
        distributed = False
        field = "ItemProcessor" if has_proc else "Iterator"
        proc = state.get(field)
        if isinstance(proc, dict) and "ProcessorConfig" in proc:
            pc = proc["ProcessorConfig"]
            pcp = ((path, field), "ProcessorConfig")
            if not isinstance(pc, dict):
                self.err("ProcessorConfig must be an object", pcp)
            else:
                for key in pc:
                    if key not in ("Mode", "ExecutionType"):
                        self.err(f"field {key!r} is not supported in ProcessorConfig", (pcp, key), key=True)
                mode = pc.get("Mode", "INLINE")
                if mode not in ("INLINE", "DISTRIBUTED"):
                    self.err("Mode must be one of [INLINE, DISTRIBUTED]", (pcp, "Mode"))
                distributed = mode == "DISTRIBUTED"
                if "ExecutionType" in pc:
                    if pc["ExecutionType"] not in ("STANDARD", "EXPRESS"):
                        self.err("ExecutionType must be one of [STANDARD, EXPRESS]", (pcp, "ExecutionType"))
                    elif not distributed:
                        self.err(
                            "ExecutionType is allowed only with Mode DISTRIBUTED", (pcp, "ExecutionType")
                        )
                elif distributed:
                    self.err("These fields are required: [ExecutionType]", pcp)
        if proc is not None:
            self._express_child = (
                distributed
                and isinstance(pc := proc.get("ProcessorConfig"), dict)
                and pc.get("ExecutionType") == "EXPRESS"
            )
            self._sub_machine(
                proc,
                (path, field),
                "processor",
                ctx,
                allowed=("StartAt", "States", "Comment", "ProcessorConfig"),
                distributed=distributed,
            )
        if "ItemsPath" in state and not ctx.jsonata:
            ctx.path_field(state["ItemsPath"], (path, "ItemsPath"), reference=True)
        if "Items" in state and ctx.jsonata:
            items = state["Items"]
            if (isinstance(items, str) and _delimited(items)) or isinstance(items, list):
                ctx.jsonata_value(items, (path, "Items"))
            elif not is_placeholder(items):
                self.err("Items must be an array or a JSONata expression", (path, "Items"))
        if "ItemSelector" in state:
            if ctx.jsonata:
                ctx.jsonata_value(state["ItemSelector"], (path, "ItemSelector"))
            else:
                ctx.template(state["ItemSelector"], (path, "ItemSelector"))
        for f, lo, hi, num in (
            ("MaxConcurrency", 0, None, False),
            ("ToleratedFailureCount", 0, None, False),
            ("ToleratedFailurePercentage", 0, 100, True),
        ):
            if f in state and f + "Path" in state:
                self.err(f"a Map state may have only one of {f} and {f}Path", (path, f + "Path"), key=True)
            if f in state:
                self._int_field(
                    state, f, path, minimum=lo, maximum=hi, jsonata=ctx.jsonata, ctx=ctx, number=num
                )
            if f + "Path" in state and not ctx.jsonata:
                ctx.path_field(state[f + "Path"], (path, f + "Path"), reference=True)
        if "Label" in state:
            self._label(state["Label"], (path, "Label"))
        if not distributed:
            for f in (
                "ItemReader",
                "ItemBatcher",
                "ResultWriter",
                "ToleratedFailureCount",
                "ToleratedFailurePercentage",
                "ToleratedFailureCountPath",
                "ToleratedFailurePercentagePath",
            ):
                if f in state:
                    # DG state-map-distributed: these belong to Distributed Map only
                    self.warn(
                        f"{f} applies only to a Map whose ProcessorConfig Mode is DISTRIBUTED",
                        (path, f),
                        "MAP_FIELD_NEEDS_DISTRIBUTED",
                        key=True,
                    )
        if "ItemReader" in state:
            self._item_reader(state["ItemReader"], (path, "ItemReader"), ctx)
        if "ItemBatcher" in state:
            self._item_batcher(state["ItemBatcher"], (path, "ItemBatcher"), ctx)
        if "ResultWriter" in state:
            self._result_writer(state["ResultWriter"], (path, "ResultWriter"), ctx)

    def _label(self, label: Any, path: Path) -> None:
        if not isinstance(label, str):
            self.err(f"Label must be a string, not {json_type(label)}", path)
        elif not label:
            self.err("Label must not be empty", path, "INVALID_LABEL_NAME")
        elif len(label) > MAX_LABEL:
            self.err(
                f"Label is {len(label)} characters long; the limit is {MAX_LABEL}", path, "INVALID_LABEL_NAME"
            )
        else:
            bad = next(
                (c for c in label if c in _LABEL_FORBIDDEN or ord(c) < 32 or 127 <= ord(c) < 160), None
            )
            if bad is not None:
                self.err(f"Label must not contain {bad!r}", path, "INVALID_LABEL_NAME")

    def _io_object(self, obj: Any, path: Path, ctx: _StateCtx, allowed: tuple[str, ...], name: str) -> bool:
        if not isinstance(obj, dict):
            self.err(f"{name} must be an object, not {json_type(obj)}", path)
            return False
        for key in obj:
            ok = (
                key in allowed
                or (key == "Parameters" and not ctx.jsonata)
                or (key == "Arguments" and ctx.jsonata)
            )
            if not ok:
                self.err(f"field {key!r} is not supported in {name}", (path, key), key=True)
        if "Parameters" in obj and not ctx.jsonata:
            ctx.template(obj["Parameters"], (path, "Parameters"))
        if "Arguments" in obj and ctx.jsonata:
            ctx.jsonata_value(obj["Arguments"], (path, "Arguments"))
        return True

    def _item_reader(self, reader: Any, path: Path, ctx: _StateCtx) -> None:
        if not self._io_object(reader, path, ctx, ("Resource", "ReaderConfig"), "ItemReader"):
            return
        if "Resource" not in reader:
            self.err("These fields are required: [Resource]", path)
        else:
            self._resource(reader["Resource"], (path, "Resource"), ctx.jsonata)
        rc = reader.get("ReaderConfig")
        if rc is None:
            return
        rcp = (path, "ReaderConfig")
        if not isinstance(rc, dict):
            self.err("ReaderConfig must be an object", rcp)
            return
        allowed = (
            "InputType",
            "CSVHeaderLocation",
            "CSVHeaders",
            "CSVDelimiter",
            "MaxItems",
            "MaxItemsPath",
            "ManifestType",
            "Transformation",
        )
        for key in rc:
            if key not in allowed:
                self.err(f"field {key!r} is not supported in ReaderConfig", (rcp, key), key=True)
        if "MaxItems" in rc and "MaxItemsPath" in rc:
            self.err(
                "ReaderConfig may have only one of MaxItems and MaxItemsPath",
                (rcp, "MaxItemsPath"),
                key=True,
            )
        if "MaxItems" in rc:
            self._int_field(rc, "MaxItems", rcp, minimum=0, maximum=100_000_000, jsonata=ctx.jsonata, ctx=ctx)
        if "MaxItemsPath" in rc and not ctx.jsonata:
            ctx.path_field(rc["MaxItemsPath"], (rcp, "MaxItemsPath"), reference=True)
        it = rc.get("InputType")
        if it is not None and it not in ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"):
            self.err("InputType must be one of [CSV, JSON, JSONL, MANIFEST, PARQUET]", (rcp, "InputType"))
        loc = rc.get("CSVHeaderLocation")
        if loc is not None and loc not in ("FIRST_ROW", "GIVEN"):
            self.err("CSVHeaderLocation must be one of [FIRST_ROW, GIVEN]", (rcp, "CSVHeaderLocation"))
        if loc == "GIVEN" and "CSVHeaders" not in rc:
            self.err("CSVHeaders is required when CSVHeaderLocation is GIVEN", rcp)

    def _item_batcher(self, batcher: Any, path: Path, ctx: _StateCtx) -> None:
        allowed = ("MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput") + (
            () if ctx.jsonata else ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath")
        )
        if not isinstance(batcher, dict):
            self.err(f"ItemBatcher must be an object, not {json_type(batcher)}", path)
            return
        for key in batcher:
            if key not in allowed:
                self.err(f"field {key!r} is not supported in ItemBatcher", (path, key), key=True)
        for f, hi in (("MaxItemsPerBatch", None), ("MaxInputBytesPerBatch", 262144)):
            if f in batcher and f + "Path" in batcher:
                self.err(f"ItemBatcher may have only one of {f} and {f}Path", (path, f + "Path"), key=True)
            if f in batcher:
                self._int_field(batcher, f, path, minimum=1, maximum=hi, jsonata=ctx.jsonata, ctx=ctx)
            if f + "Path" in batcher and not ctx.jsonata:
                ctx.path_field(batcher[f + "Path"], (path, f + "Path"), reference=True)
        if "BatchInput" in batcher:
            if ctx.jsonata:
                ctx.jsonata_value(batcher["BatchInput"], (path, "BatchInput"))
            else:
                ctx.template(batcher["BatchInput"], (path, "BatchInput"))

    def _result_writer(self, writer: Any, path: Path, ctx: _StateCtx) -> None:
        if not self._io_object(writer, path, ctx, ("Resource", "WriterConfig"), "ResultWriter"):
            return
        if "Resource" in writer:
            self._resource(writer["Resource"], (path, "Resource"), ctx.jsonata)
        elif "WriterConfig" not in writer:
            self.err("These fields are required: [Resource]", path)
        wc = writer.get("WriterConfig")
        if wc is None:
            return
        wcp = (path, "WriterConfig")
        if not isinstance(wc, dict):
            self.err("WriterConfig must be an object", wcp)
            return
        missing = [f for f in ("OutputType",) if f not in wc]
        if missing:
            self.err(f"These fields are required: [{', '.join(missing)}]", wcp)
        if "OutputType" in wc and wc["OutputType"] not in ("JSON", "JSONL"):
            self.err("OutputType must be one of [JSON, JSONL]", (wcp, "OutputType"))
        if "Transformation" in wc and wc["Transformation"] not in ("NONE", "COMPACT", "FLATTEN"):
            self.err("Transformation must be one of [NONE, COMPACT, FLATTEN]", (wcp, "Transformation"))

    # -- whole-machine checks ----------------------------------------------------------------------
    def _graph_checks(self) -> None:
        for name, p in self.duplicates:
            self.err(
                f"state name {name!r} is used more than once in the state machine",
                p,
                "DUPLICATE_STATE_NAME",
                key=True,
            )
        for scope in self.scopes:
            self._scope_graph(scope)
        # The dataflow only matters when some state reads a variable.
        if any(sc.reads for sc in self.scopes):
            self._variables(self.scopes[0], frozenset())

    def _scope_graph(self, scope: _Scope) -> None:
        states = scope.states
        for edges in scope.edges.values():
            for target, p in edges:
                if target in states:
                    continue
                if target in self.all_names:
                    where = "Parallel branch" if scope.kind == "branch" else "Map processor"
                    if scope.kind == "machine":
                        msg = f"state {target!r} is inside a branch or processor; it cannot be entered"
                    else:
                        msg = f"state {target!r} is outside this {where}; transitions must stay within it"
                    self.err(msg, p, MISSING_TARGET)
                else:
                    self.err(f"Missing 'Next' target: {target}", p, MISSING_TARGET)
        if scope.start not in states:
            return
        seen = {scope.start}
        todo = [scope.start]
        edges_of = scope.edges
        while todo:
            for target, _ in edges_of.get(todo.pop(), ()):
                if target not in seen and target in states:
                    seen.add(target)
                    todo.append(target)
        for name in states if len(seen) < len(states) else ():  # seen holds only names of states
            if name not in seen:
                self.err(
                    f"state {name!r} is not reachable from StartAt",
                    ((scope.path, "States"), name),
                    "UNREACHABLE_STATE",
                    key=True,
                )
        terminal = False
        for name in seen:
            st = states[name]
            if isinstance(st, dict) and (st.get("End") is True or st.get("Type") in ("Succeed", "Fail")):
                terminal = True
                break
        if not terminal:
            where = _scope_word(scope.kind)
            self.err(
                f"No terminal state: no reachable state of this {where} is End: true, Succeed or Fail",
                (scope.path, "States"),
                "MISSING_END_STATE",
            )

    def _variables(self, scope: _Scope, outer: frozenset[str]) -> None:
        """Warn about a variable read in a state that some path from StartAt reaches without assigning it."""
        states = scope.states
        # (only called when some state of the machine reads a variable; nested scopes need this scope's
        # values even when none of its own states reads one)
        known: dict[str, frozenset[str]] = {}
        if scope.start in states:
            preds: dict[str, list[str]] = {n: [] for n in states}
            for src, edges in scope.edges.items():
                for target, _ in edges:
                    if target in preds and src in states:
                        preds[target].append(src)
            everything = frozenset().union(*scope.writes.values()) | outer
            known = {n: everything for n in states}
            known[scope.start] = outer
            changed = True
            rounds = 0
            while changed and rounds <= len(states):
                changed = False
                rounds += 1
                for n in states:
                    incoming = [known[p] | scope.writes.get(p, set()) for p in preds[n]]
                    new = frozenset.intersection(*incoming) if incoming else frozenset()
                    if n == scope.start:
                        new = outer  # every path into StartAt begins with the outer scope's values
                    if new != known[n]:
                        known[n] = new
                        changed = True
            for n in states:
                avail = known[n]
                for var, p in scope.reads.get(n, ()):
                    if var not in avail:
                        self.warn(
                            f"variable ${var} may be read before any state assigns it",
                            p,
                            "VARIABLE_NOT_ASSIGNED",
                        )
        for child in self.scopes:
            if child.parent is scope:
                child_path, scope_path = flat(child.path), flat(scope.path)
                owner = child_path[len(scope_path) + 1] if len(child_path) > len(scope_path) + 1 else None
                inherited = frozenset() if child.distributed else known.get(str(owner), outer)
                self._variables(child, inherited)


_BY_TYPE = {t: getattr(Validator, "_" + t.lower()) for t in FIELDS}


def _in_distributed(scope: _Scope | None) -> bool:
    while scope is not None:
        if scope.distributed:
            return True
        scope = scope.parent
    return False


def _bad_match_escape(pattern: str) -> str | None:
    """StringMatches knows only the escapes \\* and \\\\; anything else fails when the rule runs."""
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt not in ("*", "\\"):
                what = "a trailing backslash" if not nxt else f"the escape \\{nxt}"
                return f"StringMatches pattern has {what}; only \\* and \\\\ are escapes (a run-time error)"
            i += 2
        else:
            i += 1
    return None


def _scope_word(kind: str) -> str:
    return {"machine": "state machine", "branch": "Parallel branch", "processor": "Map processor"}[kind]


def _delimited(text: str) -> bool:
    return text.startswith("{%") and text.endswith("%}") and len(text) >= 4


class _StateCtx:
    """Checks for the values inside one state, which need the state's query language and scope."""

    __slots__ = ("jsonata", "name", "scope", "st", "v")

    def __init__(
        self,
        v: Validator,
        scope: _Scope,
        name: str,
        st: str,
        jsonata: bool,
    ) -> None:
        self.v = v
        self.scope = scope
        self.name = name
        self.st = st
        self.jsonata = jsonata

    # Only states that touch variables get entries for the dataflow (most never do).
    def read(self, variable: str, path: Path) -> None:
        self.scope.reads.setdefault(self.name, []).append((variable, path))

    def write(self, variable: str) -> None:
        self.scope.writes.setdefault(self.name, set()).add(variable)

    def target(self, value: Any, path: Path) -> None:
        if not isinstance(value, str):
            self.v.err(f"a transition target must be a state name (a string), not {json_type(value)}", path)
            return
        self.scope.edges[self.name].append((value, path))

    def path_field(
        self, value: Any, path: Path, *, nullable: bool = False, reference: bool = False, context: bool = True
    ) -> None:
        if value is None:
            if not nullable:
                self.v.err(f"{path[1]} must be a path, not null", path)
            return
        if not isinstance(value, str):
            self.v.err(f"{path[1]} must be a path (a string starting with '$'), not {json_type(value)}", path)
            return
        if value.startswith("${") and is_placeholder(value):
            return
        info = parse_path(value)
        if info.error:
            self.v.err(f"{path[1]}: {info.error}", path)
            return
        if reference and not info.reference:
            self.v.err(
                f"{path[1]} must be a Reference Path (a single node: no filters, unions, slices or "
                f"wildcards): {value!r}",
                path,
            )
        if not context and info.root == "context":
            self.v.err(f"{path[1]} must not refer to the context object ($$)", path)
        if info.root == "variable" and info.variable:
            if not context:
                self.v.err(f"{path[1]} cannot write into a variable; use Assign", path)
            else:
                self.read(info.variable, path)

    def intrinsic(self, value: str, path: Path) -> None:
        info = check_intrinsic(value)
        if info.error:
            message = (
                f"The value for the field '{path[1]}' must be a valid JSONPath or a valid intrinsic "
                f"function call: {info.error}"
            )
            if info.column is not None:  # a syntax error: its place inside the string is known
                self.v.findings.append((SCHEMA, ERROR, message, flat(path), False, info.column - 1))
            else:
                self.v.err(message, path)
        for var in info.variables:
            self.read(var, path)

    def template(self, tpl: Any, path: Path, *, top: bool = True) -> None:
        """A JSONPath payload template: an object whose ``.$`` keys hold paths or intrinsic calls."""
        if top and isinstance(tpl, str) and (tpl.startswith("$") or "(" in tpl):
            self.v.warn(
                f"{path[1]} is a string used literally; a payload template is an object whose keys "
                "end in '.$' to evaluate paths",
                path,
                "NO_DOLLAR",
            )
        if isinstance(tpl, dict):
            for key, value in tpl.items():
                if key.endswith(".$"):
                    kpath = (path, key)
                    if key[:-2] in tpl:
                        self.v.err(f"field {key[:-2]!r} appears twice once '.$' is removed", kpath, key=True)
                    if type(value) is str and value[:1] == "$" and value[1:2] != "{":
                        info = parse_path(value)  # the common case, inlined: a plain path
                        if info.error is None:
                            if info.variable:
                                self.read(info.variable, kpath)
                            continue
                    self._dollar_value(value, kpath)
                elif type(value) is dict or type(value) is list:
                    self.template(value, (path, key), top=False)
                elif type(value) is str and value.startswith(("$", "States.")) and _looks_dynamic(value):
                    self.v.warn(
                        f"field {key!r} holds {value!r}, which is used literally; add '.$' to the key to "
                        "evaluate it",
                        (path, key),
                        "NO_DOLLAR",
                    )
        elif isinstance(tpl, list):
            for i, item in enumerate(tpl):
                if isinstance(item, (dict, list)):
                    self.template(item, (path, i), top=False)

    def _dollar_value(self, value: Any, path: Path) -> None:
        if not isinstance(value, str):
            self.v.err(
                f"The value for the field '{path[1]}' must be a valid JSONPath or a valid intrinsic "
                f"function call, not {json_type(value)}",
                path,
            )
            return
        if value.startswith("$"):
            if value.startswith("${") and is_placeholder(value):
                return
            info = parse_path(value)
            if info.error:
                self.v.err(
                    f"The value for the field '{path[1]}' must be a valid JSONPath or a valid intrinsic "
                    f"function call: {info.error}",
                    path,
                )
            elif info.root == "variable" and info.variable:
                self.read(info.variable, path)
        elif value[:1].isspace():
            self.v.err(
                f"The value for the field '{path[1]}' must be a valid JSONPath or a valid intrinsic "
                "function call: it must not start with whitespace",
                path,
            )
        else:
            self.intrinsic(value, path)

    def assign(self, value: Any, path: Path, *, result: bool = False, error_output: bool = False) -> None:
        if not isinstance(value, dict):
            self.v.err(f"Assign must be an object, not {json_type(value)}", path)
            return
        for key in value:
            name = key[:-2] if (not self.jsonata and key.endswith(".$")) else key
            if name == "states":
                self.v.err("'states' is reserved and cannot be assigned", (path, key), key=True)
            elif not name.isidentifier():
                self.v.warn(
                    f"{name!r} cannot be read back as $name in a path or expression",
                    (path, key),
                    "INVALID_VARIABLE_NAME",
                    key=True,
                )
            self.write(name)
        if self.jsonata:
            self.jsonata_value(value, path, result=result, error_output=error_output)
        else:
            self.template(value, path)

    def jsonata_value(
        self, value: Any, path: Path, *, result: bool = False, error_output: bool = False
    ) -> None:
        """Check every ``{% %}`` expression inside a JSON value of a JSONata state."""
        if isinstance(value, str):
            self._expression(value, path, result, error_output)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, (str, dict, list)):
                    self.jsonata_value(item, (path, key), result=result, error_output=error_output)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, (str, dict, list)):
                    self.jsonata_value(item, (path, i), result=result, error_output=error_output)

    def _expression(self, text: str, path: Path, result: bool, error_output: bool) -> None:
        opens, closes = text.startswith("{%"), text.endswith("%}")
        if not (opens or closes):
            return
        if not (opens and closes) or len(text) < 4:
            self.v.err(
                "a JSONata expression must be written as the whole string '{% ... %}'",
                path,
                "INVALID_JSONATA_EXPRESSION",
            )
            return
        expression = text[2:-2]
        info = check_jsonata(expression)
        if info.error:
            # where in the string the error is, so a caller holding the text can point at the character
            inner = 2 + _offset_of(expression, info.line or 1, info.column or 1)
            self.v.findings.append(
                (
                    "INVALID_JSONATA_EXPRESSION",
                    ERROR,
                    f"invalid JSONata expression: {info.error} at line {info.line}, column {info.column} of "
                    "the expression",
                    flat(path),
                    False,
                    inner,
                )
            )
            return
        for ref in info.top_level:
            what = "'$$'" if ref == "$$" else ("'$'" if ref == "$" else repr(ref))
            self.v.err(
                f"Reference to {what} at the top level is not supported; use $states.input",
                path,
                "UNSUPPORTED_JSONATA_EXPRESSION",
            )
        for field in info.states_fields:
            if field in ("input", "context"):
                continue
            if field == "result" and result:
                continue
            if field == "errorOutput" and error_output:
                continue
            if field == "result":
                msg = "$states.result is available only in Output and Assign of Task, Map and Parallel states"
            elif field == "errorOutput":
                msg = "$states.errorOutput is available only in a Catcher's Output and Assign"
            else:
                msg = f"$states.{field} does not exist (use input, context, result or errorOutput)"
            self.v.err(msg, path, "UNSUPPORTED_JSONATA_EXPRESSION")
        for var in info.variables:
            self.read(var, path)


def check_jsonata(expression: str) -> Any:
    """``tamis.grammar.asl.jsonata.check_jsonata``, imported on first use: a JSONPath definition (and a
    command-line run on one) never needs the JSONata checker. The first call rebinds this name."""
    from tamis.grammar.asl.jsonata import check_jsonata as check

    globals()["check_jsonata"] = check
    return check(expression)


def _offset_of(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl == -1:
            break
        start = nl + 1
    return start + column - 1


def _looks_dynamic(value: str) -> bool:
    """A literal that reads like a path or an intrinsic call (the service's NO_DOLLAR warning)."""
    if value.startswith("$."):
        return True
    if value.startswith("$$."):
        return True
    return value.startswith("States.") and value.endswith(")") and "(" in value


def validate_value(definition: Any, *, express: bool = False) -> list[Finding]:
    """All findings for one parsed definition, in document order of discovery. ``express``: the
    definition is for an EXPRESS state machine (the type is not part of the definition itself)."""
    return Validator(express=express).run(definition)
