"""Fuzz tests: hostile inputs on every public entry point and both engines. Each call ends in an answer or a
typed error (``TamisError``); the two engines agree; a refused rule leaves its RuleSet sound; the CLI exits
0, 1 or 2, never 3 (an internal error). Bounded under HYPOTHESIS_PROFILE=ci; RELIABILITY.md has the
commands for longer runs and for the atheris harness (fuzz/atheris_harness.py), which shares these drivers.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import hostile

import tamis
from tamis import cli
from tamis.runtime.events import matcher
from tamis.runtime.redact import native as redact_native

# Characters of every category, lone surrogates included (hypothesis leaves them out by default).
ANY_CHAR = st.characters(blacklist_categories=())
HOSTILE_TOKENS = [
    "\ud800",
    "\\ud800",
    "\\udfff\\ud800",
    "\udc80",
    "1e99999999999999999999",
    "-1e-99999999999999999999",
    "9" * 5000,
    "1e400",
    "-0",
    "[" * 1100,
    '{"a":' * 1100,
    "\x00",
    "\\",
    '"',
    "\ufeff",
    "${x}",
    "\\u0000",
]
LEVELS = st.sampled_from([1, 2, 199, 200, 201, 999, 1000, 1001, 1024, 1025, 5000, 30_000])
# Indexed, not sampled: hypothesis prints what it samples from, and an int of 5,001 digits has no repr.
_HUGE = [10**400, -(10**400), 10**5000, float("inf"), float("nan"), Decimal("1e999999")]


def _huge(index: int) -> Any:
    return _HUGE[index]


HUGE_NUMBERS = st.integers(0, len(_HUGE) - 1).map(_huge)
KEYS = st.one_of(st.text(ANY_CHAR, max_size=6), st.sampled_from(["a", "b", "numeric", "prefix", "$or"]))
ODD_KEYS = st.one_of(KEYS, st.integers(), st.none(), st.booleans())

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    HUGE_NUMBERS,
    st.text(ANY_CHAR, max_size=12),
    st.sampled_from(HOSTILE_TOKENS),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ODD_KEYS, inner, max_size=4),
    max_leaves=20,
)
OPERATORS = st.fixed_dictionaries(
    {},
    optional={
        op: VALUES
        for op in (
            "prefix",
            "suffix",
            "wildcard",
            "numeric",
            "anything-but",
            "exists",
            "cidr",
            "equals-ignore-case",
        )
    },
)
PATTERN_LIKE = st.dictionaries(
    KEYS, st.lists(st.one_of(SCALARS, OPERATORS), min_size=1, max_size=3), max_size=3
)


@st.composite
def deep_values(draw: st.DrawFn, base: st.SearchStrategy[Any] = VALUES) -> Any:
    return hostile.nest(draw(base), draw(LEVELS), draw(st.integers(0, 2)))


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> str:
    """A seed text with hostile tokens and random characters put in, or cut, at random places."""
    text = draw(st.sampled_from(seeds)) if seeds else "{}"
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(HOSTILE_TOKENS), st.text(ANY_CHAR, max_size=4)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut :]
    if draw(st.booleans()):
        text = hostile.nest_text(text, draw(LEVELS), draw(st.integers(0, 2)))
    return text


SEED_PATTERNS = hostile.seed_patterns()
SEED_EVENTS = hostile.seed_events()
SEED_POLICIES = hostile.seed_policies()
SEED_MESSAGES = hostile.seed_messages()
SEED_DEFINITIONS = hostile.seed_definitions()

ANY_PATTERN = st.one_of(PATTERN_LIKE, VALUES, deep_values(PATTERN_LIKE), mutated(SEED_PATTERNS))
ANY_EVENT = st.one_of(
    VALUES,
    deep_values(),
    mutated(SEED_EVENTS),
    mutated(SEED_EVENTS).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
FUZZ = settings(suppress_health_check=list(HealthCheck), deadline=None)


@pytest.fixture(params=["native", "python"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both engines of both native cores (a core that is not built is the Python twin twice)."""
    native = request.param == "native"
    monkeypatch.setattr(matcher, "USE_NATIVE", native and matcher._native is not None)
    monkeypatch.setattr(redact_native, "USE_NATIVE", native and redact_native._redact is not None)
    yield request.param


