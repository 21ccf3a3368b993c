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

import orjson

from tamis.compiler.asl.fields import (
    ALLOWED_JA,
    ALLOWED_JP,
    FIELDS,
    QUERY_LANGUAGES,
    STATE_FIELD_NAMES,
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
from tamis.compiler.suggestions import closest, did_you_mean
from tamis.grammar.located_json import MAX_NESTING
from tamis.runtime.json_values import first_problem

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
        # (machine path, required field) -> the misspelt key that holds it ("Sates" for "States"):
        # reported once, as the misspelling, and read in its place.
        self.misspelt: dict[tuple[Any, str], str] = {}

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
                hint = self.misspelling(definition, (), key, TOP_FIELDS)
                self.err(f"field {key!r} is not supported at the top level{hint}", ((), key), key=True)
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
        # A misspelt required field was reported as such; it is read in its place (a misspelling is one
        # mistake, and the states under it are still checked).
        keys = {f: self.misspelt.get((path, f), f) for f in ("States", "StartAt")}
        if "States" not in m or "StartAt" not in m:
            missing = [f for f in ("States", "StartAt") if keys[f] not in m]
            if missing:
                self.err(f"These fields are required: [{', '.join(missing)}]", path)
        start = m.get(keys["StartAt"])
        if start is not None and not isinstance(start, str):
            self.err(f"StartAt must be a string, not {json_type(start)}", (path, keys["StartAt"]))
            start = None
        scope.start = start
        states = m.get(keys["States"])
        if states is None:
            return
        spath = (path, keys["States"])
        if not isinstance(states, dict):
            self.err(f"States must be an object, not {json_type(states)}", spath)
            return
        if not states:
            self.err("States must not be empty", spath)
        states = self._misplaced_fields(states, spath, scope)
        scope.states = states
        all_names = self.all_names
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
                (path, keys["StartAt"]),
                MISSING_TARGET,
            )

    def misspelling(self, m: dict[str, Any], path: Path, key: Any, allowed: Any) -> str:
        """The "did you mean" hint for an unknown field ``key`` of the machine ``m``; a misspelt required
        field that is missing is remembered, so that it is not reported a second time as missing."""
        if not isinstance(key, str):
            return ""
        name = closest(key, allowed)
        if name is None:
            return ""
        if name in ("States", "StartAt") and name not in m and (path, name) not in self.misspelt:
            self.misspelt[(path, name)] = key
        return f"; did you mean {name!r}?"

    def _misplaced_fields(self, states: dict[str, Any], spath: Path, scope: Scope) -> dict[str, Any]:
        """``states`` without the state fields written among them (in YAML, ``Next: B`` indented one level
        too little leaves the state above without it): each is one error naming the state it belongs to,
        and neither a state of its own nor a missing field of that state."""
        misplaced = [
            name
            for name, value in states.items()
            if name in STATE_FIELD_NAMES and not isinstance(value, dict)
        ]
        if not misplaced:
            return states
        above: str | None = None
        for name in states:
            if name not in misplaced:
                above = name
                continue
            where = (
                f"; it belongs to a state: indent it under {above!r}, the state above"
                if above is not None
                else "; it belongs inside a state"
            )
            self.err(f"{name!r} is a field of a state, not a state{where}", (spath, name), key=True)
            if above is not None:
                scope.misplaced_into.setdefault(above, {})[name] = states[name]
        return {name: value for name, value in states.items() if name not in misplaced}

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
            scope.broken.add(name)
            return
        st = state.get("Type")
        if st is None:
            scope.broken.add(name)
            if "Type" not in scope.misplaced_into.get(name, ()):
                self.err("These fields are required: [Type]", path)
            return
        if not isinstance(st, str) or st not in FIELDS:
            hint = did_you_mean(st, STATE_TYPES) if isinstance(st, str) else ""
            self.err(
                f"The field 'Type' should have one of these values: [{', '.join(STATE_TYPES)}]{hint}",
                (path, "Type"),
            )
            scope.broken.add(name)
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
        before = len(self.findings)
        state_fields(self, state, st, path, ctx)
        if st == "Choice" and any(f[1] == ERROR for f in self.findings[before:]):
            scope.broken.add(name)  # a rule that failed may have held a transition


def validate_value(definition: Any, *, express: bool = False) -> list[Finding]:
    """All findings for one parsed definition, in document order of discovery. ``express``: the
    definition is for an EXPRESS state machine (the type is not part of the definition itself).

    A definition no JSON text can hold (a lone surrogate, say from a ``\\ud800`` escape inside a
    template's DefinitionString, or a key that is not a string) is one INVALID_JSON_DESCRIPTION at its
    place: the checks below match strings with RE2, which needs UTF-8."""
    try:
        orjson.dumps(definition)  # C speed; refuses exactly what the walk below looks for, and more
    except (TypeError, orjson.JSONEncodeError):
        problem = first_problem(definition, MAX_NESTING)
        if problem is not None and problem[3] != "number-size":  # long integers are judged as values
            path, key, message, _rule = problem
            return [("INVALID_JSON_DESCRIPTION", ERROR, message, path, key)]
    return Validator(express=express).run(definition)
