"""validate_asl never raises on any input: it reports. Random definitions built from ASL's own vocabulary."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import tamis

KEYS = [
    "StartAt", "States", "Type", "Next", "End", "Comment", "QueryLanguage", "Resource", "Parameters",
    "Arguments", "Output", "Assign", "InputPath", "OutputPath", "ResultPath", "ResultSelector", "Retry",
    "Catch",
    "ErrorEquals", "Choices", "Default", "Variable", "StringEquals", "NumericEquals", "TimestampEquals",
    "StringMatches", "And", "Or", "Not", "Condition", "Seconds", "Timestamp", "SecondsPath", "Branches",
    "ItemProcessor", "Iterator", "ProcessorConfig", "Mode", "ItemReader", "ItemBatcher", "ResultWriter",
    "WriterConfig", "ReaderConfig", "Label", "MaxConcurrency", "Items", "ItemsPath", "Credentials", "Error",
    "Cause", "ErrorPath", "CausePath", "TimeoutSeconds", "HeartbeatSeconds", "BackoffRate", "x.$", "a", "b",
]  # fmt: skip
STRINGS = [
    "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "JSONata", "JSONPath", "A", "B",
    "$", "$$", "$.a", "$x", "$$.Map.Item.Value", "$.a[*]", "{% $states.input %}", "{% phone %}", "{% 1 + %}",
    "{%", "%}", "States.Format('{}', $.a)", "States.Array(", "States.ALL", "${Name}",
    "arn:aws:states:::lambda:invoke",
    "DISTRIBUTED", "2016-03-14T01:59:00Z", "\\", "",
]  # fmt: skip

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**9), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(STRINGS), st.text(max_size=6),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.sampled_from(STRINGS)), inner, max_size=6),
    ),
    max_leaves=40,
)


def _machine(states: dict[str, Any], start: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": start, "States": states, **extra}


definitions = st.one_of(
    values,
    st.builds(
        _machine,
        st.dictionaries(st.sampled_from([*STRINGS[10:12], "C", "D"]), values, max_size=4),
        st.sampled_from(["A", "B", "C"]),
        st.dictionaries(st.sampled_from(KEYS), values, max_size=2),
    ),
)


@given(definitions)
def test_never_raises_on_values(definition: Any) -> None:
    diags = tamis.validate_asl(definition) if isinstance(definition, dict) else []
    for d in diags:
        assert d.severity in ("error", "warning") and d.pointer.startswith("/")
    text = json.dumps(definition)
    for d in tamis.validate_asl(text):
        assert d.pointer.startswith("/")
        assert (d.line is None) == (d.column is None)


@given(st.text(max_size=80))
def test_never_raises_on_text(text: str) -> None:
    for d in tamis.validate_asl(text):
        assert d.severity in ("error", "warning")


@given(st.binary(max_size=60))
def test_never_raises_on_bytes(data: bytes) -> None:
    for d in tamis.validate_asl(data):
        assert d.severity in ("error", "warning")


@contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    """Other code may raise the interpreter's limit; these tests need the default one."""
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(saved)


def test_deep_nesting_is_reported_not_raised() -> None:
    deep: dict[str, Any] = {}
    cur = deep
    for _ in range(3000):
        cur["x"] = {}
        cur = cur["x"]
    d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": deep, "End": True}}}
    with recursion_limit(1000):
        assert [x.code for x in tamis.validate_asl(d)] == ["ASL001"]  # the one limit: 200 levels
        yaml_text = "StartAt: A\nStates:\n  A: " + "[" * 2000 + "]" * 2000
        diags = tamis.validate_asl(yaml_text)
    assert diags and all(x.severity == "error" for x in diags)


def test_deep_expressions_are_reported_not_raised() -> None:
    expr = "{% " + "(" * 600 + "1" + ")" * 600 + " %}"
    d = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": expr, "End": True}},
    }
    call = "States.Array(" * 600 + ")" * 600
    d2 = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"a.$": call}, "End": True}}}
    from tamis.grammar.asl.intrinsics import check_intrinsic
    from tamis.grammar.asl.jsonata import check_jsonata

    with recursion_limit(1000):
        check_jsonata.cache_clear()
        check_intrinsic.cache_clear()
        assert [x.code for x in tamis.validate_asl(d)] == ["ASL301"]
        assert "nested" in tamis.validate_asl(d2)[0].message
    check_jsonata.cache_clear()
