"""Event-pattern matching, side by side in one pytest-benchmark run.

Engines, all fed the same bytes in the same process:

- ``floor``: ``orjson.loads`` of the event bytes (no engine can match an event without reading it);
- ``tamis``: ``tamis.compile_pattern`` / ``tamis.RuleSet``;
- ``moto``: ``moto.events.models.EventPattern`` (EventBridge), ``moto.sns.utils.FilterPolicyMatcher`` (SNS);
- ``localstack``: ``localstack.services.events.event_rule_engine`` (EventBridge) and
  ``localstack.services.sns.filter.SubscriptionFilter`` (SNS), when ``localstack-core`` is importable.

The peers have no many-rule structure, so their rule set is what they offer: a loop over one matcher per
rule. They get events decoded by ``orjson`` (the floor's parser) so that the comparison is about matching.

Run: ``python3 -m pytest bench/event_patterns/test_bench_matching.py
--benchmark-json=bench/.results/patterns.json``
(see bench/README.md). ``TAMIS_BENCH_BUDGET`` (seconds per benchmark, default 0.5) bounds the run.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import event_data as data
import orjson
import pytest
from timing import chunk, interleaved_ratio, once

Json = dict[str, Any]
Matcher = Callable[[Any], Any]

ENGINES = ("floor", "tamis", "moto", "localstack")
PEERS = ("moto", "localstack")
BUDGET = float(os.environ.get("TAMIS_BENCH_BUDGET", "0.5"))
CITYLOTS_BATCH = 200

EVENT = data.cloudtrail_event()
EVENT_BYTES = data.to_bytes(EVENT)
PATTERN = data.cloudtrail_pattern()
CITYLOTS = data.citylots_rules()
CITYLOTS_EVENTS = data.citylots_events(CITYLOTS_BATCH)


# ---------------------------------------------------------------------------------------------------------
# Engines: each builder returns a matcher taking one input; a missing engine skips with its reason.


def _tamis() -> Any:
    try:
        import tamis

        tamis.compile_pattern  # noqa: B018  (the lazy export fails until tamis/patterns.py exists)
        tamis.RuleSet  # noqa: B018
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"tamis has no pattern engine yet: {exc}")
    return tamis


def _moto_events() -> Any:
    try:
        from moto.events.models import EventPattern
    except ImportError as exc:
        pytest.skip(f"moto is not installed (pip install -e '.[bench]'): {exc}")
    return EventPattern


def _localstack_events() -> tuple[Any, Any]:
    try:
        from localstack.services.events.event_rule_engine import EventPatternCompiler, EventRuleEngine
    except ImportError as exc:
        pytest.skip(f"localstack-core's event rule engine is not importable: {exc}")
    return EventPatternCompiler(), EventRuleEngine()


def single_matcher(engine: str, pattern: Json) -> Callable[[Any], bool]:
    """One compiled pattern; the matcher takes the event as bytes or as a dict (peers decode bytes first)."""
    if engine == "tamis":
        compiled = _tamis().compile_pattern(json.dumps(pattern), dialect="eventbridge")
        return compiled.matches
    if engine == "moto":
        moto_pattern = _moto_events().load(json.dumps(pattern))

        def moto_match(event: bytes | Json) -> bool:
            return moto_pattern.matches_event(orjson.loads(event) if isinstance(event, bytes) else event)

        return moto_match
    if engine == "localstack":
        compiler, rule_engine = _localstack_events()
        ls_pattern = compiler.compile_event_pattern(pattern)

        def localstack_match(event: bytes | Json) -> bool:
            body = orjson.loads(event) if isinstance(event, bytes) else event
            return bool(rule_engine.evaluate_pattern_on_event(ls_pattern, body))

        return localstack_match
    raise AssertionError(engine)


def ruleset_matcher(
    engine: str, rules: Sequence[tuple[str, Json]]
) -> tuple[Callable[[bytes], list[str]], int]:
    """Many named rules; returns (matcher over event bytes -> matching names, number of rules accepted)."""
    if engine == "tamis":
        ruleset = _tamis().RuleSet(dialect="eventbridge")
        for name, pattern in rules:
            ruleset.add(name, json.dumps(pattern))
        return ruleset.matches, len(rules)
    if engine == "moto":
        event_pattern = _moto_events()
        moto_rules = [(name, event_pattern.load(json.dumps(pattern))) for name, pattern in rules]

        def moto_matches(event: bytes) -> list[str]:
            decoded = orjson.loads(event)
            return [name for name, rule in moto_rules if rule.matches_event(decoded)]

        return moto_matches, len(moto_rules)
    if engine == "localstack":
        compiler, rule_engine = _localstack_events()
        ls_rules = []
        for name, pattern in rules:
            try:
                ls_rules.append((name, compiler.compile_event_pattern(pattern)))
            except Exception:  # a rule the peer rejects is left out (counted in extra_info)
                continue
        evaluate = rule_engine.evaluate_pattern_on_event

        def localstack_matches(event: bytes) -> list[str]:
            decoded = orjson.loads(event)
            return [name for name, rule in ls_rules if evaluate(rule, decoded)]

        return localstack_matches, len(ls_rules)
    raise AssertionError(engine)


def sns_matcher(engine: str, policy: Json) -> Callable[[Json], bool]:
    """An SNS filter policy on message attributes (delivery shape: {"Type": ..., "Value": ...})."""
    if engine == "tamis":
        compiled = _tamis().compile_pattern(json.dumps(policy), dialect="sns", scope="MessageAttributes")
        return compiled.matches
    if engine == "moto":
        try:
            from moto.sns.utils import FilterPolicyMatcher
        except ImportError as exc:
            pytest.skip(f"moto is not installed (pip install -e '.[bench]'): {exc}")
        moto_policy = FilterPolicyMatcher(policy, "MessageAttributes")
        return lambda attributes: moto_policy.matches(attributes, "")
    if engine == "localstack":
        try:
            from localstack.services.sns.filter import FilterPolicyValidator, SubscriptionFilter
        except ImportError as exc:
            pytest.skip(f"localstack-core's SNS filter is not importable: {exc}")
        FilterPolicyValidator(scope="MessageAttributes", is_subscribe_call=True).validate_filter_policy(
            policy
        )
        check = SubscriptionFilter().check_filter_policy_on_message_attributes
        return lambda attributes: bool(check(policy, attributes))
    raise AssertionError(engine)


# Built matchers are cached per (workload, engine): building 10,000 peer rules takes seconds.
_CACHE: dict[tuple[str, str], tuple[Callable[..., Any], int, float]] = {}


def _cached(
    key: tuple[str, str], build: Callable[[], tuple[Callable[..., Any], int]]
) -> tuple[Any, int, float]:
    if key not in _CACHE:
        start = time.perf_counter()
        matcher, loaded = build()
        _CACHE[key] = (matcher, loaded, time.perf_counter() - start)
    return _CACHE[key]


# ---------------------------------------------------------------------------------------------------------
# Timing: calibrated pedantic runs, so that each benchmark takes about BUDGET seconds (at least 3 rounds).


Call = tuple[Callable[[Any], Any], Any]  # a function and its argument


def measure(
    benchmark: Any, fn: Callable[[Any], Any], arg: Any, floor: Call | None = None,
    versus: dict[str, Call] | None = None, **info: Any,
) -> Any:  # fmt: skip
    """Time ``fn(arg)``; returns its result (from an untimed call) and records ``info`` for report.py.

    With ``floor`` (the parse floor for the same input), also measure ``fn`` against it interleaved, chunk
    after chunk: on a machine shared with other work both sides then see the same disturbance, which the
    floor's own benchmark, run seconds apart, does not. ``versus`` does the same for each named peer.
    """
    result, one = once(fn, arg)
    iterations = chunk(one)
    rounds = max(3, min(2000, int(BUDGET / (one * iterations))))
    benchmark.extra_info.update(info)
    benchmark.pedantic(fn, args=(arg,), iterations=iterations, rounds=rounds, warmup_rounds=1)
    if floor is not None:
        benchmark.extra_info["floor_ratio_interleaved"] = interleaved_ratio(fn, arg, *floor, BUDGET)
    if versus:
        benchmark.extra_info["peer_ratio_interleaved"] = {
            peer: interleaved_ratio(peer_fn, peer_arg, fn, arg, BUDGET)
            for peer, (peer_fn, peer_arg) in versus.items()
        }
    return result


def available_peers(workload: str, build: Callable[[str], tuple[Callable[..., Any], int]]) -> dict[str, Any]:
    """The peers' (cached) matchers for ``workload``; a peer that is not installed is simply left out."""
    peers = {}
    for peer in PEERS:
        try:
            peers[peer] = _cached((workload, peer), lambda peer=peer: build(peer))[0]
        except pytest.skip.Exception:
            continue
    return peers


