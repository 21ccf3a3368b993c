"""A field reader generated for one rule set: straight-line code that reads only the rules' fields.

The generic walker (runtime/event_matcher.py) interprets the field-path trie for every event. For
the common case, events whose rule fields do not sit inside arrays of objects, this module turns the
trie into a Python function, built once per rule set, that fetches each field with a constant key and
hands each leaf value straight to its field's evaluator. When it meets an array of objects (or an
array mixing values and objects) on a rule path it stops and reports so: array consistency then needs
the generic walker's positions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Evaluator = Callable[[Any, set[int]], None]
# walk(obj, matched, seen) -> True when the event needs the position-tracking walker instead.
FastWalk = Callable[[dict[str, Any], set[int], set[int] | None], bool]

MAX_DEPTH = 24  # deeper rule paths use the generic walker (generated code nests one block per level)


def _scalar_leaves(items: list[Any], evaluate: Evaluator, matched: set[int]) -> int:
    """Evaluate a purely scalar array's elements (nested scalar arrays are flattened); -1 if it holds
    objects, which needs array positions; else the number of values seen."""
    count = 0
    for item in items:
        t = type(item)
        if t is dict:
            return -1
        if t is list:
            inner = _scalar_leaves(item, evaluate, matched)
            if inner < 0:
                return -1
            count += inner
        else:
            evaluate(item, matched)
            count += 1
    return count


def _holds_objects(items: list[Any]) -> bool:
    for item in items:
        t = type(item)
        if t is dict or (t is list and _holds_objects(item)):
            return True
    return False


def build_fast_walk(root: Any, evaluators: list[Evaluator], track_seen: bool) -> FastWalk | None:
    """Generate the reader for a path trie (nodes with ``entries`` of (key, child, path id))."""
    lines = ["def walk(obj, matched, seen):"]
    env: dict[str, Any] = {
        "MISSING": _MISSING,
        "scalar_leaves": _scalar_leaves,
        "holds_objects": _holds_objects,
        "dict": dict,
        "list": list,
        "type": type,
    }
    for pid, evaluate in enumerate(evaluators):
        env[f"E{pid}"] = evaluate
    counter = iter(range(1 << 30))

    def emit(node: Any, obj: str, depth: int) -> bool:
        if depth > MAX_DEPTH:
            return False
        pad = "    " * depth
        for key, child, pid in node.entries:
            v = f"v{next(counter)}"
            t = f"t{v}"
            lines.append(f"{pad}{v} = {obj}.get({key!r}, MISSING)")
            lines.append(f"{pad}if {v} is not MISSING:")
            lines.append(f"{pad}    {t} = type({v})")
            if pid >= 0:
                lines.append(f"{pad}    if {t} is list:")
                lines.append(f"{pad}        n = scalar_leaves({v}, E{pid}, matched)")
                lines.append(f"{pad}        if n < 0:")
                lines.append(f"{pad}            return True")
                if track_seen:
                    lines.append(f"{pad}        if n:")
                    lines.append(f"{pad}            seen.add({pid})")
                lines.append(f"{pad}    elif {t} is not dict:")
                lines.append(f"{pad}        E{pid}({v}, matched)")
                if track_seen:
                    lines.append(f"{pad}        seen.add({pid})")
            if child is not None:
                lines.append(f"{pad}    if {t} is dict:")
                lines.append(f"{pad}        pass")
                if not emit(child, v, depth + 2):
                    return False
                lines.append(f"{pad}    elif {t} is list and holds_objects({v}):")
                lines.append(f"{pad}        return True")
        return True

    if not emit(root, "obj", 1):
        return None
    lines.append("    return False")
    namespace: dict[str, Any] = {}
    # The source is built only from quoted keys (repr) and integer ids, never from event data.
    exec(compile("\n".join(lines), "<tamis event reader>", "exec"), env, namespace)
    walk: FastWalk = namespace["walk"]
    return walk


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


_MISSING = _Missing()
