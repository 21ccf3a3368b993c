"""Bad patterns get a located PatternError that names the rule broken; never a traceback or a silent accept.

Each case names the text the error must point at (its first character gives the expected line and
column) and words the message must contain.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import tamis
from tamis import PatternError


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the ``occurrence``-th ``needle`` in ``text``."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def rejected(text: str | bytes | Any, **options: Any) -> PatternError:
    with pytest.raises(PatternError) as info:
        tamis.compile_pattern(text, **options)
    return info.value


# (pattern text, what the error points at, words the message must contain)
EVENTBRIDGE_CASES = [
    ('{\n  "a": [{"prefix": 5}]\n}', "5", ['"prefix"', "string"]),
    ('{"a": [{"suffix": null}]}', "null", ['"suffix"', "string"]),
    ('{"a": [{"equals-ignore-case": 5}]}', "5", ['"equals-ignore-case"', "string"]),
    ('{"a": [{"wildcard": ["x"]}]}', '["x"]', ['"wildcard"', "string"]),
    ('{"a": [{"exactly": 5}]}', "5", ['"exactly"', "string"]),
    ('{"a": [{"exists": "true"}]}', '"true"', ['"exists"', "true", "false"]),
    ('{"a": "x"}', '"x"', ['"a"', "object", "array"]),
    ('{"a": 5}', "5", ['"a"', "object", "array"]),
    ('{"a": []}', "[]", ['"a"', "empty"]),
    ('{"a": {}}', "{}", ["empty"]),
    ("{}", "{}", ["empty"]),
    ("[]", "[]", ["object"]),
    ('"x"', '"x"', ["object"]),
    ('{"a": [[1]]}', "[1]", []),
    ('{"a": [{"regex": "x"}]}', '"regex"', ["regex"]),
    ('{"a": [{"contains": "x"}]}', '"contains"', ["contains"]),
    ('{"a": [{"prefix": "x", "suffix": "y"}]}', '{"prefix"', []),
    ('{"a": [{"numeric": [">", "5"]}]}', '"5"', ['"numeric"', "number"]),
    ('{"a": [{"numeric": 5}]}', "5", ['"numeric"']),
    ('{"a": [{"numeric": ["!=", 5]}]}', '"!="', ["!="]),
    ('{"a": [{"numeric": [">", 5, "<", 1]}]}', '[">"', ['"numeric"']),
    ('{"a": [{"numeric": [">", 1e400]}]}', "1e400", []),
    ('{"a": [{"wildcard": "a**b"}]}', '"a**b"', ['"wildcard"', "consecutive"]),
    ('{"a": [{"wildcard": "a\\\\b"}]}', '"a\\\\b"', ['"wildcard"', "escape"]),
    ('{"a": [{"cidr": "10.0.0.0/32"}]}', '"10.0.0.0/32"', ['"cidr"', "32"]),
    ('{"a": [{"cidr": "10.0.0.256/24"}]}', '"10.0.0.256/24"', ['"cidr"']),
    ('{"a": [{"cidr": "bogus"}]}', '"bogus"', ['"cidr"']),
    ('{"a": [{"anything-but": [1, "a"]}]}', '[1, "a"]', ['"anything-but"']),
    ('{"a": [{"anything-but": null}]}', "null", ['"anything-but"']),
    ('{"a": [{"anything-but": {"prefix": ""}}]}', '""', ["prefix"]),
    ('{"a": [{"anything-but": {"numeric": [">", 1]}}]}', '"numeric"', ["numeric"]),
    ('{"$or": [{"a": ["1"]}]}', '[{"a"', ['"$or"']),
    ('{"$or": [{"a": ["1"]}, 5]}', "5", ['"$or"']),
    ('{"$or": [{"numeric": [">", 1]}, {"b": ["1"]}]}', '"numeric"', ["numeric"]),
]


@pytest.mark.parametrize(("text", "anchor", "words"), EVENTBRIDGE_CASES)
def test_eventbridge_error_is_located(text: str, anchor: str, words: list[str]) -> None:
    err = rejected(text, dialect="eventbridge")
    assert (err.line, err.column) == at(text, anchor), err
    for word in words:
        assert word.lower() in err.message.lower(), (word, err.message)
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(
    ("text", "anchor", "word"),
    [
        ('{"a":["x"', None, "end of input"),
        ("{'a':['x']}", "'a'", "double quotes"),
        ('{"a": ["x"],}', "}", "json"),
        ('{"a": ["x"]} trailing', "trailing", "json"),
        ('{"a": [01]}', "01", "json"),
        ('{"a": [NaN]}', "NaN", "json"),
    ],
)
def test_malformed_json_is_located(text: str, anchor: str | None, word: str) -> None:
    err = rejected(text)
    assert err.line is not None and err.column is not None
    if anchor is not None:
        line, column = at(text, anchor)
        assert err.line == line and column <= err.column <= column + len(anchor), err
    else:  # end of input: after the last character written
        assert (err.line, err.column) >= (1, len(text)), err
    assert word in err.message.lower(), err.message


def test_error_names_source_line_and_column() -> None:
    text = '{\n  "detail": {\n    "state": [{"prefix": 5}]\n  }\n}'
    err = rejected(text, source="rules/orders.json")
    line, column = at(text, "5")
    assert str(err).startswith(f"rules/orders.json:{line}:{column}: ")
    assert '"prefix" expects a string' in str(err)


def test_invalid_utf8_is_a_pattern_error() -> None:
    err = rejected(b'{"a": ["\xff"]}')
    assert (err.line, err.column) == (1, 9)


def test_python_values_are_checked_too() -> None:
    """Patterns given as dicts get the same rules (a pointer instead of a position)."""
    for bad in ({"a": [{"prefix": 5}]}, {"a": "x"}, {}, [], 5, None, {"a": [{1, 2}]}):
        with pytest.raises(PatternError):
            tamis.compile_pattern(bad)  # type: ignore[arg-type]


def test_unknown_dialect_and_scope_are_rejected() -> None:
    with pytest.raises(ValueError):
        tamis.compile_pattern('{"a": ["x"]}', dialect="kafka")
    with pytest.raises(ValueError):
        tamis.compile_pattern('{"a": ["x"]}', dialect="sns", scope="Body")


# ---------------------------------------------------------------------------------------------------------
# Limits (the services' documented numbers)


def _pattern_of_length(n: int) -> str:
    head = '{"a": ["'
    tail = '"]}'
    return head + "x" * (n - len(head) - len(tail)) + tail


def test_eventbridge_pattern_size_limit() -> None:
    # "Event pattern size": 2048 characters by default, a quota that can be raised to 4096
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html; PutRule's EventPattern
    # takes at most 4096).
    assert tamis.compile_pattern(_pattern_of_length(2048)).matches({"a": "x" * (2048 - 11)})
    err = rejected(_pattern_of_length(2049))
    assert err.line is not None and err.column is not None
    assert "2048" in err.message
    raised = tamis.compile_pattern(_pattern_of_length(4096), pattern_size=4096)
    assert raised.matches({"a": "x" * (4096 - 11)})
    err = rejected(_pattern_of_length(4097), pattern_size=4096)
    assert "4096" in err.message
    with pytest.raises(ValueError):
        tamis.compile_pattern(_pattern_of_length(100), pattern_size=4097)


def test_options_of_another_dialect_are_refused_not_ignored() -> None:
    for dialect in ("eventbridge", "lambda"):
        with pytest.raises(tamis.PatternError, match="sns dialect only") as info:
            tamis.compile_pattern('{"a": ["x"]}', dialect=dialect, scope="MessageBody")
        assert info.value.rule == "dialect"
    with pytest.raises(tamis.PatternError, match="eventbridge dialect only"):
        tamis.compile_pattern('{"a": ["x"]}', dialect="sns", pattern_size=4096)
    assert tamis.compile_pattern('{"a": ["x"]}', dialect="sns", scope="MessageBody").matches({"a": "x"})


def test_sns_key_limit() -> None:
    # "A filter policy can have a maximum of five keys."
    # https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
    five = {f"k{i}": ["v"] for i in range(5)}
    tamis.compile_pattern(json.dumps(five), dialect="sns")
    six = json.dumps({f"k{i}": ["v"] for i in range(6)})
    err = rejected(six, dialect="sns", scope="MessageAttributes")
    assert err.line is not None and "5" in err.message


def test_sns_combination_limit() -> None:
    # "The total combination of values in a filter policy must not exceed 150 ... multiply the number of
    # values in each array" (same page). 10 * 15 = 150 is allowed, 10 * 16 = 160 is not.
    ok = {"a": [str(i) for i in range(10)], "b": [str(i) for i in range(15)]}
    tamis.compile_pattern(json.dumps(ok), dialect="sns")
    bad = {"a": [str(i) for i in range(10)], "b": [str(i) for i in range(16)]}
    err = rejected(json.dumps(bad), dialect="sns")
    assert err.line is not None
    nested = {"a": {"b": [str(i) for i in range(10)]}, "c": [str(i) for i in range(16)]}
    rejected(json.dumps(nested), dialect="sns", scope="MessageBody")


def test_sns_policy_size_limit() -> None:
    # "The maximum size of a filter policy is 256 KB." (same page)
    big = json.dumps({"a": ["x" * (256 * 1024)]})
    err = rejected(big, dialect="sns", scope="MessageBody")
    assert err.line is not None


def test_sns_number_range() -> None:
    # "For numeric matching, the value can range from -10^9 to 10^9 ... with five digits of accuracy
    # after the decimal point." (same page)
    tamis.compile_pattern('{"p": [{"numeric": [">=", -1000000000, "<=", 1000000000]}]}', dialect="sns")
    text = '{"p": [{"numeric": [">", 1000000001]}]}'
    err = rejected(text, dialect="sns")
    assert (err.line, err.column) == at(text, "1000000001")


def test_sns_attribute_scope_has_no_nesting() -> None:
    # "Amazon SNS doesn't accept a nested filter policy for attribute-based filtering." (same page)
    text = '{"store": {"key": ["x"]}}'
    err = rejected(text, dialect="sns", scope="MessageAttributes")
    assert err.line == 1 and err.column in (at(text, '"store"')[1], at(text, '{"key"')[1])
    tamis.compile_pattern(text, dialect="sns", scope="MessageBody")


def test_sns_empty_policy_is_accepted() -> None:
    # EventBridge rejects {}; an SNS subscription with the empty policy receives every message (corpus:
    # sns_filter_policy_disputed.jsonl, sns-disputed-0005, from moto's suite).
    rejected("{}", dialect="eventbridge")
    assert tamis.compile_pattern("{}", dialect="sns", scope="MessageBody").matches('{"a": 1}')


def test_lambda_criteria_errors() -> None:
    with pytest.raises(PatternError):
        tamis.compile_pattern('{"Filters": "x"}', dialect="lambda")
    with pytest.raises(PatternError):
        tamis.compile_pattern('{"Filters": [{"Pattern": "{\\"body\\": "}]}', dialect="lambda")
    with pytest.raises(PatternError):
        tamis.compile_pattern(
            '{"Filters": [{"Pattern": "{\\"body\\": {\\"a\\": [{\\"prefix\\": 5}]}}"}]}', dialect="lambda"
        )
    # "By default, you can define up to five different filters for a single event source mapping" (quota
    # raisable to 10): https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
    eleven = {"Filters": [{"Pattern": json.dumps({"body": {"n": [i]}})} for i in range(11)]}
    with pytest.raises(PatternError):
        tamis.compile_pattern(json.dumps(eleven), dialect="lambda")


def test_malformed_event_is_a_typed_error() -> None:
    pattern = tamis.compile_pattern('{"a": ["x"]}')
    with pytest.raises(tamis.TamisError):
        pattern.matches('{"a": "x"')
    with pytest.raises(tamis.TamisError):
        pattern.matches(b'{"a": "\xff"}')


def test_every_independent_mistake_is_found_in_one_run() -> None:
    text = """{
  "source": [{"prefix": 7}],
  "detail": {
    "a": [{"sufix": "x"}],
    "b": "plain"
  }
}"""
    with pytest.raises(PatternError) as err:
        tamis.compile_pattern(text, source="p.json")
    first = err.value
    # The one raised is the one a single-error run raised: the structure is read before the values.
    assert (first.rule, first.line) == ("field-value-type", 5)
    found = [(e.rule, e.line) for e in first.all_errors]
    assert found == [("field-value-type", 5), ("operator-unknown", 4), ("prefix-type", 2)]  # fields in order


def test_a_mistake_repeated_in_or_branches_counts_once() -> None:
    text = '{"$or": [{"a": [1]}, {"b": [2]}], "c": [{"prefix": 7}]}'
    with pytest.raises(PatternError) as err:
        tamis.compile_pattern(text)
    assert [e.rule for e in err.value.all_errors] == ["prefix-type"]


def test_lint_reports_every_mistake_of_one_pattern(tmp_path: Path) -> None:
    from tamis.lint import lint

    text = """{
  "source": [{"prefix": 7}],
  "detail": {"a": [{"sufix": "x"}], "b": [{"numeric": [">", "1"]}]}
}"""
    (tmp_path / "rule-pattern.json").write_text(text, encoding="utf-8")
    codes = sorted((d.code, d.line) for d in lint(None, cwd=tmp_path).diagnostics)
    assert codes == [
        ("EVT203", 3),  # operator-unknown
        ("EVT206", 2),  # prefix-type
        ("EVT221", 3),  # numeric-value
    ]
