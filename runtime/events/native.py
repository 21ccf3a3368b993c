"""The native core's interface: the tables runtime/events/_native.c reads, declared and built here only.

The C core (optional: without it the pure-Python twin runs) holds no state of its own. The matcher
builds these tables once per rule set (``match_tables``) from the same indexes and tries the Python twin
uses, and passes them on every call. Notation: ``ids`` is a tuple of condition ids (ints); ``pid`` a
path id, the index of the field's path in the sorted path list; the C names of positions are given
in brackets.

``match(obj, TABLES)``: the whole per-event pass (read the rule fields, evaluate each value, fill in
`exists: false`, collect the rules met). Returns the names met (in trie order, possibly repeated), or,
when the Python steps must finish (``EventMatcher._finish``): ``(matched, seen, trailed)`` when floats met
numeric tests, ``(matched, seen, trailed, free, evaluated)`` when values sat inside arrays of objects.

``TABLES`` = (PATH_NODE, SPECS, ABSENT, FEW, RULE_NODE):

- ``PATH_NODE`` = (ENTRIES, positional): the field-path trie (runtime/events/path_trie.py), each shared
  node converted once. ``positional``: array positions matter under this node.
  ENTRIES = ((key, child, pid, positional, tracked), ...) [E_KEY, E_CHILD, E_PID, E_POSITIONAL,
  E_TRACKED]: ``key`` the str to look up in the object at this level; ``child`` the PATH_NODE below it or
  None; ``pid`` the path id when a rule path ends here, else None; ``positional`` whether positions
  matter for values of this field; ``tracked`` whether the field's presence is noted in ``seen`` (an
  `exists: false` depends on it).
- ``SPECS`` = one SPEC per pid: how the field's values are evaluated (``field_spec``). A SPEC is one of
    dict      exact strings only: {str: ids}, probed with the value itself;
    callable  ``evaluate(value, matched)`` in Python (address mode, several anything-but tests per
              condition, anything-but with patterns, several indexes on one path);
    tuple     the index as tables, 12 items (``index_spec``) [S_EXACT .. S_FALLBACK]:
      S_EXACT     {str: ids} | None                 exact strings;
      S_PREFIX    (empty ids, AFFIX) | None          prefixes; ``empty`` ids are met by every string;
      S_SUFFIX    (empty ids, AFFIX) | None          suffixes; AFFIX = {edge code point: ((length,
                                                     {text: ids}), ...)}, lengths ascending (the
                                                     string_tests.AffixTables of the field);
      S_AB_KEPT   {str: ids} | None                 anything-but over plain strings: excluded value ->
                                                     the anything-but ids it leaves standing;
      S_AB_ALL    ids                               every anything-but id (kept when nothing excludes);
      S_ALWAYS    ids                               `exists: true`: met by every leaf value;
      S_TRUE, S_FALSE, S_NULL   ids                 the literal tests;
      S_FINDERS   (callable, ...)                   other string tests: ``find(s, matched)`` in Python;
      S_NUMBERS   None | False | NUMBERS            None: no numeric test (numbers meet only anything-but
                                                     and exists); False: numbers go to S_FALLBACK;
      S_FALLBACK  callable                          the Python evaluator, for the numbers the core
                                                     cannot decide (big integers, subnormals, decimals).
      NUMBERS = (exact, points, at, gap, ab_kept) [N_EXACT .. N_AB_KEPT] (``number_tables``): ``exact``
      {double: ids} | None; ``points`` the sorted doubles of the range ends | None; ``at[k]`` the range
      ids containing points[k], ``gap[k]`` those containing the open stretch before it (ids tuples,
      runtime/events/intervals.py); ``ab_kept`` {double: the anything-but ids it leaves standing} | None.
- ``ABSENT`` = ((pid, ids), ...): the `exists: false` conditions met when the path has no value.
- ``FEW`` = ((ids, name), ...) | None: with few sub-rules, each one's condition set is tested instead of
  walking RULE_NODE.
- ``RULE_NODE`` = (names, {condition id: RULE_NODE}): the rule trie (runtime/events/rule_trie.py).

The other entry points: ``collect(RULE_NODE, matched)`` walks the rule trie; ``touching(names,
conditions_by_name, ids)`` and ``floats_exact(text, floats)`` are two steps of ``EventMatcher._finish``.
Besides its condition ids the core puts FLOAT_SEEN (-1, runtime/events/field_index.py) and
``(FLOAT_SEEN, float)`` in ``matched`` when a float meets a numeric test, as the Python evaluators do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tamis.runtime import cores
from tamis.runtime.events.field_index import MAX_COMPLEMENT_CELLS, FieldIndex
from tamis.runtime.events.path_trie import PathNode
from tamis.runtime.events.rule_trie import RuleNode
from tamis.runtime.events.string_tests import AffixTables

try:  # the C extension (runtime/events/_native.c)
    from tamis.runtime.events import _native as core
except ImportError as exc:  # pragma: no cover - only where the extension did not build or load
    core = None  # type: ignore[assignment]
    cores.unavailable(cores.EVENT_MATCHER, exc)

MAX_DEPTH = 150  # path tries deeper than this use the Python walker (the C one recurses per level)

Evaluator = Callable[[Any, set[int]], None]


def match_tables(
    path_names: list[str],
    path_root: PathNode,
    indexes: list[tuple[FieldIndex, ...]],
    evaluators: list[Evaluator],
    absent: list[tuple[int, frozenset[int]]],
    few: list[tuple[frozenset[int], str]] | None,
    rule_root: RuleNode,
) -> tuple[Any, ...] | None:
    """The TABLES of ``match``, or None when the path trie is too deep for the C walker."""
    if any(path.count(".") >= MAX_DEPTH for path in path_names):
        return None
    absent_paths = frozenset(pid for pid, _ in absent)
    return (
        path_tables(path_root, absent_paths),
        tuple(field_spec(field, evaluate) for field, evaluate in zip(indexes, evaluators, strict=True)),
        tuple((pid, tuple(ids)) for pid, ids in absent),
        None if few is None else tuple((tuple(conds), name) for conds, name in few),
        rule_tables(rule_root),
    )


def path_tables(root: PathNode, absent_paths: frozenset[int]) -> tuple[Any, ...]:
    """PATH_NODE of the trie under ``root``."""
    # The path trie is a DAG (a dotted key leads to the node its segments lead to): convert each node
    # once, or shared nodes would be copied once per route to them.
    converted: dict[int, tuple[Any, ...]] = {}

    def paths(node: PathNode) -> tuple[Any, ...]:
        done = converted.get(id(node))
        if done is None:
            entries = tuple(
                (
                    key,
                    None if child is None else paths(child),
                    pid if pid >= 0 else None,
                    positional,
                    pid in absent_paths,
                )
                for key, child, pid, positional in node.entries
            )
            done = converted[id(node)] = (entries, node.positional)
        return done

    return paths(root)


def rule_tables(node: RuleNode) -> tuple[Any, ...]:
    """RULE_NODE of the rule trie under ``node``."""
    return (tuple(node.names), {ident: rule_tables(child) for ident, child in node.children.items()})


def field_spec(indexes: tuple[FieldIndex, ...], evaluate: Evaluator) -> Any:
    """SPEC of one field: what the native core evaluates the field's values with."""
    if len(indexes) != 1:
        return evaluate  # several modes (addresses and strings) on one field: the Python evaluator
    index = indexes[0]
    if getattr(evaluate, "exact_get", None) is not None:
        return exact_table(index)  # exact strings only: the {value: ids} table is probed directly
    return index_spec(index, index.bound_evaluator())


