"""``Pattern.explain`` / ``RuleSet.explain``: why an event matched or not.

The explanation is built by its own plain evaluator (compiler/event_patterns/explain.py); the property
tests hold it to the matcher (both engines) and to the reference interpreter over generated patterns and
events, so that an explanation never disagrees with ``matches``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, note
from support.matcher_engines import ENGINES, NATIVE, engine
from support.pattern_strategies import dumps, pattern_and_events, ruleset_scripts
from support.reference_patterns import Num, ref_matches

import tamis
from tamis.errors import EventError, UnknownRuleError


@pytest.mark.parametrize("native", ENGINES)
@given(case=pattern_and_events())
def test_explanation_agrees_with_matches(native: bool, case: tuple[dict[str, Any], list[Any]]) -> None:
    pattern, events = case
    pattern_text = dumps(pattern)
    note(f"pattern: {pattern_text}")
    with engine(native):
        compiled = tamis.compile_pattern(pattern_text)
    for event in events:
        event_text = dumps(event)
        note(f"event: {event_text}")
        expected = compiled.matches(event_text)
        assert expected is ref_matches(pattern_text, event_text)
        explanation = compiled.explain(event_text)
        assert explanation.matched is expected
        plain = orjson.loads(event_text)  # the event as Python values (generated ones hold Num objects)
        assert compiled.explain(plain).matched is compiled.matches(plain)
        # A matching explanation has a branch whose every condition held; a failing one has none.
        assert any(b.matched and all(c.held for c in b.conditions) for b in explanation.branches) is expected
        str(explanation)
        orjson.dumps(explanation.to_dict())


@pytest.mark.parametrize("native", ENGINES)
@given(script=ruleset_scripts())
def test_ruleset_explanations_agree_with_matches(native: bool, script: tuple[list[Any], list[Any]]) -> None:
    ops, events = script
    with engine(native):
        rules = tamis.RuleSet()
    for op, name, pattern in ops:
        if op == "add":
            rules.add(name, dumps(pattern))
        else:
            rules.remove(name)
    for event in events:
        text = dumps(event)
        matched = rules.matches(text)
        for name in rules.names:
            assert rules.explain(text, name).matched is (name in matched)


@given(case=pattern_and_events(n_events=4))
def test_sns_and_lambda_explanations_agree_with_matches(case: tuple[dict[str, Any], list[Any]]) -> None:
    pattern, events = case
    body = _sns_body(pattern)
    attributes = _sns_attributes(pattern)
    record = _lambda(pattern)
    for generated in events:
        event = orjson.loads(dumps(generated))  # Python values (generated events hold Num objects)
        if body is not None:
            assert body.explain(event).matched is body.matches(event)
        if attributes is not None:
            attrs = _as_attributes(event)
            try:
                expected = attributes.matches(attrs)
            except EventError:  # an array SNS would not take as attributes: explain refuses it alike
                with pytest.raises(EventError):
                    attributes.explain(attrs)
                continue
            assert attributes.explain(attrs).matched is expected
        if record is not None:
            wrapped = {"body": json.dumps(event, default=str), "messageId": "1"}
            assert record.explain(wrapped).matched is record.matches(wrapped)


def _sns_body(pattern: Any) -> Any:
    try:  # a generated pattern may use what SNS does not accept
        return tamis.compile_pattern(dumps(pattern), dialect="sns", scope="MessageBody")
    except tamis.PatternError:
        return None


def _sns_attributes(pattern: Any) -> Any:
    try:  # attribute scope takes flat policies only
        return tamis.compile_pattern(dumps(pattern), dialect="sns")
    except tamis.PatternError:
        return None


def _as_attributes(event: dict[str, Any]) -> dict[str, Any]:
    """The event's top-level strings, numbers and arrays as SNS message attributes."""
    out: dict[str, Any] = {}
    for key, value in event.items():
        if isinstance(value, str):
            out[key] = {"Type": "String", "Value": value}
        elif isinstance(value, int | float | Num) and not isinstance(value, bool):
            out[key] = {"Type": "Number", "Value": dumps(value)}
        elif isinstance(value, list):
            out[key] = {"Type": "String.Array", "Value": dumps(value)}
    return out


def _lambda(pattern: Any) -> Any:
    try:
        return tamis.compile_pattern(dumps({"body": pattern}), dialect="lambda")
    except tamis.PatternError:
        return None


