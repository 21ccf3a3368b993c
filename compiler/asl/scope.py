"""Where a check happens: a state machine or sub-machine (``Scope``) and one state inside it
(``StateCtx``). A scope collects its states' transitions and variable reads and writes as they are
checked; the whole-machine checks (``graph``, ``variables``) read them afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.findings import Path
from tamis.compiler.json_types import json_type

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator


class Scope:
    """One state machine or sub-machine (a Parallel branch, a Map processor)."""

    __slots__ = (
        "broken",
        "distributed",
        "edges",
        "express",
        "kind",
        "misplaced_into",
        "parent",
        "path",
        "reads",
        "start",
        "states",
        "writes",
    )

    def __init__(self, path: Path, kind: str, parent: Scope | None, distributed: bool = False) -> None:
        # "machine" in an EXPRESS state machine, "child" in an EXPRESS Distributed Map child workflow
        self.express: str | None = None
        self.path = path
        self.kind = kind  # "machine" | "branch" | "processor"
        self.parent = parent
        self.distributed = distributed
        self.states: dict[str, Any] = {}
        self.start: str | None = None
        # state name -> [(target, path of the field naming it)]
        self.edges: dict[str, list[tuple[str, Path]]] = {}
        self.reads: dict[str, list[tuple[str, Path]]] = {}
        self.writes: dict[str, set[str]] = {}
        # States whose transitions are not known because of a mistake already reported (no Type, no
        # Next, a target that is not a name...): the graph checks do not guess where they lead.
        self.broken: set[str] = set()
        # State name -> its fields found among the states (a mis-indented "Next: B" in YAML), reported there.
        self.misplaced_into: dict[str, dict[str, Any]] = {}


def scope_word(kind: str) -> str:
    return {"machine": "state machine", "branch": "Parallel branch", "processor": "Map processor"}[kind]


def in_distributed(scope: Scope | None) -> bool:
    while scope is not None:
        if scope.distributed:
            return True
        scope = scope.parent
    return False


class StateCtx:
    """One state being checked: the values inside it need its query language and scope."""

    __slots__ = ("jsonata", "name", "scope", "st", "v")

    def __init__(
        self,
        v: Validator,
        scope: Scope,
        name: str,
        st: str,
        jsonata: bool,
    ) -> None:
        self.v = v
        self.scope = scope
        self.name = name
        self.st = st
        self.jsonata = jsonata

    # Only states that touch variables get entries for the dataflow (most never do).
    def read(self, variable: str, path: Path) -> None:
        self.scope.reads.setdefault(self.name, []).append((variable, path))

    def write(self, variable: str) -> None:
        self.scope.writes.setdefault(self.name, set()).add(variable)

    def target(self, value: Any, path: Path) -> None:
        if not isinstance(value, str):
            self.v.err(f"a transition target must be a state name (a string), not {json_type(value)}", path)
            self.scope.broken.add(self.name)
            return
        self.scope.edges[self.name].append((value, path))
