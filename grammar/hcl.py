"""HCL (Terraform's configuration language) with positions.

Parsed with python-hcl2's own Lark grammar; its plain-dict output drops positions, so callers walk the
raw Lark tree, whose tokens always carry them. This module knows HCL only: the tree's shape (bodies,
attributes, blocks, wrappers), the positions of its nodes, and how quoted strings and heredocs decode,
with the file offset of every decoded character. What Terraform resources mean is tamis/lint/terraform.py's.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import pairwise
from typing import Any

from lark import Token, Tree

# Escapes of a quoted HCL string (HCL native syntax specification, "Template Literals").
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


@cache
def _parser() -> Any:
    """python-hcl2's own grammar and post-lexer, without ``propagate_positions``: positions come from the
    tokens (which always carry them), and skipping per-node metadata makes parsing about a third faster.
    Neither piece is python-hcl2's public API: pyproject.toml bounds its version, and
    tests/grammar/test_hcl_coupling.py fails when a release moves them or its trees differ from the API's."""
    import hcl2.parser
    from hcl2.postlexer import PostLexer
    from lark import Lark

    return Lark.open("hcl2.lark", rel_to=hcl2.parser.__file__, parser="lalr", postlex=PostLexer(), cache=True)


def parse_hcl(text: str) -> Tree:
    """The Lark tree of ``text``; raises lark's UnexpectedInput (or python-hcl2's own errors).

    Heredoc end markers followed by spaces are accepted, as Terraform accepts them (python-hcl2's grammar
    does not: https://github.com/amplify-education/python-hcl2/issues/343); every offset is kept."""
    # As python-hcl2's parses_to_tree: a final newline, since the grammar has no end-of-file token.
    return _parser().parse(fix_heredoc_markers(text) + "\n")


# A heredoc opener (<<ID or <<-ID, then the end of its line) and the first later line that is the marker.
_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def heredoc_spans(text: str) -> list[tuple[int, int, int]]:
    """(start of the heredoc, start of its closing-marker line, end of that line) of each heredoc."""
    spans: list[tuple[int, int, int]] = []
    pos = 0
    while (m := _HEREDOC_OPEN.search(text, pos)) is not None:
        marker = m.group(1)
        at = m.end()
        found = False
        while at < len(text):
            nl = text.find("\n", at)
            stop = len(text) if nl < 0 else nl
            if text[at:stop].strip(" \t\r") == marker:
                spans.append((m.start(), at, stop))
                pos = stop
                found = True
                break
            at = stop + 1
        if not found:
            pos = m.end()
    return spans


def fix_heredoc_markers(text: str) -> str:
    """``text`` with the blanks that follow a heredoc's closing marker moved before it, on the same line:
    the grammar then reads the marker, and no offset outside that line moves (the marker is not part of
    the heredoc's value)."""
    parts: list[str] = []
    last = 0
    for _start, line_start, line_end in heredoc_spans(text):
        stop = line_end - 1 if line_end > line_start and text[line_end - 1] == "\r" else line_end
        content = text[line_start:stop]
        stripped = content.rstrip(" \t")
        if stripped == content:
            continue
        parts.append(text[last:line_start])
        parts.append(content[len(stripped) :] + stripped)
        last = stop
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


# A top-level block's first line: an identifier, labels, then "{" (``resource "a" "b" {``), at column 0.
_BLOCK_HEAD = re.compile(r'^[A-Za-z_][\w-]*(?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*[ \t]*\{', re.M)


def top_level_segments(text: str) -> list[tuple[int, int]]:
    """The file cut before each top-level block (a block head at column 0, not inside a heredoc): the
    pieces a file that fails to parse as a whole is parsed in, so one broken block hides no other."""
    inside = heredoc_spans(text)
    cuts = [
        m.start() for m in _BLOCK_HEAD.finditer(text) if not any(a < m.start() < b for a, _l, b in inside)
    ]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    cuts.append(len(text))
    return [(a, b) for a, b in pairwise(cuts) if a < b]


def parse_segment(text: str, first: int, stop: int) -> Tree:
    """The tree of ``text[first:stop]``, parsed with everything else blanked (newlines kept), so that
    every position is the one in the whole file."""
    before = re.sub(r"[^\n]", " ", text[:first])
    return parse_hcl(before + text[first:stop])


# -- positions ----------------------------------------------------------------------------------------


def edge(node: Tree | Token, last: bool) -> Token | None:
    """The first (or last) token under ``node``."""
    while isinstance(node, Tree):
        children = [c for c in node.children if c is not None]
        if not children:
            return None
        node = children[-1] if last else children[0]
    return node


