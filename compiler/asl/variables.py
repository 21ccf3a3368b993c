"""Workflow variables: what an ``Assign`` may write, and the dataflow that warns when a state may read a
variable before any state on some path from StartAt has assigned it (DG workflow-variables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.expressions import jsonata_value, template
from tamis.compiler.asl.findings import Path, flat
from tamis.compiler.asl.scope import Scope, StateCtx
from tamis.compiler.json_types import json_type

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator


def assign(
    ctx: StateCtx, value: Any, path: Path, *, result: bool = False, error_output: bool = False
) -> None:
    """An Assign object: the names it writes, then its values (a payload template or JSONata)."""
    if not isinstance(value, dict):
        ctx.v.err(f"Assign must be an object, not {json_type(value)}", path)
        return
    for key in value:
        name = key[:-2] if (not ctx.jsonata and key.endswith(".$")) else key
        if name == "states":
            ctx.v.err("'states' is reserved and cannot be assigned", (path, key), key=True)
        elif not name.isidentifier():
            ctx.v.warn(
                f"{name!r} cannot be read back as $name in a path or expression",
                (path, key),
                "INVALID_VARIABLE_NAME",
                key=True,
            )
        ctx.write(name)
    if ctx.jsonata:
        jsonata_value(ctx, value, path, result=result, error_output=error_output)
    else:
        template(ctx, value, path)


def variable_dataflow(v: Validator, scope: Scope, outer: frozenset[str]) -> None:
    """Warn about a variable read in a state that some path from StartAt reaches without assigning it."""
    states = scope.states
    # (only called when some state of the machine reads a variable; nested scopes need this scope's
    # values even when none of its own states reads one)
    known: dict[str, frozenset[str]] = {}
    if scope.start in states:
        preds: dict[str, list[str]] = {n: [] for n in states}
        for src, edges in scope.edges.items():
            for target, _ in edges:
                if target in preds and src in states:
                    preds[target].append(src)
        everything = frozenset().union(*scope.writes.values()) | outer
        known = {n: everything for n in states}
        known[scope.start] = outer
        changed = True
        rounds = 0
        while changed and rounds <= len(states):
            changed = False
            rounds += 1
            for n in states:
                incoming = [known[p] | scope.writes.get(p, set()) for p in preds[n]]
                new = frozenset.intersection(*incoming) if incoming else frozenset()
                if n == scope.start:
                    new = outer  # every path into StartAt begins with the outer scope's values
                if new != known[n]:
                    known[n] = new
                    changed = True
        for n in states:
            avail = known[n]
            for var, p in scope.reads.get(n, ()):
                if var not in avail:
                    v.warn(
                        f"variable ${var} may be read before any state assigns it",
                        p,
                        "VARIABLE_NOT_ASSIGNED",
                    )
    for child in v.scopes:
        if child.parent is scope:
            child_path, scope_path = flat(child.path), flat(scope.path)
            owner = child_path[len(scope_path) + 1] if len(child_path) > len(scope_path) + 1 else None
            inherited = frozenset() if child.distributed else known.get(str(owner), outer)
            variable_dataflow(v, child, inherited)
