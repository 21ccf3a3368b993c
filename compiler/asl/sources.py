"""Where state-machine definitions come from, and how to find their positions again.

A definition arrives as plain JSON, as YAML, inside a CloudFormation or SAM template (``Definition``,
``DefinitionString`` with or without ``Fn::Sub``, ``DefinitionUri`` to a local file, with
``DefinitionSubstitutions``), or as a Terraform ``templatefile`` whose ``${Name}`` placeholders may stand
where JSON needs a value. :func:`load_definitions` returns each definition as a parsed value plus a
position mapper, computed lazily: the validator only asks where something is when it has found a fault.

Placeholders are kept, not substituted: a string that is entirely ``${Name}`` is an unknown value of
whatever type the field needs. An unquoted placeholder (``"TimeoutSeconds": ${Timeout}``) is turned into
such a string of the same length, so that every other position in the text stays exact, and reported
as a warning (the file is JSON only after rendering).
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from tamis.errors import DefinitionError, TamisError
from tamis.grammar import cloudformation as cfn
from tamis.grammar.cloudformation import STATE_MACHINE_TYPES
from tamis.grammar.placeholders import neutralize_placeholders
from tamis.grammar.text import LineIndex, decode_or_raise
from tamis.runtime.json_values import first_problem

if TYPE_CHECKING:
    from tamis.grammar.located_yaml import LocatedYAML

Path = tuple[str | int, ...]
# (path, at_key) -> (line, column); (None, None) when unknown
Locator = Callable[[Path, bool], tuple[int | None, int | None]]
# (code, severity, message, path, at_key), the validator's finding shape
Finding = tuple[str, str, str, Path, bool]
# tamis's code for a DefinitionUri naming no file: the deployment's packaging step would fail on it.
MISSING_DEFINITION_FILE = "MISSING_DEFINITION_FILE"


@dataclass
class LoadedDefinition:
    """One definition found in an input, with what is needed to report on it."""

    value: Any
    source: str | None = None
    # JSON pointer prefix of the definition inside its file (empty for a plain definition file)
    prefix: Path = ()
    name: str | None = None  # the template's logical id, when the definition came from a template
    findings: list[Finding] = field(default_factory=list)  # problems found while reading
    locate: Locator = field(default=lambda path, key: (None, None))
    text: str | None = None  # the definition's own text, when it was given as text
    machine_type: str | None = None  # STANDARD or EXPRESS when the template says (StateMachineType / Type)
    # The definition could not be read at all (a DefinitionUri naming no file): only ``findings`` apply.
    unreadable: bool = False


@dataclass(frozen=True)
class Substitutions:
    """The ``${Name}`` a deployment replaces in a definition that came from a CloudFormation or SAM
    template: the names of its ``DefinitionSubstitutions`` and, under ``Fn::Sub``, also the template's
    parameters and resources, pseudo parameters (``AWS::Region``) and resource attributes
    (``Queue.Arn``). Any other ``${Name}`` reaches the service as written."""

    names: frozenset[str] = frozenset()
    fn_sub: bool = False

    @classmethod
    def of_resource(cls, props: dict[str, Any], template: dict[str, Any]) -> Substitutions:
        """What the state machine resource with ``props`` in ``template`` substitutes."""
        return cls(
            frozenset(cfn.substitution_names(props, template)),
            isinstance(props.get("DefinitionString"), dict),
        )

    def findings(self, value: Any) -> list[Finding]:
        """An ``UNRESOLVED_PLACEHOLDER`` warning for each ``${Name}`` in ``value`` that is not replaced."""
        out: list[Finding] = []
        known = set(self.names)
        for name, path in cfn.sub_references(value):
            if cfn.resolves(name, known, self.fn_sub):
                continue
            where = "DefinitionSubstitutions" + (
                ", the template's Parameters and Resources" if self.fn_sub else ""
            )
            out.append(
                (
                    "UNRESOLVED_PLACEHOLDER",
                    "warning",
                    f"${{{name}}} is not defined in {where}; CloudFormation leaves it as written",
                    path,
                    False,
                )
            )
        return out


def _no_position(path: Path, key: bool) -> tuple[int | None, int | None]:
    return None, None


# -- JSON ------------------------------------------------------------------------------------------------
def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _stdlib_loads(text: str | bytes) -> Any:
    """Strict JSON with the standard library, refusing what orjson refuses: NaN and Infinity, and a lone
    surrogate written as an escape (``"\\ud800"``), which json.loads turns into a str that is not Unicode
    text; the grammar's reader then says where it stands (load_json_text)."""
    value = json.loads(text, parse_constant=_reject_constant)
    problem = first_problem(value, sys.maxsize)  # no nesting bound here: the validator has its own
    if problem is not None:
        raise ValueError(problem[2])
    return value


