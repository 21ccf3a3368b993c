"""Decision functions for compiled Choice states: the hot path of ``tamis.compile_choice``.

The compiler (``tamis.compiler.asl.choice_compiler``) resolves everything it can once: reference paths
become tuples of keys and indexes, literal timestamps become comparable tuples, operators become the
functions below.
A decision then only reads the input and compares. This module imports neither lark nor jsonschema.

Run-time semantics follow the Step Functions developer guide (``state-choice.html``) and the ASL
specification (§Choice State): a comparison whose operand has the wrong type is false, a missing
``Variable`` (or ``...Path`` operand) is the run-time error ``States.Runtime`` except under ``IsPresent``,
and no matching rule without a ``Default`` is ``States.NoChoiceMatched``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tamis.errors import TamisError


class StatesError(TamisError):
    """A run-time failure of a Choice state; ``error`` is the service's error name (``States.*``)."""

    error = "States.Runtime"

    def __init__(self, message: str, *, pointer: str | None = None, state: str | None = None) -> None:
        self.state = state
        super().__init__(message, rule=self.error, pointer=pointer)

    @property
    def cause(self) -> str:
        return self.message


class StatesRuntimeError(StatesError):
    """``States.Runtime``: e.g. a ``Variable`` path that is absent from the input."""

    error = "States.Runtime"


class NoChoiceMatchedError(StatesError):
    """``States.NoChoiceMatched``: no rule matched and the state has no ``Default``."""

    error = "States.NoChoiceMatched"


class QueryEvaluationError(StatesError):
    """``States.QueryEvaluationError``: a JSONata ``Condition`` failed or did not give a boolean."""

    error = "States.QueryEvaluationError"


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# (input, variables, context) -> value or MISSING
Getter = Callable[[Any, Mapping[str, Any], Any], Any]
# (input, variables, context) -> bool
Predicate = Callable[[Any, Mapping[str, Any], Any], bool]
Step = str | int


# --------------------------------------------------------------------------------------------------------
# Reading values: a reference path is a root (input, context or a variable) and a tuple of steps.


def resolve(value: Any, steps: Sequence[Step]) -> Any:
    """The value at ``steps`` below ``value``, or MISSING. Keys read objects only, indexes arrays only."""
    for step in steps:
        if type(step) is str:
            if type(value) is dict:
                value = value.get(step, MISSING)
                if value is MISSING:
                    return MISSING
            else:
                return MISSING
        elif type(value) is list and 0 <= step < len(value):  # type: ignore[operator]
            value = value[step]  # type: ignore[index]
        else:
            return MISSING
    return value


def input_getter(steps: tuple[Step, ...]) -> Getter:
    if not steps:
        return lambda i, v, c: i
    if len(steps) == 1 and type(steps[0]) is str:
        key = steps[0]
        return lambda i, v, c: i.get(key, MISSING) if type(i) is dict else MISSING
    return lambda i, v, c: resolve(i, steps)


def context_getter(steps: tuple[Step, ...]) -> Getter:
    return lambda i, v, c: MISSING if c is None else resolve(c, steps)


def variable_getter(name: str, steps: tuple[Step, ...]) -> Getter:
    def get(i: Any, v: Mapping[str, Any], c: Any) -> Any:
        value = v.get(name, MISSING)
        return value if value is MISSING else resolve(value, steps)

    return get


# --------------------------------------------------------------------------------------------------------
# Type tests. bool is a subclass of int in Python but never a JSON number.


def is_number(x: Any) -> bool:
    # exact type first (the common case); Decimal subclasses come from tamis's exact JSON numbers
    t = type(x)
    return t is int or t is float or (t is not bool and isinstance(x, Decimal))


def as_binary64(x: int | float | Decimal) -> float:
    """Numeric comparisons use IEEE-754 binary64 (ASL spec §Choice State), so huge integers round."""
    try:
        return float(x)
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


# --------------------------------------------------------------------------------------------------------
# RFC 3339 timestamps (ASL spec §Timestamps: uppercase T and Z, an offset required). Parsed by hand so that
# no regular expression engine runs on input text; fractions of any length are compared exactly.

