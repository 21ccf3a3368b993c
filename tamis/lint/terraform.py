"""Finds patterns, policies and state machines in Terraform ``.tf`` files.

Parsed with python-hcl2's Lark grammar; its plain-dict output drops positions, so this module walks the
raw Lark tree (built with ``propagate_positions``) and keeps the position of every value. Values may be a
quoted string, a heredoc, ``jsonencode(...)`` of an HCL object (each element located where it is written),
``file(...)`` or ``templatefile(...)`` (the referenced file is linted, ``${...}`` accepted), or a
``local.<name>`` defined in the same file. Anything else (``var.x``, other functions) gets an info note.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from lark import Token, Tree

from tamis.errors import Diagnostic
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

_HCL_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


@cache
def _parser() -> Any:
    """python-hcl2's own grammar and post-lexer, without ``propagate_positions``: positions come from the
    tokens (which always carry them), and skipping per-node metadata makes parsing about a third faster."""
    import hcl2.parser
    from hcl2.postlexer import PostLexer
    from lark import Lark

    return Lark.open("hcl2.lark", rel_to=hcl2.parser.__file__, parser="lalr", postlex=PostLexer(), cache=True)


def parse_hcl(text: str) -> Tree:
    # As python-hcl2's parses_to_tree: a final newline, since the grammar has no end-of-file token.
    return _parser().parse(text + "\n")


def _edge(node: Tree | Token, last: bool) -> Token | None:
    """The first (or last) token under ``node``."""
    while isinstance(node, Tree):
        children = [c for c in node.children if c is not None]
        if not children:
            return None
        node = children[-1] if last else children[0]
    return node


def _start(node: Tree | Token) -> int:
    tok = _edge(node, False)
    return tok.start_pos or 0 if tok is not None else 0


def _end(node: Tree | Token) -> int:
    tok = _edge(node, True)
    return tok.end_pos or 0 if tok is not None else 0


def _line(node: Tree | Token) -> int:
    tok = _edge(node, False)
    return tok.line or 1 if tok is not None else 1


class _Block:
    def __init__(self, node: Tree, labels: list[str], kind: str) -> None:
        self.node = node
        self.labels = labels
        self.kind = kind
        self.attrs: dict[str, Tree] = {}
        self.blocks: list[_Block] = []


def _children(node: Tree) -> list[Tree]:
    return [c for c in node.children if isinstance(c, Tree)]


def _name(node: Tree) -> str:
    tok = next((c for c in node.children if isinstance(c, Token)), None)
    return str(tok) if tok is not None else ""


class TerraformFile:
    def __init__(self, text: str, file: str, folder: Path, emit: Emit, lint_file: LintFile) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.file = file
        self.folder = folder
        self.emit = emit
        self.lint_file = lint_file
        self.locals: dict[str, Tree] = {}

    # -- structure ----------------------------------------------------------------------------------
    def _body(self, body: Tree) -> tuple[dict[str, Tree], list[_Block]]:
        attrs: dict[str, Tree] = {}
        blocks: list[_Block] = []
        for child in _children(body):
            if child.data == "attribute":
                parts = _children(child)
                attrs[_name(parts[0])] = child
            elif child.data == "block":
                parts = _children(child)
                kind = _name(parts[0])
                labels = [
                    self._string_literal(p) or _name(p)
                    for p in parts[1:]
                    if p.data in ("string", "identifier")
                ]
                inner = next((p for p in parts if p.data == "body"), None)
                block = _Block(child, labels, kind)
                if inner is not None:
                    block.attrs, block.blocks = self._body(inner)
                blocks.append(block)
        return attrs, blocks

    def run(self, tree: Tree) -> None:
        body = next((c for c in _children(tree) if c.data == "body"), None)
        if body is None:
            return
        _, blocks = self._body(body)
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
                for attr, trail in self._find(block, attr_path, ()):
                    label = f"{rtype}.{rname} {'.'.join(trail)}"
                    self._attribute(attr, kind, label, options, (_line(block.node),))

    def _find(
        self, block: _Block, path: tuple[str, ...], trail: tuple[str, ...]
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
    def _pos(self, node: Tree | Token) -> tuple[int, int]:
        if isinstance(node, Token):
            return (node.line or 1, node.column or 1)
        tok = _edge(node, False)
        return (tok.line or 1, tok.column or 1) if tok is not None else (1, 1)

    def _note(self, node: Tree, label: str, why: str, anchors: tuple[int, ...]) -> None:
        line, column = self._pos(node)
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
        expr = _children(attr)[-1]
        self._value(expr, kind, label, options, (*anchors, _line(attr)), 0)

    def _value(
        self, expr: Tree, kind: str, label: str, options: dict[str, str], anchors: tuple[int, ...], depth: int
    ) -> None:
        node = _unwrap(expr)
        if depth > 10:
            self._note(node, label, "its value is defined through too many locals", anchors)
            return
        data = node.data
        if data == "string":
            text, offsets, interpolated = self._string(node)
            self._string_target(text, offsets, node, kind, label, options, anchors, interpolated)
        elif data in ("heredoc_template", "heredoc_template_trim"):
            text, offsets = self._heredoc(node)
            self._string_target(text, offsets, node, kind, label, options, anchors, "${" in text)
        elif data == "function_call":
            self._call(node, kind, label, options, anchors, depth)
        elif (ref := self._local_ref(node)) is not None:
            if ref in self.locals:
                self._value(
                    _children(self.locals[ref])[-1],
                    kind,
                    f"{label} (local.{ref})",
                    options,
                    anchors,
                    depth + 1,
                )
            else:
                self._note(node, label, f"local.{ref} is not defined in this file", anchors)
        else:
            raw = self.text[_start(node) : _end(node)]
            self._note(node, label, f"its value ({_short(raw)}) is known only at plan time", anchors)

    def _call(
        self, node: Tree, kind: str, label: str, options: dict[str, str], anchors: tuple[int, ...], depth: int
    ) -> None:
        parts = _children(node)
        fname = _name(parts[0])
        args_node = next((p for p in parts if p.data == "arguments"), None)
        args = _children(args_node) if args_node is not None else []
        if fname == "jsonencode" and args:
            arg = _unwrap(args[0])
            if (ref := self._local_ref(arg)) is not None and ref in self.locals and depth < 10:
                arg = _unwrap(_children(self.locals[ref])[-1])
            spans: dict[Path_, tuple[int, int]] = {}
            keys: dict[Path_, tuple[int, int]] = {}
            value = self._convert(arg, (), spans, keys, 0)
            if isinstance(value, Placeholder):
                self._note(
                    arg, label, f"its value ({_short(value.text)}) is known only at plan time", anchors
                )
                return
            anchor = self._pos(arg)
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
            self.lint_file(target, kind, self._pos(args[0]), f"{label} ({fname})")
            return
        self._note(node, label, f"it is built with {fname}(), known only at plan time", anchors)

    def _path_arg(self, node: Tree) -> Path | None:
        node = _unwrap(node)
        if node.data != "string":
            return None
        raw = self.text[_start(node) + 1 : _end(node) - 1]
        for ref in ("${path.module}", "${path.root}", "${path.cwd}"):
            raw = raw.replace(ref, str(self.folder))
        if "${" in raw:
            return None
        path = Path(raw)
        return path if path.is_absolute() else self.folder / path

    def _local_ref(self, node: Tree) -> str | None:
        if node.data != "get_attr_expr_term":
            return None
        parts = _children(node)
        head = _unwrap(parts[0])
        if head.data != "identifier" or _name(head) != "local" or parts[1].data != "get_attr":
            return None
        ident = next((c for c in _children(parts[1]) if c.data == "identifier"), None)
        return _name(ident) if ident is not None else None

    def _literal_of(self, attr: Tree) -> str | None:
        node = _unwrap(_children(attr)[-1])
        return self._string_literal(node)

    def _string_literal(self, node: Tree) -> str | None:
        if node.data != "string":
            return None
        text, _offsets, interpolated = self._string(node)
        return None if interpolated else text

    def _string(self, node: Tree) -> tuple[str, list[int], bool]:
        start = _start(node) + 1
        end = _end(node) - 1
        text = self.text
        chars: list[str] = []
        offsets: list[int] = []
        interpolated = False
        i = start
        while i < end:
            c = text[i]
            if c == "\\" and i + 1 < end:
                e = text[i + 1]
                if e in _HCL_ESCAPES:
                    chars.append(_HCL_ESCAPES[e])
                    offsets.append(i)
                    i += 2
                    continue
                if e in "uU":
                    width = 4 if e == "u" else 8
                    try:
                        chars.append(chr(int(text[i + 2 : i + 2 + width], 16)))
                        offsets.append(i)
                        i += 2 + width
                        continue
                    except ValueError:
                        pass
            if c in "$%" and text.startswith(c * 2 + "{", i):  # $${ and %%{ are literal ${ and %{
                chars.extend((c, "{"))
                offsets.extend((i, i + 2))
                i += 3
                continue
            if c == "$" and text.startswith("${", i):
                interpolated = True
            chars.append(c)
            offsets.append(i)
            i += 1
        offsets.append(end)
        return "".join(chars), offsets, interpolated

    def _heredoc(self, node: Tree) -> tuple[str, list[int]]:
        tok = next(c for c in node.children if isinstance(c, Token))
        raw = str(tok)
        base = tok.start_pos or 0
        first_nl = raw.index("\n")
        trim = raw.startswith("<<-")
        lines: list[tuple[int, str]] = []
        pos = first_nl + 1
        while pos < len(raw):
            nl = raw.find("\n", pos)
            if nl < 0:
                nl = len(raw)
            lines.append((pos, raw[pos:nl]))
            pos = nl + 1
        # The last line holds the closing marker.
        body = lines[:-1] if lines else []
        indent = 0
        if trim:
            widths = [len(s) - len(s.lstrip(" \t")) for _, s in body if s.strip()]
            indent = min(widths) if widths else 0
        chars: list[str] = []
        offsets: list[int] = []
        for start, line in body:
            content = line[indent:] if len(line) >= indent else ""
            skip = len(line) - len(content)
            for k, ch in enumerate(content):
                chars.append(ch)
                offsets.append(base + start + skip + k)
            chars.append("\n")
            offsets.append(base + start + len(line))
        offsets.append(offsets[-1] if offsets else base)
        return "".join(chars), offsets

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
        directives = "%{" in text
        if interpolated or directives:
            text, ranges = placeholder_ranges(text, directives=True)
        self.emit(
            Target(
                kind=kind,
                text=text,
                file=self.file,
                mapper=OffsetsMapper(self.index, offsets, self._pos(node)),
                anchor=self._pos(node),
                label=label,
                options=options,
                unresolved=ranges,
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
        node = _unwrap(expr)
        spans[path] = self._pos(node)
        data = node.data
        if depth > 100:
            return Placeholder("${...}")
        if data == "object":
            out: dict[str, Any] = {}
            for elem in _children(node):
                if elem.data != "object_elem":
                    continue
                parts = _children(elem)
                key_node = _unwrap(parts[0].children[0]) if parts[0].children else parts[0]
                if isinstance(key_node, Tree) and key_node.data == "identifier":
                    key = _name(key_node)
                elif isinstance(key_node, Tree) and key_node.data == "string":
                    key = self._string(key_node)[0]
                else:
                    key = self.text[_start(parts[0]) : _end(parts[0])]
                child = (*path, key)
                keys[child] = self._pos(parts[0])
                out[key] = self._convert(parts[-1], child, spans, keys, depth + 1)
            return out
        if data == "tuple":
            items = [c for c in _children(node) if c.data != "new_line_or_comment"]
            return [self._convert(c, (*path, i), spans, keys, depth + 1) for i, c in enumerate(items)]
        if data == "string":
            text, _offsets, interpolated = self._string(node)
            return Placeholder(text) if interpolated else text
        if data in ("heredoc_template", "heredoc_template_trim"):
            text = self._heredoc(node)[0]
            return Placeholder(text) if "${" in text else text
        if data in ("int_lit", "float_lit"):
            return _number(_name(node))
        if data == "literal_value":
            return {"true": True, "false": False, "null": None}.get(_name(node))
        if data == "unary_op":
            tok = next((c for c in node.children if isinstance(c, Token)), None)
            inner = _children(node)
            if tok is not None and str(tok) == "-" and inner:
                v = self._convert(inner[0], path, spans, keys, depth + 1)
                spans[path] = self._pos(node)
                if isinstance(v, int | Decimal) and not isinstance(v, bool):
                    return -v
        if (ref := self._local_ref(node)) is not None and ref in self.locals:
            return self._convert(_children(self.locals[ref])[-1], path, spans, keys, depth + 1)
        raw = self.text[_start(node) : _end(node)]
        return Placeholder("${" + _short(raw) + "}")


def _unwrap(node: Tree) -> Tree:
    """Skip expr_term wrappers and parentheses."""
    while isinstance(node, Tree) and node.data == "expr_term":
        inner = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def _number(text: str) -> int | Decimal | str:
    try:
        return int(text)
    except ValueError:
        try:
            return Decimal(text)
        except InvalidOperation:
            return text


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
        tree = parse_hcl(text)
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