class JsonReader:
    """Which JSON parser reads definitions: orjson for throughput; the standard library for a
    command-line run on a few files, where importing orjson would cost more than it saves."""

    fast = True
    _orjson_loads: Callable[[str | bytes], Any] | None = None  # bound on first use

    @classmethod
    def loads(cls, text: str | bytes) -> Any:
        if cls.fast:
            loads = cls._orjson_loads
            if loads is None:
                import orjson

                loads = cls._orjson_loads = orjson.loads
            return loads(text)
        return _stdlib_loads(text)


_WS = " \t\n\r"
_BLANKS = frozenset(_WS)  # one character (a set: the empty string at the end is not a member)
_scan_value = json.scanner.make_scanner(json.JSONDecoder())  # the C scanner: skips a value in C
_scan_string = json.decoder.scanstring


def _skip_ws(text: str, i: int) -> int:
    """The first non-blank offset at or after ``i`` (stripping slices keeps the loop in C)."""
    n = len(text)
    while i < n and text[i] in _WS:
        if i + 1 < n and text[i + 1] not in _WS:  # one blank (after ':' or ','): no slicing
            return i + 1
        seg = text[i : i + 256]
        i += len(seg) - len(seg.lstrip(_WS))
    return i


class _JsonOffsets:
    """Offsets of the values (and keys) along the paths asked for, in JSON text.

    Walks only the containers on the way, member by member until the wanted one, and skips the
    values in between with the C scanner; where each walk stopped is kept, so several lookups in one
    document share the work. (With a repeated key the first occurrence is reported.)
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # container path -> [children seen (child -> (key offset or None, value offset)), resume offset
        # (-1 at the end), next array index, is an object, resume offset is a value still to skip]
        self.members: dict[Path, list[Any]] = {}
        self.root = _skip_ws(text, 0)

    def _child(self, path: Path, at: int, step: str | int) -> tuple[int | None, int] | None:
        text = self.text
        state = self.members.get(path)
        if state is None:
            ch = text[at] if at < len(text) else ""
            if ch == "{" and isinstance(step, str):
                state = [{}, _skip_ws(text, at + 1), 0, True, False]
            elif ch == "[" and isinstance(step, int):
                state = [{}, _skip_ws(text, at + 1), 0, False, False]
            else:
                return None
            self.members[path] = state
        known: dict[str | int, tuple[int | None, int]] = state[0]
        if step in known:
            return known[step]
        i, index, is_object, pending = state[1], state[2], state[3], state[4]
        while i >= 0:
            if pending:  # the value of the member found last time: skip it now
                i = self._after_value(i, is_object)
                pending = False
                continue
            if is_object:
                if text[i] != '"':
                    i = -1
                    break
                k_start = i
                name, i = _scan_string(text, i + 1)
                i = text.index(":", i) + 1
                if text[i : i + 1] in _BLANKS:  # (a call only when there are blanks to skip)
                    i = _skip_ws(text, i)
                entry: tuple[int | None, int] = (k_start, i)
                known.setdefault(name, entry)
                name_or_index: str | int = name
            else:
                if text[i] == "]":
                    i = -1
                    break
                entry = (None, i)
                known[index] = entry
                name_or_index = index
                index += 1
            if name_or_index == step:  # leave this value unscanned until a later lookup needs to pass it
                state[1], state[2], state[4] = i, index, True
                return entry
            i = self._after_value(i, is_object)
        state[1], state[2], state[4] = i, index, False
        return None

    def _after_value(self, i: int, is_object: bool) -> int:
        """From a member's value to the next member's start, or -1 at the container's end."""
        text = self.text
        _, i = _scan_value(text, i)
        if text[i : i + 1] in _BLANKS:
            i = _skip_ws(text, i)
        if text[i] != ",":
            return -1
        if is_object:
            return text.index('"', i)  # only blanks separate a comma from the next key
        return _skip_ws(text, i + 1)

    def find(self, path: Path, key: bool) -> int | None:
        at = self.root
        key_at: int | None = None
        for depth, step in enumerate(path):
            entry = self._child(path[:depth], at, step)
            if entry is None:
                return None
            key_at, at = entry
        return key_at if key and key_at is not None else at


def json_locator(text: str, source: str | None = None) -> Locator:
    """A locator over JSON ``text``: the fast path walker first, the located Lark parse as fallback."""
    cache: dict[str, Any] = {}

    def slow(path: Path, key: bool) -> tuple[int | None, int | None]:
        doc = cache.get("doc")
        if doc is None:
            from tamis.grammar.located_json import parse_json

            try:
                doc = parse_json(text, source=source, exact_numbers=False)
            except TamisError:
                return None, None
            cache["doc"] = doc
        return doc.position(path, key=key)

    offsets = _JsonOffsets(text)
    index = LineIndex(text)

    def locate(path: Path, key: bool) -> tuple[int | None, int | None]:
        p = tuple(path)
        while True:
            try:
                off = offsets.find(p, key and p == tuple(path))
            except (ValueError, IndexError, StopIteration):
                return slow(path, key)
            if off is not None:
                return index.line_col(off)
            if not p:
                return None, None
            p = p[:-1]  # report the nearest enclosing value that exists

    return locate


