"""EventBridge's wildcard-complexity limit: the measure, and where the compiler applies it.

The expected complexities are the values event-ruler's own tests state for these pattern sets
(software/amazon/event/ruler/MachineComplexityEvaluatorTest.java in aws/event-ruler): the measure here is
checked against them, then the limit against the one public report of a rejection (a rule rejected as "too
complex" at four `*:stack/NAME/*` wildcards, accepted at three: vals-ai/Valkyrie pull request 278).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.reference_wildcard_complexity import ref_complexity

import tamis
from tamis.compiler.event_patterns import wildcard_complexity
from tamis.compiler.event_patterns.wildcard_complexity import complexity, exceeds, tokens, upper_bound

EVENT_RULER_CASES: list[tuple[int, list[str]]] = [
    (1, ["*"]),
    (3, ["*", "ab*c"]),
    (1, ["abc"]),
    (2, ["*ab"]),
    (3, ["*aa"]),
    (2, ["a*b"]),
    (2, ["aa*"]),
    (2, ["a*bc"]),
    (3, ["a*bb"]),
    (3, ["a*bcb"]),
    (4, ["a*bbb"]),
    (4, ["*ab*ad"]),
    (3, ["*ab*d"]),
    (4, ["*aba*"]),
    (5, ["a*b*bb"]),
    (4, ["a*b*cb"]),
    (3, ["a*b*cd"]),
    (4, ["a*b*b"]),
    (4, ["a*bb*"]),
    (3, ["ab*b*"]),
    (3, ["ab*c", "x*xx"]),
    (4, ["*abc", "*abcde"]),
    (4, ["a*bcd", "ab*cd"]),
    (4, ["a*bc", "a*bcde"]),
    (7, ["a*aaa", "aa*aa"]),
    (4, ["a*bc", "abc*d"]),
    (6, ["a*aaa", "aaa*a"]),
    (5, ["a*aax", "aaa*x"]),
    (4, ["a*bc", "abc*"]),
    (5, ["a*aa", "aaa*"]),
    (3, ["abc*", "abcde*"]),
    (6, ["ab*cd", "ab*wx", "ab*yz"]),
    (7, ["*ab*b*b*"]),
    (17, ["*a*a*a*a*a*a*a*a*"]),
    (7, ["*a*a*a*"]),
    (2, ["ab*c", "ab*c"]),
    (10, ["F*eatureFeature", "Fe*atureFeature", "Fea*tureFeature"]),
    (11, ["a*a*a*a*a*a*"]),
    (
        45,
        [
            "aahed*",
            "aal*ii",
            "aargh*",
            "aarti*",
            "a*baca",
            "*abaci",
            "a*back",
            "ab*acs",
            "abaf*t",
            "*abaka",
            "ab*amp",
            "a*band",
            "*abase",
            "abash*",
            "abas*k",
            "ab*ate",
            "aba*ya",
            "abbas*",
            "abbed*",
            "ab*bes",
            "abbey*",
            "*abbot",
            "ab*cee",
            "abea*m",
            "abe*ar",
            "a*bele",
            "a*bers",
            "abet*s",
            "*abhor",
            "abi*de",
            "a*bies",
            "*abled",
        ],
    ),
]


@pytest.mark.parametrize(
    ("expected", "patterns"), EVENT_RULER_CASES, ids=[" ".join(p) for _, p in EVENT_RULER_CASES]
)
def test_measure_agrees_with_event_ruler(expected: int, patterns: list[str]) -> None:
    # Order does not matter (event-ruler checks every permutation).
    assert complexity(patterns, 100) == expected <= upper_bound(patterns)
    assert complexity(list(reversed(patterns)), 100) == expected


def test_escaped_stars_are_literal() -> None:
    assert tokens("a\\*b\\\\*") == ("a", "*", "b", "\\", None)
    assert complexity(["\\*\\*\\*"], 100) == complexity(["abc"], 100) == 1


def test_the_cap_and_the_state_budget_bound_the_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    # The walk stops at the cap (event-ruler's 140,000-star pattern, here 4,200 stars, returns at once)...
    assert complexity(["F*e*a*t*u*r*e*" * 300], 11) == 11
    assert complexity(["*" + "*".join("abcdefghij") + "*"], 11) == 11
    # ...and past a budget of explored states, reporting the cap rather than walking on.
    assert complexity(["abcdefgh*ijklmnop"], 11) == 2
    monkeypatch.setattr(wildcard_complexity, "MAX_STATES", 3)
    assert complexity(["abcdefgh*ijklmnop"], 11) == 11


@given(st.lists(st.text("ab*", min_size=1, max_size=6).filter(lambda t: "**" not in t), max_size=4))
def test_value_never_exceeds_the_cap_and_grows_with_patterns(patterns: list[str]) -> None:
    full = complexity(patterns, 1000)
    assert complexity(patterns, 5) == min(full, 5)
    assert full <= upper_bound(patterns)  # the bound the compiler uses to skip the walk
    assert full >= max((complexity([p], 1000) for p in patterns), default=0)


small_sets = st.lists(
    st.lists(st.sampled_from(["a", "b", "ab", "ba", "*", "\\*"]), min_size=1, max_size=7)
    .map("".join)
    .filter(lambda t: "**" not in t.replace("\\*", "")),
    min_size=1,
    max_size=4,
)


@given(small_sets)
def test_walk_and_bound_agree_with_the_plain_subset_construction(patterns: list[str]) -> None:
    # The walk skips characters no prefix expects and the bound reads the patterns once; the reference
    # tries every character and walks every subset to the end.
    expected = ref_complexity(patterns)
    assert complexity(patterns, 1000) == expected
    assert upper_bound(patterns) >= expected
    for limit in (3, 6, 10):
        assert exceeds(patterns, limit) is (expected > limit)


def test_typical_rules_are_decided_by_the_bound_alone() -> None:
    # Three stack-name wildcards (complexity 9) used to cost a walk of thousands of prefix sets; the
    # bound sees that each pattern's head and each later literal run add one prefix at most.
    names = ["Shared", "Api", "Web", "orders-service", "a"]
    for n in range(1, 4):
        stacks = [f"arn:aws:cloudformation:*:stack/{name}/*" for name in names[:n]]
        assert upper_bound(stacks) == complexity(stacks, 100) == 3 * n
    assert upper_bound(["uploads/*/customer-*/*.pdf"]) == complexity(["uploads/*/customer-*/*.pdf"], 100)


def _stack_rule(names: list[str]) -> str:
    return json.dumps({"detail": {"stack-id": [{"wildcard": f"*:stack/{n}/*"} for n in names]}})


def test_public_report_three_accepted_four_rejected() -> None:
    assert complexity([f"*:stack/{n}/*" for n in ("a", "b", "c")], 100) == 9
    tamis.compile_pattern(_stack_rule(["Shared", "Api", "Web"]))
    with pytest.raises(tamis.PatternError) as info:
        tamis.compile_pattern(_stack_rule(["Shared", "Api", "Web", "Monitoring"]), source="rule.json")
    error = info.value
    assert error.rule == "wildcard-complexity"
    assert error.line == 1 and error.column is not None
    assert error.pointer == "/detail/stack-id/3/wildcard"
    assert "detail.stack-id" in str(error) and "at most 10" in str(error)


def test_limit_is_per_field_machine_not_per_rule() -> None:
    seven = "*a*a*a*"  # complexity 7 on its own
    tamis.compile_pattern({"x": [{"wildcard": seven}], "y": [{"wildcard": seven}]})  # two machines: 7 each
    with pytest.raises(tamis.PatternError, match="too complex"):
        tamis.compile_pattern({"x": [{"wildcard": seven}, {"wildcard": "*a*a*"}]})  # one machine: 12


def test_or_branches_share_a_machine_when_they_agree_before_the_field() -> None:
    same = {"$or": [{"x": [{"wildcard": "*a*a*a*"}]}, {"x": [{"wildcard": "*a*a*"}]}]}
    with pytest.raises(tamis.PatternError, match="too complex"):
        tamis.compile_pattern(same)
    # Different values on an earlier field lead to different machines for "x".
    apart = {
        "$or": [{"a": ["1"], "x": [{"wildcard": "*a*a*a*"}]}, {"a": ["2"], "x": [{"wildcard": "*a*a*"}]}]
    }
    tamis.compile_pattern(apart)


def test_anything_but_wildcards_count() -> None:
    with pytest.raises(tamis.PatternError, match="too complex"):
        tamis.compile_pattern({"x": [{"anything-but": {"wildcard": ["*a*a*a*", "*a*a*"]}}]})


def test_only_eventbridge_has_wildcards_to_limit() -> None:
    # SNS and Lambda reject the wildcard operator itself, before any complexity question.
    for dialect in ("sns", "lambda"):
        with pytest.raises(tamis.PatternError) as info:
            tamis.compile_pattern({"x": [{"wildcard": "*a*a*a*a*a*a*"}]}, dialect=dialect)
        assert info.value.rule != "wildcard-complexity"


def test_lint_reports_the_rule(tmp_path: Path) -> None:
    from tamis.lint import lint

    (tmp_path / "rule.json").write_text(_stack_rule(["A", "B", "C", "D"]), encoding="utf-8")
    result = lint([str(tmp_path)])
    assert [d.code for d in result.diagnostics] == ["EVT302"]
    assert result.exit_code == 1
