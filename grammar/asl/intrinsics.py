"""Intrinsic function calls (``States.Format(...)`` and friends), parsed with ``intrinsics.lark``.

The static checks follow the developer guide's table (DG ``intrinsic-functions.html``): the known
``States.*`` names and their arities, literal argument types, the ``States.Hash`` algorithms, the
shallow-only ``States.JsonMerge``, the ``States.Format`` placeholder count, escapes in string literals
and nesting of at most 10 calls in one field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tamis.grammar.asl.jsonpath import parse_path

if TYPE_CHECKING:  # lark loads on first use: most strings never need a grammar
    from lark import Lark, Token, Tree


MAX_NESTING = 10  # DG intrinsic-functions.html: "nest up to 10 intrinsic functions within a field"
HASH_ALGORITHMS = frozenset({"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"})

# name -> (minimum arity, maximum arity or None, argument kinds; the last kind repeats).
# Kinds: "str", "int", "num", "bool", "arr", "obj", "path", "any", "scalar".
SIGNATURES: dict[str, tuple[int, int | None, tuple[str, ...]]] = {
    "States.Format": (1, None, ("str", "scalar")),
    "States.StringToJson": (1, 1, ("str",)),
    "States.JsonToString": (1, 1, ("path",)),
    "States.Array": (0, None, ("any",)),
    "States.ArrayPartition": (2, 2, ("arr", "int")),
    "States.ArrayContains": (2, 2, ("arr", "any")),
    "States.ArrayRange": (3, 3, ("int", "int", "int")),
    "States.ArrayGetItem": (2, 2, ("arr", "int")),
    "States.ArrayLength": (1, 1, ("arr",)),
    "States.ArrayUnique": (1, 1, ("arr",)),
    "States.Base64Encode": (1, 1, ("str",)),
    "States.Base64Decode": (1, 1, ("str",)),
    "States.Hash": (2, 2, ("str", "str")),
    "States.JsonMerge": (3, 3, ("obj", "obj", "bool")),
    "States.MathRandom": (2, 3, ("int", "int", "int")),
    "States.MathAdd": (2, 2, ("num", "num")),
    "States.StringSplit": (2, 2, ("str", "str")),
    "States.UUID": (0, 0, ()),
}
_ILLEGAL_ESCAPES = frozenset('"')


@dataclass(frozen=True)
class IntrinsicInfo:
    """The outcome of checking one intrinsic call: an error (or None) and the variables it reads."""

    error: str | None
    variables: tuple[str, ...] = ()
    column: int | None = None  # 1-based column of a syntax error in the call's text


def _is_tree(node: object) -> bool:
    """A lark Tree (tokens are strings and have no ``data``), without importing lark."""
    return hasattr(node, "data")


@cache
def _parser() -> Lark:
    grammar = Path(__file__).with_name("intrinsics.lark").read_text(encoding="utf-8")
    from lark import Lark

    return Lark(grammar, parser="lalr", lexer="contextual", cache=True)


def looks_like_call(text: str) -> bool:
    """Whether ``text`` is written as a function call (so it should be checked as one)."""
    head, paren, _ = text.partition("(")
    return bool(paren) and head.replace(".", "").replace("_", "").isalnum()


@lru_cache(maxsize=16384)
def check_intrinsic(text: str) -> IntrinsicInfo:
    """Check one intrinsic function call written as the whole of ``text``."""
    call = fast_parse(text)
    if call is None:  # not a plain call (or a syntax error): the grammar decides and locates
        return grammar_check(text)
    variables: list[str] = []
    error = _check_call(call, 1, variables)  # type: ignore[arg-type]
    return IntrinsicInfo(error, tuple(variables))


def grammar_check(text: str) -> IntrinsicInfo:
    """Check ``text`` with the Lark grammar (no fast path)."""
    parser = _parser()
    from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken

    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        col = getattr(exc, "column", None)
        at_end = isinstance(exc, UnexpectedEOF) or (
            isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
        )
        if at_end or not isinstance(col, int) or col < 1:  # stopped short: point just past the end
            col = len(text.rstrip()) + 1
        return IntrinsicInfo(f"invalid intrinsic function call (syntax error at column {col})", column=col)
    variables: list[str] = []
    try:
        error = _check_call(tree.children[0], 1, variables)
    except RecursionError:
        error = f"intrinsic functions may be nested at most {MAX_NESTING} deep"
    return IntrinsicInfo(error, tuple(variables))


class _Node:
    """A syntax-tree node shaped like the Lark tree of ``intrinsics.lark`` (``data`` and ``children``;
    tokens are plain strings), built by the fast path so that one checker serves both parsers."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children


