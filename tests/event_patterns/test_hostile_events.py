"""Hostile events on every entry point and both engines: an answer or an EventError, never another error.

Nesting is bounded at 1000 levels (EventBridge's PutEvents limit), whatever carries the JSON: an event as
text or bytes, an SNS message body or String.Array attribute, a Lambda record's body or data payload.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

import tamis
from tamis.errors import EventError
from tamis.runtime.events import matcher
from tamis.runtime.json_values import EVENT_MAX_DEPTH


@pytest.fixture(params=["native", "python"], autouse=True)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "native" and not matcher.USE_NATIVE:
        pytest.skip("the native matcher is not built")
    monkeypatch.setattr(matcher, "USE_NATIVE", request.param == "native")
    yield request.param


def nested(levels: int, leaf: str = '"x"') -> str:
    return '{"a":' * (levels - 1) + '{"a":' + leaf + "}" + "}" * (levels - 1)


def nested_arrays(levels: int) -> str:
    return '{"a":' + "[" * (levels - 1) + '"x"' + "]" * (levels - 1) + "}"


EB = {"a": [{"exists": True}]}


@pytest.mark.parametrize("levels", [EVENT_MAX_DEPTH + 1, 1024, 1025, 5_000, 100_000])
@pytest.mark.parametrize("form", ["str", "bytes"])
def test_events_past_the_limit_are_event_errors(levels: int, form: str) -> None:
    pattern = tamis.compile_pattern(EB)
    rules = tamis.RuleSet()
    rules.add("r", EB)
    for text in (nested(levels), nested_arrays(levels)):
        event: Any = text if form == "str" else text.encode()
        for call in (pattern.matches, rules.matches):
            with pytest.raises(EventError) as info:
                call(event)
            assert f"deeper than {EVENT_MAX_DEPTH} levels" in info.value.message


def test_events_at_the_limit_are_matched() -> None:
    absent = tamis.compile_pattern({"b": [{"exists": False}]})
    assert absent.matches(nested(EVENT_MAX_DEPTH))
    assert absent.matches(nested(EVENT_MAX_DEPTH).encode())
    assert tamis.compile_pattern({"a": ["x"]}).matches(nested_arrays(EVENT_MAX_DEPTH))


def test_deep_dict_events_get_an_answer_or_an_event_error() -> None:
    deep: Any = "x"
    for _ in range(100_000):
        deep = [deep]
    pattern = tamis.compile_pattern({"a": ["x"]})
    with pytest.raises(EventError):
        pattern.matches({"a": deep})
    chain: Any = 1
    for _ in range(100_000):
        chain = {"a": chain}
    assert pattern.matches(chain) is False  # only the fields the pattern names are read


@pytest.mark.parametrize(
    ("dialect", "options", "pattern", "make"),
    [
        ("sns", {"scope": "MessageBody"}, {"a": ["x"]}, lambda text: text),
        ("sns", {"scope": "MessageBody"}, {"a": ["x"]}, lambda text: text.encode()),
        ("sns", {}, {"a": ["x"]}, lambda text: {"a": {"Type": "String.Array", "Value": text}}),
        ("sns", {}, {"a": [1]}, lambda text: {"a": {"Type": "Number.Array", "Value": text}}),
        ("lambda", {}, {"body": {"a": ["x"]}}, lambda text: {"body": text}),
        (
            "lambda",
            {},
            {"data": {"a": ["x"]}},
            lambda text: {"data": base64.b64encode(text.encode()).decode()},
        ),
        ("lambda", {}, {"a": ["x"]}, lambda text: text),
    ],
)
def test_service_payloads_past_the_limit(
    dialect: str, options: dict[str, Any], pattern: dict[str, Any], make: Any
) -> None:
    compiled = tamis.compile_pattern(pattern, dialect=dialect, **options)
    for text in (nested(EVENT_MAX_DEPTH + 1), "[" * 100_000 + "]" * 100_000):
        with pytest.raises(EventError):
            compiled.matches(make(text))


def test_sns_body_dict_past_the_limit() -> None:
    body: Any = 1
    for _ in range(100_000):
        body = {"a": body}
    with pytest.raises(EventError):
        tamis.compile_pattern({"a": ["x"]}, dialect="sns", scope="MessageBody").matches(body)


def test_lone_surrogates_in_str_events_read_as_question_marks() -> None:
    # The services receive UTF-8, whose encoders write each lone surrogate as "?".
    pattern = tamis.compile_pattern({"a": ["x?y"]})
    assert pattern.matches('{"a": "x\ud800y"}')
    assert tamis.compile_pattern({"a": [{"wildcard": "x*y"}]}).matches('{"a": "x\udfffy", "b": 1.5}')
    rules = tamis.RuleSet()
    rules.add("r", {"a": ["x?y"]})
    assert rules.matches('{"a": "x\ud800y"}') == ["r"]
    sns = tamis.compile_pattern({"a": ["x?y"]}, dialect="sns", scope="MessageBody")
    assert sns.matches('{"a": "x\ud800y"}')


@pytest.mark.parametrize(
    "body",
    ['{"a": 1e99999999999999999999}', '{"a": [-1e99999999999999999999]}', '{"a": 1e-99999999999999999999}'],
)
def test_sns_body_numbers_beyond_decimal_range(body: str) -> None:
    # Read as numbers; beyond the double range (or vanishing below it) no numeric test holds, as in
    # EventBridge, while the field exists.
    policy = tamis.compile_pattern({"a": [{"numeric": [">", 1]}]}, dialect="sns", scope="MessageBody")
    assert policy.matches(body) is False
    assert tamis.compile_pattern({"a": [{"exists": True}]}, dialect="sns", scope="MessageBody").matches(body)


def test_integers_past_the_interpreters_digit_limit_in_events() -> None:
    # Read as numbers (not refused as JSON); beyond the double range, as 1e400 is, no numeric test holds.
    huge = "9" * 5000
    event = '{"a": ' + huge + "}"
    numeric = {"a": [{"numeric": [">", 1]}]}
    eb = tamis.compile_pattern(numeric)
    assert eb.matches(event) is eb.matches(event.encode()) is eb.matches('{"a": 1e400}') is False
    assert tamis.compile_pattern({"a": [{"exists": True}]}).matches(event)
    sns = tamis.compile_pattern(numeric, dialect="sns")
    assert sns.matches({"a": {"Type": "Number", "Value": huge}}) is False
    body = tamis.compile_pattern(numeric, dialect="sns", scope="MessageBody")
    assert body.matches(event) is False
    assert tamis.compile_pattern({"a": [{"exists": True}]}, dialect="sns", scope="MessageBody").matches(event)


def test_dict_event_integers_past_the_text_limit_are_numbers_no_rule_spells() -> None:
    """A dict event may hold an int of more digits than Python turns into text (4,300); no rule can spell
    one (the compiler refuses it), so it equals no literal, and is compared like any number too large for
    a double, on both engines."""
    huge = 10**5000
    rs = tamis.RuleSet()
    rs.add("literal", {"a": [9007199254740993]})  # beyond 2**53: matched by its spelling
    rs.add("range", {"a": [{"numeric": [">", 5]}]})
    rs.add("other", {"a": [{"anything-but": [1]}]})
    assert rs.matches({"a": huge}) == ["other"]
    assert rs.matches({"a": [huge, 7]}) == ["range", "other"]
    # beside it, the literal's own number: no double holds it, so it meets the literal and not the range
    assert rs.matches({"a": 9007199254740993}) == ["literal", "other"]
    assert not tamis.compile_pattern({"": [9007199254740993]}).matches({"": -huge})