# -- what an explanation says ---------------------------------------------------------------------------
def _conditions(explanation: Any) -> dict[str, Any]:
    return {c.path: c for b in explanation.branches for c in b.conditions}


def test_case_hint() -> None:
    x = tamis.compile_pattern({"detail": {"state": ["running"]}}).explain({"detail": {"state": "Running"}})
    assert not x.matched
    cond = _conditions(x)["detail.state"]
    assert not cond.held and cond.operator == 'equals "running"'
    assert [(v.where, v.value, v.held) for v in cond.values] == [("detail.state", "Running", False)]
    assert any("equals-ignore-case" in h for h in cond.hints)


def test_number_as_string_hints_both_ways() -> None:
    x = tamis.compile_pattern({"n": ["5"], "m": [5]}).explain({"n": 5, "m": "5"})
    conds = _conditions(x)
    assert any("number 5" in h for h in conds["n"].hints)
    assert any('string "5"' in h for h in conds["m"].hints)


def test_wildcard_meant_hint() -> None:
    x = tamis.compile_pattern({"k": [{"prefix": "img-*.png"}]}).explain({"k": "img-1.png"})
    assert any('{"wildcard": "img-*.png"}' in h for h in _conditions(x)["k"].hints)


def test_near_miss_path_hint() -> None:
    x = tamis.compile_pattern({"detail": {"status": ["ok"]}}).explain({"detail": {"statuss": "ok"}})
    assert any('"detail.statuss"' in h for h in _conditions(x)["detail.status"].hints)


def test_exists_and_null_hints() -> None:
    x = tamis.compile_pattern({"a": [{"exists": False}], "b": [None]}).explain({"a": None})
    conds = _conditions(x)
    assert any("null counts as present" in h for h in conds["a"].hints)
    assert any("exists" in h for h in conds["b"].hints)


def test_array_element_that_broke_consistency() -> None:
    pattern = {"items": {"id": ["a"], "ok": [True]}}
    event = {"items": [{"id": "a", "ok": False}, {"id": "b", "ok": True}]}
    compiled = tamis.compile_pattern(pattern)
    x = compiled.explain(event)
    assert x.matched is compiled.matches(event) is False
    (branch,) = x.branches
    assert all(c.held for c in branch.conditions)
    assert branch.consistency is not None
    assert "items[1].ok" in branch.consistency and "items[0].id" in branch.consistency
    assert "array elements" in str(x)


def test_or_branches_each_explained_and_text_markers() -> None:
    compiled = tamis.compile_pattern({"$or": [{"a": ["x"]}, {"b": [{"numeric": [">", 1, "<=", 9]}]}]})
    x = compiled.explain('{"a": "y", "b": 3}')
    assert x.matched and [b.matched for b in x.branches] == [False, True]
    text = str(x)
    assert "$or branch 1 of 2" in text and "\u2717 a: equals" in text and "numeric > 1, <= 9" in text
    assert x.text(ascii=True).isascii() and "[+] b: numeric" in x.text(ascii=True)


def test_exact_numbers_from_text() -> None:
    # 0.30000000000000001 is the double 0.3 as orjson reads it, but not as written: it matches no number.
    compiled = tamis.compile_pattern({"n": [0.3]})
    text = '{"n": 0.30000000000000001}'
    assert compiled.explain(text).matched is compiled.matches(text)


def test_sns_attributes_and_lambda_records() -> None:
    sns = tamis.compile_pattern({"price": [{"numeric": [">", 10]}]}, dialect="sns")
    attrs = {"price": {"Type": "Number", "Value": "5"}}
    x = sns.explain(attrs)
    assert not x.matched and x.dialect == "sns"
    assert _conditions(x)["price"].values[0].value == 5
    assert any(
        'DataType "Number"' in h
        for h in _conditions(sns.explain({"price": {"Type": "String", "Value": "50"}}))["price"].hints
    )
    lam = tamis.compile_pattern({"body": {"kind": ["order"]}}, dialect="lambda")
    rec = {"body": "not json", "messageId": "1"}
    x = lam.explain(rec)
    assert x.matched is lam.matches(rec) is False
    assert any("is JSON" in c.operator and not c.held for c in x.branches[0].conditions)


