"""The native core's interface: the tables runtime/events/_native.c reads, declared and built here only.

The C core (optional: without it the pure-Python twin runs) holds no state of its own. The matcher keeps
these tables live (runtime/events/matcher.py: ``add`` and ``remove`` change them in place, entry by entry;
the module docstring there gives the concurrency contract) and passes them on every call. Notation:
``ids`` is a tuple of condition ids (ints); ``pid`` a path id (an index into SPECS); the C names of
positions are given in brackets.

``match(obj, TABLES)``: the whole per-event pass (read the rule fields, evaluate each value against its
field's access conditions, fill in `exists: false`, test the candidates' other conditions, check array
consistency for those with values inside arrays of objects, collect rule numbers, sort them and turn them
into names). Returns the names, in the order the rules were added, or, when floats met numeric tests (the
exact-number re-check of ``EventMatcher._settle`` must finish), ``(matched, free, hits, pending, trailed,
passed)``: the sets of ``EventMatcher._finish`` (``free`` and the next three None without values inside
arrays of objects; ``hits`` = {condition id: [trail, ...]}, its ``evaluated`` by condition; ``trailed`` a
list of (pid, value, trail)) and the groups whose conditions hold.

``TABLES`` = (NODE, SPECS, ABSENT, ACCESS, RESIDUAL, NAMES, PAIRED) [T_NODE .. T_PAIRED]:

- ``NODE`` = [entries, positional]: a node of the field-path trie (runtime/events/path_trie.py), a list
  mutated in place. ``entries`` = {key: (child NODE or None, pid or None, positional, tracked, record)}
  [E_CHILD .. E_RECORD]: ``key`` the str looked up in the object at this level; ``pid`` set when a rule
  path ends there; ``positional`` whether positions matter for values of this field; ``tracked`` whether
  the field's presence is noted in ``seen`` (an `exists: false` depends on it); ``record`` whether its
  values are kept in ``values`` (some condition on it is tested per candidate). ``positional`` of the
  node: array positions matter under it. The walk takes the smaller of the object and ``entries``.
- ``SPECS`` = a list, one SPEC (or None: no access condition) per pid: how the field's values are evaluated
  (``field_spec``). A SPEC is one of
    dict      exact strings only: {str: ids}, probed with the value itself;
    callable  ``evaluate(value, matched)`` in Python (several anything-but tests per condition,
              anything-but with patterns, several indexes on one path, an equals-ignore-case test);
    list      WILDCARDS = [ids, segments, ...]: one condition of wildcards (``condition_test``), met
              by a str that matches any of them; ``segments`` the literal runs between its `*`s
              (wildcards.wildcard_segments), matched as wildcards.segments_match does;
    tuple     the index as tables, 13 items (``index_spec``) [S_EXACT .. S_IP]:
      S_EXACT     {str: ids} | None                 exact strings;
      S_PREFIX    (empty ids, AFFIX) | None          prefixes; ``empty`` ids are met by every string;
      S_SUFFIX    (empty ids, AFFIX) | None          suffixes; AFFIX = {edge character: ((length,
                                                     {text: ids}), ...)}, lengths ascending (the
                                                     string_tests.AffixTables of the field);
      S_AB_EXCL   BY_VALUE | None                   anything-but over plain strings and numbers
                                                     (runtime/events/exclusions.py): {str or double:
                                                     (excluded, kept)}, the set of anything-but ids
                                                     excluding the value, and (for a value most
                                                     exclude) the set of those it meets, else None;
      S_AB_ALL    set of ids                        every anything-but id (met unless excluded);
      S_ALWAYS    ids                               `exists: true`: met by every leaf value;
      S_TRUE, S_FALSE, S_NULL   ids                 the literal tests;
      S_FINDERS   (callable, ...)                   other string tests: ``find(s, matched)`` in Python;
      S_NUMBERS   None | False | NUMBERS            None: no numeric test (numbers meet only anything-but
                                                     and exists); False: numbers go to S_FALLBACK;
      S_FALLBACK  callable                          the Python evaluator, for the numbers the core
                                                     cannot decide (big integers, subnormals, decimals);
      S_IP        None | (ip_hex, RANGES | None, RANGES | None, owner)   address mode: a str is read
                                                     as an address (ipaddr.ip_hex) and stabbed into the
                                                     IPv4 blocks (its first 8 hex digits) and, for an
                                                     IPv6 address, the IPv6 ones; ``owner`` {block id:
                                                     condition id}. The string tests see it as written.
      RANGES = (trees, added, removed): an Intervals (``ranges_spec``), ends as hex str.
      NUMBERS = (exact, tree, added, removed, ab_excl) [N_EXACT .. N_AB_EXCL] (``number_tables``):
      ``exact`` {double: ids} | None; ``trees`` the interval trees of the ranges (NODEs of
      runtime/events/intervals.py: (center, lows, low_incs, low_ids, highs, high_incs, high_ids, left,
      right, flat)); ``added`` the ranges in no tree yet, ((low, low_inc, high, high_inc, id), ...);
      ``removed`` the ids in a tree no longer in the set (a set, probed only); ``ab_excl`` the BY_VALUE
      of S_AB_EXCL (probed with the double) when anything-but excludes numbers, else None.
- ``ABSENT`` = {pid: ids}: the indexed `exists: false` conditions met when the path has no value.
- ``ACCESS`` = {condition id: (GROUP, ...)}: the sub-rules filed under each access condition (under -2,
  EVERY, those with no condition: met by every event), those with the same conditions in one GROUP =
  (rule numbers, other ids, all ids, order, names) [R_NUMBERS .. R_NAMES]; ``order`` holds the ids in
  the lexical order of their paths (ties by id), the order array consistency takes them in; ``names``
  the rules' names, one per number (the core names its answer from the groups, not from NAMES).
- ``RESIDUAL`` = {condition id: (evaluate, SPEC, pid, absent_ok)} [Q_EVALUATE .. Q_ABSENT]: the conditions
  tested per candidate; each SPEC is a one-condition index or table (``condition_test``), or for numeric
  ranges with double ends RANGES = (SPEC, low, low_inclusive, high, high_inclusive, ...): the core decides
  an integer that a double holds exactly by the ends, any other value by the SPEC. A condition in ACCESS's
  groups but not in RESIDUAL is an access condition the index did not find: it does not hold.
- ``NAMES`` = {rule number: name} (the Python steps' names).
- ``PAIRED`` = {access condition id: {partner id: (GROUP, ...)}}: groups filed under a pair
  (``EventMatcher._choose``), tested when both are met by values one choice of array elements can hold;
  the dicts are changed in place, as ACCESS is (their buckets replaced whole).

Besides its condition ids the core puts FLOAT_SEEN (-1, runtime/events/field_index.py) and
``(FLOAT_SEEN, float)`` in ``matched`` when a float meets a numeric test, as the Python evaluators do.
``floats_exact(text, floats)`` is a step of ``EventMatcher._finish``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tamis.runtime import cores
from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition
from tamis.runtime.events.field_index import FieldIndex, combined
from tamis.runtime.events.intervals import Intervals
from tamis.runtime.events.ipaddr import ip_hex
from tamis.runtime.events.string_tests import AffixTables, ignore_case_match, utf8_bytes, utf8_safe
from tamis.runtime.events.wildcards import segments_match, wildcard_segments

try:  # the C extension (runtime/events/_native.c)
    from tamis.runtime.events import _native as core
except ImportError as exc:  # pragma: no cover - only where the extension did not build or load
    core = None  # type: ignore[assignment]
    cores.unavailable(cores.EVENT_MATCHER, exc)

MAX_DEPTH = 150  # paths deeper than this use the Python walker (the C one recurses per level)

Evaluator = Callable[[Any, set[int]], None]


def condition_test(ident: int, cond: FieldCondition) -> tuple[Evaluator, Any]:
    """(evaluate, SPEC) of one condition tested per candidate. Exact strings outside address mode (the
    common case) get a {value: ids} table of their own, wildcards their literal runs (WILDCARDS: a few
    string searches, where an index would look up every run of the value); any other condition a
    one-condition index."""
    if not cond.ip_mode and all(test[0] == C.STR for test in cond.tests):
        table = {test[1]: (ident,) for test in cond.tests}
        get = table.get

        def exact(v: Any, out: set[int]) -> None:
            if type(v) is str and get(v):
                out.add(ident)

        return exact, table
    if not cond.ip_mode and all(test[0] == C.EQ_IC for test in cond.tests):
        test = ignore_case_test(ident, [test[1] for test in cond.tests])
        return test, test
    if not cond.ip_mode and all(test[0] == C.WILDCARD for test in cond.tests):
        patterns = tuple(wildcard_segments(test[1]) for test in cond.tests)

        def wildcard(v: Any, out: set[int]) -> None:
            if type(v) is str:
                v = utf8_safe(v)
                if any(segments_match(segments, v) for segments in patterns):
                    out.add(ident)

        return wildcard, [(ident,), *patterns]
    index = FieldIndex([(ident, cond)], cond.ip_mode)
    spec = field_spec({cond.ip_mode: index})
    if not cond.ip_mode and all(
        test[0] == C.RANGE and type(test[1]) is type(test[3]) is float for test in cond.tests
    ):
        # RANGES: the core decides integers by the ends, without a set, other values by the SPEC
        return index.evaluate, (spec, *(item for test in cond.tests for item in test[1:]))
    return index.evaluate, spec


def ignore_case_test(ident: int, texts: list[str]) -> Evaluator:
    """One equals-ignore-case condition tested per candidate: ASCII texts by their lower case (a value
    that is not ASCII never meets one), the others by their anchored RE2 on the value's UTF-8, as
    string_tests.IgnoreCaseTests decides them."""
    lowered = frozenset(text.lower() for text in texts if text.isascii())
    regexes = [ignore_case_match(t) for t in texts if not t.isascii()]

    def ignore_case(v: Any, out: set[int]) -> None:
        if type(v) is not str:
            return
        if lowered and v.isascii() and v.lower() in lowered:
            out.add(ident)
        elif regexes:
            data = utf8_bytes(v)
            for matches in regexes:
                if matches(data):
                    out.add(ident)
                    return

    return ignore_case


def field_spec(indexes: dict[bool, FieldIndex]) -> Any:
    """SPEC of one field (its indexes by mode): what the native core evaluates the field's values with."""
    if len(indexes) != 1:
        modes = sorted(indexes)
        return combined([indexes[mode].evaluate for mode in modes])
    index = next(iter(indexes.values()))
    strings = index.strings
    if (
        strings is not None
        and strings.exact
        and not strings.finders
        and not index.ip_mode
        and index.ab_strings is None
        and not index.exclusions.every
        and not index.always
        and not index.numbers
        and not index.literal
    ):
        return strings.exact  # exact strings only: the live {value: ids} table is probed directly
    return index_spec(index)


