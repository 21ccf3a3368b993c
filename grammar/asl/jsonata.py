"""JSONata expressions inside ``{% ... %}`` strings, parsed with ``jsonata.lark``.

Besides syntax, Step Functions restricts what an expression may reference (DG ``transforming-data``):
no ``$`` or unqualified field name at the top level of the expression (they may appear nested, e.g.
inside a predicate), no ``$$``, and only some ``$states`` fields in some places. The checker collects
what the expression references; the validator (``tamis.compiler.asl.expressions``) decides what the
place allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import re2

from tamis.grammar.text import line_col

if TYPE_CHECKING:  # lark loads on first use: most strings never need a grammar
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput


STATES_FIELDS = frozenset({"input", "context", "result", "errorOutput"})
# Most expressions are a bare reference (`$states.input.a`, `$count`) or a number: those are read
# with one RE2 match, so that the JSONata grammar only loads for real expressions.
_SIMPLE_REF = re2.compile(r"^\s*(\$\$|\$?[A-Za-z_][A-Za-z0-9_]*|\$)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$")
_SIMPLE_NUMBER = re2.compile(r"^\s*-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\s*$")
_KEYWORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})


@dataclass(frozen=True)
class JsonataInfo:
    """What one expression is: a syntax error (message, 1-based line and column inside the expression)
    or the references that Step Functions' rules care about."""

    error: str | None = None
    line: int | None = None
    column: int | None = None
    top_level: tuple[str, ...] = ()  # field names, `$` or `$$` read from the top-level context
    states_fields: tuple[str, ...] = ()  # `$states.<field>` used
    variables: tuple[str, ...] = ()  # workflow variables read (not defined inside the expression)


def _is_tree(node: object) -> bool:
    """A lark Tree (tokens are strings and have no ``data``), without importing lark."""
    return hasattr(node, "data")


@cache
def _parser() -> Lark:
    grammar = Path(__file__).with_name("jsonata.lark").read_text(encoding="utf-8")
    from lark import Lark

    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, cache=True)


def split_expression(text: str) -> str | None:
    """The expression inside ``{% ... %}`` when ``text`` is one, else None."""
    if len(text) >= 4 and text.startswith("{%") and text.endswith("%}"):
        return text[2:-2]
    return None


def _describe(exc: UnexpectedInput, text: str) -> str:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return "unexpected end of expression"
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        return f"unexpected character {ch!r}"
    if isinstance(exc, UnexpectedToken):
        return f"unexpected {exc.token.value!r}"
    return "syntax error"


@lru_cache(maxsize=16384)
def check_jsonata(expression: str) -> JsonataInfo:
    """Parse one expression (the text between ``{%`` and ``%}``)."""
    if not expression.strip():
        return JsonataInfo("empty expression", 1, 1)
    simple = _simple(expression)
    if simple is not None:
        return simple
    return grammar_check(expression)


def grammar_check(expression: str) -> JsonataInfo:
    """Parse ``expression`` with the JSONata grammar (no shortcut for simple references)."""
    try:
        return _grammar_check(expression)
    except RecursionError:  # thousands of nested operators: beyond any real expression
        return JsonataInfo("expression nested too deeply to check", 1, 1)


def _grammar_check(expression: str) -> JsonataInfo:
    parser = _parser()
    from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken

    try:
        tree = parser.parse(expression)
    except UnexpectedInput as exc:
        line, column = exc.line, exc.column
        at_end = isinstance(exc, UnexpectedEOF) or (
            isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
        )
        if at_end or line in (None, -1):
            # the expression stopped short: point just past its last character
            expression = expression.rstrip()
            line, column = line_col(expression, len(expression))
        return JsonataInfo(_describe(exc, expression), line, column)
    walker = _Walker()
    walker.walk(tree, True)
    local = walker.defined
    variables = tuple(dict.fromkeys(v for v in walker.variables if v not in local))
    return JsonataInfo(
        top_level=tuple(dict.fromkeys(walker.top_level)),
        states_fields=tuple(dict.fromkeys(walker.states_fields)),
        variables=variables,
    )


def _simple(expression: str) -> JsonataInfo | None:
    """The answer for a bare reference or number, or None when the grammar must decide."""
    if _SIMPLE_NUMBER.match(expression):
        return JsonataInfo()
    m = _SIMPLE_REF.match(expression)
    if m is None:
        return None
    head, rest = m.group(1), m.group(2)
    if head in _KEYWORDS:
        return None
    if head in ("$", "$$"):
        return JsonataInfo(top_level=(head,))
    if not head.startswith("$"):
        return JsonataInfo(top_level=(head,))
    if head == "$states":
        first = rest[1:].split(".", 1)[0]
        return JsonataInfo(states_fields=(first,) if first else ())
    return JsonataInfo(variables=(head[1:],))


class _Walker:
    """Walks the tree tracking whether the current node is evaluated against the top-level input."""

    def __init__(self) -> None:
        self.top_level: list[str] = []
        self.states_fields: list[str] = []
        self.variables: list[str] = []
        self.defined: set[str] = set()

    def walk(self, node: Tree | Token | None, top: bool) -> None:
        if node is None or not _is_tree(node):
            return
        kind = node.data
        kids = node.children
        if kind == "name":
            if top:
                self.top_level.append(str(kids[0]).strip("`"))
        elif kind == "variable":
            self._variable(str(kids[0]), top)
        elif kind in ("wildcard", "descendants", "parent"):
            if top:
                self.top_level.append({"wildcard": "*", "descendants": "**", "parent": "%"}[str(kind)])
        elif kind == "step":
            self._step(node, top)
        elif kind in ("predicate", "group", "sort"):
            self.walk(kids[0], top)
            for kid in kids[1:]:
                self.walk(kid, False)
        elif kind == "call":
            callee = kids[0]
            if _is_tree(callee) and callee.data == "variable":
                name = str(callee.children[0])
                if name == "$$":
                    self.top_level.append("$$")
                # a called variable is a function: built-in or defined in the expression
            else:
                self.walk(callee, top)
            for kid in kids[1:]:
                self.walk(kid, top)
        elif kind == "lambda":
            for kid in kids:
                if _is_tree(kid) and kid.data == "params":
                    self.defined.update(str(t)[1:] for t in kid.children)
            self.walk(kids[-1], False)
        elif kind == "assign":
            self.defined.add(str(kids[0])[1:])
            self.walk(kids[1], top)
        elif kind in ("focus", "index_bind"):
            self.defined.add(str(kids[1])[1:])
            self.walk(kids[0], top)
        elif kind == "transform":
            for kid in kids:
                self.walk(kid, False)
        else:
            for kid in kids:
                self.walk(kid, top)

    def _variable(self, text: str, top: bool) -> None:
        if text == "$$":
            self.top_level.append("$$")
        elif text == "$":
            if top:
                self.top_level.append("$")
        elif text != "$states":
            self.variables.append(text[1:])

    def _step(self, node: Tree, top: bool) -> None:
        # Flatten the left-leaning chain a.b.c into [a, b, c]; only the head sees the outer context.
        chain: list[Tree | Token] = []
        cur: Tree | Token = node
        while _is_tree(cur) and cur.data == "step":
            chain.append(cur.children[1])
            cur = cur.children[0]
        chain.append(cur)
        chain.reverse()
        head = chain[0]
        if _is_tree(head) and head.data == "variable" and str(head.children[0]) == "$states":
            second = chain[1]
            if _is_tree(second) and second.data == "name":
                self.states_fields.append(str(second.children[0]).strip("`"))
        else:
            self.walk(head, top)
        for part in chain[1:]:
            self.walk(part, False)