def test_ruleset_unknown_name_is_a_typed_key_error() -> None:
    rules = tamis.RuleSet()
    rules.add("order-rule", {"a": ["b"]})
    with pytest.raises(KeyError):
        rules.explain({}, "orders-rule")
    with pytest.raises(UnknownRuleError) as info:
        rules.explain({}, "orders-rule")
    assert info.value.code == "EVT506" and 'did you mean "order-rule"' in str(info.value)
    rules.remove("order-rule")
    with pytest.raises(UnknownRuleError):
        rules.explain({}, "order-rule")


def test_bad_event_gets_the_matchers_error() -> None:
    with pytest.raises(EventError):
        tamis.compile_pattern({"a": ["b"]}).explain("[1]")


# -- tamis test-event-pattern --explain -----------------------------------------------------------------
def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from tamis.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_explain_text_json_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["test-event-pattern", "--event-pattern", '{"state": ["running"]}', "--explain"]
    code, out, _ = _cli([*base, "--event", '{"state": "Running"}', "--format", "text"], capsys)
    assert code == 0 and out.startswith("false\n") and "state: equals" in out and "hint: case differs" in out
    code, out, _ = _cli([*base, "--event", '{"state": "running"}'], capsys)
    data = json.loads(out)
    assert code == 0 and data["Result"] is True and data["Explanation"]["matched"] is True
    assert data["Explanation"]["branches"][0]["conditions"][0]["values"][0]["where"] == "state"
    code, out, err = _cli([*base, "--event", "[1]"], capsys)
    assert code == 2 and out == "" and "must be a JSON object" in err


# -- the conformance corpora -----------------------------------------------------------------------------
def _corpus(name: str) -> list[dict[str, Any]]:
    from support.shared import shared_path

    path = shared_path("conformance", "event_patterns", name)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("native", ENGINES)
@pytest.mark.parametrize(
    "name",
    ["event_ruler_tests.jsonl", "quamina_tests.jsonl", "semantics_probes.jsonl", "docs_examples.jsonl"],
)
def test_corpus_explanations_agree_with_matches_and_labels(native: bool, name: str) -> None:
    checked = 0
    for row in _corpus(name):
        if "event" not in row or "pattern" not in row:
            continue
        with engine(native):
            try:
                compiled = tamis.compile_pattern(json.dumps(row["pattern"]))
            except tamis.PatternError:
                continue
        for event in (row["event"], json.dumps(row["event"])):
            try:
                expected = compiled.matches(event)
            except EventError:
                with pytest.raises(EventError):
                    compiled.explain(event)
                continue
            assert compiled.explain(event).matched is expected, row["id"]
            checked += 1
    assert checked > 20


def test_sns_corpus_explanations_agree_with_matches() -> None:
    checked = 0
    for row in _corpus("sns_filter_policy.jsonl"):
        scope = row["filter_policy_scope"]
        message = row.get("message_attributes") if scope == "MessageAttributes" else row.get("message_body")
        if message is None:
            continue
        try:
            compiled = tamis.compile_pattern(json.dumps(row["filter_policy"]), dialect="sns", scope=scope)
            expected = compiled.matches(message)
        except tamis.TamisError:
            continue
        assert compiled.explain(message).matched is expected, row["id"]
        checked += 1
    assert checked > 20


@pytest.mark.parametrize(
    ("pattern", "event"),
    [
        ({"": {"x": [1]}}, {"": {"x": 1}}),  # an empty key is a path of its own
        ({"x": [1]}, {"": {"x": 1}}),
        ({"a": {"b": [1]}}, {"a.b": 1}),  # a dotted key is the nested path
        ({"a": ["x?y"]}, '{"a": "x\ud800y"}'),  # a lone surrogate reads as "?"
        ({"a": [{"numeric": [">", 1]}]}, '{"a": ' + "9" * 5000 + "}"),
        ({"a": [{"exists": True}]}, '{"a": 1e99999999999999999999}'),
        ({"a": [0.1]}, '{"a": 0.1000000000000000055511151231257827}'),
    ],
)
def test_awkward_events_are_explained_as_matched(pattern: Any, event: Any) -> None:
    for native in (True, False) if NATIVE else (False,):
        with engine(native):
            compiled = tamis.compile_pattern(pattern)
        assert compiled.explain(event).matched is compiled.matches(event)
