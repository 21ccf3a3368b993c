"""Engine-specific behaviour of the event matcher: the fast paths must answer like the slow ones."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import tamis


def test_float_spelled_longer_than_its_double_is_compared_by_spelling() -> None:
    # 0.10000000000000001 (printf %.17g) is not what Java prints for the double 0.1, so the services do not
    # compare it numerically; orjson would read both as 0.1.
    p = tamis.compile_pattern('{"a": [{"numeric": ["=", 0.1]}]}')
    assert p.matches(b'{"a": 0.1}')
    assert not p.matches(b'{"a": 0.10000000000000001}')
    assert not p.matches('{"a": 0.1000000000000000055511151231257827}')
    # the same value spelled both ways in one event: the short one still matches
    assert p.matches(b'{"a": [0.10000000000000001, 0.1]}')


def test_shortest_float_with_seventeen_digits_stays_on_the_fast_path() -> None:
    p = tamis.compile_pattern('{"x": [{"numeric": ["<", -122.41600944012424]}]}')
    assert p.matches(b'{"x": -122.49636884481997}')
    assert not p.matches(b'{"x": -122.40000000000001}')


def test_literal_numbers_beyond_double_precision_match_by_spelling() -> None:
    p = tamis.compile_pattern('{"n": [12345678901234567890123]}')
    assert p.matches(b'{"n": 12345678901234567890123}')
    assert not p.matches(b'{"n": 12345678901234567890124}')
    assert p.matches({"n": 12345678901234567890123})


def test_decimal_values_in_dict_events_are_exact() -> None:
    p = tamis.compile_pattern('{"a": [{"numeric": ["=", 0.1]}]}')
    assert p.matches({"a": Decimal("0.1")})
    assert not p.matches({"a": Decimal("0.10000000000000001")})


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        # one field under the array: any element may satisfy it, no positions needed
        ({"pts": [{"x": 1}, {"x": 5}], "kind": "poly"}, True),
        ({"pts": [{"x": 1}, {"x": 2}], "kind": "poly"}, False),
    ],
)
def test_single_field_in_array_of_objects(event: dict[str, object], expected: bool) -> None:
    p = tamis.compile_pattern({"kind": ["poly"], "pts": {"x": [{"numeric": [">", 4]}]}})
    assert p.matches(event) is expected
    assert p.matches(json.dumps(event)) is expected


def test_two_fields_in_array_of_objects_must_share_an_element() -> None:
    p = tamis.compile_pattern({"pts": {"x": [5], "y": [6]}})
    assert p.matches({"pts": [{"x": 5, "y": 6}, {"x": 1, "y": 1}]})
    assert not p.matches({"pts": [{"x": 5, "y": 1}, {"x": 1, "y": 6}]})
    # nested arrays: elements of different inner arrays of the same outer element may combine only if the
    # fields live in different arrays
    assert not p.matches({"pts": [[{"x": 5}], [{"y": 6}]]})


def test_exists_false_is_checked_in_the_chosen_element() -> None:
    p = tamis.compile_pattern({"a": {"b": ["1"], "c": [{"exists": False}]}})
    assert p.matches({"a": [{"b": "1"}, {"b": "3", "c": "2"}]})
    assert not p.matches({"a": [{"b": "1", "c": "x"}]})
    assert not p.matches({"a": {"b": "1", "c": "x"}})


def test_dotted_keys_in_events_and_rules() -> None:
    p = tamis.compile_pattern({"detail": {"state": {"status": ["running"]}}})
    assert p.matches({"detail": {"state.status": "running"}})
    assert p.matches({"detail.state.status": "running"})
    assert p.matches({"detail.state": {"status": "running"}})
    # many dotted spellings at one level go through the guarded lookups
    rs = tamis.RuleSet()
    for i in range(6):
        rs.add(f"r{i}", {"a": {"b": {f"c{i}": ["x"]}}})
    assert rs.matches({"a.b.c3": "x"}) == ["r3"]
    assert rs.matches({"a": {"b.c5": "x"}}) == ["r5"]


def test_deep_paths_match() -> None:
    depth = 30
    pattern: dict[str, object] = {"leaf": ["v"]}
    event: dict[str, object] = {"leaf": "v"}
    for i in range(depth):
        pattern = {f"k{i}": pattern}
        event = {f"k{i}": event}
    p = tamis.compile_pattern(pattern)
    assert p.matches(event)
    assert p.matches(json.dumps(event))


def test_rule_set_add_remove_and_same_name_or() -> None:
    rs = tamis.RuleSet()
    rs.add("a", {"x": ["1"]})
    rs.add("b", {"x": ["2"]})
    assert rs.matches({"x": "2"}) == ["b"]
    rs.add("a", {"x": ["2"]})  # adding a name again ORs the patterns
    assert rs.matches({"x": "2"}) == ["a", "b"]
    assert rs.remove("a")
    assert not rs.remove("a")
    assert rs.matches({"x": "1"}) == []
    assert len(rs) == 1 and "b" in rs


def test_many_rules_answer_like_each_rule_alone() -> None:
    patterns = {f"r{i}": {"n": [{"numeric": [">", i]}], "s": [{"prefix": f"p{i % 7}"}]} for i in range(60)}
    rs = tamis.RuleSet()
    singles = {}
    for name, pattern in patterns.items():
        rs.add(name, pattern)
        singles[name] = tamis.compile_pattern(pattern)
    for n in (0, 10, 59):
        for s in ("p3x", "p6", "q"):
            event = {"n": n, "s": s}
            assert rs.matches(event) == [name for name, p in singles.items() if p.matches(event)]


def test_wildcard_on_text_with_lone_surrogates_does_not_crash() -> None:
    p = tamis.compile_pattern('{"a": [{"wildcard": "x*"}]}')
    assert p.matches('{"a": "x\\ud800"}')
    assert not p.matches('{"a": "y\\ud800"}')


def test_invalid_events_raise_typed_errors() -> None:
    p = tamis.compile_pattern('{"a": ["x"]}')
    for bad in (b"{", b"[1]", "not json", 5):
        with pytest.raises(tamis.TamisError):
            p.matches(bad)


def test_eventbridge_pattern_size_quota() -> None:
    big = json.dumps({"a": ["x" * 2100]})
    with pytest.raises(tamis.PatternError, match="at most 2048") as info:
        tamis.compile_pattern(big)
    assert (info.value.line, info.value.column, info.value.rule) == (1, 1, "pattern-size")
    with pytest.raises(tamis.PatternError, match="at most 2048"):
        tamis.compile_pattern({"a": ["x" * 2100]})
    assert tamis.compile_pattern(big, pattern_size=4096).matches({"a": "x" * 2100})
    with pytest.raises(tamis.PatternError, match="between 1 and 4096"):
        tamis.compile_pattern(big, pattern_size=5000)


# Arbitrary input never escapes as anything but a typed error.
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)
_operators = st.sampled_from(
    ["prefix", "suffix", "wildcard", "anything-but", "numeric", "exists", "cidr", "equals-ignore-case", "$or"]
)


@given(st.one_of(st.text(max_size=40), st.binary(max_size=40), _json.map(json.dumps)))
def test_arbitrary_pattern_text_gives_a_pattern_or_a_located_error(text: str | bytes) -> None:
    for dialect in ("eventbridge", "sns", "lambda"):
        try:
            tamis.compile_pattern(text, dialect=dialect)
        except tamis.PatternError as exc:
            assert exc.message


@given(st.dictionaries(st.one_of(_operators, st.text(max_size=4)), _json, min_size=1, max_size=3), _json)
def test_arbitrary_pattern_values_and_events_never_crash(pattern: dict[str, object], event: object) -> None:
    try:
        compiled = tamis.compile_pattern(pattern)
    except tamis.PatternError:
        return
    for form in (event, json.dumps(event), json.dumps(event).encode()):
        with contextlib.suppress(tamis.TamisError):  # a non-object event is a typed error
            assert compiled.matches(form) in (True, False)


def test_cli_reports_undecodable_pattern_and_event_files(tmp_path: Path, capsysbinary: Any) -> None:
    from tamis.cli import main

    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{\n "a": ["\xff"]}')
    assert main(["match", str(bad), str(bad)]) == 2
    err = capsysbinary.readouterr().err.decode()
    assert f"{bad}:2:9: the pattern is not valid UTF-8" in err
    good = tmp_path / "good.json"
    good.write_text('{"a": ["x"]}')
    events = tmp_path / "events.jsonl"
    events.write_bytes(b'{"a": "x"}\n\xff\xfe\n{"a": "y"}\n')
    assert main(["match", str(good), str(events)]) == 2  # one bad line: reported, the rest still matched
    out = capsysbinary.readouterr()
    assert out.out == b'{"a": "x"}\n'
    assert f"{events}:2: the event is not valid JSON" in out.err.decode()
