"""Compiled objects pickle at any time (Pattern, RuleSet, Policy, compiled Choice decisions): each reduces
to its sources and options, is compiled again once on load, and answers as before. Spawn pools (the
default on macOS and Windows), Spark broadcasts and closures depend on it."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from support.pattern_strategies import dumps, pattern_and_events, ruleset_scripts
from support.pickling import answers

import tamis
from tamis.runtime.choice.decision import ChoiceDecision

Calls = list[tuple[str, tuple[Any, ...], dict[str, Any]]]

EVENTS = [
    {"source": "aws.s3", "detail": {"size": 12, "key": "logs/a.txt", "tags": ["x"]}},
    {"source": "aws.s3", "detail": {"size": 0, "key": "img/b.png"}},
    {"source": "aws.ec2", "detail": {"state": "running", "ip": "10.0.0.7"}},
    {"source": "other", "detail": {"state": "stopped"}},
]
PATTERN = {
    "source": [{"prefix": "aws."}],
    "detail": {
        "$or": [
            {"size": [{"numeric": [">", 0, "<=", 100]}], "key": [{"wildcard": "logs/*.txt"}]},
            {"state": [{"anything-but": ["stopped"]}], "ip": [{"cidr": "10.0.0.0/24"}]},
        ]
    },
}


def _policy_doc(custom: bool) -> dict[str, Any]:
    ids = ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"]
    ids += ["arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"]
    doc: dict[str, Any] = {
        "Name": "p",
        "Version": "2021-06-01",
        "Statement": [
            {
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": [*ids, *(["Ticket"] if custom else [])],
                "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}},
            }
        ],
    }
    if custom:
        doc["Configuration"] = {"CustomDataIdentifier": [{"Name": "Ticket", "Regex": "TCK-[0-9]{4}"}]}
    return doc


def _logs_doc(name: str) -> dict[str, Any]:
    ident = ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"]
    return {
        "Name": name,
        "Version": "2021-06-01",
        "Statement": [
            {"Sid": "audit", "DataIdentifier": ident, "Operation": {"Audit": {"FindingsDestination": {}}}},
            {"Sid": "redact", "DataIdentifier": ident, "Operation": {"Deidentify": {"MaskConfig": {}}}},
        ],
    }


MESSAGES = [
    "mail ana@example.com, card 4111 1111 1111 1111, ticket TCK-1234",
    '{"user": "bo@example.org", "note": "é and TCK-9999"}',
    "nothing to see",
]
MACHINE = {
    "StartAt": "Pick",
    "States": {
        "Pick": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                {
                    "And": [
                        {"Variable": "$.s", "StringMatches": "a*"},
                        {"Variable": "$.n", "IsPresent": True},
                    ],
                    "Next": "A",
                },
            ],
            "Default": "Other",
        },
        "Big": {"Type": "Succeed"},
        "A": {"Type": "Succeed"},
        "Other": {"Type": "Succeed"},
    },
}
JSONATA_STATE = {
    "Type": "Choice",
    "QueryLanguage": "JSONata",
    "Choices": [{"Condition": "{% $states.input.n > 10 %}", "Next": "Big"}],
    "Default": "Small",
}
CHOICE_INPUTS = [{"n": 11}, {"n": 1, "s": "abc"}, {"n": 1, "s": "b"}, {"n": 2, "s": "z"}]


def _ruleset() -> tamis.RuleSet:
    rules = tamis.RuleSet()
    rules.add("storage", {"source": ["aws.s3"]})
    rules.add("gone", {"source": ["other"]})
    rules.add("compute", '{"source": ["aws.ec2"]}')
    rules.add("storage", {"detail": {"state": ["stopped"]}})  # a second pattern under a name ORs
    rules.remove("gone")
    rules.add("gone", {"detail": {"size": [{"numeric": ["=", 0]}]}})  # back, now last
    return rules


def _cases() -> list[tuple[str, Any, Calls]]:
    match = [("matches", (e,), {}) for e in EVENTS] + [("matches", (dumps(e),), {}) for e in EVENTS]
    apply = [
        ("apply", (m,), {"direction": "Inbound", "principal": "arn:aws:iam::1:role/r"}) for m in MESSAGES
    ]
    return [
        ("pattern", tamis.compile_pattern(PATTERN), match),
        (
            "pattern-sns-body",
            tamis.compile_pattern({"state": ["running"]}, "sns", "MessageBody"),
            [("matches", (dumps(e["detail"]),), {}) for e in EVENTS],
        ),
        ("ruleset", _ruleset(), match),
        (
            "policy",
            tamis.compile_policy(_policy_doc(custom=True)),
            [*apply, *(("scan", (m,), {}) for m in MESSAGES)],
        ),
        (
            "policy-logs",
            tamis.compile_policy(
                _logs_doc("data"),
                "cloudwatch-logs",
                account_policy=_logs_doc("acct"),
                resource_arn="arn:aws:logs:us-east-1:1:log-group:g",
            ),
            [("apply", (m,), {}) for m in MESSAGES],
        ),
        ("choice", tamis.compile_choice(MACHINE), [("__call__", (i,), {}) for i in CHOICE_INPUTS]),
        (
            "choice-jsonata",
            tamis.compile_choice(JSONATA_STATE),
            [("__call__", (i,), {}) for i in CHOICE_INPUTS],
        ),
    ]


@pytest.fixture(scope="module")
def spawn_pool() -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


@pytest.mark.parametrize("used_first", [False, True], ids=["fresh", "used"])
def test_every_compiled_object_answers_alike_in_a_spawned_worker(
    spawn_pool: concurrent.futures.ProcessPoolExecutor, used_first: bool
) -> None:
    cases = _cases()
    expected = {name: answers(obj, calls) for name, obj, calls in cases} if used_first else None
    futures = {name: spawn_pool.submit(answers, obj, calls) for name, obj, calls in cases}
    if expected is None:
        expected = {name: answers(obj, calls) for name, obj, calls in cases}
    for name, future in futures.items():
        assert future.result(timeout=120) == expected[name], name
    # The answers are not vacuous: each kind has a yes and a no, a mask and a pass.
    assert {True, False} <= set(expected["pattern"])
    assert expected["ruleset"][0] == ["storage"] and expected["ruleset"][1] == ["storage", "gone"]
    assert "#" in expected["policy"][0][0] and expected["policy"][2][0] == MESSAGES[2]
    assert expected["choice"] == ["Big", "A", "Other", "Other"]
    assert expected["pattern-sns-body"] == [False, False, True, False]
    assert expected["choice-jsonata"] == ["Big", "Small", "Small", "Small"]


def test_names_keep_their_order_and_options_survive() -> None:
    rules = pickle.loads(pickle.dumps(_ruleset()))
    assert rules.names == ["storage", "compute", "gone"]
    sized = pickle.loads(pickle.dumps(tamis.RuleSet(pattern_size=4096)))
    assert sized.dialect.max_pattern_chars == 4096
    pattern = pickle.loads(pickle.dumps(tamis.compile_pattern({"source": ["a"]}, "sns", "MessageBody")))
    assert pattern.dialect == "sns" and pattern.matches('{"source": "a"}')


def test_a_pickle_keeps_the_pattern_as_it_was_added() -> None:
    pattern: dict[str, Any] = {"source": ["aws.s3"]}
    rules = tamis.RuleSet()
    rules.add("r", pattern)
    pattern["source"] = ["other"]  # a later change to the caller's dict changes neither copy
    again = pickle.loads(pickle.dumps(rules))
    assert rules.matches({"source": "aws.s3"}) == again.matches({"source": "aws.s3"}) == ["r"]


def test_a_decision_built_without_its_source_says_it_does_not_pickle() -> None:
    with pytest.raises(TypeError, match="compile_choice"):
        pickle.dumps(ChoiceDecision([], "Default"))


@given(script=ruleset_scripts())
def test_rulesets_pickled_after_use_match_alike(script: tuple[list[Any], list[Any]]) -> None:
    ops, events = script
    rules = tamis.RuleSet()
    for op, name, pattern in ops:
        if op == "add":
            rules.add(name, dumps(pattern))
        else:
            rules.remove(name)
    texts = [dumps(e) for e in events]
    before = [rules.matches(t) for t in texts]
    again = pickle.loads(pickle.dumps(rules))
    assert [again.matches(t) for t in texts] == before
    assert again.names == rules.names


@given(case=pattern_and_events())
def test_patterns_pickled_after_use_match_alike(case: tuple[dict[str, Any], list[Any]]) -> None:
    pattern, events = case
    compiled = tamis.compile_pattern(dumps(pattern))
    texts = [dumps(e) for e in events]
    before = [compiled.matches(t) for t in texts]
    again = pickle.loads(pickle.dumps(compiled))
    assert [again.matches(t) for t in texts] == before
