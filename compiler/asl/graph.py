"""Whole-machine checks once every state has been read: duplicate state names, transition targets that
do not exist or leave their branch, states unreachable from StartAt, and machines with no terminal state.
The variable dataflow (``variables``) runs last, and only when some state reads a variable.

One mistake gives one error: a reachable state whose transitions are unknown because of a mistake already
reported (no Type, no Next, a target that names no state) may lead to any state its text names (a "Next"
misplaced inside Parameters, a misspelt name's closest state) and may end the machine: such states are
not called unreachable, nor the machine without a terminal state. A state nothing names stays
unreachable, and is reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.findings import MISSING_TARGET
from tamis.compiler.asl.scope import Scope, scope_word
from tamis.compiler.asl.variables import variable_dataflow
from tamis.compiler.suggestions import closest, did_you_mean

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
    for source, edges in scope.edges.items():
        for target, p in edges:
            if target in states:
                continue
            scope.broken.add(source)  # where it was meant to go is unknown
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
    broken = scope.broken
    open_ended = False  # a reachable state's transitions are unknown: it may be the terminal one
    while todo:
        name = todo.pop()
        targets = [t for t, _ in edges_of.get(name, ())]
        if name in broken:
            open_ended = True
            targets += _possible_targets(states.get(name), states)
            targets += _possible_targets(scope.misplaced_into.get(name), states)
        for target in targets:
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
    terminal = open_ended
    for name in seen if not terminal else ():
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


_YAML_BOOLEANS = {True: {"yes", "y", "true", "on"}, False: {"no", "n", "false", "off"}}


def _possible_targets(value: Any, states: dict[str, Any]) -> list[str]:
    """The states a broken state may have meant to go to: every string in it that names a state, or is
    a near spelling of one."""
    out: list[str] = []
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, str):
            if v in states:
                out.append(v)
            else:
                near = closest(v, states) if len(v) <= 80 else None
                if near is not None:
                    out.append(near)
        elif isinstance(v, bool | int | float):
            # a YAML 1.1 reader turns an unquoted "Next: Yes" into true, and "Next: 5" into a number
            spellings = _YAML_BOOLEANS[v] if isinstance(v, bool) else {str(v)}
            out.extend(name for name in states if isinstance(name, str) and name.casefold() in spellings)
        elif isinstance(v, dict):
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
    return out