def start(node: Tree | Token) -> int:
    """File offset where ``node`` starts."""
    tok = edge(node, False)
    return tok.start_pos or 0 if tok is not None else 0


def end(node: Tree | Token) -> int:
    """File offset just past ``node``."""
    tok = edge(node, True)
    return tok.end_pos or 0 if tok is not None else 0


def line(node: Tree | Token) -> int:
    tok = edge(node, False)
    return tok.line or 1 if tok is not None else 1


def position(node: Tree | Token) -> tuple[int, int]:
    """1-based (line, column) where ``node`` starts."""
    tok = node if isinstance(node, Token) else edge(node, False)
    return (tok.line or 1, tok.column or 1) if tok is not None else (1, 1)


# -- structure ----------------------------------------------------------------------------------------


def children(node: Tree) -> list[Tree]:
    return [c for c in node.children if isinstance(c, Tree)]


def name(node: Tree) -> str:
    """The text of a node's first token (an identifier's name)."""
    tok = next((c for c in node.children if isinstance(c, Token)), None)
    return str(tok) if tok is not None else ""


def unwrap(node: Tree) -> Tree:
    """Skip expr_term wrappers and parentheses."""
    while isinstance(node, Tree) and node.data == "expr_term":
        inner = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        if len(inner) != 1:
            break
        node = inner[0]
    return node


class Block:
    """A block (``resource "type" "name" { ... }``): its kind, labels, attributes and nested blocks."""

    def __init__(self, node: Tree, labels: list[str], kind: str) -> None:
        self.node = node
        self.labels = labels
        self.kind = kind
        self.attrs: dict[str, Tree] = {}
        self.blocks: list[Block] = []


def top_body(tree: Tree) -> Tree | None:
    """The body of a parsed file."""
    return next((c for c in children(tree) if c.data == "body"), None)


def read_body(text: str, body: Tree) -> tuple[dict[str, Tree], list[Block]]:
    """A body's attributes by name and its blocks, nested blocks read too."""
    attrs: dict[str, Tree] = {}
    blocks: list[Block] = []
    for child in children(body):
        if child.data == "attribute":
            parts = children(child)
            attrs[name(parts[0])] = child
        elif child.data == "block":
            parts = children(child)
            labels = [
                string_literal(text, p) or name(p) for p in parts[1:] if p.data in ("string", "identifier")
            ]
            inner = next((p for p in parts if p.data == "body"), None)
            block = Block(child, labels, name(parts[0]))
            if inner is not None:
                block.attrs, block.blocks = read_body(text, inner)
            blocks.append(block)
    return attrs, blocks


def attribute_value(attr: Tree) -> Tree:
    """The expression of an attribute (``name = <expression>``)."""
    return children(attr)[-1]


# -- literals -----------------------------------------------------------------------------------------


def string_value(text: str, node: Tree) -> tuple[str, list[int], bool]:
    """A quoted string's value, the file offset of each of its characters (plus one for its end), and
    whether it interpolates (``${...}``, kept as written). ``$${`` and ``%%{`` are literal ``${`` / ``%{``."""
    first = start(node) + 1
    stop = end(node) - 1
    chars: list[str] = []
    offsets: list[int] = []
    interpolated = False
    i = first
    while i < stop:
        c = text[i]
        if c == "\\" and i + 1 < stop:
            e = text[i + 1]
            if e in _ESCAPES:
                chars.append(_ESCAPES[e])
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
    offsets.append(stop)
    return "".join(chars), offsets, interpolated


def string_literal(text: str, node: Tree) -> str | None:
    """The value of a quoted string without interpolation, else None."""
    if node.data != "string":
        return None
    value, _offsets, interpolated = string_value(text, node)
    return None if interpolated else value


def heredoc_value(node: Tree) -> tuple[str, list[int]]:
    """A heredoc's value (``<<-`` strips the common indentation) and the file offset of each character."""
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
    for at, content_line in body:
        content = content_line[indent:] if len(content_line) >= indent else ""
        skip = len(content_line) - len(content)
        for k, ch in enumerate(content):
            chars.append(ch)
            offsets.append(base + at + skip + k)
        chars.append("\n")
        offsets.append(base + at + len(content_line))
    offsets.append(offsets[-1] if offsets else base)
    return "".join(chars), offsets


def number(text: str) -> int | Decimal | str:
    """A numeric literal: an int, else an exact Decimal, else the text as written."""
    try:
        return int(text)
    except ValueError:
        try:
            return Decimal(text)
        except InvalidOperation:
            return text