@FUZZ
@given(pattern=ANY_PATTERN, dialect=st.integers(0, 3))
def test_compile_pattern(engine: str, pattern: Any, dialect: int) -> None:
    assert hostile.compile_pattern(pattern, dialect) in ("answer", "typed")


@FUZZ
@given(pattern=st.one_of(st.sampled_from(SEED_PATTERNS or ["{}"]), ANY_PATTERN), event=ANY_EVENT)
def test_engines_agree_on_hostile_events(pattern: Any, event: Any) -> None:
    answers = []
    for native in (True, False):
        matcher.USE_NATIVE = native and matcher._native is not None
        try:
            compiled = tamis.compile_pattern(pattern)
        except tamis.PatternError:
            return
        try:
            answers.append(compiled.matches(event))
        except tamis.errors.EventError as exc:
            answers.append(("EventError", exc.rule))
    matcher.USE_NATIVE = matcher._native is not None and tamis.runtime.NATIVE_ALLOWED
    assert answers[0] == answers[1]


@FUZZ
@given(
    patterns=st.lists(
        st.one_of(st.sampled_from(SEED_PATTERNS or ["{}"]), ANY_PATTERN), min_size=1, max_size=5
    ),
    events=st.lists(ANY_EVENT, max_size=3),
    dialect=st.integers(0, 3),
)
def test_a_refused_rule_leaves_the_set_sound(
    engine: str, patterns: list[Any], events: list[Any], dialect: int
) -> None:
    assert hostile.rule_set(patterns, events, dialect) in ("answer", "typed")
    # the set with the refused rules tried answers as the set of the accepted ones alone
    name, options = hostile.PATTERN_DIALECTS[dialect]
    tried, clean = tamis.RuleSet(name, options.get("scope")), tamis.RuleSet(name, options.get("scope"))
    for i, pattern in enumerate(patterns):
        try:
            tried.add(f"r{i}", pattern)
        except tamis.PatternError:
            continue
        clean.add(f"r{i}", pattern)
    for event in SEED_EVENTS[:20]:
        try:
            expected = clean.matches(event)
        except tamis.errors.EventError:
            continue
        assert tried.matches(event) == expected


@FUZZ
@given(text=st.one_of(st.text(ANY_CHAR, max_size=40), mutated(SEED_EVENTS), st.sampled_from(HOSTILE_TOKENS)))
def test_service_payloads(engine: str, text: str) -> None:
    assert set(hostile.service_payloads(text)) <= {"answer", "typed"}


@FUZZ
@given(
    message=st.one_of(
        st.text(ANY_CHAR, max_size=60),
        mutated(SEED_MESSAGES),
        mutated(SEED_MESSAGES).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_policy_scan_and_apply(engine: str, message: str | bytes) -> None:
    assert hostile.policy_message(message) == "answer"


@FUZZ
@given(policy=st.one_of(VALUES, deep_values(), mutated(SEED_POLICIES)), dialect=st.integers(0, 1))
def test_compile_policy(engine: str, policy: Any, dialect: int) -> None:
    assert hostile.compile_policy(policy, dialect) in ("answer", "typed")


@FUZZ
@given(
    definition=st.one_of(
        mutated(SEED_DEFINITIONS),
        st.dictionaries(ODD_KEYS, VALUES, max_size=4),
        deep_values(st.dictionaries(KEYS, VALUES, max_size=2)),
        st.text(ANY_CHAR, min_size=1, max_size=60),
    )
)
def test_validate_asl(definition: Any) -> None:
    assert hostile.validate_asl(definition) in ("answer", "typed")


@settings(FUZZ, max_examples=40)
@given(pattern=mutated(SEED_PATTERNS), event=mutated(SEED_EVENTS))
def test_cli_never_reports_an_internal_error(
    pattern: str, event: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["test-event-pattern", "--event-pattern", pattern, "--event", event])
    err = capsys.readouterr().err
    assert code in (0, 2) and "internal error" not in err and "Traceback" not in err
