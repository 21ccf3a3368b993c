"""Paired access (EventMatcher._choose): groups filed under an access condition and a partner, woken only
when an event meets both in elements one choice of array elements can hold.

Rule sets drawn from a small vocabulary share every single condition among many rules, so the pairs are
used; events put the values in one array, two arrays, nested arrays, outside any array and under dotted
spellings, which take the native core's per-element and trail-by-trail routes.
Both engines are checked against the reference interpreter, before and after removals.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from support.matcher_engines import ENGINES, engine
from support.pattern_strategies import dumps
from support.reference_patterns import ref_matches

import tamis

TYPES = ["T0", "T1", "T2"]
NAMES = ["n0", "n1", "n2"]


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(NAMES))
    out: dict[str, Any] = {
        "type": [draw(st.sampled_from(TYPES))],
        "name": draw(st.sampled_from([[name], [{"prefix": name[:2]}], [{"suffix": name[-1]}], [name, "zz"]])),
    }
    if draw(st.booleans()):
        low = draw(st.integers(0, 4))
        out["size"] = [{"numeric": [">=", low, "<", low + draw(st.integers(1, 4))]}]
    if draw(st.integers(0, 3)) == 0:
        out["tags"] = {"k": [draw(st.sampled_from(["a", "b"]))]}
    return out


@st.composite
def rules(draw: st.DrawFn) -> dict[str, Any]:
    shape = draw(st.integers(0, 5))
    if shape == 0:  # a type in one array, a name in another
        return {
            "items": {"type": [draw(st.sampled_from(TYPES))]},
            "other": {"name": [draw(st.sampled_from(NAMES))]},
        }
    if shape == 1:  # a field outside any array beside fields inside one
        return {"items": draw(fields()), "kind": [draw(st.sampled_from(TYPES))]}
    return {draw(st.sampled_from(["items", "items", "other"])): draw(fields())}


@st.composite
def elements(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if draw(st.integers(0, 5)):
        out["type"] = draw(st.sampled_from(TYPES))
    if draw(st.integers(0, 5)):
        name = draw(st.sampled_from(NAMES))
        out["name"] = draw(st.sampled_from([name, name + "x", "m" + name, [name, "zz"]]))
    if draw(st.booleans()):
        out["size"] = draw(st.integers(0, 8))
    if draw(st.booleans()):
        out["tags"] = draw(st.lists(st.fixed_dictionaries({"k": st.sampled_from(["a", "b"])}), max_size=3))
    return out


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = {"items": draw(st.lists(elements(), max_size=5))}
    shape = draw(st.integers(0, 4))
    if shape == 0:
        event["other"] = draw(st.lists(elements(), max_size=3))
    elif shape == 1:
        event["other"] = draw(elements())
    elif shape == 2:  # nested: arrays of arrays of objects
        event["items"] = [event["items"], draw(st.lists(elements(), max_size=2))]
    elif shape == 3:  # the same path under a dotted spelling, outside the array
        event["items.type"] = draw(st.sampled_from(TYPES))
        event["items.name"] = draw(st.sampled_from(NAMES))
    if draw(st.booleans()):
        event["kind"] = draw(st.sampled_from(TYPES))
    return event


@pytest.mark.parametrize("native", ENGINES)
@given(
    patterns=st.lists(rules(), min_size=8, max_size=40),
    probes=st.lists(events(), min_size=1, max_size=6),
    gone=st.sets(st.integers(0, 39)),
)
@settings(deadline=None)
def test_paired_groups_agree_with_reference(
    native: bool, patterns: list[dict[str, Any]], probes: list[dict[str, Any]], gone: set[int]
) -> None:
    with engine(native):
        rs = tamis.RuleSet()
    for i, pattern in enumerate(patterns):
        rs.add(f"r{i}", dumps(pattern))
    live = dict(enumerate(patterns))
    for _ in range(2):
        for event in probes:
            note(f"event: {dumps(event)}")
            want = [f"r{i}" for i, p in live.items() if ref_matches(p, event)]
            assert rs.matches(dumps(event)) == want
            assert rs.matches(event) == want
        for i in gone & set(live):
            assert rs.remove(f"r{i}")
            del live[i]


def arrays_rules(n: int) -> list[tuple[str, dict[str, Any]]]:
    """Every type and every name shared by a twentieth of the rules; each pair by a few."""
    return [
        (f"r{i}", {"items": {"type": [f"T{i % 20}"], "name": [{"prefix": f"n{(i // 20) % 20:02d}"}]}})
        for i in range(n)
    ]


@pytest.mark.parametrize("native", ENGINES)
def test_rules_whose_every_condition_is_shared_are_filed_under_pairs(native: bool) -> None:
    with engine(native):
        rs = tamis.RuleSet()
    rules = arrays_rules(800)
    for name, pattern in rules:
        rs.add(name, pattern)
    matcher = rs._matcher
    paired = sum(
        len(group[0]) for partners in matcher._paired.values() for b in partners.values() for group in b
    )
    alone = sum(len(group[0]) for bucket in matcher._access.values() for group in bucket)
    assert paired > 0.9 * (paired + alone)
    # each element meets one type and one name: only the pairs an element holds wake their groups
    event = {"items": [{"type": f"T{k}", "name": f"n{(k * 3) % 20:02d}-x"} for k in range(20)]}
    want = [name for name, pattern in rules if ref_matches(pattern, event)]
    assert want and rs.matches(event) == want
    # the same values, one per element: no pair is met together
    split = {"items": [{"type": f"T{k}"} for k in range(20)] + [{"name": f"n{k:02d}-x"} for k in range(20)]}
    assert rs.matches(split) == []
    # outside any array, both are met together whatever element the other sits in
    outside = {"items": [{"type": "T3"}, {"name": "n07-x"}], "items.name": "n07-y"}
    assert rs.matches(outside) == [name for name, pattern in rules if ref_matches(pattern, outside)] != []
    # a dotted spelling outside the array beside elements
    dotted = {"items": [{"type": "T3", "name": "n00"}], "items.type": "T5"}
    assert rs.matches(dotted) == [name for name, pattern in rules if ref_matches(pattern, dotted)]
    for name, _ in rules:
        assert rs.remove(name)
    assert not matcher._paired and not matcher._access and not matcher._chosen


@pytest.mark.parametrize("native", ENGINES)
def test_pairs_across_two_arrays_take_any_two_elements(native: bool) -> None:
    """A type in one array, a name in another: any element of each may pair up (different arrays), also
    when the native core reads elements by index."""
    with engine(native):
        rs = tamis.RuleSet()
    rules = [
        (f"r{i}", {"items": {"type": [f"T{i % 5}"]}, "other": {"name": [f"n{i // 5}"]}}) for i in range(100)
    ]
    # two fields under each array make positions matter there: values inside them carry their elements
    rules.append(("z", {"items": {"type": ["T9"], "size": [1]}, "other": {"name": ["x"], "k": ["y"]}}))
    for name, pattern in rules:
        rs.add(name, pattern)
    assert rs._matcher._paired
    event = {"items": [{"type": "T1"}, {"type": "T4"}], "other": [{}, {}, {"name": "n7"}, {"name": "n9"}]}
    want = [name for name, pattern in rules if ref_matches(pattern, event)]
    assert len(want) == 4 and rs.matches(event) == want


def test_a_single_pattern_has_no_partners() -> None:
    p = tamis.compile_pattern({"items": {"type": ["T1"], "name": ["n1"]}})
    assert not p._rules._matcher._paired
    assert p.matches({"items": [{"type": "T1", "name": "n1"}]})
    assert not p.matches({"items": [{"type": "T1"}, {"name": "n1"}]})