_DIGITS = frozenset("0123456789")
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _num(s: str, start: int, end: int) -> int:
    part = s[start:end]
    if len(part) != end - start or not _DIGITS.issuperset(part):
        return -1
    return int(part)


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic, no datetime range limits)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_timestamp(s: Any) -> tuple[int, str] | None:
    """``(epoch seconds, fraction digits without trailing zeros)`` of an RFC 3339 timestamp, else None.

    Tuples compare like the instants they denote: the fraction strings compare lexicographically exactly
    as the decimal fractions they spell once trailing zeros are gone.
    """
    if type(s) is not str or len(s) < 20:
        return None
    if s[4] != "-" or s[7] != "-" or s[10] != "T" or s[13] != ":" or s[16] != ":":
        return None
    year, month, day = _num(s, 0, 4), _num(s, 5, 7), _num(s, 8, 10)
    hour, minute, second = _num(s, 11, 13), _num(s, 14, 16), _num(s, 17, 19)
    if min(year, month, day, hour, minute, second) < 0:
        return None
    if not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59 or day < 1:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day > _MONTH_DAYS[month - 1] + (1 if month == 2 and leap else 0):
        return None
    pos, n = 19, len(s)
    fraction = ""
    if s[pos] == ".":
        end = pos + 1
        while end < n and s[end] in _DIGITS:
            end += 1
        if end == pos + 1:
            return None
        fraction = s[pos + 1 : end].rstrip("0")
        pos = end
    tz = s[pos:]
    if tz == "Z":
        offset = 0
    elif len(tz) == 6 and tz[0] in "+-" and tz[3] == ":":
        oh, om = _num(tz, 1, 3), _num(tz, 4, 6)
        if oh < 0 or om < 0 or oh > 23 or om > 59:
            return None
        offset = (oh * 60 + om) * 60 * (1 if tz[0] == "+" else -1)
    else:
        return None
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
    return seconds, fraction


# --------------------------------------------------------------------------------------------------------
# StringMatches: `*` matches any run of characters, `\*` a literal star, `\\` a literal backslash
# (DG state-choice.html). With only `*` as a wildcard, anchoring the first and last literal pieces and
# finding the middle ones leftmost-first is an exact matcher: any match can be shifted to the leftmost
# occurrence of each middle piece without disturbing the others. No regex engine is involved.


def wildcard_pieces(pattern: str) -> list[str] | None:
    """The literal pieces between unescaped stars, or None when a backslash escapes nothing valid."""
    pieces: list[str] = []
    current: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 < n and pattern[i + 1] in "*\\":
                current.append(pattern[i + 1])
                i += 2
                continue
            return None
        if ch == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    pieces.append("".join(current))
    return pieces


def wildcard_matcher(pieces: list[str]) -> Callable[[str], bool]:
    if len(pieces) == 1:
        literal = pieces[0]
        return lambda s: s == literal
    head, tail, middle = pieces[0], pieces[-1], [p for p in pieces[1:-1] if p]
    fixed = len(head) + len(tail)
    if not middle:
        return lambda s: len(s) >= fixed and s.startswith(head) and s.endswith(tail)

    def match(s: str) -> bool:
        if len(s) < fixed or not s.startswith(head) or not s.endswith(tail):
            return False
        pos, stop = len(head), len(s) - len(tail)
        for piece in middle:
            found = s.find(piece, pos, stop)
            if found < 0:
                return False
            pos = found + len(piece)
        return True

    return match


# --------------------------------------------------------------------------------------------------------
# Operators. Each comparison is (x, y) -> bool where x is the Variable's value and y the operand: a literal
# prepared by ``prepare_literal`` or, for ...Path variants, the other value as read from the input.


