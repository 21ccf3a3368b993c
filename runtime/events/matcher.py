"""The many-rule event matcher: the hot path of event patterns.

Compile once, match many. At build time every field condition of every rule is placed in per-field
indexes (runtime/events/field_index.py), and every rule's conditions are threaded into a shared trie
(runtime/events/rule_trie.py). Per event the matcher:

1. reads only the event fields some rule names (runtime/events/walker.py, along the trie of field paths
   of runtime/events/path_trie.py, including the dotted spellings `{"a.b": ...}` the services accept);
2. asks each field's index which conditions each value satisfies (cost independent of rule count);
3. walks the rule trie through satisfied conditions only, checking array consistency (no match may
   combine values from different elements of the same array, runtime/events/array_consistency.py) when
   the event has arrays of objects.

The native core (runtime/events/native.py) runs steps 1-3 in one C call where it is built; the Python
steps below are its twin and finish what it hands back.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson

from tamis.runtime import NATIVE_ALLOWED
from tamis.runtime.events import conditions as C
from tamis.runtime.events import native
from tamis.runtime.events.array_consistency import consistent
from tamis.runtime.events.conditions import FieldCondition, SubRule
from tamis.runtime.events.event_json import InvalidEvent, decode_event, exact_loads, floats_exact
from tamis.runtime.events.field_index import FLOAT_SEEN, FieldIndex, combined
from tamis.runtime.events.path_trie import build_path_trie, positional_prefixes
from tamis.runtime.events.rule_trie import build_rule_trie, collect, distinct
from tamis.runtime.events.walker import build_fast_walk, walk_generic

_native = native.core  # the C extension, or None where it could not be built

# Whether matchers created from now on use the native core (tests switch it off to check the twin).
# TAMIS_NATIVE=0 in the environment turns it off for the whole process (tamis.runtime.NATIVE_ALLOWED).
USE_NATIVE = _native is not None and NATIVE_ALLOWED


class EventMatcher:
    """Matches events against any number of named rules at once."""

    def __init__(self) -> None:
        self._rules: dict[str, list[SubRule]] = {}
        self._built = False
        self._use_native = USE_NATIVE  # fixed per matcher, so tests can hold one of each engine

    # -- rule management ---------------------------------------------------------------------------
    def add(self, name: str, subrules: list[SubRule]) -> None:
        """Add a rule; adding a name again ORs the new pattern with the old (as the services do)."""
        self._rules.setdefault(name, []).extend(subrules)
        self._built = False

    def remove(self, name: str) -> bool:
        found = self._rules.pop(name, None) is not None
        self._built = False
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def names(self) -> list[str]:
        return list(self._rules)

    # -- build ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        cond_ids: dict[FieldCondition, int] = {}
        for subrules in self._rules.values():
            for sub in subrules:
                for cond in sub:
                    cond_ids.setdefault(cond, len(cond_ids))
        self._conditions = list(cond_ids)
        # Condition ids in the lexical order of their paths: the order the array-consistency check takes.
        self._lexical = {ident: (cond.path, ident) for cond, ident in cond_ids.items()}
        paths = sorted({c.path for c in cond_ids})
        path_ids = {p: i for i, p in enumerate(paths)}
        self._path_names = paths
        # Per path: its indexes (one per mode) and the `exists: false` conditions satisfied by absence.
        by_path: dict[str, dict[bool, list[tuple[int, FieldCondition]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        absent: dict[int, list[int]] = defaultdict(list)
        for cond, ident in cond_ids.items():
            by_path[cond.path][cond.ip_mode].append((ident, cond))
            if cond.absent_ok:
                absent[path_ids[cond.path]].append(ident)
        self._indexes: list[tuple[FieldIndex, ...]] = [
            tuple(FieldIndex(conds, mode) for mode, conds in sorted(by_path[p].items())) for p in paths
        ]
        self._absent = [(pid, frozenset(ids)) for pid, ids in sorted(absent.items())]
        self._numeric = any(
            t[0] in (C.NUM, C.NUMLIT, C.RANGE) or (t[0] == C.ANYTHING_BUT and t[1] == C.NUM)
            for c in cond_ids
            for t in c.tests
        )
        self._path_root = build_path_trie(paths, path_ids, positional_prefixes(self._rules.values()))
        self._rule_root = build_rule_trie(self._rules, cond_ids)
        self._order = {name: i for i, name in enumerate(self._rules)}
        evaluators = [combined([index.fast_evaluator() for index in indexes]) for indexes in self._indexes]
        self._evaluators = evaluators
        absent_paths = frozenset(pid for pid, _ in self._absent)
        self._fast_walk = build_fast_walk(self._path_root, evaluators, absent_paths)
        self._subrules_by_name = {
            name: [frozenset(cond_ids[c] for c in sub) for sub in subs] for name, subs in self._rules.items()
        }
        self._conditions_by_name = {
            name: frozenset().union(*subs) for name, subs in self._subrules_by_name.items()
        }
        # With few sub-rules, testing each one's condition set is cheaper than walking the trie.
        count = sum(len(subs) for subs in self._subrules_by_name.values())
        self._few = (
            [(conds, name) for name, subs in self._subrules_by_name.items() for conds in subs]
            if count <= 8
            else None
        )
        # The native core's tables (None: the Python steps run); RULE_NODE is also what collect() walks.
        self._native_tables: tuple[Any, ...] | None = None
        if self._use_native:
            self._native_tables = native.match_tables(
                paths, self._path_root, self._indexes, evaluators, self._absent, self._few, self._rule_root
            )
            if self._native_tables is not None:
                self._native_rules = self._native_tables[4]
        self._built = True

    # -- matching ------------------------------------------------------------------------------------
    def decode(self, event: Any) -> Any:
        """The event as Python values: dicts pass through; JSON text is decoded once."""
        if not self._built and isinstance(event, bytes | bytearray | memoryview | str):
            self._build()
        return decode_event(event)

    def match(self, event: Any) -> list[str]:
        """Names of the rules the event matches, in the order the rules were added."""
        if not self._built:
            self._build()
        t = type(event)
        if t is dict:
            obj, raw = event, None
        else:
            obj = None
            if t is bytes:
                try:
                    obj = orjson.loads(event)
                except orjson.JSONDecodeError:
                    obj = None
            if obj is None:  # str, other buffers, and what orjson refuses go the careful way
                obj = self.decode(event)
            if type(obj) is not dict:
                if not isinstance(obj, dict):
                    raise InvalidEvent("an event must be a JSON object")
                obj = dict(obj)
            raw = None if obj is event else event
        names = self._match_obj(obj, raw)
        if len(names) > 1:
            order = self._order
            names.sort(key=order.__getitem__)
        return names

    def _match_obj(self, obj: dict[str, Any], raw: Any = None) -> list[str]:
        tables = self._native_tables
        if tables is not None:
            # One native call decides most events; it hands back its sets when arrays of objects or floats
            # under numeric tests need the Python steps.
            done = _native.match(obj, tables)
            return distinct(done) if type(done) is list else self._finish(raw, *done)
        matched: set[int] = set()
        seen: set[int] | None = set() if self._absent else None
        trailed: list[tuple[int, Any, tuple[Any, ...]]] = []
        if self._fast_walk is not None:
            self._fast_walk(obj, matched, seen, trailed)
        else:
            walk_generic(obj, self._path_root, (), self._evaluators, matched, seen, trailed)
        return self._finish(raw, matched, seen, trailed)

    def _finish(
        self,
        raw: Any,
        matched: set[int],
        seen: set[int] | None,
        trailed: list[tuple[int, Any, tuple[Any, ...]]],
        free: set[int] | None = None,
        evaluated: list[tuple[tuple[Any, ...], set[int]]] | None = None,
    ) -> list[str]:
        """The steps after the walk: values inside arrays of objects, the exact-number re-check, the
        `exists: false` fill-in and the rule trie. The native core passes ``free`` and ``evaluated`` (the
        trailed values already evaluated); the Python walk leaves that to this method."""
        if evaluated is None:
            evaluated = []
            if trailed:
                free = set(matched)  # satisfied outside arrays of objects: no position constraint
                for pid, value, trail in trailed:
                    scratch: set[int] = set()
                    self._evaluators[pid](value, scratch)
                    if scratch:
                        evaluated.append((trail, scratch))
                        matched |= scratch
        if FLOAT_SEEN in matched:
            # Floats met numeric tests. The services compare a number by its spelling when no double holds
            # it exactly, and orjson keeps no spelling: when the text may spell one of these floats in a
            # way no double holds, decode again keeping exact decimals and their spelling.
            marks = [m for m in matched if type(m) is tuple]
            matched.difference_update(marks)
            matched.discard(FLOAT_SEEN)
            if raw is not None:
                text = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
                if not floats_exact(text, {m[1] for m in marks}, self._native_tables is not None):
                    return self._match_obj(exact_loads(text), None)
            if free is not None:
                free.difference_update(marks)
                free.discard(FLOAT_SEEN)
        if free is not None:
            return self._match_in_arrays(matched, seen, trailed, free, evaluated)
        if seen is not None:
            for pid, ids in self._absent:
                if pid not in seen:
                    matched.update(ids)
        return self._collect(matched)

    def _collect(self, matched: set[int]) -> list[str]:
        few = self._few
        if few is not None:
            return distinct([name for conds, name in few if conds <= matched])
        if self._native_tables is not None:
            return distinct(_native.collect(self._native_rules, matched))
        return distinct(collect(self._rule_root, matched))

    def _match_in_arrays(
        self,
        matched: set[int],
        seen: set[int] | None,
        trailed: list[tuple[int, Any, tuple[Any, ...]]],
        free: set[int],
        evaluated: list[tuple[tuple[Any, ...], set[int]]],
    ) -> list[str]:
        """Some rule fields sit in arrays of objects: find candidates ignoring positions, then check that
        each candidate's fields can all come from consistent array elements (``evaluated``: the
        conditions each value met inside arrays, with its positions)."""
        pending: dict[int, int] = {}
        if self._absent:
            in_arrays = {pid for pid, _value, _trail in trailed}
            for pid, ids in self._absent:
                if seen is not None and pid in seen:
                    continue  # a value outside any array: the field exists whatever elements are chosen
                matched.update(ids)
                if pid in in_arrays:
                    for ident in ids:
                        pending[ident] = pid  # absent only if the chosen elements hold no value of the path
                else:
                    free.update(ids)
        candidates = self._collect(matched)
        if not candidates:
            return candidates
        positional = matched - free  # conditions met only inside arrays of objects (or by deferred absence)
        # A rule none of whose conditions is positional here matched wherever its values sit.
        conditions = self._conditions_by_name
        if self._native_tables is not None:
            if _native.touching(candidates, conditions, positional) is None:
                return candidates
        elif all(conditions[name].isdisjoint(positional) for name in candidates):
            return candidates
        by_path: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for pid, _value, trail in trailed:
            by_path[pid].append(trail)
        hits: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for trail, ids in evaluated:
            for ident in ids:
                hits[ident].append(trail)
        subrules = self._subrules_by_name
        order = self._lexical.__getitem__
        out = []
        for name in candidates:
            if conditions[name].isdisjoint(positional):
                out.append(name)
                continue
            for conds in subrules[name]:
                if not conds <= matched:
                    continue
                needed = conds & positional
                # One positional condition can always pick its own element; two or more must agree.
                if len(needed) <= 1 and not (needed and next(iter(needed)) in pending):
                    out.append(name)
                    break
                if consistent(sorted(needed, key=order), 0, {}, hits, pending, by_path):
                    out.append(name)
                    break
        return out


__all__ = ["USE_NATIVE", "EventMatcher"]