def load_json_text(text: str, source: str | None = None) -> LoadedDefinition:
    """A JSON definition, tolerating unquoted placeholders; raises DefinitionError if not JSON at all."""
    try:
        return LoadedDefinition(JsonReader.loads(text), source, locate=json_locator(text, source), text=text)
    except ValueError:  # orjson's and the standard library's decode errors are both ValueErrors
        pass
    fixed, found = neutralize_placeholders(text)
    try:
        value = JsonReader.loads(fixed)
    except ValueError:
        from tamis.grammar.located_json import MAX_NESTING, parse_json

        doc = parse_json(fixed, source=source, error=DefinitionError)  # raises with line and column
        # JSON by the grammar that the fast readers refuse: a lone surrogate written as an escape is said
        # where it stands; numbers beyond what they read (a 5,000-digit integer) are taken as the grammar
        # reads them, exact.
        problem = first_problem(doc.value, MAX_NESTING)
        if problem is not None:
            path, key, message, _rule = problem
            line, column = doc.position(path, key=key)
            raise DefinitionError(message, line=line, column=column, source=source, rule="json") from None
        value = doc.value
    loaded = LoadedDefinition(value, source, locate=json_locator(fixed, source), text=fixed)
    index = LineIndex(text)
    short = {index.line_col(offset): span for offset, span in found if len(span) < 5}
    if short:
        _restore_short_placeholders(loaded, short)
    for offset, span in found:
        line, col = index.line_col(offset)
        loaded.findings.append(
            (
                "TEMPLATE_PLACEHOLDER",
                "warning",
                f"placeholder {span} stands where JSON needs a value; the file is valid JSON only after the "
                f"template is rendered (line {line}, column {col})",
                ("@", offset),
                False,
            )
        )
    base = loaded.locate

    def locate(path: Path, key: bool) -> tuple[int | None, int | None]:
        if path[:1] == ("@",):
            return index.line_col(int(path[1]))
        return base(path, key)

    loaded.locate = locate
    return loaded


