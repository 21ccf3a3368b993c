"""Reading the rule fields of an event: only the fields some rule names, nothing else.

The field-path trie (runtime/events/path_trie.py) is turned, once per rule set, into straight-line Python
that fetches each field with a constant key and hands each leaf value to its field's evaluator. Values
inside arrays of objects are queued with their array positions instead, for the array-consistency check.
``walk_generic`` interprets the same trie, for paths too deep to generate code for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tamis.runtime.events.event_json import InvalidEvent, nesting_message
from tamis.runtime.events.path_trie import PathNode
from tamis.runtime.json_values import EVENT_MAX_DEPTH

Evaluator = Callable[[Any, set[int]], None]
Trailed = list[tuple[int, Any, tuple[Any, ...]]]
# walk(obj, matched, seen, trailed): values outside arrays of objects are evaluated into ``matched``
# (their paths noted in ``seen``); values inside them are queued in ``trailed`` with their positions.
FastWalk = Callable[[dict[str, Any], set[int], set[int] | None, Trailed], None]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


MAX_DEPTH = 24  # deeper rule paths use the generic walker (generated code nests one block per level)


def walk_generic(
    obj: dict[str, Any],
    node: PathNode,
    trail: tuple[Any, ...],
    evaluators: list[Any],
    matched: set[int],
    seen: set[int] | None,
    trailed: list[tuple[int, Any, tuple[Any, ...]]],
) -> None:
    """Interpretive twin of the generated reader (``build_fast_walk``), for any depth: evaluates
    values outside arrays of objects into ``matched``; queues the others, with positions, in ``trailed``."""
    get = obj.get
    for key, child, pid, positional in node.entries:
        v = get(key, MISSING)
        if v is MISSING:
            continue
        tv = type(v)
        if pid >= 0 and tv is not dict:
            leaves(v, trail, pid, evaluators[pid], matched, seen, trailed, positional)
        if child is not None:
            if tv is dict:
                walk_generic(v, child, trail, evaluators, matched, seen, trailed)
            elif tv is list:
                descend(v, child, trail, evaluators, matched, seen, trailed)


def descend(
    items: list[Any],
    node: PathNode,
    trail: tuple[Any, ...],
    evaluators: list[Any],
    matched: set[int],
    seen: set[int] | None,
    trailed: list[tuple[int, Any, tuple[Any, ...]]],
) -> None:
    marker = id(items)
    positional = node.positional
    for i, item in enumerate(items):
        ti = type(item)
        inner = (*trail, (marker, i)) if positional else trail
        if ti is dict:
            walk_generic(item, node, inner, evaluators, matched, seen, trailed)
        elif ti is list:
            descend(item, node, inner, evaluators, matched, seen, trailed)


def leaves(
    v: Any,
    trail: tuple[Any, ...],
    pid: int,
    evaluate: Any,
    matched: set[int],
    seen: set[int] | None,
    trailed: list[tuple[int, Any, tuple[Any, ...]]],
    positional: bool = True,
) -> None:
    """Leaf values of one field: evaluated now when outside arrays of objects, else queued with positions."""
    if type(v) is not list:  # the common case, a scalar, kept out of the loop below
        if trail:
            trailed.append((pid, v, trail))
        else:
            evaluate(v, matched)
            if seen is not None:
                seen.add(pid)
        return
    # Arrays inside arrays are walked with a stack of their own, not by recursion, so that what the event
    # readers let through (1000 levels) costs no interpreter frames; deeper arrays in a dict event are
    # refused as text events are. Elements are visited in order.
    stack = [(v, trail, 1)]
    while stack:
        v, trail, level = stack.pop()
        if type(v) is not list:
            if trail:
                trailed.append((pid, v, trail))
            else:
                evaluate(v, matched)
                if seen is not None:
                    seen.add(pid)
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


def build_fast_walk(root: Any, evaluators: list[Evaluator], track_seen: frozenset[int]) -> FastWalk | None:
    """Generate the reader for a path trie (nodes with ``entries`` of (key, child, path id)).

    Values outside arrays of objects go straight to their evaluator; an array of objects on a rule path
    is walked by a generated per-node function that queues its values in ``trailed`` with positions.
    ``track_seen``: the path ids whose presence matters (`exists: false`); only they are noted in ``seen``.
    """
    env: dict[str, Any] = {"MISSING": MISSING, "leaves": leaves}
    inline: set[int] = set()
    for pid, evaluate in enumerate(evaluators):
        env[f"E{pid}"] = evaluate
        get = getattr(evaluate, "exact_get", None)
        if get is not None:  # exact strings only: probe the table here instead of calling a function
            env[f"X{pid}"] = get
            inline.add(pid)
    counter = iter(range(1 << 30))
    functions: list[list[str]] = []
    bodies: dict[tuple[int, bool], str] = {}
    walkers: dict[tuple[int, str], str] = {}

    def body(node: Any, in_array: bool) -> str | None:
        """Name of the generated function reading one object at ``node`` (queuing values if in_array)."""
        key = (id(node), in_array)
        if key not in bodies:
            name = bodies[key] = f"{'T' if in_array else 'F'}{len(bodies)}"
            lines = [f"def {name}(obj, trail, matched, seen, trailed):"]
            if not emit(node, "obj", 1, in_array, lines):
                return None
            lines.append("    return None")
            functions.append(lines)
        return bodies[key]

    def array_walker(node: Any, in_array: bool) -> str | None:
        """Name of the generated function walking an array whose elements are read at ``node``."""
        mode = "pos" if node.positional else ("keep" if in_array else "free")
        key = (id(node), mode)
        if key in walkers:
            return walkers[key]
        name = walkers[key] = f"A{len(walkers)}"
        reader = body(node, mode != "free")
        if reader is None:
            return None
        if mode == "pos":
            inner = "(*trail, (marker, i))"
            head = ["    marker = id(items)", "    for i, item in enumerate(items):"]
        else:
            inner = "trail"
            head = ["    for item in items:"]
        functions.append(
            [
                f"def {name}(items, trail, matched, seen, trailed):",
                *head,
                "        ti = type(item)",
                "        if ti is dict:",
                f"            {reader}(item, {inner}, matched, seen, trailed)",
                "        elif ti is list:",
                f"            {name}(item, {inner}, matched, seen, trailed)",
            ]
        )
        return name

    def emit(node: Any, obj: str, depth: int, in_array: bool, out: list[str]) -> bool:
        if depth > MAX_DEPTH:
            return False
        plain = [e for e in node.entries if "." not in e[0]]
        dotted = [e for e in node.entries if "." in e[0]]
        for entry in plain:
            if not emit_entry(entry, obj, depth, in_array, out):
                return False
        if dotted:
            if len(dotted) >= 4:
                # Dotted spellings are rare in events: one C-level check skips all their lookups.
                guard = f"D{next(counter)}"
                env[guard] = frozenset(key for key, _, _, _ in dotted)
                out.append(f"{'    ' * depth}if not {guard}.isdisjoint({obj}):")
                depth += 1
            for entry in dotted:
                if not emit_entry(entry, obj, depth, in_array, out):
                    return False
        return True

    def emit_entry(
        entry: tuple[str, Any, int, bool], obj: str, depth: int, in_array: bool, out: list[str]
    ) -> bool:
        key, child, pid, positional = entry
        pad = "    " * depth
        v = f"v{next(counter)}"
        t = f"t{v}"
        trail = "trail" if in_array else "()"
        out.append(f"{pad}{v} = {obj}.get({key!r}, MISSING)")
        out.append(f"{pad}if {v} is not MISSING:")
        out.append(f"{pad}    {t} = type({v})")
        if pid >= 0:
            out.append(f"{pad}    if {t} is not dict:")
            out.append(f"{pad}        if {t} is list:")
            call = f"leaves({v}, {trail}, {pid}, E{pid}, matched, seen, trailed, {positional})"
            out.append(f"{pad}            {call}")
            out.append(f"{pad}        else:")
            if in_array:
                out.append(f"{pad}            trailed.append(({pid}, {v}, trail))")
            elif pid in inline:
                out.append(f"{pad}            h = X{pid}({v})")
                out.append(f"{pad}            if h:")
                out.append(f"{pad}                matched.update(h)")
                if pid in track_seen:
                    out.append(f"{pad}            seen.add({pid})")
            else:
                out.append(f"{pad}            E{pid}({v}, matched)")
                if pid in track_seen:
                    out.append(f"{pad}            seen.add({pid})")
        if child is not None:
            walker = array_walker(child, in_array)
            if walker is None:
                return False
            out.append(f"{pad}    if {t} is dict:")
            out.append(f"{pad}        pass")
            if not emit(child, v, depth + 2, in_array, out):
                return False
            out.append(f"{pad}    elif {t} is list:")
            out.append(f"{pad}        {walker}({v}, {trail}, matched, seen, trailed)")
        return True

    main = ["def walk(obj, matched, seen, trailed):"]
    if not emit(root, "obj", 1, False, main):
        return None
    main.append("    return None")
    source = "\n\n".join("\n".join(f) for f in [*functions, main])
    # The source is built only from quoted keys (repr) and integer ids, never from event data.
    exec(compile(source, "<tamis event reader>", "exec"), env)
    walk: FastWalk = env["walk"]
    return walk