def _str_op(cmp: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    return lambda x, y: type(x) is str and type(y) is str and cmp(x, y)


def _num_op(cmp: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def op(x: Any, y: Any) -> bool:
        return is_number(x) and is_number(y) and cmp(as_binary64(x), as_binary64(y))

    return op


def _ts_op(cmp: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def op(x: Any, y: Any) -> bool:
        tx = parse_timestamp(x)
        if tx is None:
            return False
        ty = y if type(y) is tuple else parse_timestamp(y)
        return ty is not None and cmp(tx, ty)

    return op


def _lt(a: Any, b: Any) -> bool:
    return a < b


def _le(a: Any, b: Any) -> bool:
    return a <= b


def _gt(a: Any, b: Any) -> bool:
    return a > b


def _ge(a: Any, b: Any) -> bool:
    return a >= b


def _eq(a: Any, b: Any) -> bool:
    return a == b


def _bool_eq(x: Any, y: Any) -> bool:
    return type(x) is bool and type(y) is bool and x is y


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "StringEquals": _str_op(_eq),
    "StringLessThan": _str_op(_lt),
    "StringGreaterThan": _str_op(_gt),
    "StringLessThanEquals": _str_op(_le),
    "StringGreaterThanEquals": _str_op(_ge),
    "NumericEquals": _num_op(_eq),
    "NumericLessThan": _num_op(_lt),
    "NumericGreaterThan": _num_op(_gt),
    "NumericLessThanEquals": _num_op(_le),
    "NumericGreaterThanEquals": _num_op(_ge),
    "BooleanEquals": _bool_eq,
    "TimestampEquals": _ts_op(_eq),
    "TimestampLessThan": _ts_op(_lt),
    "TimestampGreaterThan": _ts_op(_gt),
    "TimestampLessThanEquals": _ts_op(_le),
    "TimestampGreaterThanEquals": _ts_op(_ge),
}

TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda x: x is None,
    "IsNumeric": is_number,
    "IsString": lambda x: type(x) is str,
    "IsBoolean": lambda x: type(x) is bool,
    "IsTimestamp": lambda x: parse_timestamp(x) is not None,
}


def prepare_literal(operator: str, value: Any) -> Any:
    """The literal operand in the form its comparison reads fastest (numbers as binary64, parsed times)."""
    if operator.startswith("Numeric"):
        return as_binary64(value)
    if operator.startswith("Timestamp"):
        return parse_timestamp(value)
    return value


# --------------------------------------------------------------------------------------------------------
# Predicate builders.


def _missing(pointer: str, path: str) -> StatesRuntimeError:
    return StatesRuntimeError(f"Invalid path '{path}': the path does not exist in the input", pointer=pointer)


def compare_literal(
    get: Getter, op: Callable[[Any, Any], bool], literal: Any, path: str, pointer: str
) -> Predicate:
    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        x = get(i, v, c)
        if x is MISSING:
            raise _missing(pointer, path)
        return op(x, literal)

    return test


def compare_path(
    get: Getter, op: Callable[[Any, Any], bool], get_other: Getter, path: str, other: str, pointer: str
) -> Predicate:
    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        x = get(i, v, c)
        if x is MISSING:
            raise _missing(pointer, path)
        y = get_other(i, v, c)
        if y is MISSING:
            raise _missing(pointer, other)
        return op(x, y)

    return test


def string_matches(get: Getter, pattern: str, path: str, pointer: str) -> Predicate:
    pieces = wildcard_pieces(pattern)
    if pieces is None:
        # The service accepts the definition and fails when the rule is evaluated (see notes/asl.md §Choice).
        def bad(i: Any, v: Mapping[str, Any], c: Any) -> bool:
            x = get(i, v, c)
            if x is MISSING:
                raise _missing(pointer, path)
            if type(x) is not str:
                return False
            raise StatesRuntimeError(
                f"invalid escape sequence in StringMatches pattern {pattern!r}", pointer=pointer
            )

        return bad
    matcher = wildcard_matcher(pieces)

    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        x = get(i, v, c)
        if x is MISSING:
            raise _missing(pointer, path)
        return type(x) is str and matcher(x)

    return test


def type_test(
    get: Getter, test_fn: Callable[[Any], bool], expected: bool, path: str, pointer: str
) -> Predicate:
    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        x = get(i, v, c)
        if x is MISSING:
            raise _missing(pointer, path)
        return test_fn(x) is expected

    return test


def is_present(get: Getter, expected: bool) -> Predicate:
    return lambda i, v, c: (get(i, v, c) is not MISSING) is expected


def all_of(preds: Sequence[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda i, v, c: a(i, v, c) and b(i, v, c)
    ps = tuple(preds)

    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        for p in ps:  # noqa: SIM110 - a plain loop avoids a generator per call on the hot path
            if not p(i, v, c):
                return False
        return True

    return test


def any_of(preds: Sequence[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda i, v, c: a(i, v, c) or b(i, v, c)
    ps = tuple(preds)

    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        for p in ps:  # noqa: SIM110 - a plain loop avoids a generator per call on the hot path
            if p(i, v, c):
                return True
        return False

    return test


def negate(pred: Predicate) -> Predicate:
    return lambda i, v, c: not pred(i, v, c)


# --------------------------------------------------------------------------------------------------------
# JSONata conditions: a parsed expression evaluated with $states and the workflow variables bound.
# Step Functions adds six functions to JSONata (DG transforming-data.html, "JSONata functions provided by
# Step Functions"); the compiler registers these on every parsed condition.

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _whole(x: Any, what: str) -> int:
    if not is_number(x) or x != int(x):
        raise ValueError(f"{what} must be an integer, not {x!r}")
    return int(x)


def _sfn_partition(array: Any, size: Any) -> list[Any]:
    n = _whole(size, "$partition size")
    if not isinstance(array, list) or n <= 0:
        raise ValueError("$partition takes an array and a positive chunk size")
    return [list(array[i : i + n]) for i in range(0, len(array), n)]


def _sfn_range(start: Any, end: Any, step: Any) -> list[int]:
    a, b, s = _whole(start, "$range start"), _whole(end, "$range end"), _whole(step, "$range step")
    if s == 0:
        raise ValueError("$range step must not be 0")
    return list(range(a, b + (1 if s > 0 else -1), s))


def _sfn_hash(value: Any, algorithm: Any) -> str:
    import hashlib

    if type(value) is not str or algorithm not in _HASHES:
        raise ValueError(f"$hash takes a string and one of {sorted(_HASHES)}")
    return hashlib.new(_HASHES[algorithm], value.encode("utf-8")).hexdigest()


def _sfn_random(*seed: Any) -> float:
    import random

    return random.Random(_whole(seed[0], "$random seed")).random() if seed else random.random()


def _sfn_uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def _sfn_parse(text: Any) -> Any:
    import json

    if type(text) is not str:
        raise ValueError("$parse takes a JSON string")
    return json.loads(text)


def jsonata_value(x: Any) -> Any:
    """``x`` with exact JSON numbers (Decimal) as binary64 floats, which is what JSONata computes with.

    Returns ``x`` itself when it holds no Decimal, so plain inputs are not copied.
    """
    t = type(x)
    if t is dict:
        out = None
        for k, v in x.items():
            w = jsonata_value(v)
            if w is not v:
                if out is None:
                    out = dict(x)
                out[k] = w
        return x if out is None else out
    if t is list:
        items = [jsonata_value(v) for v in x]
        return x if all(a is b for a, b in zip(items, x, strict=True)) else items
    if t is not bool and t is not int and t is not float and isinstance(x, Decimal):
        return as_binary64(x)
    return x


STEP_FUNCTIONS_JSONATA: dict[str, Callable[..., Any]] = {
    "partition": _sfn_partition,
    "range": _sfn_range,
    "hash": _sfn_hash,
    "random": _sfn_random,
    "uuid": _sfn_uuid,
    "parse": _sfn_parse,
}


def jsonata_condition(expression: Any, source: str, pointer: str) -> Predicate:
    """``expression`` is a parsed ``jsonata.Jsonata``; the result must be a boolean (DG state-choice.html)."""

    # The library reads a variable bound to None as undefined; JSON null has its own marker there.
    from jsonata.utils import Utils

    null = Utils.NULL_VALUE

    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        bindings = {k: null if x is None else x for k, x in v.items()}
        bindings["states"] = {"input": i, "context": {} if c is None else c}
        try:
            result = expression.evaluate(None, bindings)
        except Exception as exc:  # the library raises its own exceptions and RuntimeErrors
            raise QueryEvaluationError(
                f"the JSONata expression {source!r} failed: {exc}", pointer=pointer
            ) from None
        if type(result) is not bool:
            shown = "undefined" if result is None else type(result).__name__
            raise QueryEvaluationError(
                f"the JSONata expression {source!r} returned {shown}, not a boolean", pointer=pointer
            )
        return result

    return test


# --------------------------------------------------------------------------------------------------------
# The decision.

_EMPTY: Mapping[str, Any] = {}


class ChoiceDecision:
    """Callable ``(input, variables=None, context=None) -> next state name`` of one compiled Choice state."""

    __slots__ = ("_rules", "default", "nexts", "query_language", "state_name")

    def __init__(
        self,
        rules: Sequence[tuple[Predicate, str]],
        default: str | None,
        *,
        state_name: str | None = None,
        query_language: str = "JSONPath",
    ) -> None:
        self._rules = tuple(rules)
        self.default = default
        self.nexts = tuple(n for _, n in rules)
        self.state_name = state_name
        self.query_language = query_language

    def __call__(self, input: Any, variables: Mapping[str, Any] | None = None, context: Any = None) -> str:
        v = _EMPTY if variables is None else variables
        if self.query_language == "JSONata":
            input, context = jsonata_value(input), jsonata_value(context)
            v = {k: jsonata_value(x) for k, x in v.items()}
        for pred, nxt in self._rules:
            if pred(input, v, context):
                return nxt
        if self.default is not None:
            return self.default
        name = f" {self.state_name!r}" if self.state_name else ""
        raise NoChoiceMatchedError(
            f"no Choice rule matched the input of state{name} and it has no Default", state=self.state_name
        )

    def __repr__(self) -> str:
        return f"<ChoiceDecision {self.state_name!r}: {len(self._rules)} rules, default={self.default!r}>"
