"""A live RuleSet: random interleavings of add, remove and match against the reference interpreter, on
both engines, and the snapshot contract under threads (runtime/events/matcher.py's module docstring).

The matcher changes its structures in place on every add and remove (no rebuild), so each interleaving
checks that what is left after any history answers as a set built from scratch would.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from support.matcher_engines import ENGINES, engine
from support.pattern_strategies import draw_object, dumps, events_for, pick, within_wildcard_limit
from support.reference_patterns import ref_matches

import tamis
from tamis.runtime.events import matcher as event_matcher
from tamis.runtime.events.exclusions import HEAVY_FROM

Op = tuple[str, str, Any]


@st.composite
def live_scripts(draw: st.DrawFn) -> list[Op]:
    """Adds (of fresh names and of names already there, which ORs), removes and matches, interleaved; the
    events are aimed at patterns added so far."""
    ops: list[Op] = []
    names = [f"r{i}" for i in range(4)]
    patterns: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(2, 12))):
        kind = draw(st.sampled_from(["add", "add", "remove", "match", "match"]))
        if kind == "add":
            pattern = draw_object(draw)
            assume(within_wildcard_limit(pattern))
            patterns.append(pattern)
            ops.append(("add", pick(draw, names), pattern))
        elif kind == "remove":
            ops.append(("remove", pick(draw, names), None))
        elif patterns:
            target = patterns[draw(st.integers(0, len(patterns) - 1))]
            ops.append(("match", "", events_for(draw, target, 1)[0]))
    return ops


def expected(live: dict[str, list[dict[str, Any]]], event: Any) -> list[str]:
    """The names whose patterns (any of those added under the name) the reference matches, in order."""
    return [name for name, patterns in live.items() if any(ref_matches(p, event) for p in patterns)]


@pytest.mark.parametrize("native", ENGINES)
@given(script=live_scripts())
@settings(deadline=None)
def test_live_set_agrees_with_reference(native: bool, script: list[Op]) -> None:
    with engine(native):
        rs = tamis.RuleSet()
    live: dict[str, list[dict[str, Any]]] = {}
    for kind, name, arg in script:
        if kind == "add":
            rs.add(name, dumps(arg))
            live.setdefault(name, []).append(arg)
        elif kind == "remove":
            assert rs.remove(name) is (live.pop(name, None) is not None)
        else:
            text = dumps(arg)
            note(f"event: {text}")
            assert rs.matches(text) == expected(live, arg)
        assert rs.names == list(live)


@pytest.mark.parametrize("native", ENGINES)
def test_churn_leaves_no_trace(native: bool) -> None:
    """Adding and removing many rules leaves the structures as an empty set has them."""
    with engine(native):
        rs = tamis.RuleSet()
    keep = {"source": ["aws.s3"], "n": [{"numeric": [">", 5]}]}
    rs.add("keep", keep)
    event = {"source": "aws.s3", "n": 7, "detail": {"k": "v.1", "ip": "10.1.2.3"}}
    for _ in range(3):
        added = {}
        for i in range(300):
            added[f"tmp{i}"] = pattern = {
                "source": ["aws.s3", f"svc{i % 7}"],
                "n": [{"numeric": [">=", i % 11, "<", 20 + i]}],
                "detail": {
                    "k": [{"suffix": f".{i % 5}"}, {"wildcard": f"*{i % 3}*"}],
                    "ip": [{"cidr": f"10.{i % 256}.0.0/16"}],
                    "gone": [{"exists": False}],
                },
            }
            rs.add(f"tmp{i}", pattern)
        want = ["keep", *(name for name, pattern in added.items() if ref_matches(pattern, event))]
        assert len(want) > 1
        assert rs.matches(event) == want
        for i in range(300):
            assert rs.remove(f"tmp{i}")
        assert rs.matches(event) == ["keep"]
    matcher = rs._matcher
    assert len(matcher._conds) == 2
    assert set(matcher._paths) == {"source", "n"}
    assert sum(len(groups) for groups in matcher._access.values()) == 1


@pytest.mark.parametrize("native", ENGINES)
@pytest.mark.parametrize("again", [False, True], ids=["new-name", "same-name"])
def test_a_rule_refused_midway_is_rolled_back(
    native: bool, again: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that fails after part of a rule was published (here: indexing its second sub-rule's access
    condition) takes that part back out: the set answers, and is shaped, as before the add."""
    with engine(native):
        rs = tamis.RuleSet()
    rs.add("good", {"a": ["x"], "n": [{"numeric": [">", 1]}]})
    matcher = rs._matcher
    before = (dict(matcher._cond_ids), set(matcher._paths), dict(matcher._access), dict(matcher._residual))
    original = event_matcher.EventMatcher._index

    def failing(self: Any, ident: int) -> None:
        if self._conds[ident].cond.path == "boom":
            raise RuntimeError("index refused")
        original(self, ident)

    monkeypatch.setattr(event_matcher.EventMatcher, "_index", failing)
    bad = {"$or": [{"a": ["y"]}, {"boom": [{"prefix": "q"}]}]}
    with pytest.raises(tamis.PatternError) as info:
        rs.add("good" if again else "bad", bad)
    assert info.value.rule == "runtime-index" and "index refused" in str(info.value)
    assert rs.names == ["good"]
    assert (dict(matcher._cond_ids), set(matcher._paths), dict(matcher._access), dict(matcher._residual)) == (
        before
    )
    for event, want in [({"a": "x", "n": 2}, ["good"]), ({"a": "y"}, []), ({"boom": "qq"}, [])]:
        assert rs.matches(event) == want
    monkeypatch.undo()
    rs.add("bad", bad)
    assert rs.matches({"boom": "qq"}) == ["bad"] and rs.matches({"a": "y"}) == ["bad"]


