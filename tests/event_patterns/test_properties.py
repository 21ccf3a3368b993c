"""Property tests: tamis' compiled patterns and RuleSets agree with the plain reference interpreter.

Random valid patterns use every operator, nested objects, ``$or`` and value lists; random events are
biased to hit them (pattern values reused, case variants, prefixes/suffixes grown, numbers in several
spellings, IP strings with leading zeros or another notation, arrays of scalars and of objects, missing
fields). Patterns and events go to the engine as JSON text (exact number literals), as Python values, and
through a RuleSet under random add/remove sequences.

The generators keep away from corners the reference cannot vouch for (see the notes in
tests/support/reference_patterns.py): IP rules and IP values stay in their own fields, per address family;
anything-but never lists IP-looking strings; numeric bounds and numeric anything-but values are exact doubles.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, note
from support.pattern_strategies import (
    COMPARABLE,
    NON_COMPARABLE,
    dumps,
    pattern_and_events,
    ruleset_scripts,
    spellings,
)
from support.reference_patterns import Num, ref_matches

from tamis.grammar.located_json import parse_json


@pytest.fixture(scope="module")
def tamis_api() -> Any:
    import tamis

    try:
        tamis.compile_pattern  # noqa: B018
    except (AttributeError, ModuleNotFoundError) as exc:
        pytest.fail(f"tamis.compile_pattern is not available: {exc}")
    return tamis


@given(case=pattern_and_events())
def test_compiled_pattern_agrees_with_reference(
    tamis_api: Any, case: tuple[dict[str, Any], list[Any]]
) -> None:
    pattern, events = case
    pattern_text = dumps(pattern)
    note(f"pattern: {pattern_text}")
    compiled = tamis_api.compile_pattern(pattern_text, dialect="eventbridge")
    for event in events:
        event_text = dumps(event)
        expected = ref_matches(pattern_text, event_text)
        note(f"event: {event_text}")
        assert compiled.matches(event_text) is expected


@given(case=pattern_and_events())
def test_text_and_value_inputs_agree(tamis_api: Any, case: tuple[dict[str, Any], list[Any]]) -> None:
    """A pattern/event given as JSON text or as parsed Python values (int/Decimal numbers) answers alike."""
    pattern, events = case
    pattern_text = dumps(pattern)
    note(f"pattern: {pattern_text}")
    from_text = tamis_api.compile_pattern(pattern_text, dialect="eventbridge")
    from_value = tamis_api.compile_pattern(parse_json(pattern_text).value, dialect="eventbridge")
    from_bytes = tamis_api.compile_pattern(pattern_text.encode(), dialect="eventbridge")
    for event in events:
        event_text = dumps(event)
        if not all(Num(t).comparable for t in _number_texts(event)):
            continue  # parsed values cannot keep the spelling of numbers that are not exact doubles
        note(f"event: {event_text}")
        expected = from_text.matches(event_text)
        value = parse_json(event_text).value
        assert from_text.matches(value) is expected
        assert from_text.matches(event_text.encode()) is expected
        assert from_value.matches(event_text) is expected
        assert from_value.matches(value) is expected
        assert from_bytes.matches(event_text) is expected


def _number_texts(value: Any) -> list[str]:
    if isinstance(value, Num):
        return [value.text]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _number_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _number_texts(v)]
    return []


@given(script=ruleset_scripts())
def test_ruleset_agrees_with_reference(tamis_api: Any, script: tuple[list[Any], list[Any]]) -> None:
    ops, events = script
    rs = tamis_api.RuleSet(dialect="eventbridge")
    live: dict[str, str] = {}
    for op, name, pattern in ops:
        if op == "add":
            text = dumps(pattern)
            note(f"add {name}: {text}")
            rs.add(name, text)
            live[name] = text
        else:
            note(f"remove {name}")
            rs.remove(name)
            del live[name]
        assert len(rs) == len(live)
    for event in events:
        event_text = dumps(event)
        note(f"event: {event_text}")
        expected = [name for name, text in live.items() if ref_matches(text, event_text)]
        assert rs.matches(event_text) == expected
        assert rs.matches(parse_json(event_text).value) == expected or not all(
            Num(t).comparable for t in _number_texts(event)
        )


def test_spellings_keep_the_value() -> None:
    for text in COMPARABLE + NON_COMPARABLE:
        for other in spellings(text):
            assert Decimal(other) == Decimal(text), (text, other)
    assert "5.0" in spellings("5") and "5e0" in spellings("5")


def test_reference_number_rules() -> None:
    """The reference's ComparableNumber emulation (notes 1.2, 2.1; probes 0014-0016, 0033)."""
    assert Num("5").comparable and Num("5.0").comparable and Num("50e-1").comparable and Num("-0").comparable
    assert Num("0.1").comparable and Num("1e23").comparable and Num("1.7976931348623157e308").comparable
    assert not Num("12345678901234567890").comparable  # more digits than a double holds
    assert not Num("9007199254740993").comparable  # 2**53 + 1
    assert not Num("0.1000000000000000055511151231257827").comparable  # exact value of the double 0.1
    assert not Num("5e-324").comparable  # Java prints Double.MIN_VALUE as 4.9E-324
    assert Num("4.9e-324").comparable
    assert not Num("1e400").comparable


def test_exists_false_checked_in_lexical_order(tamis_api: Any) -> None:
    """event-ruler's StructuredFinder checks exists:false when its field comes up in lexical order (x.c
    before x.z), against the array elements chosen so far, not against those chosen by later fields."""
    pattern = '{"x": {"z": ["1"], "c": [{"exists": false}]}}'
    event = '{"x": [{"z": "1"}, {"z": "3", "c": "2"}]}'
    assert ref_matches(pattern, event) is False
    assert ref_matches(pattern, event, absence_last=True) is True
    assert tamis_api.compile_pattern(pattern).matches(event) is False


def test_inexact_number_literal_keeps_array_consistency(tamis_api: Any) -> None:
    """Found by the dev profile (fixed in the engine): a number that is not an exact double matches by its
    literal only, in the same array element as the other fields."""
    pattern = '{"x": {"b": [{"exists": true}], "n": [5e-324]}}'
    event = '{"x": [{"b": "z", "n": 50e-325}, {"n": 5e-324}]}'
    # Element 0 has b but its n is written 50e-325 (literal text differs: 5e-324 is not an exact double,
    # so only the literal can match); element 1 has the literal but no b.
    assert ref_matches(pattern, event) is False
    assert tamis_api.compile_pattern(pattern).matches(event) is False


@pytest.mark.parametrize("spelling", ["9007199254740993", "9007199254740993.0", "90071992547409930e-1"])
def test_inexact_number_with_fraction_is_not_numeric(tamis_api: Any, spelling: str) -> None:
    pattern = '{"n": [{"numeric": [">", 0]}]}'
    event = '{"n": ' + spelling + "}"
    assert ref_matches(pattern, event) is False  # event-ruler: not comparable, so no numeric match
    assert tamis_api.compile_pattern(pattern).matches(event) is False
