"""The many-rule event matcher: the hot path of event patterns, live under ``add`` and ``remove``.

**Access predicates.** Each sub-rule (the AND of field conditions of one `$or` branch) is filed under one
of its conditions, its *access condition*, chosen when the sub-rule is added: the fewest sub-rules already
filed under it, weighted by how unselective its kind is (``COST``: exact values, then prefixes and address
blocks, then ranges, suffixes and wildcards, then anything-but and `exists`, last `exists: false`). Only
access conditions (and exact strings, prefixes and suffixes, which an index finds in a probe or a few,
``ALWAYS_INDEXED``) are put in the per-field indexes (runtime/events/field_index.py); the others are
tested for the candidates reached, each at most once per event, against the values the walk kept for
their field.
Per event the matcher:

1. reads only the event fields some rule names (runtime/events/walker.py, along the live trie of field
   paths of runtime/events/path_trie.py, including the dotted spellings `{"a.b": ...}` the services accept),
   taking at each level the smaller of the object's keys and the trie's;
2. asks each field's index which access conditions each value satisfies (cost independent of rule count);
3. for each group of sub-rules filed under a satisfied access condition (sub-rules with the same conditions
   form one group), or under a pair of it and a partner met with it (``_choose``), tests their other
   conditions; collects rule numbers, de-duplicated and sorted, and turns them into names last (in the
   order rules were added);
4. checks array consistency (no match may combine values from different elements of the same array,
   runtime/events/array_consistency.py) for the candidates when the event has arrays of objects.

**Live updates.** ``add`` and ``remove`` change only the structures the rule touches: its conditions'
index entries, its path entries, its records. Nothing is rebuilt and no code is generated.

**Concurrency contract.** One thread at a time may change a matcher (``add``/``remove`` take a lock);
any number may match meanwhile. Every match returns the answer of the rule set as it stood between two
changes (after every change completed before the match began, and possibly after some that completed
during it), never a mix of one change's before and after, and never raises because of a change. It works
as a sequence lock: a change makes the sequence number odd while it runs and even when done; a match
notes it, runs on the live structures, and is retried when the number moved (an error met while it moved
is a torn read, retried too); after a few retries it takes the lock. Buckets that the walk iterates are
immutable tuples, replaced whole, so that a torn read costs a retry rather than a crash in the core.

The native core (runtime/events/native.py) runs steps 1-3 in one C call where it is built; the Python
steps below are its twin and finish what it hands back.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import orjson

from tamis.runtime import NATIVE_ALLOWED
from tamis.runtime.events import conditions as C
from tamis.runtime.events import native
from tamis.runtime.events.array_consistency import consistent, trails_agree, trails_by_condition
from tamis.runtime.events.conditions import FieldCondition, SubRule
from tamis.runtime.events.event_json import InvalidEvent, decode_event, exact_loads, floats_exact
from tamis.runtime.events.exclusions import PLAIN, excluded_values
from tamis.runtime.events.field_index import FLOAT_SEEN, FieldIndex, combined
from tamis.runtime.events.path_trie import PathTrie, positional_prefixes
from tamis.runtime.events.walker import WalkState, walk

_native = native.core  # the C extension, or None where it could not be built

# Whether matchers created from now on use the native core (tests switch it off to check the twin).
# TAMIS_NATIVE=0 in the environment turns it off for the whole process (tamis.runtime.NATIVE_ALLOWED).
USE_NATIVE = _native is not None and NATIVE_ALLOWED

# The ACCESS key of sub-rules with no condition at all (an empty SNS filter policy): met by every event.
EVERY = -2
RETRIES = 3  # optimistic tries of a match that changes keep overlapping, before it takes the lock

# A sub-rule as its rule keeps it: (rule number, the other condition ids, all its condition ids). In
# ACCESS, sub-rules with the same conditions form one GROUP (runtime/events/native.py): (rule numbers, the
# other condition ids, all its condition ids, the same in the order array consistency takes them, the
# rules' names in the order of their numbers), tested once per event for all of them. The numbers and
# names are lists grown and shrunk in place (a copy per change would cost the group's size: thousands of
# rules may share one group); a reader that sees them mid-change is retried (the sequence lock).
Group = tuple[list[int], tuple[int, ...], tuple[int, ...], tuple[int, ...], list[str]]
Record = tuple[int, tuple[int, ...], tuple[int, ...]]


# The expected candidates of filing a sub-rule under a condition: the sub-rules already there plus this
# one, weighted by how many values satisfy a condition of the kind (by ``selectivity``). A range or a suffix
# of its own beats an exact value shared by more than a few sub-rules; anything-but and `exists` are used
# only when nothing else is there (they hold for nearly every event).
COST = (1, 2, 4, 1 << 20, 1 << 24)


def selectivity(cond: FieldCondition) -> int:
    """How few values satisfy the condition, by kind (lower: fewer): the order access conditions are
    chosen in. A condition ORs its tests, so its least selective test decides."""
    rank = 0
    for test in cond.tests:
        kind = test[0]
        if kind in (C.STR, C.NUM, C.NUMLIT, C.NULL, C.TRUE, C.FALSE, C.EQ_IC):
            r = 0
        elif kind == C.IP:
            r = 0 if test[1] == test[2] else 1
        elif kind in (C.PREFIX, C.PREFIX_IC):
            r = 1 if test[1] else 3
        elif kind in (C.RANGE, C.SUFFIX, C.SUFFIX_IC, C.WILDCARD):
            r = 2
        elif kind == C.EXISTS and not test[1]:
            r = 4
        else:  # anything-but, exists
            r = 3
        rank = max(rank, r)
    return rank


# Kinds kept in their field's index while used, access condition or not (outside address mode): a value
# finds the conditions it meets by one hash probe (exact strings) or one per distinct length of the texts
# that share its first or last character (prefixes and suffixes, string_tests.AffixTables), however many
# there are; a candidate's test is then a set lookup. Tested per candidate instead, such a condition would
# evaluate every value of its field again for each candidate: values inside arrays of objects times
# candidates.
ALWAYS_INDEXED = frozenset((C.STR, C.PREFIX, C.SUFFIX))
# ...but only while the texts it is filed under stay uncrowded: a value meeting a text reports every
# condition filed there, so past this many a new condition that is not an access condition is tested per
# candidate instead. One value that meets the wide condition of every rule then costs at most this many
# ids per text, whatever the rule count. A value can meet as many prefix (suffix) texts as it has
# characters: 16 let a 52-character value report 832 ids (29 µs per event); 4 keeps that near the floor.
CROWD_LIMIT = 4


# What a set of few rules (a compiled Pattern's) also indexes: conditions whose test of one value costs
# about what keeping the value for a per-candidate test does, so the walk decides them as it goes.
CHEAP = frozenset((C.STR, C.PREFIX, C.SUFFIX, C.NUM, C.NUMLIT, C.RANGE, C.NULL, C.TRUE, C.FALSE, C.EXISTS))


def always_indexed(cond: FieldCondition, kinds: frozenset[str] = ALWAYS_INDEXED) -> bool:
    return not cond.ip_mode and all(
        test[0] in kinds or (kinds is CHEAP and test[0] == C.ANYTHING_BUT and test[1] in PLAIN)
        for test in cond.tests
    )


class _Condition:
    """One distinct condition of the set: how many sub-rules use it, its path, and whether it is indexed."""

    __slots__ = ("always", "cond", "indexed", "pid", "rank", "uses")

    def __init__(self, cond: FieldCondition, pid: int, kinds: frozenset[str]) -> None:
        self.cond = cond
        self.pid = pid
        self.rank = selectivity(cond)
        self.uses = 0
        self.indexed = False
        self.always = always_indexed(cond, kinds)


class _Path:
    """One rule path: its id, indexes (one per mode), and counts that decide its walk flags."""

    __slots__ = ("absent", "conditions", "deep", "indexes", "pid", "residual")

    def __init__(self, pid: int, deep: bool) -> None:
        self.pid = pid
        self.deep = deep
        self.conditions = 0
        self.residual = 0  # conditions tested only for candidates: the walk keeps the path's values
        self.absent = 0  # `exists: false` conditions: the walk notes whether the path has values
        self.indexes: dict[bool, FieldIndex] = {}


class EventMatcher:
    """Matches events against any number of named rules at once."""

    def __init__(self, *, few: bool = False) -> None:
        """``few``: the set stays small (a compiled Pattern's one rule), so cheap conditions (``CHEAP``)
        are indexed too, not only exact strings, prefixes and suffixes: nothing crowds them, and the walk
        decides them without keeping values for a per-candidate pass."""
        self._use_native = USE_NATIVE  # fixed per matcher, so tests can hold one of each engine
        self._indexed_kinds = CHEAP if few else ALWAYS_INDEXED
        self._pairs = not few  # one rule never shares an access condition: no partners
        self._lock = threading.Lock()
        self._seq = 0  # odd while a change runs (the sequence lock of the module docstring)
        self._rules: dict[str, tuple[int, list[Record]]] = {}
        self._names: dict[int, str] = {}  # NAMES: rule number -> name
        self._next_number = 0
        self._cond_ids: dict[FieldCondition, int] = {}
        self._conds: dict[int, _Condition] = {}
        self._next_cond = 0
        self._paths: dict[str, _Path] = {}
        self._free_pids: list[int] = []
        self._deep = 0  # paths deeper than the native walker takes
        self._trie = PathTrie()
        self._evaluators: list[Any] = []  # per pid: the Python evaluator of its access conditions, or None
        self._specs: list[Any] = []  # SPECS: per pid, the native core's form of the same, or None
        self._absent: dict[int, tuple[int, ...]] = {}  # ABSENT: pid -> indexed `exists: false` ids
        self._access: dict[int, tuple[Group, ...]] = {}  # ACCESS: access condition id -> its groups
        # PAIRED: access condition id -> {partner id: groups}
        self._paired: dict[int, dict[int, tuple[Group, ...]]] = {}
        # condition ids of a group -> its access condition and partner (None: filed in ACCESS)
        self._chosen: dict[tuple[int, ...], tuple[int, int | None]] = {}
        # (path, value) -> how many anything-but conditions exclude it (the access choice's tie-break)
        self._excluded: dict[tuple[str, Any], int] = {}
        # RESIDUAL: condition id -> (evaluate, spec, pid, absent_ok) for conditions tested per candidate.
        self._residual: dict[int, tuple[Any, Any, int, bool]] = {}
        self._tables = (
            self._trie.root,
            self._specs,
            self._absent,
            self._access,
            self._residual,
            self._names,
            self._paired,
        )
        self._native_tables: tuple[Any, ...] | None = None
        self._native_switch()

    # -- rule management ---------------------------------------------------------------------------
    def add(self, name: str, subrules: list[SubRule]) -> None:
        """Add a rule; adding a name again ORs the new pattern with the old (as the services do).

        Atomic: what the rule's new conditions need (their per-candidate tests, and their field indexes
        built and probed on their own) is built before anything is published, so an index that refuses
        them raises with the set unchanged; should a later step fail all the same, the sub-rules added so
        far are removed again."""
        with self._lock:
            self._seq += 1
            try:
                prepared = self._prepare(subrules)
                entry = self._rules.get(name)
                number = self._next_number if entry is None else entry[0]
                added: list[Record] = []
                try:
                    for sub in subrules:
                        added.append(self._add_subrule(number, name, sub, prepared))
                except BaseException:
                    for record in reversed(added):
                        self._remove_record(record)
                    raise
                if entry is None:
                    self._next_number += 1
                    entry = self._rules[name] = (number, [])
                    self._names[number] = name
                entry[1].extend(added)
            finally:
                self._seq += 1

    def _prepare(self, subrules: list[SubRule]) -> dict[FieldCondition, tuple[int, Any]]:
        """Ids and per-candidate tests of the conditions new to the set, built before any is published;
        each field's new conditions are also indexed together and probed once, so what the shared index
        would refuse is refused here, at the cost of the rule alone."""
        prepared: dict[FieldCondition, tuple[int, Any]] = {}
        by_field: dict[tuple[str, bool], list[tuple[int, FieldCondition]]] = defaultdict(list)
        ident = self._next_cond
        for sub in subrules:
            for cond in sub:
                if cond in self._cond_ids or cond in prepared:
                    continue
                indexed = always_indexed(cond, self._indexed_kinds)
                prepared[cond] = (ident, None if indexed else native.condition_test(ident, cond))
                by_field[(cond.path, cond.ip_mode)].append((ident, cond))
                ident += 1
        for (_, ip_mode), conds in by_field.items():
            index = FieldIndex(conds, ip_mode)
            native.field_spec({ip_mode: index})
            index.evaluate("", set())
        self._next_cond = ident  # ids of a refused rule are not used again: harmless gaps
        return prepared

    def remove(self, name: str) -> bool:
        with self._lock:
            self._seq += 1
            try:
                entry = self._rules.pop(name, None)
                if entry is None:
                    return False
                number, records = entry
                del self._names[number]
                for record in records:
                    self._remove_record(record)
                return True
            finally:
                self._seq += 1

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def names(self) -> list[str]:
        return list(self._rules)

    def _native_switch(self) -> None:
        """``_native_tables``: the native core's TABLES (runtime/events/native.py), or None when the Python
        steps run (no core, or a path deeper than its walker takes)."""
        self._native_tables = self._tables if self._use_native and not self._deep else None

    def _add_subrule(
        self, number: int, name: str, sub: SubRule, prepared: dict[FieldCondition, tuple[int, Any]]
    ) -> Record:
        acquired: list[int] = []
        try:
            for cond in sub:
                acquired.append(self._acquire(cond, prepared))
            return self._file(number, name, tuple(sorted(set(acquired))))
        except BaseException:
            for ident in reversed(acquired):
                self._release(ident)
            raise

    def _file(self, number: int, name: str, ids: tuple[int, ...]) -> Record:
        """File sub-rule ``number`` (its condition ids acquired) in its group; on failure the tables are
        as they were."""
        conds = self._conds
        found = self._chosen.get(ids)  # sub-rules with the same conditions share one group
        new_group = found is None
        chosen, partner = self._choose(ids) if found is None else found
        bucket = self._bucket(chosen, partner)
        was_access = self._is_access(chosen)
        group: Group | None = None
        try:
            if new_group:
                others = tuple(i for i in ids if i != chosen and i != partner)
                # The services walk a rule's fields in the lexical order of their paths: the order in which
                # array consistency picks elements (an `exists: false` looks at the elements picked before).
                order = tuple(sorted(ids, key=lambda i: (conds[i].cond.path, i)))
                if not was_access and chosen != EVERY:
                    self._index(chosen)  # first, so that a failure leaves ACCESS untouched
                self._chosen[ids] = (chosen, partner)
                self._put(chosen, partner, (*bucket, ([number], others, ids, order, [name])))
            else:
                group = next(group for group in bucket if group[2] == ids)
                others = group[1]
                group[0].append(number)
                group[4].append(name)
            self._trie.add_positional(positional_prefixes(conds[i].cond for i in ids), 1)
        except BaseException:
            if new_group:
                self._chosen.pop(ids, None)
            elif group is not None and group[0] and group[0][-1] == number:
                del group[0][-1], group[4][-1]
            self._put(chosen, partner, bucket)
            if not was_access and chosen != EVERY and not self._is_access(chosen) and conds[chosen].indexed:
                self._unindex(chosen)
            raise
        return (number, others, ids)

    def _choose(self, ids: tuple[int, ...]) -> tuple[int, int | None]:
        """The access condition of a new group, and its partner.

        The access condition: the fewest expected candidates. An exact string, prefix or suffix that many
        conditions share wakes all of them for every event that meets it: a shared text costs what a
        large bucket does; a range costs the ranges of its field that contain its middle (``_overlap``).
        Between equals: the anything-but whose excluded values more conditions share (rules exclude the
        values events carry, and an event that carries one then finds few candidates:
        runtime/events/exclusions.py keeps its kept ids); then the condition fewer sub-rules use (one many
        rules name is more likely met than one a single rule names).

        The partner: another of the group's conditions that its field's index reports anyway (exact
        strings, prefixes and suffixes, ``always``). The group is filed under the pair, and is a
        candidate only when both are met, by values that one choice of array elements can hold: rules
        whose every condition is shared by many (a type and a name inside one element of an array of
        objects) then wake only the groups of the pairs an event meets together."""
        if not ids:
            return EVERY, None
        if len(ids) == 1:
            return ids[0], None
        conds, access, paired = self._conds, self._access, self._paired
        partners_of: dict[int, int] = {}
        # Against a pair of other conditions, a range pays for the ranges of its field that hold its
        # middle: an event value meets them together, as it meets every group filed under an exact value.
        # Otherwise a range of its own counts as one group, as a distinct value does: where events fall
        # among dense ranges the set cannot say (two range fields are alike to it).
        with_overlap = False
        always = [i for i in ids if conds[i].always] if self._pairs else None
        if always:
            for i in ids:
                partner = self._partner(i, always)
                if partner is not None:
                    partners_of[i] = partner
                    with_overlap = with_overlap or all(test[0] != C.RANGE for test in conds[i].cond.tests)
        best: tuple[Any, ...] | None = None
        for i in ids:
            info = conds[i]
            partner = partners_of.get(i)
            shared = len(access.get(i, ()))
            if partner is not None:
                # An event that meets the access condition looks up each of its partners (one probe, as
                # a candidate's first test costs) and wakes the groups of those it meets: of k partners
                # (k values of their fields), about one.
                partners = paired.get(i, {})
                k = len(partners) + (partner not in partners)
                shared += k - (-len(partners.get(partner, ())) // k)
            overlap = self._overlap(info.cond) if with_overlap else 0
            key = (
                (shared + 1 + self._crowd(info.cond) + overlap) * COST[info.rank],
                -self._shared_exclusion(info.cond),
                info.uses,
                i,
            )
            if best is None or key < best[0]:
                best = (key, i, partner)
        assert best is not None
        return best[1], best[2]

    def _partner(self, ident: int, always: list[int]) -> int | None:
        """The partner of access condition ``ident`` among a group's always-indexed conditions: the one
        whose pair holds the fewest groups, then the one fewer sub-rules use."""
        conds = self._conds
        partners = self._paired.get(ident)
        best: tuple[int, int, int] | None = None
        for i in always:
            if i != ident:
                key = (0 if partners is None else len(partners.get(i, ())), conds[i].uses, i)
                if best is None or key < best:
                    best = key
        return None if best is None else best[2]

    def _is_access(self, ident: int) -> bool:
        return ident in self._access

    def _bucket(self, chosen: int, partner: int | None) -> tuple[Group, ...]:
        if partner is None:
            return self._access.get(chosen, ())
        return self._paired.get(chosen, {}).get(partner, ())

    def _put(self, chosen: int, partner: int | None, bucket: tuple[Group, ...]) -> None:
        """Publish a bucket (empty: removed); buckets are replaced whole, the dicts that hold them changed
        in place. An access condition with partners keeps an ACCESS entry (empty when no group is filed
        under it alone): the event's conditions are looked up in ACCESS only, and PAIRED for those found
        there."""
        access, paired = self._access, self._paired
        if partner is None:
            unpaired = bucket
        else:
            # a copy of the partners per change would cost their count
            unpaired = access.get(chosen, ())
            partners = paired.get(chosen)
            if bucket:
                if partners is None:
                    access[chosen] = unpaired  # first: a reader that finds the partners finds the entry
                    paired[chosen] = {partner: bucket}
                else:
                    partners[partner] = bucket
            elif partners is not None:
                partners.pop(partner, None)
                if not partners:
                    del paired[chosen]
        if unpaired or chosen in paired:
            access[chosen] = unpaired
        else:
            access.pop(chosen, None)

    def _remove_record(self, record: Record) -> None:
        number, _others, ids = record
        chosen, partner = self._chosen[ids]
        bucket = self._bucket(chosen, partner)
        k = next(k for k, group in enumerate(bucket) if group[2] == ids)
        numbers, names = bucket[k][0], bucket[k][4]
        if len(numbers) > 1:
            j = numbers.index(number)
            del numbers[j], names[j]
        else:
            del self._chosen[ids]
            self._put(chosen, partner, bucket[:k] + bucket[k + 1 :])
            if chosen != EVERY and not self._is_access(chosen):
                self._unindex(chosen)
        self._trie.add_positional(positional_prefixes(self._conds[i].cond for i in ids), -1)
        for ident in ids:
            self._release(ident)

    # -- conditions ----------------------------------------------------------------------------------
    def _acquire(self, cond: FieldCondition, prepared: dict[FieldCondition, tuple[int, Any]]) -> int:
        ident = self._cond_ids.get(cond)
        if ident is None:
            ident, test = prepared[cond]
            self._cond_ids[cond] = ident
            path = self._path(cond.path)
            info = self._conds[ident] = _Condition(cond, path.pid, self._indexed_kinds)
            if info.always and self._crowd(cond) >= CROWD_LIMIT:
                info.always = False
            path.conditions += 1
            path.absent += cond.absent_ok
            self._count_exclusions(cond, 1)
            if info.always:
                self._into_index(ident, info, path)
            else:
                self._make_residual(ident, info, path, test)
        info = self._conds[ident]
        info.uses += 1
        return ident

    def _crowd(self, cond: FieldCondition) -> int:
        """The most conditions filed under one of ``cond``'s exact strings, prefixes, suffixes or
        equals-ignore-case texts in its field's index: what an event value that meets that text reports."""
        if cond.ip_mode:
            return 0
        path = self._paths.get(cond.path)
        index = path.indexes.get(False) if path is not None else None
        strings = index.strings if index is not None else None
        if strings is None:
            return 0
        worst = 0
        for test in cond.tests:
            kind = test[0]
            if kind == C.STR:
                worst = max(worst, len(strings.exact.get(test[1], ())))
            elif kind in (C.PREFIX, C.SUFFIX, C.EQ_IC):
                finder = strings.kinds.get(kind)
                if finder is not None:
                    worst = max(worst, finder.holding(test[1]))
        return worst

    def _overlap(self, cond: FieldCondition) -> int:
        """About how many numeric ranges of its field's index contain the middle of each of ``cond``'s
        ranges: the ranges an event value that meets it meets too (``Intervals.count``). A range of its
        own is as selective as the ranges around it are few."""
        path = self._paths.get(cond.path)
        index = path.indexes.get(cond.ip_mode) if path is not None else None
        ranges = index.ranges if index is not None else None
        if ranges is None:
            return 0
        total = 0
        for test in cond.tests:
            if test[0] == C.RANGE:
                low, high = float(test[1]), float(test[3])
                if math.isinf(low):
                    middle = 0.0 if math.isinf(high) else high
                else:
                    middle = low if math.isinf(high) else (low + high) / 2
                total += ranges.count(middle)
        return total

    def _count_exclusions(self, cond: FieldCondition, step: int) -> None:
        excluded = self._excluded
        for v in excluded_values(cond):
            key = (cond.path, v)
            count = excluded.get(key, 0) + step
            if count:
                excluded[key] = count
            else:
                del excluded[key]

    def _shared_exclusion(self, cond: FieldCondition) -> int:
        """The most anything-but conditions of the set that exclude one of the values ``cond`` excludes
        (on its path)."""
        excluded = self._excluded
        return max((excluded.get((cond.path, v), 0) for v in excluded_values(cond)), default=0)

    def _release(self, ident: int) -> None:
        info = self._conds[ident]
        info.uses -= 1
        if info.uses:
            return
        cond = info.cond
        path = self._paths[cond.path]
        del self._conds[ident]
        del self._cond_ids[cond]
        if info.indexed:  # an exact condition, indexed while used
            self._out_of_index(ident, info, path)
        else:
            del self._residual[ident]
            path.residual -= 1
        path.absent -= cond.absent_ok
        path.conditions -= 1
        self._count_exclusions(cond, -1)
        if path.conditions:
            self._trie.set_flags(cond.path, path.absent > 0, path.residual > 0)
            return
        del self._paths[cond.path]
        self._trie.remove_path(cond.path)
        self._evaluators[path.pid] = self._specs[path.pid] = None
        self._free_pids.append(path.pid)
        self._deep -= path.deep
        self._native_switch()

    def _path(self, name: str) -> _Path:
        path = self._paths.get(name)
        if path is None:
            if self._free_pids:
                pid = self._free_pids.pop()
            else:
                pid = len(self._evaluators)
                self._evaluators.append(None)
                self._specs.append(None)
            path = self._paths[name] = _Path(pid, name.count(".") >= native.MAX_DEPTH)
            self._deep += path.deep
            self._native_switch()
            self._trie.add_path(name, pid)
        return path

    def _make_residual(self, ident: int, info: _Condition, path: _Path, test: Any = None) -> None:
        """Tested per candidate (its own one-condition test, ``test`` when built already), and the walk
        keeps the path's values."""
        evaluate, spec = test if test is not None else native.condition_test(ident, info.cond)
        self._residual[ident] = (evaluate, spec, path.pid, info.cond.absent_ok)
        path.residual += 1
        self._trie.set_flags(info.cond.path, path.absent > 0, path.residual > 0)

    def _index(self, ident: int) -> None:
        """The condition became an access condition: into its field's index (exact ones are there)."""
        info = self._conds[ident]
        if info.indexed:
            return
        path = self._paths[info.cond.path]
        self._into_index(ident, info, path)  # first: should it fail, the condition stays tested per candidate
        del self._residual[ident]
        path.residual -= 1
        self._trie.set_flags(info.cond.path, path.absent > 0, path.residual > 0)

    def _unindex(self, ident: int) -> None:
        """The condition is no longer an access condition: tested per candidate (exact ones stay)."""
        info = self._conds[ident]
        if info.always:
            return
        path = self._paths[info.cond.path]
        self._out_of_index(ident, info, path)
        self._make_residual(ident, info, path)

    def _into_index(self, ident: int, info: _Condition, path: _Path) -> None:
        cond = info.cond
        index = path.indexes.get(cond.ip_mode)
        if index is None:
            index = path.indexes[cond.ip_mode] = FieldIndex([], cond.ip_mode)
        index.add(ident, cond)
        info.indexed = True
        if cond.absent_ok:
            self._absent[path.pid] = (*self._absent.get(path.pid, ()), ident)
            self._trie.set_flags(cond.path, path.absent > 0, path.residual > 0)  # the walk notes presence
        self._refresh(path)

    def _out_of_index(self, ident: int, info: _Condition, path: _Path) -> None:
        cond = info.cond
        info.indexed = False
        index = path.indexes[cond.ip_mode]
        index.remove(ident, cond)
        if not len(index):
            del path.indexes[cond.ip_mode]
        if cond.absent_ok:
            rest = tuple(i for i in self._absent[path.pid] if i != ident)
            if rest:
                self._absent[path.pid] = rest
            else:
                del self._absent[path.pid]
        self._refresh(path)

    def _refresh(self, path: _Path) -> None:
        indexes = [path.indexes[mode] for mode in sorted(path.indexes)]
        if not indexes:
            self._evaluators[path.pid] = self._specs[path.pid] = None
            return
        self._evaluators[path.pid] = combined([index.evaluate for index in indexes])
        self._specs[path.pid] = native.field_spec(path.indexes)

    def unchanging(self) -> tuple[Callable[..., Any], Any] | None:
        """For a matcher no one changes any more (``tamis.Pattern``'s): the native core's ``match`` and
        this matcher's tables, called as ``match(obj, tables, True)`` for whether a dict event matches any
        rule, without the sequence lock. It answers True or False, or hands back its sets (floats met
        numeric tests) for ``match`` to finish. None without the core."""
        tables = self._native_tables
        return None if tables is None else (_native.match, tables)

    # -- matching ------------------------------------------------------------------------------------
    def match(self, event: Any) -> list[str]:
        """Names of the rules the event matches, in the order the rules were added."""
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
                obj = decode_event(event)
            if type(obj) is not dict:
                if not isinstance(obj, dict):
                    raise InvalidEvent("an event must be a JSON object")
                obj = dict(obj)
            raw = None if obj is event else event
        seq = self._seq
        if not seq & 1:  # the common case, no change running: one try, inline
            try:
                names = self._match_obj(obj, raw)
            except Exception:
                if self._seq == seq:
                    raise
            else:
                if self._seq == seq:
                    return names
        for _ in range(RETRIES):
            seq = self._seq
            if seq & 1:  # a change is running: wait for it
                with self._lock:
                    continue
            try:
                names = self._match_obj(obj, raw)
            except Exception:
                if self._seq == seq:
                    raise
                continue  # a torn read: try again
            if self._seq == seq:
                return names
        with self._lock:
            return self._match_obj(obj, raw)

    def _match_obj(self, obj: dict[str, Any], raw: Any = None) -> list[str]:
        tables = self._native_tables
        if tables is not None:
            # One native call decides most events; it hands back its sets when floats met numeric tests or
            # a rule met needs the array-consistency check.
            done = _native.match(obj, tables)
            if done.__class__ is list:
                return done
            matched, free, hits, pending, trailed, passed = done
            in_arrays: dict[int, list[tuple[Any, tuple[Any, ...]]]] = defaultdict(list)
            for pid, value, trail in trailed or ():
                in_arrays[pid].append((value, trail))
            evaluated = [(trail, {ident}) for ident, trails in (hits or {}).items() for trail in trails]
            return self._settle(raw, matched, free, evaluated, pending or {}, in_arrays, passed)
        st = WalkState(self._evaluators, True)
        walk(obj, self._trie.root, (), st)
        return self._finish(raw, st)

    def _finish(self, raw: Any, st: WalkState) -> list[str]:
        """The steps after the walk: values inside arrays of objects, the `exists: false` fill-in and the
        candidates' other conditions; then ``_settle``."""
        matched, seen, trailed = st.matched, st.seen, st.trailed
        evaluators = self._evaluators
        free: set[Any] | None = None
        evaluated: list[tuple[tuple[Any, ...], set[int]]] = []
        in_arrays: dict[int, list[tuple[Any, tuple[Any, ...]]]] = defaultdict(list)
        pending: dict[int, int] = {}
        if trailed:
            free = set(matched)  # satisfied outside arrays of objects: no position constraint
            for pid, value, trail in trailed:
                in_arrays[pid].append((value, trail))
                evaluate = evaluators[pid]
                if evaluate is not None:
                    scratch: set[Any] = set()
                    evaluate(value, scratch)
                    if scratch:
                        evaluated.append((trail, scratch))
                        matched |= scratch
        for pid, ids in self._absent.items():
            if seen is not None and pid in seen:
                continue  # a value outside any array: the field exists whatever elements are chosen
            matched.update(ids)
            if free is not None:
                if pid in in_arrays:
                    for ident in ids:
                        pending[ident] = pid  # absent only if the chosen elements hold no value of the path
                else:
                    free.update(ids)
        residual = self._residual
        failed: set[int] = set()

        def holds(ident: int) -> bool:
            """Whether a condition tested only for candidates holds, evaluated once per event."""
            if ident in matched:
                return True
            if ident in failed:
                return False
            test = residual.get(ident)
            if test is None:  # an access condition: the index said no
                failed.add(ident)
                return False
            evaluate, _spec, pid, absent_ok = test
            scratch: set[Any] = set()
            for value in st.values.get(pid, ()):
                evaluate(value, scratch)
            ok = ident in scratch
            matched.update(scratch)
            if ok and free is not None:
                free.add(ident)
            for value, trail in in_arrays.get(pid, ()):
                scratch = set()
                evaluate(value, scratch)
                matched.update(scratch)
                if ident in scratch:
                    evaluated.append((trail, {ident}))
                    ok = True
            if absent_ok and not (seen is not None and pid in seen):
                ok = True
                if free is not None:
                    if pid in in_arrays:
                        pending[ident] = pid
                    else:
                        free.add(ident)
            if ok:
                matched.add(ident)
            else:
                failed.add(ident)
            return ok

        access, paired = self._access, self._paired
        buckets: list[tuple[Group, ...]] = []
        trails: dict[int, list[tuple[Any, ...]]] | None = None
        for ident in access.keys() & matched:
            buckets.append(access[ident])
            partners = paired.get(ident)
            if partners is not None:
                for partner in partners.keys() & matched:
                    if free is not None and ident not in free and partner not in free:
                        if trails is None:
                            trails = trails_by_condition(evaluated)
                        if not trails_agree(trails.get(ident), trails.get(partner)):
                            continue  # met only in elements no one choice holds together
                    buckets.append(partners[partner])
        passed: list[Group] = list(access.get(EVERY, ()))
        for bucket in buckets:
            for group in bucket:
                for other in group[1]:
                    if not holds(other):
                        break
                else:
                    passed.append(group)
        return self._settle(raw, matched, free, evaluated, pending, in_arrays, passed)

    def _settle(
        self,
        raw: Any,
        matched: set[Any],
        free: set[Any] | None,
        evaluated: list[tuple[tuple[Any, ...], set[int]]],
        pending: dict[int, int],
        in_arrays: dict[int, list[tuple[Any, tuple[Any, ...]]]],
        passed: list[Group],
    ) -> list[str]:
        """The last steps, in Python for both engines: the exact-number re-check, array consistency, names."""
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
        if free is not None and passed:
            passed = self._consistent(passed, matched, free, evaluated, pending, in_arrays)
        names = self._names
        return [names[n] for n in sorted({n for group in passed for n in group[0]})]

    def _consistent(
        self,
        passed: list[Group],
        matched: set[Any],
        free: set[Any],
        evaluated: list[tuple[tuple[Any, ...], set[int]]],
        pending: dict[int, int],
        in_arrays: dict[int, list[tuple[Any, tuple[Any, ...]]]],
    ) -> list[Group]:
        """The candidate sub-rules whose fields can all come from consistent array elements (``evaluated``:
        the conditions each value met inside arrays, with its positions)."""
        positional = matched - free  # conditions met only inside arrays of objects (or by deferred absence)
        hits: dict[int, list[tuple[Any, ...]]] | None = None
        by_path = {pid: [trail for _value, trail in items] for pid, items in in_arrays.items()}
        out = []
        for group in passed:
            needed = [i for i in group[3] if i in positional]  # in the services' lexical order of paths
            # One positional condition can always pick its own element; two or more must agree.
            if len(needed) <= 1 and not (needed and needed[0] in pending):
                out.append(group)
                continue
            if hits is None:
                hits = trails_by_condition(evaluated)
            if consistent(needed, 0, {}, hits, pending, by_path):
                out.append(group)
        return out


__all__ = ["USE_NATIVE", "EventMatcher"]