def _churned(family: str, i: int) -> dict[str, Any]:
    """Rule r{i} of the threaded test: it matches the event whatever i."""
    if family == "anything-but":  # beside 100 fixed ones excluding the event's value: that value is heavy
        return {"source": ["aws.s3"], "detail": {"v": [{"anything-but": [f"x{i}"]}]}}
    if family == "wildcard":  # the live wildcard sets merge and rebuild as rules come and go
        return {"source": ["aws.s3"], "detail": {"w": [{"wildcard": f"ab*{i % 7}*z"}]}}
    return {
        "source": ["aws.s3"],
        "$or": [
            {"detail": {"n": [{"numeric": [">", i % 5 - 1]}]}},
            {"detail": {"tags": {"k": ["zz"]}}},
        ],
    }


@pytest.mark.parametrize("family", ["numeric", "anything-but", "wildcard"])
@pytest.mark.parametrize("native", ENGINES)
def test_snapshot_contract_under_threads(native: bool, family: str) -> None:
    """One writer adds rules r0, r1, ... and removes them first-in first-out; readers match meanwhile. At
    any moment the rules present are a run r[lo:hi], every one of which matches the event; a match must
    return such a run (in the order added) plus the fixed rules, and never raise."""
    with engine(native):
        rs = tamis.RuleSet()
        rs.add("base", {"source": ["aws.s3"]})
        rs.add("never", {"source": ["aws.ec2"]})
        for k in range(100 if family == "anything-but" else 0):
            rs.add(f"never-{k}", {"detail": {"v": [{"anything-but": ["blocked", f"y{k}"]}]}})
    if family == "anything-but":
        assert "blocked" in rs._matcher._paths["detail.v"].indexes[False].exclusions.heavy
    event = (
        b'{"source": "aws.s3", "detail": {"n": 5, "tags": [{"k": "a"}, {"k": "b"}], "v": "blocked",'
        b' "w": "ab0123456z"}}'
    )
    changes = 400
    done = threading.Event()
    errors: list[BaseException] = []
    results: list[list[str]] = []

    def writer() -> None:
        try:
            for i in range(changes):
                rs.add(f"r{i:04d}", _churned(family, i))
                if i >= 20:
                    rs.remove(f"r{i - 20:04d}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    def reader() -> None:
        try:
            while not done.is_set():
                results.append(rs.matches(event))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)] + [threading.Thread(target=writer)]
    with engine(native):  # the wildcard sets the writer makes take the engine too
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert results
    for names in results:
        assert names[0] == "base"
        run = [int(name[1:]) for name in names[1:]]
        assert run == list(range(run[0], run[0] + len(run))) if run else True, names
        assert len(run) <= 21, names
    assert rs.matches(event) == ["base", *(f"r{i:04d}" for i in range(changes - 20, changes))]


