"""Whole-machine checks once every state has been read: duplicate state names, transition targets that
do not exist or leave their branch, states unreachable from StartAt, and machines with no terminal state.
The variable dataflow (``variables``) runs last, and only when some state reads a variable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tamis.compiler.asl.findings import MISSING_TARGET
from tamis.compiler.asl.scope import Scope, scope_word
from tamis.compiler.asl.variables import variable_dataflow
from tamis.compiler.suggestions import did_you_mean

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator


def graph_checks(v: Validator) -> None:
    """Duplicate names, then each scope's targets, reachability and terminal states; variables last."""
    for name, p in v.duplicates:
        v.err(
            f"state name {name!r} is used more than once in the state machine",
            p,
            "DUPLICATE_STATE_NAME",
            key=True,
        )
    for scope in v.scopes:
        _scope_graph(v, scope)
    # The dataflow only matters when some state reads a variable.
    if any(sc.reads for sc in v.scopes):
        variable_dataflow(v, v.scopes[0], frozenset())


def _scope_graph(v: Validator, scope: Scope) -> None:
    states = scope.states
    for edges in scope.edges.values():
        for target, p in edges:
            if target in states:
                continue
            if target in v.all_names:
                where = "Parallel branch" if scope.kind == "branch" else "Map processor"
                if scope.kind == "machine":
                    msg = f"state {target!r} is inside a branch or processor; it cannot be entered"
                else:
                    msg = f"state {target!r} is outside this {where}; transitions must stay within it"
                v.err(msg, p, MISSING_TARGET)
            else:
                hint = did_you_mean(target, states) if isinstance(target, str) else ""
                v.err(f"Missing 'Next' target: {target}{hint}", p, MISSING_TARGET)
    if scope.start not in states:
        return
    seen = {scope.start}
    todo = [scope.start]
    edges_of = scope.edges
    while todo:
        for target, _ in edges_of.get(todo.pop(), ()):
            if target not in seen and target in states:
                seen.add(target)
                todo.append(target)
    for name in states if len(seen) < len(states) else ():  # seen holds only names of states
        if name not in seen:
            v.err(
                f"state {name!r} is not reachable from StartAt",
                ((scope.path, "States"), name),
                "UNREACHABLE_STATE",
                key=True,
            )
    terminal = False
    for name in seen:
        st = states[name]
        if isinstance(st, dict) and (st.get("End") is True or st.get("Type") in ("Succeed", "Fail")):
            terminal = True
            break
    if not terminal:
        where = scope_word(scope.kind)
        v.err(
            f"No terminal state: no reachable state of this {where} is End: true, Succeed or Fail",
            (scope.path, "States"),
            "MISSING_END_STATE",
        )