def _workload(benchmark: Any, group: str, engine: str, **info: Any) -> None:
    benchmark.group = group
    benchmark.extra_info.update({"workload": group, "engine": engine, **info})


# ---------------------------------------------------------------------------------------------------------
# Workload 1: one CloudTrail-style pattern on a ~1.2 KB event, from bytes and from a dict.


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("source", ["bytes", "dict"])
def test_single_pattern(benchmark: Any, source: str, engine: str) -> None:
    _workload(benchmark, f"single-{source}", engine, rules=1, events_per_call=1, event_bytes=len(EVENT_BYTES))
    if engine == "floor":
        result = measure(benchmark, orjson.loads, EVENT_BYTES, result=None)
        assert result == EVENT
        return
    matcher, _, build = _cached(("single", engine), lambda: (single_matcher(engine, PATTERN), 1))
    event = EVENT_BYTES if source == "bytes" else EVENT
    floor = versus = None
    if engine == "tamis":
        floor = (orjson.loads, EVENT_BYTES)
        peers = available_peers("single", lambda peer: (single_matcher(peer, PATTERN), 1))
        versus = {peer: (peer_matcher, event) for peer, peer_matcher in peers.items()}
    matched = measure(benchmark, matcher, event, floor, versus, build_seconds=build)
    benchmark.extra_info["result"] = bool(matched)
    if engine == "tamis":
        assert matched is True


