"""The rule trie: every sub-rule as a path of condition ids, so rules share their common conditions.

Per event the trie is walked through satisfied conditions only: an event that fails a condition shared
by many rules prunes all of them at once, and the cost follows what the event satisfies, not the number
of rules. The native core walks the same trie as nested tuples (runtime/events/native.py).
"""

from __future__ import annotations

from collections import defaultdict

from tamis.runtime.events.conditions import FieldCondition, SubRule

_EMPTY: frozenset[int] = frozenset()


class RuleNode:
    __slots__ = ("children", "keys", "names")

    def __init__(self) -> None:
        self.children: dict[int, RuleNode] = {}
        self.keys: frozenset[int] = _EMPTY
        self.names: list[str] = []


def build_rule_trie(rules: dict[str, list[SubRule]], cond_ids: dict[FieldCondition, int]) -> RuleNode:
    """The trie of every sub-rule of ``rules`` (name -> sub-rules), conditions named by ``cond_ids``."""
    # Conditions shared by many rules go first, so rules share trie prefixes and an event that fails a
    # popular condition prunes all of them at once.
    popularity: dict[int, int] = defaultdict(int)
    for subrules in rules.values():
        for sub in subrules:
            for cond in sub:
                popularity[cond_ids[cond]] += 1
    root = RuleNode()
    for name, subrules in rules.items():
        for sub in subrules:
            ids = sorted({cond_ids[c] for c in sub}, key=lambda i: (-popularity[i], i))
            node = root
            for ident in ids:
                nxt = node.children.get(ident)
                if nxt is None:
                    nxt = node.children[ident] = RuleNode()
                node = nxt
            if name not in node.names:
                node.names.append(name)
    stack = [root]
    while stack:
        node = stack.pop()
        node.keys = frozenset(node.children)
        stack.extend(node.children.values())
    return root


def collect(root: RuleNode, matched: set[int]) -> list[str]:
    """Names met walking the trie through the conditions in ``matched`` (possibly repeated)."""
    out: list[str] = []
    stack = [root]
    pop, push, common = stack.pop, stack.append, matched.intersection
    while stack:
        node = pop()
        if node.names:
            out.extend(node.names)
        children = node.children
        for ident in common(node.keys):
            push(children[ident])
    return out


def distinct(names: list[str]) -> list[str]:
    """Names without repeats (a rule with several sub-rules can be reached more than once), first kept."""
    return list(dict.fromkeys(names)) if len(names) > 1 else names
