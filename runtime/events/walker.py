"""Reading the rule fields of an event: only the fields some rule names, nothing else.

The walk follows the live field-path trie (runtime/events/path_trie.py). At each level it takes the
smaller side: it looks up each of the node's keys in the object, or, when the object has fewer keys than
the node, each of the object's keys in the node. Each leaf value outside arrays of objects goes to its
field's evaluator (and, for fields with conditions tested only for candidate rules, into ``values``);
values inside arrays of objects are queued with their array positions, for the array-consistency check.
No code is generated: a change to the rules changes the trie's entries and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tamis.runtime.events.event_json import InvalidEvent, nesting_message
from tamis.runtime.json_values import EVENT_MAX_DEPTH

Evaluator = Callable[[Any, set[int]], None]
Trailed = list[tuple[int, Any, tuple[Any, ...]]]


class WalkState:
    """What one event's walk fills in: see ``walk``."""

    __slots__ = ("evaluators", "matched", "seen", "trailed", "values")

    def __init__(self, evaluators: list[Any], track_seen: bool) -> None:
        self.evaluators = evaluators
        self.matched: set[Any] = set()
        self.seen: set[int] | None = set() if track_seen else None
        self.trailed: Trailed = []
        self.values: dict[int, list[Any]] = {}


def walk(obj: dict[str, Any], node: list[Any], trail: tuple[Any, ...], st: WalkState) -> None:
    """Values outside arrays of objects are evaluated into ``st.matched`` (their paths noted in
    ``st.seen`` when tracked, their values kept in ``st.values`` when recorded); values inside them are
    queued in ``st.trailed`` with their positions."""
    entries = node[0]
    if len(obj) < len(entries):
        get = entries.get
        for key, v in obj.items():
            entry = get(key)
            if entry is not None:
                _visit(v, entry, trail, st)
    else:
        get = obj.get
        for key, entry in entries.items():
            v = get(key, _MISSING)
            if v is not _MISSING:
                _visit(v, entry, trail, st)


def _visit(v: Any, entry: tuple[Any, ...], trail: tuple[Any, ...], st: WalkState) -> None:
    child, pid, positional, tracked, record = entry
    tv = type(v)
    if pid is not None and tv is not dict:
        leaves(v, trail, pid, positional, tracked, record, st)
    if child is not None:
        if tv is dict:
            walk(v, child, trail, st)
        elif tv is list:
            descend(v, child, trail, st)


def descend(items: list[Any], node: list[Any], trail: tuple[Any, ...], st: WalkState) -> None:
    marker = id(items)
    positional = node[1]
    for i, item in enumerate(items):
        ti = type(item)
        inner = (*trail, (marker, i)) if positional else trail
        if ti is dict:
            walk(item, node, inner, st)
        elif ti is list:
            descend(item, node, inner, st)


def leaves(
    v: Any,
    trail: tuple[Any, ...],
    pid: int,
    positional: bool,
    tracked: bool,
    record: bool,
    st: WalkState,
) -> None:
    """Leaf values of one field: evaluated now when outside arrays of objects, else queued with positions."""
    if type(v) is not list:  # the common case, a scalar, kept out of the loop below
        _leaf(v, trail, pid, tracked, record, st)
        return
    # Arrays inside arrays are walked with a stack of their own, not by recursion, so that what the event
    # readers let through (1000 levels) costs no interpreter frames; deeper arrays in a dict event are
    # refused as text events are. Elements are visited in order.
    stack = [(v, trail, 1)]
    while stack:
        v, trail, level = stack.pop()
        if type(v) is not list:
            _leaf(v, trail, pid, tracked, record, st)
            continue
        # Elements of a purely scalar array never combine with another field, so need no position.
        mixed = positional and any(type(e) is dict or type(e) is list for e in v)
        marker = id(v)
        if level > EVENT_MAX_DEPTH:
            raise InvalidEvent(nesting_message(None))
        stack.extend(
            (
                (e, (*trail, (marker, i)) if mixed else trail, level + 1)
                for i, e in reversed(list(enumerate(v)))
                if type(e) is not dict
            )
        )


def _leaf(v: Any, trail: tuple[Any, ...], pid: int, tracked: bool, record: bool, st: WalkState) -> None:
    if trail:
        st.trailed.append((pid, v, trail))
        return
    evaluate = st.evaluators[pid]
    if evaluate is not None:
        evaluate(v, st.matched)
    if tracked and st.seen is not None:
        st.seen.add(pid)
    if record:
        st.values.setdefault(pid, []).append(v)


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()