_WS = frozenset(" \t\r\n")  # the grammar's %ignore
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
# Path characters the fast path takes: printable ASCII that PATH's `[^,()\s'\[]` accepts.
_PATH_CHARS = frozenset(chr(c) for c in range(33, 127)) - frozenset(",()'[")
# Inside `[...]` of a path: printable ASCII without quotes (quoted names go to the grammar).
_BRACKET_CHARS = frozenset(chr(c) for c in range(32, 127)) - frozenset("]'\"")
_LITERALS = {"true": _Node("true", []), "false": _Node("false", []), "null": _Node("null", [])}
_FAST_MAX_DEPTH = MAX_NESTING + 2  # deeper calls are reported by the grammar path


def fast_parse(text: str) -> _Node | None:
    """The ``call`` node of ``text`` when it is a plain call the fast path reads exactly as the Lark
    grammar does, else None (then the grammar decides, and locates any syntax error).

    It accepts a subset of the grammar's language: names, nested calls, quoted strings with any
    escape, numbers, true/false/null and paths of printable ASCII with `[...]` holding no quotes.
    Whatever it is unsure of (odd whitespace, quoted brackets, non-ASCII in paths) it gives up on;
    tests/asl/test_speed_paths.py checks it against the grammar on generated calls."""
    n = len(text)
    i = 0
    while i < n and text[i] in _WS:
        i += 1
    name, i = _name(text, i, n)
    if name is None or name in _LITERALS:  # a keyword is lexed differently at the top: grammar
        return None
    parsed = _call_rest(text, i, n, name, 1)
    if parsed is None:
        return None
    call, i = parsed
    while i < n and text[i] in _WS:
        i += 1
    return call if i == n else None


def _name(text: str, i: int, n: int) -> tuple[str | None, int]:
    """FUNC_NAME at ``i``: an identifier, then `.identifier` parts (a dangling dot gives up)."""
    if i >= n or text[i] not in _NAME_START:
        return None, i
    start = i
    i += 1
    while i < n and text[i] in _NAME_CHARS:
        i += 1
    while i < n and text[i] == ".":
        j = i + 1
        while j < n and text[j] in _NAME_CHARS:
            j += 1
        if j == i + 1:
            return None, i
        i = j
    return text[start:i], i


def _call_rest(text: str, i: int, n: int, name: str, depth: int) -> tuple[_Node, int] | None:
    """After a name: `(`, arguments separated by `,`, `)`."""
    if depth > _FAST_MAX_DEPTH:
        return None
    while i < n and text[i] in _WS:
        i += 1
    if i >= n or text[i] != "(":
        return None
    i += 1
    children: list[Any] = [name]
    while i < n and text[i] in _WS:
        i += 1
    if i < n and text[i] == ")":
        return _Node("call", children), i + 1
    while True:
        arg = _arg(text, i, n, depth)
        if arg is None:
            return None
        node, i = arg
        children.append(node)
        while i < n and text[i] in _WS:
            i += 1
        if i >= n:
            return None
        ch = text[i]
        i += 1
        if ch == ")":
            return _Node("call", children), i
        if ch != ",":
            return None
        while i < n and text[i] in _WS:
            i += 1


def _arg(text: str, i: int, n: int, depth: int) -> tuple[Any, int] | None:
    if i >= n:
        return None
    ch = text[i]
    if ch == "'":
        j = i + 1
        while j < n:
            c = text[j]
            if c == "'":
                return _Node("string", [text[i : j + 1]]), j + 1
            if c == "\\":
                if j + 1 >= n or text[j + 1] == "\n":  # the grammar's `\\.` takes no line break
                    return None
                j += 2
            else:
                j += 1
        return None
    if ch == "$":
        j = i + 1
        while j < n:
            c = text[j]
            if c in _PATH_CHARS:
                j += 1
            elif c == "[":
                k = j + 1
                while k < n and text[k] in _BRACKET_CHARS:
                    k += 1
                if k >= n or text[k] != "]":
                    return None
                j = k + 1
            else:
                break
        return _Node("path", [text[i:j]]), j
    if ch == "-" or ch in _DIGITS:
        j = i + 1 if ch == "-" else i
        if j >= n or text[j] not in _DIGITS:
            return None
        if text[j] == "0":
            j += 1
        else:
            while j < n and text[j] in _DIGITS:
                j += 1
        if j < n and text[j] == ".":
            k = j + 1
            while k < n and text[k] in _DIGITS:
                k += 1
            if k == j + 1:
                return None
            j = k
        if j < n and text[j] in "eE":
            k = j + 1
            if k < n and text[k] in "+-":
                k += 1
            m = k
            while m < n and text[m] in _DIGITS:
                m += 1
            if m == k:
                return None
            j = m
        return _Node("number", [text[i:j]]), j
    name, j = _name(text, i, n)
    if name is None:
        return None
    literal = _LITERALS.get(name)
    if literal is not None:
        return literal, j
    return _call_rest(text, j, n, name, depth + 1)


