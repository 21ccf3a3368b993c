"""The live index structures against plain scans, under random adds and removes: the interval trees of
runtime/events/intervals.py (numeric ranges and address blocks) and the wildcard sets of
runtime/events/string_tests.py."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tamis.runtime.events.intervals import FLAT_SAMPLE, Intervals, contains
from tamis.runtime.events.string_tests import IgnoreCaseTests, LiveWildcards, ignore_case_match
from tamis.runtime.events.wildcards import segments_match, wildcard_segments, wildcard_tokens

ENDS = st.one_of(st.integers(0, 12).map(float), st.sampled_from([-math.inf, math.inf]))
INTERVALS = st.tuples(ENDS, st.booleans(), ENDS, st.booleans()).map(
    lambda t: (min(t[0], t[2]), t[1], max(t[0], t[2]), t[3])
)
# (add, id, interval) or (remove, id): ids come back after removal, as a condition re-indexed does.
STEPS = st.lists(st.tuples(st.booleans(), st.integers(0, 60), INTERVALS), max_size=300)


def _flat_nodes(node: Any) -> bool:
    return node is not None and (node[9] or _flat_nodes(node[7]) or _flat_nodes(node[8]))


@given(
    items=st.lists(INTERVALS, min_size=33, max_size=300),
    removed=st.sets(st.integers(0, 299), max_size=40),
)
def test_intervals_count_like_a_scan(items: list[tuple[Any, ...]], removed: set[int]) -> None:
    """``count`` (the access choice's overlap estimate): exact between endpoints with no flat node to
    sample; removed intervals still in a tree and ends at the point counted too, never fewer than a stab."""
    tree = Intervals((lo, lo_inc, hi, hi_inc, i) for i, (lo, lo_inc, hi, hi_inc) in enumerate(items))
    for i in removed & set(range(len(items))):
        tree.remove(i)
    sampled = any(_flat_nodes(node) and len(node[1]) > FLAT_SAMPLE for node in tree.trees)
    for x in [v / 2 for v in range(-2, 27)]:
        count = tree.count(x)
        if not sampled:
            assert count >= len(tree.stab(x))
        if x != int(x) and not sampled:  # between endpoints: every interval that holds x, removed or not
            kept = [it for it in tree.items.values()] + [
                it for level, _ in tree.levels for it in level if it[4] in tree.removed
            ]
            assert count == sum(contains((lo, True, hi, True, 0), x) for lo, _, hi, _, _ in kept)


@given(steps=STEPS)
def test_intervals_stab_like_a_scan(steps: list[tuple[bool, int, Any]]) -> None:
    live: dict[int, tuple[Any, ...]] = {}
    tree = Intervals()
    for k, (adding, ident, (lo, lo_inc, hi, hi_inc)) in enumerate(steps):
        if adding and ident not in live:
            live[ident] = (lo, lo_inc, hi, hi_inc, ident)
            tree.add(live[ident])
        elif not adding and ident in live:
            del live[ident]
            tree.remove(ident)
        if k % 9 == 0 or k == len(steps) - 1:
            for x in [v / 2 for v in range(-2, 27)]:
                assert sorted(tree.stab(x)) == sorted(i for i, it in live.items() if contains(it, x))


def test_address_blocks_stab_like_a_scan() -> None:
    blocks = [(f"{a:02X}000000", True, f"{a:02X}FFFFFF", True, a) for a in range(0, 200, 3)]
    blocks += [(f"0A{a:02X}0000", True, f"0A{a:02X}FFFF", True, 1000 + a) for a in range(100)]
    tree = Intervals(blocks)
    for probe in ["00000001", "0A050505", "0AFF0000", "C6000001", "FFFFFFFF"]:
        assert sorted(tree.stab(probe)) == sorted(b[4] for b in blocks if contains(b, probe))


def _wildcard_matches(text: str, s: str) -> bool:
    tokens = wildcard_tokens(text)

    def at(i: int, j: int) -> bool:
        if i == len(tokens):
            return j == len(s)
        if tokens[i] is None:
            return any(at(i + 1, k) for k in range(j, len(s) + 1))
        return j < len(s) and s[j] == tokens[i] and at(i + 1, j + 1)

    return at(0, 0)


WILDCARDS = st.text("ab*", min_size=1, max_size=5)


@given(steps=st.lists(st.tuples(st.booleans(), st.integers(0, 40), WILDCARDS), max_size=150))
def test_live_wildcards_find_like_a_scan(steps: list[tuple[bool, int, str]]) -> None:
    live: dict[int, str] = {}
    sets = LiveWildcards()
    for k, (adding, ident, text) in enumerate(steps):
        if adding and ident not in live:
            live[ident] = text
            sets.add(text, ident)
        elif not adding and ident in live:
            sets.remove(live.pop(ident), ident)
        if k % 7 == 0 or k == len(steps) - 1:
            for s in ["", "a", "b", "ab", "ba", "aab", "abab", "bbb"]:
                out: set[int] = set()
                sets.find(s, out)
                assert out == {i for i, t in live.items() if _wildcard_matches(t, s)}, s


def test_live_wildcards_hold_more_than_one_regex_set_takes() -> None:
    # Levels merge into WildcardTests (keyed groups, RE2 sets of bounded size): a level past the ~20,000
    # patterns one RE2 set compiles still builds, and removals are filtered until a rebuild.
    texts = [f"uploads/*/customer-{i}/*.pdf" if i % 2 else f"*/exports/{i}-*" for i in range(20_000)]
    texts += [f"*{i}*-{i}*" for i in range(4_000)]  # neither head nor tail: RE2 sets only
    sets = LiveWildcards()
    for i, text in enumerate(texts):
        sets.add(text, i)
    assert max(len(level) for level, _ in sets.levels) > 16_000
    gone = set(range(0, len(texts), 5))
    for i in sorted(gone):
        sets.remove(texts[i], i)
    segments = [wildcard_segments(t) for t in texts]
    for value in [
        "uploads/x/customer-19999/a.pdf",
        "uploads/x/customer-17/a.pdf",
        "a/exports/1232-b",
        "z4321z-4321z",
    ]:
        found: set[int] = set()
        sets.find(value, found)
        assert found == {i for i, seg in enumerate(segments) if i not in gone and segments_match(seg, value)}
        assert found


def test_texts_that_differ_in_case_share_one_ignore_case_regex() -> None:
    """A text's letters may appear in either case whatever case the text has, so "Été" and "ÉTÉ" match
    the same values through one compiled regex; a value of a fold bucket is then matched once."""
    assert ignore_case_match("Été") is ignore_case_match("ÉTÉ") is ignore_case_match("éTé")
    assert ignore_case_match("Été") is not ignore_case_match("Étés")
    index = IgnoreCaseTests([("Été", 1), ("ÉTÉ", 2), ("étÉ", 3), ("Étés", 4)], "eq")
    for value, expected in (("été", {1, 2, 3}), ("ÉTÉS", {4}), ("ete", set()), ("étés", {4})):
        found: set[int] = set()
        index.find(value, found)
        assert found == expected, value
