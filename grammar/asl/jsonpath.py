"""ASL Paths and Reference Paths, parsed with ``jsonpath.lark``.

Most paths in real definitions are plain (``$.a.b[0]``, ``$$.Execution.Id``, ``$var.x``); those are
recognised by one RE2 match. Anything else goes through the Lark grammar, and every answer is cached
per string, because the same paths recur across a repository's definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import re2

if TYPE_CHECKING:  # lark loads on first use: most strings never need a grammar
    from lark import Lark


# `$`, `$$` or `$name`, then dotted identifiers and non-negative indexes: always a Reference Path.
_SIMPLE = re2.compile(r"^\$(\$|[A-Za-z_][A-Za-z0-9_]*)?(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\])*$")
# Steps that select more than one node, so the path is a Path but not a Reference Path.
_MULTI = frozenset({"wildcard", "deep_member", "deep_wildcard", "deep_bracket", "slice", "union", "filter"})


@dataclass(frozen=True)
class PathInfo:
    """What one path string is: its root, the variable it reads, and whether it names a single node."""

    root: str  # "input" | "context" | "variable"
    variable: str | None
    reference: bool
    error: str | None = None
    column: int | None = None  # 1-based column of the syntax error inside the string


def _is_tree(node: object) -> bool:
    """A lark Tree (tokens are strings and have no ``data``), without importing lark."""
    return hasattr(node, "data")


@cache
def _parser() -> Lark:
    grammar = Path(__file__).with_name("jsonpath.lark").read_text(encoding="utf-8")
    from lark import Lark

    return Lark(grammar, parser="lalr", lexer="contextual", cache=True)


@lru_cache(maxsize=65536)
def parse_path(text: str) -> PathInfo:
    """Classify ``text`` as an ASL path; ``error`` says why it is not one."""
    m = _SIMPLE.match(text)
    if m is not None:
        head = m.group(1)
        if head is None:
            return PathInfo("input", None, True)
        if head == "$":
            return PathInfo("context", None, True)
        return PathInfo("variable", head, True)
    if not text.startswith("$"):
        return PathInfo("input", None, False, "a path must begin with '$'", 1)
    parser = _parser()
    from lark.exceptions import UnexpectedInput

    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        col = getattr(exc, "column", None)
        return PathInfo(
            "input", None, False, f"invalid JSONPath {text!r}", col if isinstance(col, int) else None
        )
    root = tree.children[0]
    assert _is_tree(root)
    variable = None
    if root.data == "variable":
        tok = root.children[0]
        assert not _is_tree(tok)
        variable = str(tok)[1:]
    if root.data == "context" and len(tree.children) > 1:
        first = tree.children[1]
        # `$$23` and `$$[0]`-like forms are not context paths; `$$.x` and `$$['x']` are.
        if _is_tree(first) and first.data not in ("member", "quoted_member", "index"):
            return PathInfo("context", None, False, f"invalid context object path {text!r}", 3)
    reference = True
    for step in tree.children[1:]:
        kind = step.data if _is_tree(step) else getattr(step, "type", "")
        if kind in _MULTI or kind == "script":
            reference = False
        elif kind == "index":
            tok = step.children[0]
            if str(tok).startswith("-"):
                reference = False
    return PathInfo(str(root.data), variable, reference)


def check_path(text: str, *, reference: bool = False, context: bool = True) -> str | None:
    """Why ``text`` is not a valid Path (or Reference Path), else None."""
    info = parse_path(text)
    if info.error:
        return info.error
    if reference and not info.reference:
        return f"{text!r} is not a Reference Path (filters, unions, slices and wildcards select many nodes)"
    if not context and info.root == "context":
        return f"{text!r} must not refer to the context object ($$)"
    return None
