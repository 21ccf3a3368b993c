"""Finds patterns, policies and state machines in Terraform ``.tf`` files.

The HCL itself (the located Lark tree, strings and heredocs decoded with the offset of every character)
is read by grammar/hcl.py; this module knows which resource attributes hold what, and follows the value
of each to something checkable. Values may be a quoted string, a heredoc, ``jsonencode(...)`` of an HCL
object (each element located where it is written), ``file(...)`` or ``templatefile(...)`` (the
referenced file is linted, ``${...}`` accepted), or a ``local.<name>`` defined in the same file.
Anything else (``var.x``, other functions) gets an info note.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from lark import Token, Tree

from tamis.errors import Diagnostic
from tamis.grammar import hcl
from tamis.grammar.placeholders import placeholder_ranges
from tamis.grammar.text import LineIndex
from tamis.lint.check import CODE_UNRESOLVED
from tamis.lint.cloudformation import Emit, LintFile
from tamis.lint.targets import OffsetsMapper, Path_, Placeholder, Target

CODE_HCL_SYNTAX = "lint.hcl-syntax"

# resource type -> [(attribute path through nested blocks, kind)]
_ATTRS: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "aws_cloudwatch_event_rule": [(("event_pattern",), "eventbridge-pattern")],
    "aws_cloudwatch_event_archive": [(("event_pattern",), "eventbridge-archive-pattern")],
    "aws_sns_topic_subscription": [(("filter_policy",), "sns-filter-policy")],
    "aws_lambda_event_source_mapping": [(("filter_criteria", "filter", "pattern"), "lambda-filter-pattern")],
    "aws_pipes_pipe": [
        (("source_parameters", "filter_criteria", "filter", "pattern"), "lambda-filter-pattern")
    ],
    "aws_sns_topic": [(("data_protection_policy",), "sns-data-protection-policy")],
    "aws_sns_topic_data_protection_policy": [(("policy",), "sns-data-protection-policy")],
    "aws_cloudwatch_log_data_protection_policy": [
        (("policy_document",), "cloudwatch-logs-data-protection-policy")
    ],
    "aws_cloudwatch_log_account_policy": [(("policy_document",), "cloudwatch-logs-data-protection-policy")],
    "aws_sfn_state_machine": [(("definition",), "state-machine")],
}


class TerraformFile:
    """One ``.tf`` file: its resources' attributes, turned into targets (or notes) through ``emit``."""

    def __init__(self, text: str, file: str, folder: Path, emit: Emit, lint_file: LintFile) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.file = file
        self.folder = folder
        self.emit = emit
        self.lint_file = lint_file
        self.locals: dict[str, Tree] = {}

    # -- resources --------------------------------------------------------------------------------------
    def run(self, tree: Tree) -> None:
        body = hcl.top_body(tree)
        if body is None:
            return
        _, blocks = hcl.read_body(self.text, body)
        for block in blocks:
            if block.kind == "locals":
                self.locals.update(block.attrs)
        for block in blocks:
            if block.kind != "resource" or len(block.labels) < 2:
                continue
            rtype, rname = block.labels[0], block.labels[1]
            for attr_path, kind in _ATTRS.get(rtype, ()):
                if rtype == "aws_cloudwatch_log_account_policy":
                    ptype = block.attrs.get("policy_type")
                    if ptype is None or self._literal_of(ptype) != "DATA_PROTECTION_POLICY":
                        continue
                options: dict[str, str] = {}
                if rtype == "aws_sns_topic_subscription":
                    scope = block.attrs.get("filter_policy_scope")
                    if scope is not None and self._literal_of(scope) == "MessageBody":
                        kind, options = "sns-filter-policy-body", {"scope": "MessageBody"}
                elif rtype == "aws_sfn_state_machine" and "type" in block.attrs:
                    # the validator's machine_type: an EXPRESS machine has rules of its own
                    machine_type = self._literal_of(block.attrs["type"])
                    if machine_type in ("STANDARD", "EXPRESS"):
                        options = {"machine_type": machine_type}
                for attr, trail in self._find(block, attr_path, ()):
                    label = f"{rtype}.{rname} {'.'.join(trail)}"
                    self._attribute(attr, kind, label, options, (hcl.line(block.node),))

    def _find(
        self, block: hcl.Block, path: tuple[str, ...], trail: tuple[str, ...]
    ) -> list[tuple[Tree, tuple[str, ...]]]:
        head, rest = path[0], path[1:]
        if not rest:
            return [(block.attrs[head], (*trail, head))] if head in block.attrs else []
        out = []
        subs = [b for b in block.blocks if b.kind == head]
        for i, sub in enumerate(subs):
            step = f"{head}[{i}]" if len(subs) > 1 else head
            out.extend(self._find(sub, rest, (*trail, step)))
        return out

    # -- values -------------------------------------------------------------------------------------
    def _note(self, node: Tree, label: str, why: str, anchors: tuple[int, ...]) -> None:
        line, column = hcl.position(node)
        self.emit(
            Diagnostic(
                code=CODE_UNRESOLVED,
                severity="info",
                message=f"{label}: not checked, {why}",
                line=line,
                column=column,
                source=self.file,
                extra={"target": label, "anchor_lines": anchors},
            )
        )

    def _attribute(
        self, attr: Tree, kind: str, label: str, options: dict[str, str], anchors: tuple[int, ...]
    ) -> None:
        expr = hcl.attribute_value(attr)
        self._value(expr, kind, label, options, (*anchors, hcl.line(attr)), 0)

    def _value(
        self, expr: Tree, kind: str, label: str, options: dict[str, str], anchors: tuple[int, ...], depth: int
    ) -> None:
        node = hcl.unwrap(expr)
        if depth > 10:
            self._note(node, label, "its value is defined through too many locals", anchors)
            return
        data = node.data
        if data == "string":
            text, offsets, interpolated = hcl.string_value(self.text, node)
            self._string_target(text, offsets, node, kind, label, options, anchors, interpolated)
        elif data in ("heredoc_template", "heredoc_template_trim"):
            text, offsets = hcl.heredoc_value(node)
            self._string_target(text, offsets, node, kind, label, options, anchors, "${" in text)
        elif data == "function_call":
            self._call(node, kind, label, options, anchors, depth)
        elif (ref := self._local_ref(node)) is not None:
            if ref in self.locals:
                self._value(
                    hcl.attribute_value(self.locals[ref]),
                    kind,
                    f"{label} (local.{ref})",
                    options,
                    anchors,
                    depth + 1,
                )
            else:
                self._note(node, label, f"local.{ref} is not defined in this file", anchors)
        else:
            raw = self.text[hcl.start(node) : hcl.end(node)]
            self._note(node, label, f"its value ({_short(raw)}) is known only at plan time", anchors)

    def _call(
        self, node: Tree, kind: str, label: str, options: dict[str, str], anchors: tuple[int, ...], depth: int
    ) -> None:
        parts = hcl.children(node)
        fname = hcl.name(parts[0])
        args_node = next((p for p in parts if p.data == "arguments"), None)
        args = hcl.children(args_node) if args_node is not None else []
        if fname == "jsonencode" and args:
            arg = hcl.unwrap(args[0])
            if (ref := self._local_ref(arg)) is not None and ref in self.locals and depth < 10:
                arg = hcl.unwrap(hcl.attribute_value(self.locals[ref]))
            spans: dict[Path_, tuple[int, int]] = {}
            keys: dict[Path_, tuple[int, int]] = {}
            value = self._convert(arg, (), spans, keys, 0)
            if isinstance(value, Placeholder):
                self._note(
                    arg, label, f"its value ({_short(value.text)}) is known only at plan time", anchors
                )
                return
            anchor = hcl.position(arg)
            self.emit(
                Target.structured(
                    value,
                    spans.get,
                    keys.get,
                    anchor,
                    kind=kind,
                    file=self.file,
                    label=label,
                    options=options,
                    anchor_lines=anchors,
                    pointer_positions=_pointer_positions(spans),
                )
            )
            return
        if fname in ("file", "templatefile") and args:
            target = self._path_arg(args[0])
            if target is None:
                self._note(args[0], label, "the file name is known only at plan time", anchors)
                return
            self.lint_file(target, kind, hcl.position(args[0]), f"{label} ({fname})", options)
            return
        self._note(node, label, f"it is built with {fname}(), known only at plan time", anchors)

    def _path_arg(self, node: Tree) -> Path | None:
        node = hcl.unwrap(node)
        if node.data != "string":
            return None
        raw = self.text[hcl.start(node) + 1 : hcl.end(node) - 1]
        for ref in ("${path.module}", "${path.root}", "${path.cwd}"):
            raw = raw.replace(ref, str(self.folder))
        if "${" in raw:
            return None
        path = Path(raw)
        return path if path.is_absolute() else self.folder / path

    def _local_ref(self, node: Tree) -> str | None:
        if node.data != "get_attr_expr_term":
            return None
        parts = hcl.children(node)
        head = hcl.unwrap(parts[0])
        if head.data != "identifier" or hcl.name(head) != "local" or parts[1].data != "get_attr":
            return None
        ident = next((c for c in hcl.children(parts[1]) if c.data == "identifier"), None)
        return hcl.name(ident) if ident is not None else None

    def _literal_of(self, attr: Tree) -> str | None:
        return hcl.string_literal(self.text, hcl.unwrap(hcl.attribute_value(attr)))

    def _string_target(
        self,
        text: str,
        offsets: list[int],
        node: Tree,
        kind: str,
        label: str,
        options: dict[str, str],
        anchors: tuple[int, ...],
        interpolated: bool,
    ) -> None:
        ranges: list[tuple[int, int]] = []
        raw = text
        directives = "%{" in text
        if interpolated or directives:
            text, ranges = placeholder_ranges(text, directives=True)
        self.emit(
            Target(
                kind=kind,
                text=text,
                file=self.file,
                mapper=OffsetsMapper(self.index, offsets, hcl.position(node)),
                anchor=hcl.position(node),
                label=label,
                options=options,
                unresolved=ranges,
                raw_text=raw,
                anchor_lines=anchors,
                lenient_syntax=directives,
            )
        )

    # -- HCL expressions to plain values, for jsonencode ------------------------------------------------
    def _convert(
        self,
        expr: Tree,
        path: Path_,
        spans: dict[Path_, tuple[int, int]],
        keys: dict[Path_, tuple[int, int]],
        depth: int,
    ) -> Any:
        node = hcl.unwrap(expr)
        spans[path] = hcl.position(node)
        data = node.data
        if depth > 100:
            return Placeholder("${...}")
        if data == "object":
            out: dict[str, Any] = {}
            for elem in hcl.children(node):
                if elem.data != "object_elem":
                    continue
                parts = hcl.children(elem)
                key_node = hcl.unwrap(parts[0].children[0]) if parts[0].children else parts[0]
                if isinstance(key_node, Tree) and key_node.data == "identifier":
                    key = hcl.name(key_node)
                elif isinstance(key_node, Tree) and key_node.data == "string":
                    key = hcl.string_value(self.text, key_node)[0]
                else:
                    key = self.text[hcl.start(parts[0]) : hcl.end(parts[0])]
                child = (*path, key)
                keys[child] = hcl.position(parts[0])
                out[key] = self._convert(parts[-1], child, spans, keys, depth + 1)
            return out
        if data == "tuple":
            items = [c for c in hcl.children(node) if c.data != "new_line_or_comment"]
            return [self._convert(c, (*path, i), spans, keys, depth + 1) for i, c in enumerate(items)]
        if data == "string":
            text, _offsets, interpolated = hcl.string_value(self.text, node)
            return Placeholder(text) if interpolated else text
        if data in ("heredoc_template", "heredoc_template_trim"):
            text = hcl.heredoc_value(node)[0]
            return Placeholder(text) if "${" in text else text
        if data in ("int_lit", "float_lit"):
            return hcl.number(hcl.name(node))
        if data == "literal_value":
            return {"true": True, "false": False, "null": None}.get(hcl.name(node))
        if data == "unary_op":
            tok = next((c for c in node.children if isinstance(c, Token)), None)
            inner = hcl.children(node)
            if tok is not None and str(tok) == "-" and inner:
                v = self._convert(inner[0], path, spans, keys, depth + 1)
                spans[path] = hcl.position(node)
                if isinstance(v, int | Decimal) and not isinstance(v, bool):
                    return -v
        if (ref := self._local_ref(node)) is not None and ref in self.locals:
            return self._convert(hcl.attribute_value(self.locals[ref]), path, spans, keys, depth + 1)
        raw = self.text[hcl.start(node) : hcl.end(node)]
        return Placeholder("${" + _short(raw) + "}")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _pointer_positions(spans: dict[Path_, tuple[int, int]]) -> Callable[[str], tuple[int, int] | None]:
    from tamis.lint.check import pointer_lookup

    def position(path: Path_) -> tuple[int | None, int | None]:
        p = tuple(path)
        while True:
            if p in spans:
                return spans[p]
            if not p:
                return None, None
            p = p[:-1]

    return pointer_lookup(position, lambda p: tuple(p) in spans)


def lint_terraform(text: str, file: str, folder: Path, emit: Emit, lint_file: LintFile) -> None:
    from lark.exceptions import UnexpectedInput

    if not any(rtype in text for rtype in _ATTRS):
        return  # nothing tamis checks is declared here: no need to parse (most .tf files of a repository)
    try:
        tree = hcl.parse_hcl(text)
    except UnexpectedInput as exc:
        emit(
            Diagnostic(
                code=CODE_HCL_SYNTAX,
                severity="error",
                message=f"invalid HCL: {_short(str(exc).splitlines()[0]) if str(exc) else 'syntax error'}",
                line=getattr(exc, "line", 1) or 1,
                column=getattr(exc, "column", 1) or 1,
                source=file,
            )
        )
        return
    except Exception as exc:  # the HCL library may raise its own errors for odd input
        emit(
            Diagnostic(
                code=CODE_HCL_SYNTAX,
                severity="error",
                message=f"invalid HCL: {_short(str(exc)) or type(exc).__name__}",
                line=1,
                column=1,
                source=file,
            )
        )
        return
    TerraformFile(text, file, folder, emit, lint_file).run(tree)
