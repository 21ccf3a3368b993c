"""The field-path trie: which keys to read at each level of an event, built once per rule set.

One node per path prefix. A node's entries list every key to look up in the object at that level,
including the dotted spellings the services accept (`{"a.b": 1}` is the field `a.b` as much as
`{"a": {"b": 1}}` is): a dotted key leads to the node its segments lead to, so the trie is a DAG. The
walker (runtime/events/walker.py) and the native core read events along it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tamis.runtime.events.conditions import SubRule


class PathNode:
    """One level of the field-path trie: the keys to read at this level of the event."""

    __slots__ = ("entries", "positional")

    def __init__(self) -> None:
        # (key as written in the event, child node or None, path id or -1, whether positions matter there)
        self.entries: list[tuple[str, PathNode | None, int, bool]] = []
        # Whether array positions matter at this prefix: some sub-rule names two or more paths under it, so
        # an array here must not let them come from different elements.
        self.positional = False


def positional_prefixes(rules: Iterable[list[SubRule]]) -> set[tuple[str, ...]]:
    """Path prefixes under which some sub-rule names two or more paths: only arrays there need
    positions (elsewhere one field's values never have to agree with another's element)."""
    out: set[tuple[str, ...]] = set()
    for subrules in rules:
        for sub in subrules:
            split = {tuple(c.path.split(".")) for c in sub}
            if len(split) < 2:
                continue
            counts: dict[tuple[str, ...], int] = defaultdict(int)
            for segs in split:
                for j in range(1, len(segs) + 1):
                    counts[segs[:j]] += 1
            out.update(prefix for prefix, n in counts.items() if n >= 2)
    return out


def build_path_trie(paths: list[str], path_ids: dict[str, int], positional: set[tuple[str, ...]]) -> PathNode:
    """The trie of the dot-joined ``paths`` (ids from ``path_ids``); returns its root."""
    nodes: dict[tuple[str, ...], PathNode] = {(): PathNode()}
    has_children: set[tuple[str, ...]] = set()
    split = {p: tuple(p.split(".")) for p in paths}
    for segs in split.values():
        for j in range(1, len(segs) + 1):
            nodes.setdefault(segs[:j], PathNode())
            if j < len(segs):
                has_children.add(segs[:j])
    full = {segs: path_ids[p] for p, segs in split.items()}
    for prefix, node in nodes.items():
        seen: dict[str, tuple[PathNode | None, int, bool]] = {}
        for target in nodes:
            if len(target) > len(prefix) and target[: len(prefix)] == prefix:
                key = ".".join(target[len(prefix) :])
                child = nodes[target] if target in has_children else None
                seen[key] = (child, full.get(target, -1), target in positional)
        node.entries = [(k, child, pid, pos) for k, (child, pid, pos) in sorted(seen.items())]
        node.positional = prefix in positional
    return nodes[()]
