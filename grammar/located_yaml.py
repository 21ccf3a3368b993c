"""YAML with positions, and CloudFormation's short intrinsic tags, into plain values plus a position table.

The same shape as :mod:`tamis.grammar.located_json`: compilers work on plain Python values and ask the
table where a value was written. CloudFormation's short forms become their long forms
(``!Sub x`` -> ``{"Fn::Sub": "x"}``, ``!Ref x`` -> ``{"Ref": "x"}``, ``!GetAtt A.B`` ->
``{"Fn::GetAtt": ["A", "B"]}``), so templates read the same whether written in JSON or YAML.

Strings can be mapped back character by character (:meth:`LocatedYAML.string_offsets`): a JSON document
written inside a YAML string (``DefinitionString: |``) gets its errors reported at the right line and
column of the YAML file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from tamis.errors import TamisError
from tamis.grammar.located_json import Located
from tamis.grammar.text import LineIndex, decode_or_raise

YAMLPath = tuple[str | int, ...]
MAX_NESTING = 200
# Aliases are expanded into plain values. Without aliases a document has fewer nodes than characters, so
# expanding past max(MIN_NODE_BUDGET, length of the text) nodes is an alias bomb: stop there, in linear time.
MIN_NODE_BUDGET = 100_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"

# Booleans are read by the YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution:
# true|True|TRUE|false|False|FALSE), not YAML 1.1's (https://yaml.org/type/bool.html, which PyYAML's resolver
# follows: yes/no/on/off too). Keys are always their text (a JSON object's keys are strings), so under 1.1
# a state named `Yes` and `Next: Yes` would read differently; under 1.2 both are the string "Yes", as
# YAML 1.2 readers such as js-yaml (https://github.com/nodeca/js-yaml, "YAML 1.2 parser") read them. Where
# a loader would read `yes` as true, tamis reads text: a conservative choice, since every place tamis checks
# that wants a boolean then reports a string rather than passing a value that another loader reads as text.
_CORE_BOOLS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})

# Short forms whose long form is not "Fn::<Name>" (CloudFormation template reference, "Intrinsic functions").
_SPECIAL_TAGS = {"!Ref": "Ref", "!Condition": "Condition"}

try:  # libyaml's composer is several times faster; the pure-Python one gives the same nodes
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass
class ScalarInfo:
    """Where a scalar was written: its style and the source offsets of the whole node (tag included)."""

    style: str | None
    start: int
    end: int


@dataclass
class LocatedYAML(Located):
    """One parsed YAML document: its value and where each part of it was written."""

    value: Any
    text: str
    source: str | None = None
    # path -> (line, column, start offset, end offset) of the value; 1-based line and column.
    spans: dict[YAMLPath, tuple[int, int, int, int]] = field(default_factory=dict)
    # path -> (line, column) of the member's key, for mapping members.
    keys: dict[YAMLPath, tuple[int, int]] = field(default_factory=dict)
    # path -> how the string scalar at path was written (for character-exact mapping).
    scalars: dict[YAMLPath, ScalarInfo] = field(default_factory=dict)
    # (path, line, column) of every member whose key repeats an earlier one (the last one wins).
    duplicates: list[tuple[YAMLPath, int, int]] = field(default_factory=list)
    _index: LineIndex | None = field(default=None, repr=False)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a source offset."""
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index.line_col(offset)

    def string_offsets(self, path: YAMLPath) -> list[int] | None:
        """Source offset of each character of the string at ``path``, plus one for its end.

        ``None`` when the string is not a scalar written in this document or when its source cannot be
        mapped character by character (the caller then points at the scalar as a whole).
        """
        info = self.scalars.get(tuple(path))
        value = self.value_at(path)
        if info is None or not isinstance(value, str):
            return None
        return scalar_offsets(self.text, info, value)


def parse_yaml(
    text: str | bytes,
    *,
    source: str | None = None,
    error: type[TamisError] = TamisError,
    exact_numbers: bool = True,
) -> LocatedYAML:
    """Parse the first document of ``text``; an empty stream gives a document whose value is None."""
    docs = parse_yaml_all(text, source=source, error=error, exact_numbers=exact_numbers)
    if not docs:
        return LocatedYAML(value=None, text=text if isinstance(text, str) else text.decode("utf-8"))
    return docs[0]