def _restore_short_placeholders(loaded: LoadedDefinition, short: dict[tuple[int, int], str]) -> None:
    """A placeholder too short for a same-width string (``${T}``) was read as ``null``: put the
    placeholder back, an unknown value as every other one is, not a null the field rules would reject."""

    def walk(value: Any, path: Path) -> Any:
        if value is None:
            return short.get(loaded.locate(path, False))
        if isinstance(value, dict):
            for k, v in value.items():
                if v is None or isinstance(v, dict | list):
                    value[k] = walk(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if v is None or isinstance(v, dict | list):
                    value[i] = walk(v, (*path, i))
        return value

    loaded.value = walk(loaded.value, ())


# -- YAML ------------------------------------------------------------------------------------------------
# Read with grammar/located_yaml (CloudFormation's short tags in their long form, positions, limits on
# nesting and aliases), imported on the first YAML input to keep JSON-only runs quick to start.


def _yaml_locator(doc: LocatedYAML, prefix: Path) -> Locator:
    def locate(path: Path, key: bool) -> tuple[int | None, int | None]:
        return doc.position((*prefix, *path), key=key)

    return locate


def _embedded_locator(doc: LocatedYAML, node_path: Path, inner_text: str, inner: Locator) -> Locator:
    """Positions inside a JSON string embedded in YAML: character-exact when the string is the scalar's
    value as written (located_yaml maps it back whatever its style); else, for block scalars, by line and
    indentation; else the scalar's start."""
    start_line, start_col = doc.position(node_path)
    offsets = doc.string_offsets(node_path) if doc.value_at(node_path) == inner_text else None
    if offsets is not None:
        inner_index = LineIndex(inner_text)

        def exact(path: Path, key: bool) -> tuple[int | None, int | None]:
            line, col = inner(path, key)
            if line is None or line > len(inner_index.starts):
                return start_line, start_col
            # (offsets has one entry past the text's end, where offset() stops)
            return doc.line_col(offsets[inner_index.offset(line, col or 1)])

        return exact
    info = doc.scalars.get(node_path)
    style = info.style if info is not None else None
    indent = 0
    if start_line is not None:  # a block scalar's indentation: that of its first non-blank line
        for content in doc.text.splitlines()[start_line:]:
            if content.strip():
                indent = len(content) - len(content.lstrip(" "))
                break

    def locate(path: Path, key: bool) -> tuple[int | None, int | None]:
        line, col = inner(path, key)
        if line is None or start_line is None or style not in ("|", ">"):
            return start_line, start_col
        # block content starts on the line after the indicator
        return start_line + line, (col or 1) + indent

    return locate


# -- templates -------------------------------------------------------------------------------------------
# What a template means (resources, Fn::Sub and Fn::Join text, substitutions) is read by
# grammar/cloudformation.py, which the linter shares; this part only turns what it finds into definitions.
def _from_template(
    template: dict[str, Any],
    source: str | None,
    locate_in: Callable[[Path], Locator],
    yaml_doc: LocatedYAML | None,
    base_dir: FsPath | None,
) -> list[LoadedDefinition]:
    found: list[LoadedDefinition] = []
    for resource in cfn.resources(template):
        if resource.type not in STATE_MACHINE_TYPES:
            continue
        logical_id, props, base = resource.name, resource.properties, resource.path
        substitutions = Substitutions.of_resource(props, template)
        first = len(found)
        if "Definition" in props:
            prefix = (*base, "Definition")
            found.append(
                LoadedDefinition(props["Definition"], source, prefix, logical_id, locate=locate_in(prefix))
            )
        elif "DefinitionString" in props:
            prefix = (*base, "DefinitionString")
            text = cfn.definition_string_text(props["DefinitionString"])
            if text is None:
                continue  # built by other intrinsic functions: nothing to check statically
            try:
                inner = load_json_text(text, source)
            except TamisError as exc:
                line, col = locate_in(prefix)((), False)
                raise DefinitionError(
                    f"DefinitionString of {logical_id} is not JSON: {exc.message}",
                    line=line,
                    column=col,
                    source=source,
                    rule="json",
                ) from None
            inner.prefix, inner.name = prefix, logical_id
            if yaml_doc is not None:
                # the scalar holding the text: `DefinitionString: |`, `!Sub |`, or `Fn::Sub: [text, vars]`
                in_sub = cfn.sub_string(props["DefinitionString"])
                node_path = (*prefix, *in_sub[1]) if in_sub is not None else prefix
                if node_path not in yaml_doc.scalars:
                    node_path = prefix
                inner.locate = _embedded_locator(yaml_doc, node_path, text, inner.locate)
            else:
                outer = locate_in(prefix)
                inner.locate = lambda path, key, _o=outer: _o((), False)
            found.append(inner)
        elif (uri := cfn.definition_file(props)) is not None and base_dir is not None:
            target = base_dir / uri
            if target.is_file():
                for d in load_definitions(target.read_text(encoding="utf-8"), source=str(target)):
                    d.name = logical_id
                    found.append(d)
            elif source is not None and FsPath(source).is_file():
                # Only when the template was read from its file does a relative DefinitionUri name a file
                # here: a template given as text with a label as its source may come from anywhere.
                prefix = (*base, "DefinitionUri")
                message = f"DefinitionUri of {logical_id} names {uri!r}, which does not exist: not checked"
                missing = LoadedDefinition(None, source, prefix, logical_id, locate=locate_in(prefix))
                missing.findings.append((MISSING_DEFINITION_FILE, "error", message, (), False))
                missing.unreadable = True
                found.append(missing)
        machine_type = cfn.machine_type(props)
        for loaded in found[first:]:
            loaded.findings.extend(substitutions.findings(loaded.value))
            if machine_type is not None:
                loaded.machine_type = machine_type
    return found


def _is_template(value: Any) -> bool:
    return (
        isinstance(value, dict) and "Resources" in value and "StartAt" not in value and "States" not in value
    )


def load_definitions(
    text: str | bytes, *, source: str | None = None, base_dir: str | FsPath | None = None
) -> list[LoadedDefinition]:
    """Every state-machine definition in ``text`` (JSON, YAML, a CloudFormation/SAM template, or a
    template file with ``${...}`` placeholders). Raises DefinitionError when the text cannot be read."""
    text = decode_or_raise(text, error=DefinitionError, source=source, rule="encoding", located=False)
    bdir = FsPath(base_dir) if base_dir is not None else (FsPath(source).parent if source else None)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        loaded = load_json_text(text, source)
        if _is_template(loaded.value):
            doc_locate = loaded.locate
            return _from_template(
                loaded.value, source, lambda prefix: lambda p, k: doc_locate((*prefix, *p), k), None, bdir
            )
        return [loaded]
    from tamis.grammar.located_yaml import parse_yaml

    doc = parse_yaml(text, source=source, error=DefinitionError, exact_numbers=False)
    if _is_template(doc.value):
        return _from_template(doc.value, source, lambda prefix: _yaml_locator(doc, prefix), doc, bdir)
    return [LoadedDefinition(doc.value, source, locate=_yaml_locator(doc, ()), text=None)]
