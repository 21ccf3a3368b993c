"""Hostile patterns: every one is a located PatternError, and a refused rule leaves a RuleSet as it was."""

from __future__ import annotations

from typing import Any

import pytest

import tamis
from tamis import PatternError
from tamis.patterns import RuleSet


def deep_dict(levels: int, leaf: Any = ("x",)) -> dict[str, Any]:
    value: Any = list(leaf)
    for _ in range(levels):
        value = {"a": value}
    return value


def test_lone_surrogate_wildcard_is_refused_and_the_set_keeps_working() -> None:
    rules = RuleSet()
    rules.add("good", {"a": [{"wildcard": "a*b"}]})
    with pytest.raises(PatternError) as info:
        rules.add("bad", {"a": [{"wildcard": "a*\ud800"}]})
    assert info.value.rule == "unicode"
    assert info.value.pointer == "/a/0/wildcard"
    assert rules.names == ["good"]
    assert rules.matches({"a": "axb"}) == ["good"]


@pytest.mark.parametrize(
    ("pattern", "pointer"),
    [
        ({"a": [{"prefix": "\udfff"}]}, "/a/0/prefix"),
        ({"a": ["x\ud800"]}, "/a/0"),
        ({"a": {"\ud800": ["x"]}}, "/a/\\ud800"),
        ({"a": [{"anything-but": {"suffix": "\udc00"}}]}, "/a/0/anything-but/suffix"),
        ({"a": [{"equals-ignore-case": "\ud83d"}]}, "/a/0/equals-ignore-case"),
    ],
)
def test_lone_surrogates_anywhere_in_a_dict_pattern(pattern: dict[str, Any], pointer: str) -> None:
    with pytest.raises(PatternError) as info:
        tamis.compile_pattern(pattern)
    assert (info.value.rule, info.value.pointer) == ("unicode", pointer)
    str(info.value).encode("utf-8")  # the message itself can be printed


def test_lone_surrogate_in_pattern_text_is_located() -> None:
    # as a raw character and as a JSON escape, both decode to the same lone surrogate
    for text in ('{"a": [{"wildcard": "a*\ud800"}]}', '{"a": [{"wildcard": "a*\\ud800"}]}'):
        with pytest.raises(PatternError) as info:
            tamis.compile_pattern(text)
        assert (info.value.line, info.value.column, info.value.rule) == (1, 21, "unicode")


def test_surrogate_pair_escapes_are_one_character() -> None:
    assert tamis.compile_pattern('{"a": ["\\ud83d\\ude00"]}').matches({"a": "\U0001f600"})


def test_a_rule_the_index_cannot_hold_is_refused_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever a field index raises when built, the set is left as it was and says so with a PatternError.
    from tamis.runtime.events import field_index

    rules = RuleSet()
    rules.add("good", {"a": ["x"]})
    original = field_index.FieldIndex.__init__

    def failing(self: Any, conditions: list[Any], ip_mode: bool) -> None:
        if any(cond.path == "boom" for _, cond in conditions):
            raise RuntimeError("index refused")
        original(self, conditions, ip_mode)

    monkeypatch.setattr(field_index.FieldIndex, "__init__", failing)
    with pytest.raises(PatternError) as info:
        rules.add("bad", {"boom": ["x"]})
    assert info.value.rule == "runtime-index" and "index refused" in str(info.value)
    assert rules.names == ["good"] and rules.matches({"a": "x"}) == ["good"]


@pytest.mark.parametrize("dialect", ["eventbridge", "sns", "lambda"])
def test_any_depth_of_dict_pattern_is_a_pattern_error(dialect: str) -> None:
    options: dict[str, Any] = {"scope": "MessageBody"} if dialect == "sns" else {}
    for levels in (201, 5_000, 200_000):
        with pytest.raises(PatternError) as info:
            tamis.compile_pattern(deep_dict(levels), dialect=dialect, **options)
        assert info.value.rule == "json-nesting"
        assert "200 levels" in info.value.message


def test_depth_limit_is_the_same_for_text_and_dict() -> None:
    text = '{"a":' * 201 + '["x"]' + "}" * 201
    with pytest.raises(PatternError) as info:
        tamis.compile_pattern(text, pattern_size=4096)
    assert info.value.rule == "json-nesting" and info.value.line == 1
    tamis.compile_pattern(deep_dict(199))
    tamis.compile_pattern('{"a":' * 199 + '["x"]' + "}" * 199, pattern_size=4096)


@pytest.mark.parametrize(
    ("pattern", "rule", "pointer"),
    [
        ({1: ["a"]}, "key-type", "/1"),
        ({"a": {2: ["a"]}}, "key-type", "/a/2"),
        ({"a": [{3: "x"}]}, "key-type", "/a/0/3"),
        ({"a": [{None: "x"}]}, "key-type", "/a/0/None"),
    ],
)
def test_non_string_keys_are_named(pattern: dict[Any, Any], rule: str, pointer: str) -> None:
    with pytest.raises(PatternError) as info:
        tamis.compile_pattern(pattern)
    assert (info.value.rule, info.value.pointer) == (rule, pointer)


def test_sns_bounds_of_any_size_are_range_errors() -> None:
    for bound in (10**400, -(10**400), 10**5000):
        with pytest.raises(PatternError) as info:
            tamis.compile_pattern({"a": [{"numeric": [">", bound]}]}, dialect="sns")
        assert info.value.rule == "number-range"
    with pytest.raises(PatternError) as info:
        tamis.compile_pattern('{"a": [{"numeric": [">", ' + "9" * 4400 + "]}]}", dialect="sns")
    assert (info.value.rule, info.value.line, info.value.column) == ("number-range", 1, 26)


def test_integers_past_the_interpreters_digit_limit() -> None:
    with pytest.raises(PatternError) as info:
        tamis.compile_pattern({"a": [10**5000]})
    assert info.value.rule == "pattern-size" and info.value.pointer == "/a/0"


def test_lambda_patterns_take_4096_characters() -> None:
    # FilterCriteria Filter.Pattern: "Maximum length of 4096" (Lambda API reference, API_Filter).
    def text(size: int) -> str:
        head = '{"body":{"a":["'
        return head + "x" * (size - len(head) - 4) + '"]}}'

    assert len(text(4096)) == 4096
    assert tamis.compile_pattern(text(4096), dialect="lambda").matches({"body": '{"a":"' + "x" * 4077 + '"}'})
    with pytest.raises(PatternError) as info:
        tamis.compile_pattern(text(4097), dialect="lambda")
    assert info.value.rule == "pattern-size" and "4096" in info.value.message
