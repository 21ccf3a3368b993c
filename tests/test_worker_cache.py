"""Compiled rule sets and policies travel between processes as their sources, compiled once per process."""

from __future__ import annotations

import pickle

import orjson
import pytest
from support.archive_records import lines, policy, rules

from tamis import worker_cache
from tamis.patterns import RuleSet, RuleSetSource
from tamis.policies import PolicySource, compile_policy


def test_rule_set_sources_rebuild_the_same_matcher() -> None:
    rule_set = RuleSet("eventbridge")
    for name, pattern in rules().items():
        rule_set.add(name, orjson.dumps(pattern) if name.startswith("event") else pattern)
    rule_set.add("source-0", {"source": ["aws.s3"]})  # a name added twice: the patterns OR
    assert rule_set.remove("has-error")
    source = pickle.loads(pickle.dumps(rule_set.sources()))
    rebuilt = source.compile()
    assert rebuilt.names == rule_set.names and "has-error" not in rebuilt
    for line in lines(300, bad_every=0):
        assert rebuilt.matches(line) == rule_set.matches(line)


def test_rule_set_sources_keep_the_options() -> None:
    rule_set = RuleSet("sns", "MessageBody")
    rule_set.add("r", {"a": ["b"]})
    assert rule_set.sources() == RuleSetSource("sns", "MessageBody", None, (("r", {"a": ["b"]}),))
    assert rule_set.sources().compile().dialect.name == "sns"


def test_policy_source_rebuilds_the_same_policy() -> None:
    text = orjson.dumps(policy())
    pol = compile_policy(text, "sns")
    assert pol.source == PolicySource(text, "sns", None, None)
    rebuilt = pickle.loads(pickle.dumps(pol.source)).compile()
    for line in lines(200, bad_every=0):
        message = line.decode()
        a, b = pol.apply(message, direction="Inbound"), rebuilt.apply(message, direction="Inbound")
        assert (a.message, a.error) == (b.message, b.error)


def test_compiled_once_per_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_cache, "_compiled", {})
    calls: list[RuleSetSource] = []
    real = RuleSetSource.compile

    def counting(self: RuleSetSource) -> RuleSet:
        calls.append(self)
        return real(self)

    monkeypatch.setattr(RuleSetSource, "compile", counting)
    one = RuleSetSource("eventbridge", None, None, (("r", {"source": ["a"]}),))
    other = RuleSetSource("eventbridge", None, None, (("r", {"source": ["b"]}),))
    first = worker_cache.compiled(worker_cache.keyed(one))
    for _ in range(5):
        assert worker_cache.compiled(worker_cache.keyed(one)) is first
    assert worker_cache.compiled(worker_cache.keyed(other)) is not first
    assert calls == [one, other]
    assert worker_cache.keyed(one).key == worker_cache.keyed(pickle.loads(pickle.dumps(one))).key
    assert worker_cache.keyed(one).key != worker_cache.keyed(other).key


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_cache, "_compiled", {})
    for i in range(worker_cache._LIMIT + 3):
        worker_cache.compiled(
            worker_cache.keyed(RuleSetSource("eventbridge", None, None, (("r", {"n": [i]}),)))
        )
    assert worker_cache.compiled_count() == worker_cache._LIMIT
