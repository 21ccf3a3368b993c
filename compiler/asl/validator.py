"""The Amazon States Language validator: every structural rule of the specification and the service.

The checks run in plain Python over the parsed definition (dicts and lists), so validating a typical
definition costs tens of microseconds. Paths, intrinsic calls and JSONata expressions go to their Lark
grammars only when a cheap pre-check cannot decide, and those answers are cached per string. Positions
are not computed here: each finding carries the path of the offending value (and whether the key or
the value is meant); the caller maps paths to line and column only when there is something to report.

This module walks the definition: the top level, each machine and sub-machine, and each state, whose
fields go to ``states`` and from there to one module per part of the specification (``choice_rules``,
``map_parallel``, ``retry_catch``, ``resources``, ``expressions``, ``variables``); ``graph`` checks the
whole machine at the end. Findings are collected on the ``Validator`` (their shape: ``findings``).

Sources: the ASL specification (SPEC21, states-language.net), the Step Functions developer guide (DG)
and AWS responses recorded in public test suites; ``shared/notes/asl.md`` in the project's reference
material gives the citations. Codes are the service's where it has one (listed in ``findings``).
"""

from __future__ import annotations

from typing import Any

from tamis.compiler.asl.fields import (
    ALLOWED_JA,
    ALLOWED_JP,
    FIELDS,
    QUERY_LANGUAGES,
    STATE_TYPES,
    TOP_FIELDS,
    int_field,
    optional_str,
    unknown_fields,
)
from tamis.compiler.asl.findings import ERROR, MISSING_TARGET, SCHEMA, WARNING, Finding, Path, flat
from tamis.compiler.asl.graph import graph_checks
from tamis.compiler.asl.scope import Scope, StateCtx, in_distributed, scope_word
from tamis.compiler.asl.states import state_fields
from tamis.compiler.json_types import json_type

__all__ = ["MAX_DEFINITION_BYTES", "Finding", "Validator", "validate_value"]

MAX_DEFINITION_BYTES = 1024 * 1024  # DG service-quotas: maximum definition size 1 MB
MAX_STATE_NAME = 80  # enforced by the service (SPEC21 text says 128)