# ---------------------------------------------------------------------------------------------------------
# Workload 2: RuleSets of 1, 100, 1,000 and 10,000 mixed rules, event from bytes.


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("size", data.RULESET_SIZES)
def test_ruleset(benchmark: Any, size: int, engine: str) -> None:
    _workload(
        benchmark, f"ruleset-{size}", engine, rules=size, events_per_call=1, event_bytes=len(EVENT_BYTES)
    )
    if engine == "floor":
        measure(benchmark, orjson.loads, EVENT_BYTES, result=None)
        return
    matcher, loaded, build = _cached(
        (f"ruleset-{size}", engine), lambda: ruleset_matcher(engine, data.mixed_rules(size))
    )
    floor = versus = None
    if engine == "tamis":
        floor = (orjson.loads, EVENT_BYTES)
        peers = available_peers(f"ruleset-{size}", lambda peer: ruleset_matcher(peer, data.mixed_rules(size)))
        versus = {peer: (peer_matcher, EVENT_BYTES) for peer, peer_matcher in peers.items()}
    names = sorted(
        measure(benchmark, matcher, EVENT_BYTES, floor, versus, rules_loaded=loaded, build_seconds=build)
    )
    expected = data.expected_matches(size)
    benchmark.extra_info.update(result=names, agrees=names == expected)
    if engine == "tamis":
        assert names == expected


# ---------------------------------------------------------------------------------------------------------
# Workload 3: an SNS filter policy on typed message attributes.