@pytest.mark.parametrize("native", ENGINES)
@given(
    kind=st.sampled_from(["exact", "prefix", "suffix"]),
    n=st.integers(event_matcher.CROWD_LIMIT - 2, 3 * event_matcher.CROWD_LIMIT),
    removed=st.sets(st.integers(0, 3 * event_matcher.CROWD_LIMIT)),
    hits=st.sets(st.integers(0, 3 * event_matcher.CROWD_LIMIT), max_size=6),
)
@settings(deadline=None, max_examples=25)
def test_a_crowded_text_agrees_with_reference(
    native: bool, kind: str, n: int, removed: set[int], hits: set[int]
) -> None:
    """Past CROWD_LIMIT conditions under one text, new ones are tested per candidate: the answers stay the
    reference's while rules sharing the text come and go, and the access choice moves to the narrow one."""

    def wide(i: int) -> Any:
        shared, own = {"exact": ("région-東京", f"région-{i}"), "prefix": ("rég", f"z{i}/"),
                       "suffix": ("東京", f".z{i}")}[kind]  # fmt: skip
        return [shared, own] if kind == "exact" else [{kind: shared}, {kind: own}]

    with engine(native):
        rules = tamis.RuleSet()
        live: dict[str, list[dict[str, Any]]] = {}
        for i in range(n):
            pattern = {"wide": wide(i), "narrow": ["clé-cible" if i in hits else f"clé-{i}"]}
            rules.add(f"r{i}", pattern)
            live[f"r{i}"] = [pattern]
        for i in sorted(removed & set(range(n))):
            rules.remove(f"r{i}")
            del live[f"r{i}"]
        for event in (
            {"wide": "région-東京", "narrow": "clé-cible"},
            {"wide": "région-3", "narrow": "clé-3"},
            {"wide": ["x", "région-東京"], "narrow": ["clé-cible", "clé-5"]},
            {"wide": "autre", "narrow": "clé-cible"},
        ):
            assert rules.matches(event) == expected(live, event), event


IGNORE_CASE_TEXTS = ["Été", "ÉTÉ", "straße", "STRASSE", "\u212a", "k", "İstanbul", "ΣΊΣΥΦΟΣ", "σίσυφος",
                     "ǅ", "ǆ", "ǄX", "😀ok", "ſ", "Ω\u2126", "ﬁ", "Ǉubljana"]  # fmt: skip
IGNORE_CASE_VALUES = [*IGNORE_CASE_TEXTS, "été", "Strasse", "STRAßE", "K", "\u212a", "i̇stanbul", "İSTANBUL",
                      "σίσυφοσ", "ΣΊΣΥΦΟΣ", "ǆ", "Ǆ", "ǅx", "??ok", "s", "S", "ωω", "FI",
                      "ǉubljana"]  # fmt: skip


@pytest.mark.parametrize("native", ENGINES)
@given(
    texts=st.lists(st.sampled_from(IGNORE_CASE_TEXTS), min_size=1, max_size=30),
    removed=st.sets(st.integers(0, 29), max_size=10),
)
@settings(deadline=None, max_examples=40)
def test_ignore_case_folded_index_agrees_with_reference(
    native: bool, texts: list[str], removed: set[int]
) -> None:
    """Non-ASCII equals-ignore-case texts are found by the fold their matches share, their regex deciding:
    the answers stay the reference's for the letters whose case forms differ in length or fold apart."""
    with engine(native):
        rules = tamis.RuleSet()
        live: dict[str, list[dict[str, Any]]] = {}
        for i, text in enumerate(texts):
            pattern = {"name": [{"equals-ignore-case": text}]}
            rules.add(f"r{i}", pattern)
            live[f"r{i}"] = [pattern]
        for i in sorted(removed & set(range(len(texts)))):
            rules.remove(f"r{i}")
            del live[f"r{i}"]
        for value in IGNORE_CASE_VALUES:
            event = {"name": value}
            assert rules.matches(event) == expected(live, event), value


@pytest.mark.parametrize("native", ENGINES)
@given(texts=st.lists(st.sampled_from([*IGNORE_CASE_TEXTS, "Été", "k", "abc"]), min_size=1, max_size=20))
@settings(deadline=None, max_examples=30)
def test_ignore_case_tested_per_candidate_agrees_with_reference(native: bool, texts: list[str]) -> None:
    """An equals-ignore-case condition beside a rarer exact value is tested per candidate (its own
    anchored regex on the value's UTF-8, or the lower case of ASCII): the answers stay the reference's."""
    with engine(native):
        rules = tamis.RuleSet()
        live: dict[str, list[dict[str, Any]]] = {}
        for i, text in enumerate(texts):
            pattern = {"name": [{"equals-ignore-case": text}, {"equals-ignore-case": texts[-1 - i]}],
                       "tag": [f"t{i}"]}  # fmt: skip
            rules.add(f"r{i}", pattern)
            live[f"r{i}"] = [pattern]
        tags = [f"t{i}" for i in range(len(texts))]
        for value in [*IGNORE_CASE_VALUES, "abc", "ABC", "été", 7]:
            event = {"name": value, "tag": tags}
            assert rules.matches(event) == expected(live, event), value


