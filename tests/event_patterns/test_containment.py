"""Containment of compiled patterns (compiler/event_patterns/containment.py): proved or withheld, never
wrong. The property test checks every proof against the reference interpreter on events drawn for both
patterns."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import assume, event, given, note
from hypothesis import strategies as st
from support.pattern_strategies import VALUE_LISTS, draw_object, dumps, events_for, within_wildcard_limit
from support.reference_patterns import ref_matches

from tamis.compiler.event_patterns.bus_events import never_matches
from tamis.compiler.event_patterns.containment import contains, identical
from tamis.compiler.event_patterns.dialects import dialect_for
from tamis.errors import PatternError


def compiled(pattern: str | dict[str, Any], dialect: str = "eventbridge") -> list[Any]:
    text = pattern if isinstance(pattern, str) else dumps(pattern)
    return dialect_for(dialect).compile(text)


@pytest.mark.parametrize(
    ("inner", "outer"),
    [
        ('{"source": ["a"], "detail-type": ["x"]}', '{"source": ["a"]}'),
        ('{"source": ["orders"]}', '{"source": [{"prefix": "ord"}]}'),
        ('{"source": ["orders"]}', '{"source": [{"suffix": "ers"}]}'),
        ('{"source": ["orders"]}', '{"source": [{"equals-ignore-case": "ORDERS"}]}'),
        ('{"source": ["orders"]}', '{"source": [{"prefix": {"equals-ignore-case": "ORD"}}]}'),
        ('{"source": ["orders"]}', '{"source": [{"wildcard": "o*s"}]}'),
        ('{"source": ["orders"]}', '{"source": [{"anything-but": ["billing"]}]}'),
        ('{"source": ["orders"]}', '{"source": [{"anything-but": {"prefix": "bill"}}]}'),
        ('{"source": ["orders"]}', '{"source": [{"exists": true}]}'),
        ('{"source": [{"prefix": "orders-eu"}]}', '{"source": [{"prefix": "orders"}]}'),
        ('{"source": [{"prefix": "orders"}]}', '{"source": [{"wildcard": "ord*"}]}'),
        ('{"source": [{"suffix": "-eu"}]}', '{"source": [{"suffix": "u"}]}'),
        ('{"n": [5]}', '{"n": [{"numeric": [">", 0, "<=", 5]}]}'),
        ('{"n": [{"numeric": [">=", 1, "<", 2]}]}', '{"n": [{"numeric": [">", 0]}]}'),
        ('{"n": [{"numeric": ["=", 3]}]}', '{"n": [{"anything-but": [4, 5]}]}'),
        ('{"ip": [{"cidr": "10.0.1.0/24"}]}', '{"ip": [{"cidr": "10.0.0.0/16"}]}'),
        ('{"ip": ["10.0.0.7"]}', '{"ip": [{"cidr": "10.0.0.0/24"}]}'),
        ('{"a": [{"anything-but": ["x", "y"]}]}', '{"a": [{"anything-but": ["x"]}]}'),
        ('{"a": [{"exists": false}]}', '{"a": [{"exists": false}, "b"]}'),
        ('{"a": [null, true]}', '{"a": [null, true, false]}'),
        ('{"$or": [{"a": ["1"]}, {"b": ["2"]}]}', '{"$or": [{"b": ["2"]}, {"a": [{"prefix": "1"}]}]}'),
        ('{"a": ["1"], "b": ["2"]}', '{"$or": [{"c": ["3"]}, {"a": ["1"]}]}'),
        ('{"d": {"e": ["1"]}}', '{"d": {"e": ["1", "2"]}}'),
    ],
)
def test_proved(inner: str, outer: str) -> None:
    assert contains(compiled(outer), compiled(inner)) is True


@pytest.mark.parametrize(
    ("inner", "outer"),
    [
        ('{"source": ["a"]}', '{"source": ["a"], "detail-type": ["x"]}'),  # the outer is narrower
        ('{"source": [{"prefix": "ord"}]}', '{"source": ["orders"]}'),
        ('{"source": [{"prefix": "or"}]}', '{"source": [{"prefix": "ord"}]}'),
        ('{"source": ["orders"]}', '{"source": [{"anything-but": {"prefix": "ord"}}]}'),
        ('{"n": [{"numeric": [">", 0]}]}', '{"n": [{"numeric": [">", 0, "<", 5]}, {"numeric": [">=", 5]}]}'),
        ('{"n": [{"numeric": [">=", 0]}]}', '{"n": [{"numeric": [">", 0]}]}'),
        ('{"a": [{"exists": false}, "b"]}', '{"a": ["b"]}'),  # the inner matches events without "a"
        ('{"a": [{"wildcard": "a*b"}]}', '{"a": [{"wildcard": "a*"}]}'),  # not decided: unknown
        ('{"a": ["K"]}', '{"a": [{"equals-ignore-case": "\\u212a"}]}'),  # the Kelvin sign: not assumed
        ('{"ip": [{"cidr": "10.0.0.0/8"}]}', '{"ip": [{"cidr": "10.0.0.0/16"}]}'),
        ('{"ip": ["10.0.0.1"]}', '{"ip": [{"anything-but": ["10.0.0.2"]}]}'),
        ('{"$or": [{"a": ["1"]}, {"b": ["2"]}]}', '{"a": ["1"]}'),
    ],
)
def test_not_proved(inner: str, outer: str) -> None:
    assert contains(compiled(outer), compiled(inner)) is None


def test_identical_up_to_spelling() -> None:
    a = compiled('{"source": ["b", "a", "a"], "detail": {"n": [{"numeric": ["=", 5]}]}}')
    b = compiled('{"detail": {"n": [{"numeric": ["=", 5.0]}]}, "source": ["a", "b"]}')
    assert identical(a, b)
    assert not identical(a, compiled('{"source": ["a", "b"], "detail": {"n": [{"numeric": ["=", 6]}]}}'))
    assert identical(compiled('{"a": ["x"]}'), compiled('{"a": [{"exactly": "x"}]}'))


def test_sns_policies_compare_too() -> None:
    wide = compiled('{"kind": ["order"]}', "sns")
    narrow = compiled('{"kind": ["order"], "amount": [{"numeric": [">", 100]}]}', "sns")
    assert contains(wide, narrow) is True
    assert contains(narrow, wide) is None
    assert contains(compiled("{}", "sns"), wide) is True  # no filter policy: every message


# --- soundness: a proof is never contradicted by the reference interpreter ------------------------------


def _widen(rng: random.Random, draw: st.DrawFn, value: Any, name: str) -> Any:
    """A pattern value that often, but not always, takes more than ``value``."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key != "$or" and rng.random() < 0.2:
                continue  # a field left out: unconstrained
            out[key] = _widen(rng, draw, item, key)
        return out or value
    if not isinstance(value, list):
        return value
    items = list(value)
    if all(isinstance(v, dict) for v in items) and name == "$or":
        return [_widen(rng, draw, v, name) for v in items]
    out_items: list[Any] = []
    for item in items:
        roll = rng.random()
        if isinstance(item, str) and item and roll < 0.3:
            cut = rng.randint(0, len(item))
            op = rng.choice(["prefix", "suffix", "wildcard"])
            if op == "wildcard":
                star = item[:cut].replace("\\", "\\\\").replace("*", "\\*") + "*"
                out_items.append({"wildcard": star})
            elif cut and op == "prefix":
                out_items.append({"prefix": item[:cut]})
            elif len(item) - cut:
                out_items.append({"suffix": item[cut:]})
            else:
                out_items.append(item)
        elif roll < 0.4:
            out_items.append({"exists": True})
        else:
            out_items.append(item)
    if name in VALUE_LISTS and rng.random() < 0.3:
        out_items.extend(draw(VALUE_LISTS[name]))
    return out_items


