"""Many wildcards on one field: the index behind them (runtime/events/string_tests.WildcardTests) against
the reference interpreter, on both engines.

The index files each wildcard under its literal head or tail, checks small groups pattern by pattern and
sends large groups and head-less, tail-less wildcards to RE2 sets of bounded size. The sizes are shrunk
here so that small hypothesis examples cross every boundary: groups over the limit, several RE2 parts, and
a part RE2 refuses to compile.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import re2
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from support.matcher_engines import ENGINES, engine
from support.pattern_strategies import dumps, wildcards
from support.reference_patterns import ref_matches

import tamis
from tamis.runtime.events import string_tests
from tamis.runtime.events.string_tests import RegexPartitions, WildcardTests
from tamis.runtime.events.wildcards import segments_match, wildcard_segments


@pytest.fixture(params=ENGINES)
def native(request: pytest.FixtureRequest) -> Iterator[bool]:
    with engine(request.param):
        yield request.param


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(string_tests, "PARTITION_SIZE", 3)
    monkeypatch.setattr(string_tests, "GROUP_SIZE", 2)


# Short pieces over a small alphabet: patterns share heads, tails and inner runs, and values hit them.
piece = st.sampled_from(["a", "b", "ab", "ba", "x/", ".pdf", "ß", "\\*", "\\\\"])
patterns = st.lists(st.lists(piece | st.just("*"), min_size=1, max_size=6), min_size=1, max_size=12)
values = st.lists(st.lists(piece, max_size=8).map("".join), min_size=1, max_size=8)


def _wildcard(pieces: list[str]) -> str:
    out: list[str] = []
    for p in pieces:
        if not (p == "*" and out and out[-1] == "*"):  # "**" is not a valid wildcard
            out.append(p)
    return "".join(out)


def _value_of(pattern: str, fill: str) -> str:
    # A value the pattern matches: each `*` filled in, escapes resolved.
    return fill.join(wildcard_segments(pattern))


# The fixtures only switch the engine and shrink the sizes: the same for every example.
fixtures_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@fixtures_ok
@given(pattern_pieces=patterns, events=values, fill=st.sampled_from(["", "a", "x/b"]))
def test_ruleset_of_wildcards_on_one_field_agrees_with_reference(
    native: bool, small_parts: None, pattern_pieces: list[list[str]], events: list[str], fill: str
) -> None:
    texts = [_wildcard(p) for p in pattern_pieces]
    rules = tamis.RuleSet()
    bodies = {}
    for i, text in enumerate(texts):
        body = dumps({"k": [{"wildcard": text}]})
        try:
            rules.add(f"r{i}", body)
        except tamis.PatternError as exc:
            assert exc.rule == "wildcard-complexity"
            continue
        bodies[f"r{i}"] = body
    for value in [*events, *(_value_of(t, fill) for t in texts)]:
        event = dumps({"k": value})
        note(f"event: {event}")
        expected = sorted(name for name, body in bodies.items() if ref_matches(body, event))
        assert sorted(rules.matches(event)) == expected


@fixtures_ok
@given(texts=st.lists(wildcards(), min_size=1, max_size=10), events=values)
def test_index_finds_what_each_pattern_matches(
    small_parts: None, texts: list[str], events: list[str]
) -> None:
    index = WildcardTests([(t, i) for i, t in enumerate(texts)])
    for value in [*events, *(_value_of(t, "ab") for t in texts)]:
        found: set[int] = set()
        index.find(value, found)
        event = dumps({"k": value})
        expected = {i for i, t in enumerate(texts) if ref_matches(dumps({"k": [{"wildcard": t}]}), event)}
        assert found == expected, value


@given(text=wildcards(), value=st.text(alphabet="ab*\\.ß", max_size=8))
def test_segments_match_is_the_wildcard(text: str, value: str) -> None:
    expected = ref_matches(dumps({"k": [{"wildcard": text}]}), dumps({"k": value}))
    assert segments_match(wildcard_segments(text), value) is expected


def test_parts_that_do_not_compile_are_halved(monkeypatch: pytest.MonkeyPatch) -> None:
    # A budget too small for more than one pattern per set: each part halves down to single patterns, and
    # a pattern RE2 still refuses is checked without it; none is lost.
    def tight() -> re2.Options:
        options = re2.Options()
        options.dot_nl = True
        options.max_mem = 1 << 12
        return options

    monkeypatch.setattr(string_tests, "re2_options", tight)
    texts = [f"*{i:03d}*{'y' * (i % 40)}*z" for i in range(60)]
    parts = RegexPartitions([(t, (i,)) for i, t in enumerate(texts)])
    assert len(parts.parts) + len(parts.plain) > 1
    for i, text in enumerate(texts):
        found: set[int] = set()
        parts.find(_value_of(text, "-"), found)
        assert i in found
        assert all(segments_match(wildcard_segments(texts[k]), _value_of(text, "-")) for k in found)


def test_a_field_with_tens_of_thousands_of_wildcards_builds_and_matches() -> None:
    # One RE2 set over these patterns failed to compile at this size ("failed to compile Set").
    texts = [f"uploads/*/customer-{i}/*.pdf" if i % 2 else f"*/exports/{i}-*" for i in range(30_000)]
    texts += [f"*{i}*-{i}*" for i in range(5_000)]  # neither head nor tail: RE2 sets only
    index = WildcardTests([(t, i) for i, t in enumerate(texts)])
    segments = [wildcard_segments(t) for t in texts]
    for value, must in [
        ("uploads/x/customer-29999/a.pdf", {29999}),
        ("a/exports/1230-b", {1230}),
        ("uploads/x/customer-8/a.pdf", set()),
        ("z4321z-4321z", {30_000 + 4321}),
    ]:
        found: set[int] = set()
        index.find(value, found)
        assert must <= found
        assert found == {i for i, seg in enumerate(segments) if segments_match(seg, value)}


@fixtures_ok
@given(
    texts=st.lists(wildcards(), min_size=1, max_size=60),
    removed=st.sets(st.integers(0, 59)),
    readded=st.sets(st.integers(0, 59), max_size=8),
    events=values,
)
def test_live_wildcards_find_on_both_engines(
    native: bool, texts: list[str], removed: set[int], readded: set[int], events: list[str]
) -> None:
    """A field's live wildcards (sets of doubling sizes, the latest few, removals filtered) find what each
    pattern matches, in the core's wildcards_find and in the Python twin alike, while patterns come and go;
    a lone surrogate is read as "?", as the services see it."""
    live = string_tests.LiveWildcards()
    assert (live.core is not None) == native
    here: dict[int, str] = {}
    for i, text in enumerate(texts):
        live.add(text, i)
        here[i] = text
    for i in sorted(removed & set(here)):
        live.remove(here.pop(i), i)
        if i in readded:
            live.add(texts[i], i)
            here[i] = texts[i]
    for value in [*events, *(_value_of(t, "a\ud800b") for t in texts)]:
        found: set[int] = set()
        live.find(value, found)
        seen = string_tests.utf8_safe(value)
        assert found == {i for i, t in here.items() if segments_match(wildcard_segments(t), seen)}, value