@pytest.mark.parametrize("native", ENGINES)
@given(
    n=st.integers(HEAVY_FROM - 8, 3 * HEAVY_FROM),
    numeric=st.booleans(),
    removed=st.sets(st.integers(0, 3 * HEAVY_FROM), max_size=3 * HEAVY_FROM),
    readded=st.sets(st.integers(0, 3 * HEAVY_FROM), max_size=20),
    hits=st.sets(st.integers(0, 3 * HEAVY_FROM), max_size=6),
)
@settings(deadline=None, max_examples=25)
def test_a_value_most_anything_buts_exclude_agrees_with_reference(
    native: bool, n: int, numeric: bool, removed: set[int], readded: set[int], hits: set[int]
) -> None:
    """A value excluded by most anything-but conditions of a field keeps its met ids
    (runtime/events/exclusions.py): the answers stay the reference's while rules come and go across the
    threshold, for strings and numbers, one value or several."""
    blocked: Any = 0 if numeric else "blocked"

    def pattern(i: int) -> dict[str, Any]:
        narrow = (
            [i + 1000 if numeric else f"w{i}"] if i in hits else [blocked, i + 1000 if numeric else f"w{i}"]
        )
        return {"wide": [{"anything-but": [f"x{i}"]}], "narrow": [{"anything-but": narrow}]}

    with engine(native):
        rules = tamis.RuleSet()
        live: dict[str, list[dict[str, Any]]] = {}
        for i in range(n):
            rules.add(f"r{i}", pattern(i))
            live[f"r{i}"] = [pattern(i)]
        for i in sorted(removed & set(range(n))):
            rules.remove(f"r{i}")
            del live[f"r{i}"]
            if i in readded:
                rules.add(f"r{i}", pattern(i))
                live[f"r{i}"] = [pattern(i)]
        other = 1005 if numeric else "w5"
        for event in (
            {"wide": "eu-west-1", "narrow": blocked},
            {"wide": "x3", "narrow": blocked},
            {"wide": "eu-west-1", "narrow": other},
            {"wide": "eu-west-1", "narrow": [blocked, other]},
            {"wide": "eu-west-1", "narrow": [blocked, blocked]},
            {"wide": "eu-west-1", "narrow": "blocked" if numeric else 0},
            {"wide": "eu-west-1", "narrow": 0.0 if numeric else True},
            {"wide": "eu-west-1"},
        ):
            assert rules.matches(event) == expected(live, event), event


NUMBERS = st.one_of(
    st.integers(-3, 12),
    st.sampled_from([2**53, 2**53 + 1, -(2**53) - 1, 10**20]),
    st.floats(-3, 12, allow_nan=False).map(lambda f: round(f, 1)),
)


@pytest.mark.parametrize("native", ENGINES)
@given(
    ranges=st.lists(
        st.tuples(st.integers(-2, 10), st.booleans(), st.integers(1, 4), st.booleans()),
        min_size=1,
        max_size=3,
    ),
    values=st.lists(NUMBERS, min_size=1, max_size=4),
    in_array=st.booleans(),
)
@settings(deadline=None)
def test_ranges_tested_per_candidate_agree_with_reference(
    native: bool, ranges: list[tuple[int, bool, int, bool]], values: list[Any], in_array: bool
) -> None:
    """A range condition tested per candidate (behind an exact access condition): integers a double holds
    are decided by the ends in the core, other numbers by its one-condition index."""
    numeric = []
    for low, low_inc, width, high_inc in ranges:
        numeric.append({"numeric": [">=" if low_inc else ">", low, "<=" if high_inc else "<", low + width]})
    pattern = {"e": {"k": ["x"], "n": numeric}}
    with engine(native):
        rs = tamis.RuleSet()
    rs.add("r", pattern)
    rs.add("s", {"e": {"k": ["x"], "m": ["y"]}})  # a second rule: the set is not a single pattern
    events = [{"e": {"k": "x", "n": values}}]
    if in_array:  # elements of an array of objects: the values of each element on their own
        events = [{"e": [{"k": "x", "n": v} for v in values] + [{"k": "z", "n": 5}]}]
    for event in events:
        text = dumps(event)
        note(f"event: {text}")
        assert rs.matches(text) == ["r"] * ref_matches(pattern, event)
