"""The native matcher core (runtime/events/_native.c) against its pure-Python twin and the reference
interpreter.

The core is optional at install time (no C compiler, no core; the twin runs). `.ci/run` sets
TAMIS_REQUIRE_NATIVE=1 so that a build that silently lost the core fails here instead of getting slower.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from support.matcher_engines import NATIVE, engine
from support.pattern_strategies import dumps, pattern_and_events, ruleset_scripts
from support.reference_patterns import ref_matches

import tamis
from tamis.errors import EventError
from tamis.runtime.events import event_json
from tamis.runtime.events import native as native_tables

needs_native = pytest.mark.skipif(not NATIVE, reason="the native matcher core is not built here")


def both(pattern: Any) -> tuple[Any, Any]:
    with engine(True):
        native = tamis.compile_pattern(pattern)
    with engine(False):
        python = tamis.compile_pattern(pattern)
    return native, python


def test_native_core_is_built_when_required() -> None:
    if os.environ.get("TAMIS_REQUIRE_NATIVE") != "1":
        pytest.skip("TAMIS_REQUIRE_NATIVE is not set (only CI insists on the core)")
    assert NATIVE, "tamis.runtime.events._native did not build: see the C compiler output of `pip install`"


@needs_native
def test_the_native_core_is_used() -> None:
    native, python = both({"source": ["aws.s3"]})
    assert native.matches({"source": "aws.s3"}) and python.matches({"source": "aws.s3"})
    assert native._rules._matcher._native_tables is not None
    assert python._rules._matcher._native_tables is None


@needs_native
@given(case=pattern_and_events())
def test_native_agrees_with_python_twin_and_reference(case: tuple[dict[str, Any], list[Any]]) -> None:
    pattern, events = case
    text = dumps(pattern)
    note(f"pattern: {text}")
    native, python = both(text)
    for event in events:
        event_text = dumps(event)
        note(f"event: {event_text}")
        expected = ref_matches(text, event_text)
        assert native.matches(event_text) is expected
        assert python.matches(event_text) is expected
        # bytes and dicts take Pattern's one-call path to the core (floats met numeric tests fall back)
        assert native.matches(event_text.encode()) is expected
        assert python.matches(event_text.encode()) is expected
        if isinstance(event, dict):  # a dict keeps no spelling of its numbers: as the full path answers
            assert native.matches(event) is bool(native._match(event))


@needs_native
def test_a_pattern_decides_short_events_in_one_core_call() -> None:
    """Pattern's own set never changes, so bytes and dicts go to the core without the sequence lock; what
    the core cannot finish (a float met a numeric test and its spelling decides, text orjson refuses, an
    event that is not an object) takes the full path and its typed answers."""
    pattern = tamis.compile_pattern({"n": [{"numeric": ["=", 0.3]}], "s": ["a"]})
    assert pattern._quick is not None
    assert pattern.matches(b'{"n": 0.3, "s": "a"}') is True
    assert pattern.matches({"n": 0.3, "s": "a"}) is True
    # orjson reads both as the double 0.3; the services compare the spelling, which no double holds
    assert pattern.matches(b'{"n": 0.30000000000000001, "s": "a"}') is False
    assert pattern.matches(b'{"n": 0.3, "s": "b"}') is False
    for bad in (b"[1, 2]", b'{"n": ', b"\xff"):
        with pytest.raises(EventError):
            pattern.matches(bad)


@needs_native
@given(script=ruleset_scripts())
def test_native_ruleset_agrees_with_python_twin(script: tuple[list[Any], list[Any]]) -> None:
    ops, events = script
    sets = {}
    for native in (True, False):
        with engine(native):
            rs = tamis.RuleSet()
            for op, name, pattern in ops:
                if op == "add":
                    rs.add(name, dumps(pattern))
                else:
                    rs.remove(name)
            for event in events[:1]:
                rs.matches(dumps(event))  # build under the chosen engine
        sets[native] = rs
    for event in events:
        event_text = dumps(event)
        note(f"event: {event_text}")
        assert sets[True].matches(event_text) == sets[False].matches(event_text)


# Values whose types or sizes take the core's fallbacks: each must answer as the Python twin does.
AWKWARD_VALUES: list[Any] = [
    0,
    -0.0,
    0.0,
    1,
    True,
    False,
    None,
    2**53,
    2**53 + 1,
    -(2**53) - 1,
    10**30,
    5e-324,  # subnormal
    1.5,
    float("inf"),
    Decimal("1.50"),
    Decimal("9007199254740993"),
    "1",
    "",
    "é",
    "\ud800",  # lone surrogate
    "10.0.0.1",
    "2001:db8::1",
    [],
    [1, "a", None],
    [[1, [2, ["x"]]]],
    {},
    {"nested": 1},
    [{"x": 1}, {"y": "a"}],
]

FIELD_PATTERNS: list[Any] = [
    [1, "1", None, True],
    [{"numeric": [">", 0, "<=", 9007199254740992]}],
    [{"numeric": ["=", 0]}],
    [{"anything-but": [0, 1.5]}],
    [{"anything-but": ["a", ""]}],
    [{"anything-but": {"prefix": "a"}}],
    [{"prefix": ""}, {"suffix": "1"}, {"prefix": "10."}],
    [{"equals-ignore-case": "É"}],
    [{"wildcard": "*0*"}],
    [{"cidr": "10.0.0.0/8"}, "10.0.0.1"],
    [{"exists": True}],
    [{"exists": False}],
]


@needs_native
@pytest.mark.parametrize("field", FIELD_PATTERNS, ids=[dumps(p) for p in FIELD_PATTERNS])
def test_awkward_values(field: Any) -> None:
    native, python = both({"f": field})
    nested_native, nested_python = both({"a": {"f": field, "g": [{"exists": True}]}})
    for value in AWKWARD_VALUES:
        for event in ({"f": value}, {"a": {"f": value, "g": 1}}, {"a": [{"f": value, "g": 1}, {"f": 0}]}):
            assert native.matches(event) is python.matches(event), (field, event)
            assert nested_native.matches(event) is nested_python.matches(event), (field, event)


@needs_native
def test_deep_arrays_answer_like_the_twin() -> None:
    native, python = both({"a": {"b": [1]}, "c": [{"exists": True}]})
    deep: Any = 1
    for _ in range(200):
        deep = [deep, {"b": 1}]
    event = {"a": deep, "c": 0}
    assert native.matches(event) is python.matches(event) is True
    limit = sys.getrecursionlimit()
    deeper: Any = 1
    for _ in range(limit + 100):
        deeper = [deeper]
    for matcher in (native, python):  # past the stack's reach, both engines refuse alike
        with pytest.raises(EventError):
            matcher.matches({"a": {"b": deeper}, "c": 0})


@needs_native
def test_paths_deeper_than_the_native_limit_use_the_python_walker() -> None:
    depth = native_tables.MAX_DEPTH + 5
    pattern: Any = {"leaf": [{"prefix": "x"}]}
    event: Any = {"leaf": "xy"}
    for i in range(depth):
        pattern, event = {f"k{i}": pattern}, {f"k{i}": [event, {"other": 1}]}
    native, python = both(pattern)
    assert native.matches(event) is python.matches(event) is True
    assert native._rules._matcher._native_tables is None  # the native core declined this trie


NUMBER_PIECES = ["0", "1", "9", "5", ".", "e", "E", "+", "-", "00000000", "12345678", "3.14159265358979"]


@st.composite
def number_texts(draw: st.DrawFn) -> tuple[bytes, set[float]]:
    """JSON-ish text full of long number-like runs, and a set of floats some of those runs read as."""
    tokens = [
        "".join(draw(st.lists(st.sampled_from(NUMBER_PIECES), min_size=1, max_size=8))) for _ in range(4)
    ]
    text = draw(st.sampled_from([" ", ",", '"', ":"])).join(tokens)
    floats: set[float] = set()
    for token in tokens:
        try:
            value = float(token)
        except ValueError:
            continue
        if draw(st.booleans()):
            floats.add(value)
    floats.update(draw(st.lists(st.floats(allow_nan=False), max_size=2)))
    return text.encode(), floats


@needs_native
@given(case=number_texts())
def test_native_exact_number_check_agrees(case: tuple[bytes, set[float]]) -> None:
    text, floats = case
    assert event_json.floats_exact(text, floats, native=True) is event_json.floats_exact(
        text, floats, native=False
    )


@needs_native
def test_native_exact_number_check_examples() -> None:
    check = native_tables.core.floats_exact
    assert check(b'{"a": 0.30000000000000004}', {0.30000000000000004}) is True  # the shortest form itself
    assert check(b'{"a": 0.3000000000000000000}', {0.3}) is True  # longer spelling, same value
    assert check(b'{"a": 0.30000000000000001}', {0.3}) is False  # reads as 0.3, is not 0.3
    assert check(b'{"a": 12345678901234567890}', {1.2345678901234567e19}) is False
    assert check(b'{"a": 1234567890123456789e1, "b": "1-2-3-4-5-6-7-8-9"}', set()) is True
    assert check(b"-0.0000000000000000", {0.0}) is True
    for native in (True, False):  # a spelling beyond the double range is never exact, whatever Decimal says
        assert event_json.floats_exact(b"1e1234567800000000000", {float("inf")}, native=native) is False
    long_token = b"1." + b"0" * 600 + b"1"
    assert check(long_token, {1.0}) is False  # too long to compare here: reported inexact (re-decoded)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("0e123456780000000000000000", True),  # zero, whatever the exponent
        ("1e123456780000000000000000", False),  # beyond every double: a literal, never a number in range
        ("-1e-123456780000000000000000", True),  # vanishes to zero, as 1e-400 does
        ("0.0000000000000000e999999999", True),
    ],
)
def test_exponents_beyond_decimal_range_do_not_break_matching(number: str, expected: bool) -> None:
    # Exponents past what decimal.Decimal holds once raised InvalidOperation from the exact re-decode.
    event = f'{{"a": {number}}}'.encode()
    for native in (True, False) if NATIVE else (False,):
        with engine(native):
            pattern = tamis.compile_pattern({"a": [{"numeric": [">", -1]}]})
        assert pattern.matches(event) is expected, (number, native)


def test_environment_switch_selects_the_python_twin() -> None:
    import subprocess

    code = (
        "from tamis.runtime.events import matcher as m; import tamis;"
        " p = tamis.compile_pattern({'a': [1]});"
        "assert p.matches({'a': 1}); print(m.USE_NATIVE, p._rules._matcher._native_tables is not None)"
    )
    env = {**os.environ, "TAMIS_NATIVE": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------------------------------------------------
# Array consistency (runtime/events/array_consistency.py; in the core, consistent_groups): rules whose
# fields sit inside arrays of objects of several elements, nested arrays, `exists: false` among them.

ARRAY_LEAVES = ["a", "b", "n.c", "n.d"]  # under "r", whose value is an array of objects in most events
ARRAY_MATCHERS = st.sampled_from(
    [
        "x",
        "y",
        1,
        {"prefix": "x"},
        {"exists": True},
        {"exists": False},
        {"anything-but": "x"},
        {"numeric": [">", 1]},
    ]
)


@st.composite
def array_rules(draw: st.DrawFn) -> dict[str, Any]:
    """A rule on two to four fields under "r" (some under "r.n"), sometimes with an `$or`, sometimes with
    a field outside the arrays."""
    leaves = draw(st.lists(st.sampled_from(ARRAY_LEAVES), min_size=2, max_size=4, unique=True))
    inner: dict[str, Any] = {}
    for leaf in leaves:
        matchers = draw(st.lists(ARRAY_MATCHERS, min_size=1, max_size=2, unique_by=dumps))
        head, _, tail = leaf.partition(".")
        if tail:
            inner.setdefault(head, {})[tail] = matchers
        else:
            inner[head] = matchers
    rule: dict[str, Any] = {"r": inner}
    if draw(st.booleans()):
        rule["s"] = draw(st.lists(ARRAY_MATCHERS, min_size=1, max_size=2, unique_by=dumps))
    if draw(st.integers(0, 3)) == 0:
        rule = {"$or": [rule, {"r": {"a": ["y"], "b": [{"exists": False}]}}]}
    return rule


ARRAY_VALUES = st.sampled_from(["x", "y", "xy", 1, 2, None])


def array_value() -> st.SearchStrategy[Any]:
    """A leaf or an array of leaves."""
    return ARRAY_VALUES | st.lists(ARRAY_VALUES, max_size=3)


def array_element() -> st.SearchStrategy[dict[str, Any]]:
    """An element of "r": some of a, b and n, n an object, an array of objects or an array of arrays."""
    leaf = st.dictionaries(st.sampled_from(["c", "d"]), array_value(), max_size=2)
    n = (
        leaf
        | st.lists(leaf, min_size=1, max_size=3)
        | st.lists(st.lists(leaf, max_size=2), min_size=1, max_size=2)
    )
    keys = {"a": array_value(), "b": array_value(), "n": n}
    return st.fixed_dictionaries({}, optional=keys)  # type: ignore[arg-type]


ARRAY_EVENTS = st.fixed_dictionaries(
    {
        "r": array_element()
        | st.lists(array_element(), min_size=1, max_size=4)
        | st.lists(st.lists(array_element(), max_size=3), min_size=1, max_size=2)
    },
    optional={"s": array_value()},
)


@needs_native
@given(
    rules=st.lists(array_rules(), min_size=1, max_size=4),
    events=st.lists(ARRAY_EVENTS, min_size=1, max_size=4),
)
def test_array_consistency_agrees_on_both_engines(rules: list[dict[str, Any]], events: list[Any]) -> None:
    sets = {}
    for native in (True, False):
        with engine(native):
            rs = tamis.RuleSet()
            for i, rule in enumerate(rules):
                rs.add(f"rule-{i}", dumps(rule))
        sets[native] = rs
    for event in events:
        event_text = dumps(event)
        note(f"event: {event_text}")
        expected = [f"rule-{i}" for i, rule in enumerate(rules) if ref_matches(dumps(rule), event_text)]
        assert sets[True].matches(event_text) == expected
        assert sets[False].matches(event_text) == expected


@pytest.mark.parametrize("native", [True, False] if NATIVE else [False])
def test_array_consistency_examples(native: bool) -> None:
    rules = {
        "same-element": {"r": {"a": ["x"], "b": ["y"]}},
        "nested": {"r": {"a": ["x"], "n": {"c": ["y"], "d": [1]}}},
        "absent-in-chosen": {"r": {"a": ["x"], "b": [{"exists": False}]}},
        "absent-first": {"r": {"a": [{"exists": False}], "b": ["y"]}},
        "outside": {"r": {"a": ["x"]}, "s": ["y"]},
    }
    with engine(native):
        rs = tamis.RuleSet()
        for name, rule in rules.items():
            rs.add(name, rule)
    # "x" and "y" in different elements: no rule that needs both in one element matches; b is absent from
    # the element chosen for a.
    assert rs.matches({"r": [{"a": "x"}, {"b": "y"}], "s": "y"}) == ["absent-in-chosen", "outside"]
    assert rs.matches({"r": [{"a": "x", "b": "z"}, {"a": "z", "b": "y"}]}) == []
    assert rs.matches({"r": [{"b": "z"}, {"a": "x", "b": "y"}]}) == ["same-element"]
    # Nested arrays: c and d must come from one element of the inner array, inside the element holding a.
    event = {"r": [{"a": "x", "n": [{"c": "y"}, {"d": 1}]}, {"a": "z", "n": [{"c": "y", "d": 1}]}]}
    assert rs.matches(event) == ["absent-in-chosen"]
    event = {
        "r": [
            {"a": "q", "n": [{"c": "y", "d": 1}]},
            {"a": "x", "n": [{"c": "y", "d": 2}, {"c": "y", "d": 1}]},
        ]
    }
    assert rs.matches(event) == ["nested", "absent-in-chosen"]
    # `exists: false` on a comes first in lexical order, with no element chosen yet: any element holding a
    # makes it fail, even one other than the element b is then found in.
    assert rs.matches({"r": [{"b": "y"}, {"a": "x"}]}) == ["absent-in-chosen"]
    assert rs.matches({"r": [{"b": "y"}, {"c": "x"}]}) == ["absent-first"]
    if native:  # the core decides these events itself, consistency search included
        tables = rs._matcher._native_tables
        assert tables is not None
        assert native_tables.core.match({"r": [{"a": "x", "b": "z"}, {"a": "z", "b": "y"}]}, tables) == []


@pytest.mark.parametrize("native", [True, False])
def test_a_pattern_indexes_its_cheap_conditions(native: bool) -> None:
    """A compiled Pattern's one rule is never crowded: its numeric, `exists`, anything-but and literal
    conditions are decided by the walk (no per-candidate pass); wildcards and ignore-case stay tested per
    candidate. Answers are the reference's either way (the property tests run compile_pattern)."""
    if native and not NATIVE:
        pytest.skip("the native matcher core is not built here")
    pattern = {
        "a": ["x"], "n": [{"numeric": [">", 0, "<=", 5]}], "e": [{"exists": False}],
        "b": [{"anything-but": ["no"]}], "t": [True], "w": [{"wildcard": "p*q"}],
    }  # fmt: skip
    with engine(native):
        compiled = tamis.compile_pattern(pattern)
        rules = tamis.RuleSet()
        rules.add("r", pattern)
    residual = {compiled._rules._matcher._conds[i].cond.path for i in compiled._rules._matcher._residual}
    assert residual == {"w"}
    assert len(rules._matcher._residual) > 1  # a RuleSet keeps them per candidate: it may grow crowded
    text = dumps(pattern)
    for event in (
        {"a": "x", "n": 3, "b": "yes", "t": True, "w": "pzq"},
        {"a": "x", "n": 6, "b": "yes", "t": True, "w": "pq"},
        {"a": "x", "n": 1, "b": "no", "t": True, "w": "pq", "e": 1},
    ):
        expected = ref_matches(text, dumps(event))
        assert compiled.matches(event) is expected
        assert compiled.matches(dumps(event).encode()) is expected
        assert rules.matches(event) == (["r"] if expected else [])