def index_spec(index: FieldIndex) -> Any:
    """The index as a 13-item SPEC tuple, or its Python evaluator where the core cannot evaluate it:
    several anything-but tests per condition, anything-but with patterns."""
    fallback = index.evaluate
    if index.ab_several:
        return fallback
    if index.ab_strings is not None and index.ab_strings:
        return fallback  # anything-but with patterns
    exclusions = index.exclusions
    strings = index.strings
    exact = strings.exact if strings is not None and strings.exact else None
    prefix = suffix = None
    finders: list[Callable[[str, set[int]], None]] = []
    for finder in strings.finders if strings is not None else ():
        if isinstance(finder, AffixTables) and not finder.ascii_fold:
            if finder.suffix:
                suffix = (finder.empty, finder.groups)
            else:
                prefix = (finder.empty, finder.groups)
        else:
            finders.append(finder.find)
    literal = index.literal
    return (
        exact,  # S_EXACT
        prefix,  # S_PREFIX
        suffix,  # S_SUFFIX
        exclusions.by_value if exclusions.by_value else None,  # S_AB_EXCL
        exclusions.every,  # S_AB_ALL
        index.always,  # S_ALWAYS
        literal.get("true", ()),  # S_TRUE
        literal.get("false", ()),  # S_FALSE
        literal.get("null", ()),  # S_NULL
        tuple(finders),  # S_FINDERS
        number_tables(index),  # S_NUMBERS
        fallback,  # S_FALLBACK
        address_tables(index),  # S_IP
    )


def address_tables(index: FieldIndex) -> Any:
    """S_IP: None outside address mode, else (ip_hex, RANGES of the IPv4 blocks or None, the same of the
    IPv6 ones, {block id: condition id})."""
    if not index.ip_mode:
        return None
    return (ip_hex, ranges_spec(index.ip4), ranges_spec(index.ip6), index.ab_owner)


def ranges_spec(ranges: Intervals | None) -> Any:
    """RANGES = (trees, added, removed) of an Intervals, or None."""
    if ranges is None:
        return None
    return (ranges.trees, ranges.added, ranges.removed)


def number_tables(index: FieldIndex) -> Any:
    """S_NUMBERS: None (no numeric test), False (numbers go to the Python evaluator) or NUMBERS."""
    if not index.numbers:
        return None
    if index.num_literal or index.non_float_ranges:
        return False
    ranges = index.ranges
    return (
        index.num_exact or None,  # N_EXACT
        ranges.trees if ranges is not None else (),  # N_TREES
        ranges.added if ranges is not None else (),  # N_ADDED
        ranges.removed if ranges is not None else frozenset(),  # N_REMOVED
        index.exclusions.by_value if index.ab_numbers else None,  # N_AB_EXCL
    )