def _literal_kind(node: Tree | Token) -> str:
    if _is_tree(node):
        return {"string": "str", "number": "num", "true": "bool", "false": "bool", "null": "null"}.get(
            str(node.data), "dynamic"
        )
    return "dynamic"


def _unescape(raw: str) -> tuple[str | None, str | None]:
    """The value of a quoted literal, or an error for an escape the service rejects."""
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            # AWS-recorded: `\\"` is rejected; other escapes (`\\n` in docs' examples) are kept literally.
            if nxt in _ILLEGAL_ESCAPES or not nxt:
                return None, f"illegal escape sequence '\\{nxt}' in string literal {raw}"
            out.append(
                "\\" + nxt if nxt in "{}" else (nxt if nxt in "'\\" else "\\" + nxt)
            )  # keep \{ \} marked for Format counting
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out), None


def _check_call(call: Tree, depth: int, variables: list[str]) -> str | None:
    if depth > MAX_NESTING:
        return f"intrinsic functions may be nested at most {MAX_NESTING} deep"
    name_tok = call.children[0]
    name = str(name_tok)
    args = [a for a in call.children[1:] if a is not None]
    sig = SIGNATURES.get(name)
    if sig is None:
        return f"unknown intrinsic function {name!r}"
    lo, hi, kinds = sig
    if len(args) < lo or (hi is not None and len(args) > hi):
        want = str(lo) if lo == hi else (f"{lo} to {hi}" if hi is not None else f"at least {lo}")
        return f"{name} takes {want} argument(s), got {len(args)}"
    literals: list[str | None] = []
    for i, arg in enumerate(args):
        kind = kinds[min(i, len(kinds) - 1)] if kinds else "any"
        if _is_tree(arg) and arg.data == "call":
            err = _check_call(arg, depth + 1, variables)
            if err:
                return err
            literals.append(None)
            continue
        if _is_tree(arg) and arg.data == "path":
            info = parse_path(str(arg.children[0]))
            if info.error:
                return f"{name}: {info.error}"
            if info.variable:
                variables.append(info.variable)
            literals.append(None)
            continue
        lit = _literal_kind(arg)
        value = None
        if lit == "str":
            value, err = _unescape(str(arg.children[0]))
            if err:
                return err
        literals.append(value)
        err = _kind_error(name, i, kind, lit, arg)
        if err:
            return err
    return _special(name, args, literals)


def _kind_error(name: str, i: int, kind: str, lit: str, arg: Tree) -> str | None:
    ok = {
        "any": True,
        "scalar": True,
        "str": lit == "str",
        "bool": lit == "bool",
        "num": lit == "num",
        "int": lit == "num" and _is_int(str(arg.children[0])),
        "arr": False,
        "obj": False,
        "path": False,
    }[kind]
    if ok:
        return None
    expected = {
        "str": "a string",
        "bool": "a boolean",
        "num": "a number",
        "int": "an integer",
        "arr": "an array (a path or a call)",
        "obj": "an object (a path or a call)",
        "path": "a path",
    }[kind]
    return f"argument {i + 1} of {name} must be {expected}"


def _is_int(text: str) -> bool:
    return not any(c in text for c in ".eE")


def _special(name: str, args: list[Tree | Token], literals: list[str | None]) -> str | None:
    if name == "States.Format" and literals and literals[0] is not None:
        template = literals[0]
        # `\{` and `\}` were kept escaped by _unescape: only bare `{}` pairs are placeholders.
        placeholders = template.replace("\\{", "").replace("\\}", "").count("{}")
        if placeholders != len(args) - 1:
            return f"States.Format template has {placeholders} placeholder(s) but {len(args) - 1} value(s)"
    elif name == "States.Hash" and literals[1] is not None and literals[1] not in HASH_ALGORITHMS:
        return f"States.Hash algorithm must be one of {', '.join(sorted(HASH_ALGORITHMS))}"
    elif name == "States.JsonMerge":
        last = args[2]
        if _is_tree(last) and last.data == "true":
            return "States.JsonMerge supports only a shallow merge: the third argument must be false"
    elif name == "States.ArrayRange":
        step = args[2]
        if _is_tree(step) and step.data == "number" and float(str(step.children[0])) == 0:
            return "States.ArrayRange step must not be 0"
    elif name in ("States.ArrayGetItem", "States.ArrayPartition"):
        idx = args[1]
        if _is_tree(idx) and idx.data == "number":
            value = float(str(idx.children[0]))
            if value < 0 or (name == "States.ArrayPartition" and value == 0):
                return f"argument 2 of {name} must be {'positive' if value == 0 else 'non-negative'}"
    return None
