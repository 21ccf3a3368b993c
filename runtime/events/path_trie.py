"""The field-path trie: which keys to read at each level of an event, kept live as rules come and go.

One node per path prefix. A node's entries list every key to look up in the object at that level,
including the dotted spellings the services accept (`{"a.b": 1}` is the field `a.b` as much as
`{"a": {"b": 1}}` is): a dotted key leads to the node its segments lead to, so the trie is a DAG. Adding
or removing a path touches only the entries that lead to its own prefixes (its depth squared), never the
other paths. The walker (runtime/events/walker.py) and the native core read events along the same nodes.

A node is the list ``[entries, positional]`` (NODE in runtime/events/native.py): ``entries`` is
{key: (child node or None, pid or None, positional, tracked, record)} [E_CHILD .. E_RECORD], mutated in
place; ``positional`` whether array positions matter under the node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from tamis.runtime.events.conditions import SubRule

Node = list[Any]
Entry = tuple[Any, int | None, bool, bool, bool]


def positional_prefixes(sub: Iterable[Any]) -> set[tuple[str, ...]]:
    """Path prefixes under which the sub-rule names two or more paths: only arrays there need positions
    (elsewhere one field's values never have to agree with another's element)."""
    split = {tuple(c.path.split(".")) for c in sub}
    if len(split) < 2:
        return set()
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for segs in split:
        for j in range(1, len(segs) + 1):
            counts[segs[:j]] += 1
    return {prefix for prefix, n in counts.items() if n >= 2}


class PathTrie:
    """The live trie of rule paths; ``root`` is what the walkers read."""

    def __init__(self) -> None:
        self.root: Node = [{}, False]
        self._nodes: dict[tuple[str, ...], Node] = {(): self.root}
        self._below: dict[tuple[str, ...], int] = defaultdict(int)  # paths strictly under each prefix
        self._pids: dict[tuple[str, ...], int] = {}
        self._positional: dict[tuple[str, ...], int] = defaultdict(int)
        self._flags: dict[int, tuple[bool, bool]] = {}  # pid -> (tracked, record)

    # -- paths ---------------------------------------------------------------------------------------
    def add_path(self, path: str, pid: int) -> None:
        segs = tuple(path.split("."))
        self._pids[segs] = pid
        self._flags.setdefault(pid, (False, False))
        for j in range(len(segs) + 1):
            prefix = segs[:j]
            if prefix not in self._nodes:
                self._nodes[prefix] = [{}, self._positional.get(prefix, 0) > 0]
            if j < len(segs):
                self._below[prefix] += 1
        for j in range(1, len(segs) + 1):
            self._refresh(segs[:j])

    def remove_path(self, path: str) -> None:
        segs = tuple(path.split("."))
        pid = self._pids.pop(segs)
        self._flags.pop(pid, None)
        for j in range(len(segs)):
            prefix = segs[:j]
            self._below[prefix] -= 1
            if not self._below[prefix]:
                del self._below[prefix]
        for j in range(len(segs), 0, -1):
            self._refresh(segs[:j])
        for j in range(len(segs), 0, -1):
            prefix = segs[:j]
            if prefix not in self._below and prefix not in self._pids:
                self._nodes.pop(prefix, None)

    def set_flags(self, path: str, tracked: bool, record: bool) -> None:
        """Whether the path's presence is noted (`exists: false`) and its values kept for later tests."""
        segs = tuple(path.split("."))
        pid = self._pids[segs]
        if self._flags.get(pid) != (tracked, record):
            self._flags[pid] = (tracked, record)
            self._refresh(segs)

    def add_positional(self, prefixes: Iterable[tuple[str, ...]], delta: int) -> None:
        for prefix in prefixes:
            before = self._positional.get(prefix, 0) > 0
            self._positional[prefix] += delta
            if not self._positional[prefix]:
                del self._positional[prefix]
            after = self._positional.get(prefix, 0) > 0
            if before != after:
                node = self._nodes.get(prefix)
                if node is not None:
                    node[1] = after
                self._refresh(prefix)

    # -- entries -------------------------------------------------------------------------------------
    def _refresh(self, target: tuple[str, ...]) -> None:
        """Rewrite the entries that lead to ``target`` from each of its ancestors."""
        has_children = target in self._below
        pid = self._pids.get(target)
        live = has_children or pid is not None
        entry: Entry | None = None
        if live:
            tracked, record = self._flags.get(pid, (False, False)) if pid is not None else (False, False)
            entry = (
                self._nodes[target] if has_children else None,
                pid,
                self._positional.get(target, 0) > 0,
                tracked,
                record,
            )
        for j in range(len(target)):
            node = self._nodes.get(target[:j])
            if node is None:
                continue
            key = ".".join(target[j:])
            if entry is None:
                node[0].pop(key, None)
            else:
                node[0][key] = entry


__all__ = ["Node", "PathTrie", "SubRule", "positional_prefixes"]