@st.composite
def pattern_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    inner = draw_object(draw)
    if draw(st.integers(0, 4)) == 0:
        outer = draw_object(draw)
    else:
        rng = random.Random(draw(st.integers(0, 2**32 - 1)))
        outer = _widen(rng, draw, inner, "")
    assume(within_wildcard_limit(inner) and within_wildcard_limit(outer))
    return inner, outer, [*events_for(draw, inner, 12), *events_for(draw, outer, 4)]


@given(case=pattern_pairs())
def test_a_proof_is_never_contradicted(case: tuple[dict[str, Any], dict[str, Any], list[Any]]) -> None:
    inner, outer, events = case
    inner_text, outer_text = dumps(inner), dumps(outer)
    note(f"inner: {inner_text}\nouter: {outer_text}")
    try:
        proved = contains(compiled(outer_text), compiled(inner_text))
    except PatternError:  # a pattern the compiler rejects (too many combinations...) is not a case
        assume(False)
        return
    event("proved" if proved else "unknown")
    if not proved:
        return
    for item in events:
        event_text = dumps(item)
        if ref_matches(inner_text, event_text):
            note(f"event: {event_text}")
            assert ref_matches(outer_text, event_text), event_text


# --- patterns that match no event on a bus (compiler/event_patterns/bus_events.py) ----------------------


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ('{"detail_type": ["Created"]}', '"detail_type" is not a field of events on an event bus'),
        ('{"source": [5, null, {"numeric": [">", 1]}]}', '"source" is a string on every event'),
        ('{"resources": [true]}', '"resources" is a string on every event'),
        ('{"region": {"name": ["eu"]}}', '"region.name" never holds a value'),
        ('{"$or": [{"Source": ["a"]}, {"account": [1]}]}', '"Source" is not a field'),
    ],
)
def test_never_matches_on_a_bus(pattern: str, why: str) -> None:
    found = never_matches(compiled(pattern))
    assert found is not None and why in found


@pytest.mark.parametrize(
    "pattern",
    [
        '{"detail": {"anything": ["x"]}}',  # detail is the source's own: nothing is claimed
        '{"source": ["a"], "other": [{"exists": false}]}',  # an absent field is what every event has
        '{"source": [5, "a"]}',  # one value may match
        '{"source": [{"anything-but": ["a"]}]}',
        '{"replay-name": [{"prefix": "r"}]}',  # present on replayed events
        '{"$or": [{"Source": ["a"]}, {"source": ["a"]}]}',  # one branch may match
    ],
)
def test_may_match_on_a_bus(pattern: str) -> None:
    assert never_matches(compiled(pattern)) is None


@given(case=pattern_pairs())
def test_never_matches_holds_for_events_on_a_bus(
    case: tuple[dict[str, Any], dict[str, Any], list[Any]],
) -> None:
    """Events shaped as on a bus (the generated fields moved under detail, the envelope's string fields
    drawn as strings or left out) never match a pattern said to match none."""
    inner, _outer, events = case
    renamed = {"source" if k == "a" else "region" if k == "n" else k: v for k, v in inner.items()}
    text = dumps(renamed)
    try:
        why = never_matches(compiled(text))
    except PatternError:
        assume(False)
        return
    event("never" if why else "may")
    if why is None:
        return
    for item in events:
        shaped: dict[str, Any] = {"detail": item}
        for field, value in (("source", item.get("a")), ("region", item.get("n"))):
            if isinstance(value, str):
                shaped[field] = value
        assert not ref_matches(text, dumps(shaped))