@pytest.mark.parametrize("engine", ENGINES)
def test_sns_attributes(benchmark: Any, engine: str) -> None:
    attributes = data.sns_attributes()
    _workload(benchmark, "sns-attributes", engine, rules=1, events_per_call=1)
    if engine == "floor":
        measure(benchmark, orjson.loads, data.to_bytes(attributes), result=None)
        return
    matcher, _, build = _cached(("sns", engine), lambda: (sns_matcher(engine, data.sns_policy()), 1))
    floor = versus = None
    if engine == "tamis":
        floor = (orjson.loads, data.to_bytes(attributes))
        peers = available_peers("sns", lambda peer: (sns_matcher(peer, data.sns_policy()), 1))
        versus = {peer: (peer_matcher, attributes) for peer, peer_matcher in peers.items()}
    matched = measure(benchmark, matcher, attributes, floor, versus, build_seconds=build)
    benchmark.extra_info["result"] = bool(matched)
    if engine == "tamis":
        assert matched is True


# ---------------------------------------------------------------------------------------------------------
# Workload 4: CityLots2 rule sets (5 rules each, plus PARTIAL_COMBO and COMBO) on deep, array-heavy events.

CITYLOTS_SETS = list(CITYLOTS) if CITYLOTS else ["rules-absent"]


def _count_matches(matcher: Callable[[bytes], list[str]]) -> Callable[[list[bytes]], int]:
    def one_pass(events: list[bytes]) -> int:
        total = 0
        for event in events:
            total += len(matcher(event))
        return total

    return one_pass


_REFERENCE: dict[str, int] = {}


def reference_counts(rules: Sequence[tuple[str, Json]]) -> dict[str, int] | None:
    """Matches per rule over the batch by the plain reference interpreter of tests/support (None if absent).

    It walks pattern and event directly (seconds for all 70 rules), so it is computed once and never timed.
    """
    try:
        from support.reference_patterns import ref_matches
    except ImportError:
        return None
    events = [orjson.loads(event) for event in CITYLOTS_EVENTS]
    for name, pattern in rules:
        if name not in _REFERENCE:
            _REFERENCE[name] = sum(bool(ref_matches(pattern, event)) for event in events)
    return {name: _REFERENCE[name] for name, _ in rules}


def _floor_pass(events: list[bytes]) -> int:
    for event in events:
        orjson.loads(event)
    return 0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule_set", CITYLOTS_SETS)
def test_citylots(benchmark: Any, rule_set: str, engine: str) -> None:
    if CITYLOTS is None:
        pytest.skip(f"CityLots2 rules not present: {data.SHARED_RULES} (the rule sets come from ../shared)")
    rules = CITYLOTS[rule_set]
    size = sum(map(len, CITYLOTS_EVENTS)) // len(CITYLOTS_EVENTS)
    _workload(
        benchmark, f"citylots-{rule_set}", engine, rules=len(rules), events_per_call=len(CITYLOTS_EVENTS),
        event_bytes=size,
    )  # fmt: skip
    if engine == "floor":
        measure(benchmark, _floor_pass, CITYLOTS_EVENTS, result=None)
        return
    matcher, loaded, build = _cached((f"citylots-{rule_set}", engine), lambda: ruleset_matcher(engine, rules))
    floor = (_floor_pass, CITYLOTS_EVENTS) if engine == "tamis" else None
    measure(
        benchmark, _count_matches(matcher), CITYLOTS_EVENTS, floor, rules_loaded=loaded, build_seconds=build
    )
    # Matches per rule over the batch, from one untimed pass, so report.py can show where engines disagree.
    counts: Counter[str] = Counter()
    for event in CITYLOTS_EVENTS:
        counts.update(matcher(event))
    benchmark.extra_info["result"] = {name: counts[name] for name, _ in rules}
    reference = reference_counts(rules)
    if reference is not None:
        benchmark.extra_info["reference"] = reference