class Validator:
    """Checks one definition (a parsed JSON value); ``findings`` lists what is wrong."""

    def __init__(self, *, express: bool = False) -> None:
        self.express = express
        self.findings: list[Finding] = []
        self.all_names: dict[str, Path] = {}  # first occurrence of each state name
        self.duplicates: list[tuple[str, Path]] = []
        self.scopes: list[Scope] = []
        self.top_jsonata = False
        self.express_child = False  # set while entering a Distributed Map processor

    # -- reporting ---------------------------------------------------------------------------------
    def err(self, message: str, path: Path, code: str = SCHEMA, *, key: bool = False) -> None:
        self.findings.append((code, ERROR, message, flat(path), key))

    def warn(self, message: str, path: Path, code: str, *, key: bool = False) -> None:
        self.findings.append((code, WARNING, message, flat(path), key))

    # -- top level ---------------------------------------------------------------------------------
    def run(self, definition: Any) -> list[Finding]:
        if not isinstance(definition, dict):
            self.err(f"a state machine definition must be a JSON object, not {json_type(definition)}", ())
            return self.findings
        for key in definition:
            if key not in TOP_FIELDS:
                self.err(f"field {key!r} is not supported at the top level", ((), key), key=True)
        optional_str(self, definition, "Comment", ())
        optional_str(self, definition, "Version", ())
        if "TimeoutSeconds" in definition:
            int_field(self, definition, "TimeoutSeconds", (), minimum=0, jsonata=False)
        ql = definition.get("QueryLanguage", "JSONPath")
        if ql not in QUERY_LANGUAGES:
            self.err("QueryLanguage must be one of [JSONPath, JSONata]", ((), "QueryLanguage"))
            ql = "JSONPath"
        self.top_jsonata = ql == "JSONata"
        self.machine(definition, (), "machine", None, ql, False)
        graph_checks(self)
        return self.findings

    def machine(
        self, m: dict[str, Any], path: Path, kind: str, parent: Scope | None, ql: str, dist: bool
    ) -> None:
        scope = Scope(path, kind, parent, dist)
        if parent is None:
            scope.express = "machine" if self.express else None
        elif dist:
            scope.express = "child" if self.express_child else None
        else:
            scope.express = parent.express
        self.scopes.append(scope)
        if "States" not in m or "StartAt" not in m:
            missing = [f for f in ("States", "StartAt") if f not in m]
            self.err(f"These fields are required: [{', '.join(missing)}]", path)
        start = m.get("StartAt")
        if start is not None and not isinstance(start, str):
            self.err(f"StartAt must be a string, not {json_type(start)}", (path, "StartAt"))
            start = None
        scope.start = start
        states = m.get("States")
        if states is None:
            return
        if not isinstance(states, dict):
            self.err(f"States must be an object, not {json_type(states)}", (path, "States"))
            return
        if not states:
            self.err("States must not be empty", (path, "States"))
        scope.states = states
        all_names = self.all_names
        spath = (path, "States")
        for name, state in states.items():
            state_path = (spath, name)
            if name in all_names:
                self.duplicates.append((name, state_path))
            else:
                all_names[name] = state_path
            self._state(name, state, state_path, scope, ql)
        if start is not None and start not in states:
            self.err(
                f"StartAt {start!r} does not name a state of this {scope_word(kind)}",
                (path, "StartAt"),
                MISSING_TARGET,
            )

    # -- states ------------------------------------------------------------------------------------
    def _state(self, name: str, state: Any, path: Path, scope: Scope, outer_ql: str) -> None:
        if not name:
            self.err("state names must not be empty", path, "INVALID_STATE_NAME", key=True)
        elif len(name) > MAX_STATE_NAME:
            self.err(
                f"state name is {len(name)} characters long; the limit is {MAX_STATE_NAME}",
                path,
                "INVALID_STATE_NAME",
                key=True,
            )
        if not isinstance(state, dict):
            self.err(f"state {name!r} must be an object, not {json_type(state)}", path)
            return
        st = state.get("Type")
        if st is None:
            self.err("These fields are required: [Type]", path)
            return
        if not isinstance(st, str) or st not in FIELDS:
            self.err(
                f"The field 'Type' should have one of these values: [{', '.join(STATE_TYPES)}]",
                (path, "Type"),
            )
            return
        ql = state.get("QueryLanguage", outer_ql)
        if ql not in QUERY_LANGUAGES:
            self.err("QueryLanguage must be one of [JSONPath, JSONata]", (path, "QueryLanguage"))
            ql = outer_ql
        elif ql == "JSONPath" and self.top_jsonata and not in_distributed(scope):
            # A distributed Map runs its processor as child workflows; elsewhere the service refuses.
            self.err(
                "a state of a JSONata state machine cannot use QueryLanguage JSONPath",
                (path, "QueryLanguage"),
            )
        jsonata = ql == "JSONata"
        # issuperset over the dict's keys: hashed set lookups, no keys view or tuple key to build
        if not (ALLOWED_JA if jsonata else ALLOWED_JP)[st].issuperset(state):
            unknown_fields(self, state, st, jsonata, path)
        if "Comment" in state and not isinstance(state["Comment"], str):
            optional_str(self, state, "Comment", path)
        edges: list[tuple[str, Path]] = []
        scope.edges[name] = edges
        ctx = StateCtx(self, scope, name, st, jsonata)
        state_fields(self, state, st, path, ctx)


def validate_value(definition: Any, *, express: bool = False) -> list[Finding]:
    """All findings for one parsed definition, in document order of discovery. ``express``: the
    definition is for an EXPRESS state machine (the type is not part of the definition itself)."""
    return Validator(express=express).run(definition)