def parse_yaml_all(
    text: str | bytes,
    *,
    source: str | None = None,
    error: type[TamisError] = TamisError,
    exact_numbers: bool = True,
) -> list[LocatedYAML]:
    """Parse every document of ``text``, keeping positions. Raises ``error`` with line and column.

    With ``exact_numbers`` a decimal number keeps its exact literal (``Decimal``, as located_json keeps
    it); without, it is a ``float``, as a JSON parser gives it."""
    text = decode_or_raise(text, error=error, source=source, rule="yaml", located=False)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # libyaml's own bound (1000): reported as the one limit below it
            raise error(
                f"YAML nesting deeper than {MAX_NESTING} levels",
                line=line,
                column=column,
                source=source,
                rule="yaml-nesting",
            ) from None
        raise error(
            f"invalid YAML: {problem}", line=line, column=column, source=source, rule="yaml"
        ) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", source=source, rule="yaml") from None
    out = []
    for node in nodes:
        if node is None:
            continue
        doc = LocatedYAML(value=None, text=text, source=source)
        doc.value = _Builder(doc, error, exact_numbers).build(node, (), 0)
        out.append(doc)
    return out


class _Builder:
    def __init__(self, doc: LocatedYAML, error: type[TamisError], exact_numbers: bool = True) -> None:
        self.doc = doc
        self.error = error
        self.exact_numbers = exact_numbers
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        self.nodes = 0
        self.budget = max(MIN_NODE_BUDGET, len(doc.text))

    def fail(self, node: yaml.Node, message: str, rule: str) -> TamisError:
        return self.error(
            message,
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
            source=self.doc.source,
            rule=rule,
        )

    def build(self, node: yaml.Node, path: YAMLPath, depth: int) -> Any:
        if depth > MAX_NESTING:
            raise self.fail(node, f"YAML nesting deeper than {MAX_NESTING} levels", "yaml-nesting")
        self.nodes += 1
        if self.nodes > self.budget:
            raise self.fail(node, f"YAML aliases expand to more than {self.budget:,} values", "yaml-size")
        start, end = node.start_mark, node.end_mark
        self.doc.spans[path] = (start.line + 1, start.column + 1, start.index, end.index)
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!"):
            return self.intrinsic(node, tag, path, depth)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        return self.scalar(node, path)

    def intrinsic(self, node: yaml.Node, tag: str, path: YAMLPath, depth: int) -> Any:
        name = _SPECIAL_TAGS.get(tag) or f"Fn::{tag[1:]}"
        inner_path = (*path, name)
        if isinstance(node, yaml.ScalarNode):
            self.doc.spans[inner_path] = self.doc.spans[path]
            value: Any = node.value
            if name == "Fn::GetAtt":
                # `!GetAtt Resource.Attribute` is the one short form whose scalar splits into a list.
                head, _, tail = value.partition(".")
                value = [head, tail]
            else:
                info = ScalarInfo(node.style or None, node.start_mark.index, node.end_mark.index)
                self.doc.scalars[inner_path] = info
        elif isinstance(node, yaml.SequenceNode):
            value = [self.build(child, (*inner_path, i), depth + 1) for i, child in enumerate(node.value)]
            self.doc.spans[inner_path] = self.doc.spans[path]
        else:
            value = self.mapping(node, inner_path, depth)
            self.doc.spans[inner_path] = self.doc.spans[path]
        return {name: value}

    def mapping(self, node: yaml.MappingNode, path: YAMLPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged_keys: set[str] = set()  # keys from `<<` merges: explicit keys override them silently
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged = self.build(value_node, (*path, "<<"), depth + 1)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        for k, v in part.items():
                            if k not in out:
                                out[k] = v
                                merged_keys.add(k)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "mapping keys must be scalars", "yaml-key")
            key = key_node.value
            child = (*path, key)
            mark = key_node.start_mark
            if key in out and key not in merged_keys:
                self.doc.duplicates.append((child, mark.line + 1, mark.column + 1))
            self.doc.keys[child] = (mark.line + 1, mark.column + 1)
            merged_keys.discard(key)
            out[key] = self.build(value_node, child, depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode, path: YAMLPath) -> Any:
        tag = node.tag
        style = node.style or None  # libyaml reports plain scalars as "", the Python composer as None
        if tag in (_STR, _TIMESTAMP) or style is not None or (tag == _BOOL and node.value not in _CORE_BOOLS):
            # Dates stay text: JSON (and so every language tamis checks) has no date type. yes/no/on/off
            # stay text too (YAML 1.2 booleans, above).
            self.doc.scalars[path] = ScalarInfo(style, node.start_mark.index, node.end_mark.index)
            return node.value
        if tag == _FLOAT and self.exact_numbers:
            text = node.value
            if _is_json_number(text):
                try:
                    return Decimal(text)  # the exact literal, as located_json keeps it
                except InvalidOperation:  # pragma: no cover - guarded by _is_json_number
                    pass
        if tag in (_INT, _FLOAT, _BOOL, _NULL):
            try:
                return self.constructor.construct_object(node)
            except yaml.YAMLError:
                pass
        self.doc.scalars[path] = ScalarInfo(style, node.start_mark.index, node.end_mark.index)
        return node.value