def index_spec(index: FieldIndex, fallback: Evaluator) -> Any:
    """The index as a 12-item SPEC tuple, or ``fallback`` itself where the core cannot evaluate it:
    address mode, several anything-but tests per condition, anything-but with patterns. ``fallback``
    still evaluates the numbers the core leaves to Python."""
    if index.ip_mode or index.ab_owner is not None:
        return fallback
    ab_kept = None
    if index.ab_strings is not None:
        kept = index.ab_exact_kept()
        if kept is None:
            return fallback
        ab_kept = {value: tuple(ids) for value, ids in kept.items()}
    strings = index.strings
    exact = exact_table(index)
    prefix = suffix = None
    finders: list[Callable[[str, set[int]], None]] = []
    for finder in strings.finders if strings is not None else ():
        if isinstance(finder, AffixTables) and not finder.ascii_fold:
            tables = (
                tuple(finder.empty),
                {
                    ord(edge): tuple((n, {k: tuple(v) for k, v in table.items()}) for n, table in group)
                    for edge, group in finder.groups.items()
                },
            )
            if finder.suffix:
                suffix = tables
            else:
                prefix = tables
        else:
            finders.append(finder.find)
    return (
        exact,  # S_EXACT
        prefix,  # S_PREFIX
        suffix,  # S_SUFFIX
        ab_kept,  # S_AB_KEPT
        tuple(index.anything_but),  # S_AB_ALL
        tuple(index.always),  # S_ALWAYS
        tuple(index.true),  # S_TRUE
        tuple(index.false),  # S_FALSE
        tuple(index.null),  # S_NULL
        tuple(finders),  # S_FINDERS
        number_tables(index),  # S_NUMBERS
        fallback,  # S_FALLBACK
    )


def exact_table(index: FieldIndex) -> dict[str, tuple[int, ...]] | None:
    """The exact-string table {str: ids}, or None when the index has no exact string."""
    if index.strings is None or not index.strings.exact:
        return None
    return {k: tuple(v) for k, v in index.strings.exact.items()}


def number_tables(index: FieldIndex) -> Any:
    """S_NUMBERS: None (no numeric test), False (numbers go to the Python evaluator) or NUMBERS."""
    if not index.numbers:
        return None
    if index.num_literal:
        return False
    ranges = index.ranges
    if ranges is not None and not all(type(p) is float for p in ranges.points):
        return False
    if len(index.ab_num) * len(index.anything_but) > MAX_COMPLEMENT_CELLS:
        return False
    return (
        {k: tuple(v) for k, v in index.num_exact.items()} or None,  # N_EXACT
        tuple(ranges.points) if ranges is not None else None,  # N_POINTS
        tuple(tuple(ids) for ids in ranges.at) if ranges is not None else None,  # N_AT
        tuple(tuple(ids) for ids in ranges.gap) if ranges is not None else None,  # N_GAP
        {k: tuple(index.anything_but - ids) for k, ids in index.ab_num.items()} or None,  # N_AB_KEPT
    )