def _is_json_number(text: str) -> bool:
    body = text[1:] if text[:1] == "-" else text
    if not body or not body[0].isdigit():
        return False
    return all(c.isdigit() or c in ".eE+-" for c in body) and "_" not in body


# --- character-exact mapping of string scalars ------------------------------------------------------


def scalar_offsets(text: str, info: ScalarInfo, value: str) -> list[int] | None:
    """Source offset of each character of ``value`` (plus its end) written at ``info``, or None."""
    raw_start = _skip_tag(text, info.start, info.end)
    if info.style in ("|", ">"):
        offsets = _block_offsets(text, raw_start, info.end, info.style, value)
    else:
        offsets = _flow_offsets(text, raw_start, info.end, info.style, value)
    return offsets


def _skip_tag(text: str, start: int, end: int) -> int:
    """Offset of the scalar itself, past a leading tag (``!Sub``) or anchor."""
    i = start
    while i < end and text[i] in "!&":
        while i < end and text[i] not in " \t\n":
            i += 1
        while i < end and text[i] in " \t":
            i += 1
    return i


def _flow_offsets(text: str, start: int, end: int, style: str | None, value: str) -> list[int] | None:
    quote = style if style in ("'", '"') else ""
    i = start + len(quote)
    stop = end - len(quote)
    chars: list[str] = []
    offs: list[int] = []
    while i < stop:
        c = text[i]
        if c == "\n" or (c == "\r" and text[i + 1 : i + 2] == "\n"):
            # Line folding: trailing blanks drop, a single break becomes a space, k blank lines k breaks.
            while chars and chars[-1] in " \t":
                chars.pop()
                offs.pop()
            nl_at = i
            breaks = 0
            while i < stop and text[i] in " \t\r\n":
                if text[i] == "\n":
                    breaks += 1
                i += 1
            if breaks == 1:
                chars.append(" ")
                offs.append(nl_at)
            else:
                chars.extend("\n" * (breaks - 1))
                offs.extend([nl_at] * (breaks - 1))
            continue
        if quote == "'" and c == "'" and text[i + 1 : i + 2] == "'":
            chars.append("'")
            offs.append(i)
            i += 2
            continue
        if quote == '"' and c == "\\":
            decoded, width = _escape(text, i)
            if decoded is None:
                return None
            if decoded == "":  # escaped line break: the next line's indentation is dropped too
                i += width
                while i < stop and text[i] in " \t":
                    i += 1
                continue
            chars.append(decoded)
            offs.append(i)
            i += width
            continue
        chars.append(c)
        offs.append(i)
        i += 1
    if "".join(chars) != value:
        return None
    offs.append(stop)
    return offs


_SIMPLE_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}


def _escape(text: str, i: int) -> tuple[str | None, int]:
    c = text[i + 1 : i + 2]
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], 2
    if c == "\n":
        return "", 2
    if c in _HEX_WIDTH:
        width = _HEX_WIDTH[c]
        digits = text[i + 2 : i + 2 + width]
        try:
            return chr(int(digits, 16)), 2 + width
        except ValueError:
            return None, 0
    return None, 0


def _block_offsets(text: str, start: int, end: int, style: str, value: str) -> list[int] | None:
    header_end = text.find("\n", start)
    if header_end < 0:
        return None
    lines: list[tuple[int, int]] = []  # (start offset, end offset without the newline)
    pos = header_end + 1
    while pos <= end and pos < len(text):
        nl = text.find("\n", pos)
        if nl < 0:
            nl = len(text)
        lines.append((pos, nl))
        pos = nl + 1
    # Indentation of the first non-blank line (explicit indicators are rare; the check below catches them).
    indent = 0
    for a, b in lines:
        body = text[a:b]
        if body.strip():
            indent = len(body) - len(body.lstrip(" "))
            break
    chars: list[str] = []
    offs: list[int] = []
    prev_kind = ""  # "", "text", "blank", "more"
    for a, b in lines:
        body = text[a:b].rstrip("\r")
        content = body[indent:] if len(body) >= indent else ""
        is_blank = not body.strip()
        if style == ">" and chars:
            kind = "blank" if is_blank else ("more" if content[:1] in (" ", "\t") else "text")
            # A single break between two plain text lines folds into a space.
            if kind == "text" and prev_kind == "text" and chars[-1] == "\n":
                chars[-1] = " "
            prev_kind = kind
        elif style == ">":
            prev_kind = "blank" if is_blank else ("more" if content[:1] in (" ", "\t") else "text")
        for k, ch in enumerate(content):
            chars.append(ch)
            offs.append(a + indent + k)
        chars.append("\n")
        offs.append(b)
    built = "".join(chars)
    if not built.startswith(value):
        # Chomping "keep" may add trailing breaks we did not see; anything else is not mappable.
        return None
    out = offs[: len(value)]
    out.append(offs[len(value)] if len(value) < len(offs) else end)
    return out
